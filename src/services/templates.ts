// Function templates (LivePerson Functions §8.4): the catalogue GET /templates lists, and what
// creating a function with {templateId} takes from one (code, event, sample payload).
//
// Keyword Scanner (templates/messaging.ts) and Replace Files for Conversation (templates/replace-files.ts)
// share Messaging Conversation End with its default template; an account binds one of them.
// Added beyond LivePerson's list: one template per Third-Party Bots hook (pre, post, error), whose
// payload shapes edgefn chose (templates/bot-hooks.ts says why).
import type { z } from "@hono/zod-openapi";
import type { LambdaCreateSchema } from "../api/schemas";
import { badInput } from "../errors";
import { EVENT_CATALOGUE, normaliseEventId } from "./events-catalogue";
import type { LambdaCreateInput } from "./lambdas";
import { BOT_HOOK_TEMPLATES } from "./templates/bot-hooks";
import { MESSAGING_TEMPLATES } from "./templates/messaging";
import { NO_EVENT_TEMPLATES } from "./templates/no-event";
import { OTHER_EVENT_TEMPLATES } from "./templates/other-events";
import { replaceFiles } from "./templates/replace-files";
import { salesforce } from "./templates/salesforce";
import type { Template } from "./templates/template";

export type { Template } from "./templates/template";

// Listed as GET /events lists the events, the ones bound to no event first.
const eventOrder = (t: Template) => (t.eventId === null ? -1 : EVENT_CATALOGUE.findIndex((e) => e.eventId === t.eventId));

/** Every template; the first one (Greeting) is the default for a function without an event. */
export const TEMPLATES: readonly Template[] = [
  ...NO_EVENT_TEMPLATES,
  salesforce,
  ...OTHER_EVENT_TEMPLATES,
  ...BOT_HOOK_TEMPLATES,
  ...MESSAGING_TEMPLATES,
  replaceFiles,
].sort(
  (a, b) => eventOrder(a) - eventOrder(b),
);

export function findTemplate(templateId: string): Template | undefined {
  return TEMPLATES.find((t) => t.templateId === templateId);
}


/** The templates of one event ("No Event" or "" = the ones bound to no event), or all without a filter. */
export function listTemplates(eventId?: string): Template[] {
  if (eventId === undefined) return [...TEMPLATES];
  const wanted = normaliseEventId(eventId);
  return TEMPLATES.filter((t) => t.eventId === wanted);
}

type LambdaCreateBody = z.infer<typeof LambdaCreateSchema>;

/**
 * The create body with the template's parts filled in: its code (unless the caller gave an
 * implementation: the caller's code wins), its event and its sample payload (unless given). A
 * caller's eventId that differs from the template's is refused rather than silently replaced: the
 * code is written for the template's event. Without a templateId the body is returned as it is.
 */
export function applyTemplate(input: LambdaCreateBody): LambdaCreateInput {
  if (input.templateId === undefined) {
    if (input.implementation === undefined) throw badInput("implementation (with code) or templateId is required");
    return { ...input, implementation: input.implementation };
  }
  const template = findTemplate(input.templateId);
  if (!template) throw badInput(`Unknown templateId ${input.templateId}; GET /templates lists them`);

  const requested = normaliseEventId(input.eventId);
  if (requested !== null && requested !== template.eventId) {
    throw badInput(`Template ${template.templateId} is for ${template.eventId ?? "No Event"}, not eventId ${requested}; leave eventId out or pick a template of that event`);
  }
  return {
    ...input,
    eventId: template.eventId,
    implementation: input.implementation ?? { code: template.code, dependencies: [], environmentVariables: [] },
    samplePayload: input.samplePayload !== undefined ? input.samplePayload : structuredClone(template.samplePayload),
  };
}
