import { z } from "@hono/zod-openapi";
import { listTemplates } from "../services/templates";
import { json } from "./json";
import { accountRoute, errorResponses, newRouter } from "./route";
import { AccountIdParam } from "./schemas";

const TemplateSchema = z
  .object({
    templateId: z.string().openapi({ description: "Pass as templateId to POST /lambdas", example: "greeting" }),
    name: z.string(),
    eventId: z.string().nullable().openapi({ description: "The event a function made from it is bound to; null = No Event" }),
    description: z.string(),
    code: z.string().openapi({ description: "JavaScript in LivePerson's V1 contract: function lambda(input, callback) {...}" }),
    samplePayload: z
      .object({ headers: z.array(z.object({ key: z.string(), value: z.any() })), payload: z.any() })
      .openapi({ description: "An example input of the event, {headers, payload}" }),
  })
  .openapi("Template");

export const templateRoutes = newRouter().openapi(
  accountRoute("lambda:read", {
    method: "get",
    path: "/api/account/{accountId}/templates",
    summary: "Function templates: code, event and sample payload a new function can start from (POST /lambdas with templateId)",
    request: {
      params: z.object({ accountId: AccountIdParam }),
      query: z.object({
        eventId: z.string().max(100).optional().openapi({ description: 'Only the templates of this event; "No Event" or empty = those bound to no event' }),
      }),
    },
    responses: { 200: json(z.array(TemplateSchema), "Templates"), ...errorResponses },
  }),
  (c) => c.json(listTemplates(c.req.valid("query").eventId), 200),
);
