import { z } from "@hono/zod-openapi";
import { listActivities } from "../services/activities";
import { exportActivitiesCsv, ACTIVITY_CSV_HEADER } from "../services/activity-export";
import { KNOWN_ENTITIES } from "../services/activity-summaries";
import { json } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });

const Filters = {
  entity: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, "entity is a kind of thing, e.g. lambda or secret")
    .optional()
    .openapi({ description: `The kind of thing changed: ${KNOWN_ENTITIES.join(", ")}` }),
  actor: z.string().max(300).optional().openapi({ description: "Exactly the actor an item shows, e.g. key:ci#<key id>" }),
  from: z.string().optional().openapi({ description: "ISO-8601 or epoch ms, inclusive" }),
  to: z.string().optional().openapi({ description: "ISO-8601 or epoch ms, inclusive" }),
};

const ActivitySchema = z
  .object({
    id: z.string(),
    at: z.string().openapi({ description: "ISO-8601" }),
    actor: z.string().openapi({ description: "key:<name>#<key id>, function:<uuid> (the toolbelt) or operator" }),
    action: z.string().openapi({ example: "lambda.deploy" }),
    entity: z.string().openapi({ example: "deployment" }),
    target: z.string().openapi({ description: "The id of the thing changed (uuid, id, secret key, domain)" }),
    summary: z.string().openapi({ example: "deployed function hello (3f0c…), version 2" }),
  })
  .openapi("Activity");

export const activityRoutes = newRouter()
  .openapi(
    accountRoute("activity:read", {
      method: "get",
      path: "/api/account/{accountId}/activities",
      summary: "The activity stream: who changed what when, newest first, one page at a time (kept 60 days)",
      request: {
        params: Params,
        query: z.object({
          ...Filters,
          cursor: z.string().optional().openapi({ description: "nextCursor of the previous page" }),
          limit: z.coerce.number().int().min(1).max(200).optional(),
        }),
      },
      responses: { 200: json(z.object({ items: z.array(ActivitySchema), nextCursor: z.string().nullable() }), "A page of activities"), ...errorResponses },
    }),
    async (c) => c.json(await listActivities(dbOf(c), c.get("principal"), c.req.valid("query")), 200),
  )
  .openapi(
    accountRoute("activity:read", {
      method: "get",
      path: "/api/account/{accountId}/activities/export",
      summary: "The activity stream as CSV (;-separated), streamed, with the same filters",
      request: { params: Params, query: z.object(Filters) },
      responses: {
        200: {
          description: `CSV, header ${ACTIVITY_CSV_HEADER}; fields holding ;, " or a line break are quoted`,
          content: { "text/csv": { schema: z.string() } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get("principal");
      const body = await exportActivitiesCsv(dbOf(c), p, c.req.valid("query"));
      return c.body(body, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="activities-${p.accountId}.csv"`,
      });
    },
  );
