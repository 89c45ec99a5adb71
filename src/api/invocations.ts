import { z } from "@hono/zod-openapi";
import { getInvocation, listInvocations } from "../services/invocations";
import { json } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, IdParam, InvocationSchema, LogEntrySchema } from "./schemas";

export const invocationRoutes = newRouter()
  .openapi(
    accountRoute("invocation:read", {
      method: "get",
      path: "/api/account/{accountId}/invocations",
      summary: "Invocation records, newest first, one page at a time",
      request: {
        params: z.object({ accountId: AccountIdParam }),
        query: z.object({
          lambdaUUID: z.string().optional(),
          status: z.enum(["SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"]).optional(),
          from: z.string().optional().openapi({ description: "ISO-8601 or epoch ms, inclusive" }),
          to: z.string().optional().openapi({ description: "ISO-8601 or epoch ms, inclusive" }),
          cursor: z.string().optional().openapi({ description: "nextCursor of the previous page" }),
          limit: z.coerce.number().int().min(1).max(200).optional(),
        }),
      },
      responses: { 200: json(z.object({ items: z.array(InvocationSchema), nextCursor: z.string().nullable() }), "A page of invocations"), ...errorResponses },
    }),
    async (c) => c.json(await listInvocations(dbOf(c), c.get("principal"), c.req.valid("query")), 200),
  )
  .openapi(
    accountRoute("invocation:read", {
      method: "get",
      path: "/api/account/{accountId}/invocations/{id}",
      summary: "One invocation record with its stored logs",
      request: { params: z.object({ accountId: AccountIdParam, id: IdParam }) },
      responses: { 200: json(InvocationSchema.extend({ logs: z.array(LogEntrySchema) }), "The invocation"), ...errorResponses },
    }),
    async (c) => c.json(await getInvocation(dbOf(c), c.get("principal"), c.req.valid("param").id), 200),
  );
