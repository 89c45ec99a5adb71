import { z } from "@hono/zod-openapi";
import { EVENT_CATALOGUE } from "../services/events-catalogue";
import { isImplemented } from "../services/events";
import { json } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, EventIdParam } from "./schemas";

const EventSchema = z
  .object({
    eventId: z.string(),
    eventName: z.string(),
    source: z.string(),
    functionLimit: z.number().int().openapi({ description: "How many functions of an account may be bound to the event" }),
    skillsApply: z.boolean().openapi({ description: "Whether functions of the event are selected by skill" }),
  })
  .openapi("Event");

export const eventRoutes = newRouter()
  .openapi(
    accountRoute("lambda:read", {
      method: "get",
      path: "/api/account/{accountId}/events",
      summary: "The event catalogue: every event a function can be bound to",
      request: { params: z.object({ accountId: AccountIdParam }) },
      responses: { 200: json(z.array(EventSchema), "Events"), ...errorResponses },
    }),
    (c) => c.json(EVENT_CATALOGUE.map((e) => ({ ...e })), 200),
  )
  .openapi(
    accountRoute("lambda:invoke", {
      method: "get",
      path: "/api/account/{accountId}/events/{eventId}/isImplemented",
      summary:
        "Whether a deployed function of the account answers the event for skillId (as POST /events/{eventId}/invoke would run it); " +
        "always {implemented: bool}, also for unknown events. " +
        "V1 clients send v=1, skillId and externalSystem (possibly empty); V2 clients send skillId/userId and an LP-EventSource header.",
      request: {
        params: z.object({ accountId: AccountIdParam, eventId: EventIdParam }),
        query: z.object({
          v: z.string().optional(),
          skillId: z.string().optional(),
          externalSystem: z.string().optional(),
          userId: z.string().optional(),
        }),
      },
      responses: { 200: json(z.object({ implemented: z.boolean() }), "Whether the event is implemented"), ...errorResponses },
    }),
    async (c) =>
      c.json({ implemented: await isImplemented(dbOf(c), c.get("principal").accountId, c.req.valid("param").eventId, c.req.valid("query").skillId) }, 200),
  );
