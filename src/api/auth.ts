import { createMiddleware } from "hono/factory";
import type { Action } from "../auth/permissions";
import { can } from "../auth/permissions";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import { authenticateApiKey } from "../services/api-keys";

/** Every /api/account/:accountId route: a valid key of that very account, or no further. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const match = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw new ApiError(401, ErrorCodes.unauthorized, "Missing credentials: send Authorization: Bearer <API key>");
  const principal = await authenticateApiKey(createDb(c.env.DB), match[1]!);
  if (!principal) throw new ApiError(401, ErrorCodes.unauthorized, "Invalid or revoked API key");
  // Another account's resources do not exist for this caller: 404, never 403.
  if (principal.accountId !== c.req.param("accountId")) {
    throw new ApiError(404, ErrorCodes.notFound, `Account ${c.req.param("accountId")} not found`);
  }
  c.set("principal", principal);
  await next();
});

export const authorize = (action: Action) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { role } = c.get("principal");
    if (!can(role, action)) throw new ApiError(403, ErrorCodes.forbidden, `Role ${role} may not ${action.replace(":", " ")}`);
    await next();
  });
