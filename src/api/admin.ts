import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { timingSafeEqualStrings } from "../crypto/hash";
import type { AppEnv } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import { createAccount } from "../services/accounts";
import { json, jsonBody } from "./json";
import { conflictResponse, dbOf, errorResponses, newRouter } from "./route";

/** Operator routes: Authorization: Bearer <OPERATOR_TOKEN> (a Worker secret). */
const operatorOnly = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.OPERATOR_TOKEN;
  if (!expected) throw new ApiError(503, ErrorCodes.general, "OPERATOR_TOKEN is not configured on this deployment");
  const given = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!given || !(await timingSafeEqualStrings(given, expected))) {
    throw new ApiError(401, ErrorCodes.unauthorized, "Operator routes need Authorization: Bearer <OPERATOR_TOKEN>");
  }
  await next();
});

export const adminRoutes = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/admin/accounts",
    summary: "Create an account and its first FaaS-Admin key (operator only)",
    middleware: [operatorOnly] as const,
    security: [{ operatorToken: [] }],
    request: {
      body: jsonBody(
        z.object({
          accountId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "accountId may contain letters, digits, _ and -, at most 64").optional(),
          name: z.string().min(1).max(100),
        }),
      ),
    },
    responses: {
      201: json(z.object({ accountId: z.string(), adminKey: z.string() }), "The account and its admin key (shown once)"),
      409: conflictResponse,
      ...errorResponses,
    },
  }),
  async (c) => c.json(await createAccount(dbOf(c), c.req.valid("json")), 201),
);
