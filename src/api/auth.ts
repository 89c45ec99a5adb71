import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Principal } from "../auth/principal";
import type { Action } from "../auth/permissions";
import { can } from "../auth/permissions";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import { authenticateApiKey } from "../services/api-keys";
import { authenticateTokenSubject } from "../services/oauth-clients";
import { authenticateSession, looksLikeSessionBearer } from "../services/sessions";
import { looksLikeJwt, verifyToken } from "../services/tokens";

/** The bearer key of the request; 401 without one. */
export function bearerKey(c: Context<AppEnv>): string {
  const match = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw new ApiError(401, ErrorCodes.unauthorized, "Missing credentials: send Authorization: Bearer <API key>");
  return match[1]!;
}

/** Lets the request go on as `principal` only if it is a key of the account in the path. */
export function admit(c: Context<AppEnv>, principal: Principal | null) {
  if (!principal) throw new ApiError(401, ErrorCodes.unauthorized, "Invalid or revoked credentials (API key, session or access token)");
  // Another account's resources do not exist for this caller: 404, never 403.
  if (principal.accountId !== c.req.param("accountId")) {
    throw new ApiError(404, ErrorCodes.notFound, `Account ${c.req.param("accountId")} not found`);
  }
  c.set("principal", principal);
}

/**
 * Every /api/account/:accountId route: a valid key of that very account, a live session of one of its
 * users (the bearer of POST /login; it acts with the user's roles), or an OAuth2 access token
 * issued to one of its clients (told apart by shape; the token acts as the FaaS-Invocation role,
 * so it reaches exactly the routes that role may use: invoke, the lists LivePerson's client reads,
 * isImplemented), or no further.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const credential = bearerKey(c);
  const db = createDb(c.env.DB);
  admit(
    c,
    looksLikeJwt(credential)
      ? await authenticateTokenSubject(db, await verifiedTokenSubject(c, credential))
      : looksLikeSessionBearer(credential)
        ? await authenticateSession(db, credential)
        : await authenticateApiKey(db, credential),
  );
  await next();
});

/** A verified access token's subject (signature, expiry, scope), or 401: its client is checked by the caller. */
export async function verifiedTokenSubject(c: Context<AppEnv>, token: string) {
  const subject = await verifyToken(c.env.JWT_SIGNING_KEY, token);
  if (!subject) throw new ApiError(401, ErrorCodes.unauthorized, "Invalid or expired access token");
  return subject;
}

export const authorize = (action: Action) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { roles } = c.get("principal");
    if (!can(roles, action)) {
      throw new ApiError(403, ErrorCodes.forbidden, `${roles.length === 1 ? "Role" : "Roles"} ${roles.join(", ")} may not ${action.replace(":", " ")}`);
    }
    await next();
  });
