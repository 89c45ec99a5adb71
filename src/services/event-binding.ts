// How functions bind to events (../shared/reference/liveperson-functions.md §1.2, §8.1): a function
// is bound to at most one event, chosen at creation and immutable; each event admits a limited
// number of functions per account (its functionLimit). For events whose skillsApply the limit holds
// per skill: a function carries skill ids (none = every skill), and no skill may be served by more
// than functionLimit functions of the event (every such event has limit 1, so: no overlap, and a
// function for every skill excludes all others). The limit is checked when a function is created or
// its skills change (against every function of the event) and again when it is deployed (against the
// deployed ones), inside the writing statement itself, so two requests at once cannot both pass it.
import { sql, type SQL } from "drizzle-orm";
import { ApiError, ErrorCodes, badInput } from "../errors";
import { findEvent, type CatalogueEvent } from "./events-catalogue";

export interface Binding {
  accountId: string;
  /** The function itself, left out of the count (its own earlier state never competes with it). */
  uuid: string;
  eventId: string | null;
  skills: string[];
}

/** Which functions compete: every function of the event (create, skills edit) or the deployed ones (deploy). */
export type BindingScope = "all" | "deployed";

/** The event of a binding, checked statically (400 for an unknown event or skills where none apply); null: no event. */
export function eventOfBinding(eventId: string | null, skills: string[]): CatalogueEvent | null {
  if (eventId === null) {
    if (skills.length) throw badInput("skills apply only to functions bound to an event whose skillsApply (GET /events)");
    return null;
  }
  const event = findEvent(eventId);
  if (!event) throw badInput(`Unknown eventId ${eventId}; GET /events lists the events a function can be bound to`);
  if (skills.length && !event.skillsApply) throw badInput(`Event ${eventId} does not select functions by skill; leave skills out`);
  return event;
}

/**
 * How many other functions of the account compete with this binding for its event: bound to the
 * same event (and, in scope "deployed", serving a version), and, for a skill event, sharing a skill
 * with it (a function with no skills serves every skill, so it shares all of them).
 */
function competitors(b: Binding & { eventId: string }, event: CatalogueEvent, scope: BindingScope): SQL {
  const skills = JSON.stringify(b.skills);
  const deployed = scope === "deployed" ? sql` AND o.deployment_id IS NOT NULL` : sql``;
  const overlapping = event.skillsApply
    ? sql` AND (json_array_length(o.skills) = 0 OR json_array_length(${skills}) = 0
             OR EXISTS (SELECT 1 FROM json_each(o.skills) AS mine WHERE mine.value IN (SELECT value FROM json_each(${skills}))))`
    : sql``;
  return sql`(SELECT count(*) FROM lambdas AS o
              WHERE o.account_id = ${b.accountId} AND o.event_id = ${b.eventId} AND o.uuid <> ${b.uuid}${deployed}${overlapping})`;
}

/**
 * A condition, for the WHERE of the statement that creates, edits or deploys the function, that is
 * true while the binding fits its event's limit; undefined when no event limits it.
 */
export function roomForBinding(b: Binding, scope: BindingScope): SQL | undefined {
  const event = eventOfBinding(b.eventId, b.skills);
  if (!event || b.eventId === null) return undefined;
  return sql`${competitors({ ...b, eventId: b.eventId }, event, scope)} < ${event.functionLimit}`;
}

/** The 409 for a binding over its event's limit (after the guarded statement changed nothing). */
export function eventLimitReached(eventId: string, skills: string[], scope: BindingScope): ApiError {
  const event = findEvent(eventId)!;
  const who = scope === "deployed" ? "deployed functions" : "functions";
  const detail = event.skillsApply
    ? `at most ${event.functionLimit} ${who} of event ${eventId} may serve any one skill, and ${
        skills.length ? `one of the skills ${skills.join(", ")}` : "every skill (no skills given)"
      } is already served`
    : `at most ${event.functionLimit} ${who} of an account may be bound to event ${eventId}, and that many are`;
  return new ApiError(409, ErrorCodes.limitReached, `Event function limit reached (functionLimit: ${event.functionLimit}): ${detail}`, {
    limitName: "functionLimit",
    limit: event.functionLimit,
    eventId,
  });
}

/**
 * Whether a function with these skills answers an event invocation for `skillId`. For events that
 * do not select by skill every function answers. For skill events a function without skills serves
 * every skill; a call without a skill (LivePerson's client sends `skillId=` empty) reaches only
 * those, as the account's default for the event.
 */
export function servesSkill(event: CatalogueEvent | undefined, functionSkills: string[], skillId: string | undefined): boolean {
  if (!event?.skillsApply) return true;
  if (functionSkills.length === 0) return true;
  return skillId !== undefined && skillId !== "" && functionSkills.includes(skillId);
}
