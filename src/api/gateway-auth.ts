// Authentication of the invoke routes (POST /lambdas/:uuid/invoke and /test): the caller and the
// function it calls in one step, from the isolate's cache when warm (services/gateway-cache), else
// from one D1 statement (services/gateway) that reads the key, the session's user or the token's
// client, the function, its
// serving version and the account's limits together.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../crypto/hash";
import type { AppEnv } from "../env";
import type { Freshness } from "../runtime/invoke";
import { looksLikeKey } from "../services/api-keys";
import { gatewayLookup, gatewayLookupSession, gatewayLookupToken, type GatewayLookup } from "../services/gateway";
import { looksLikeSessionBearer } from "../services/sessions";
import { sameRoles } from "../auth/principal";
import { cachedLookup, confirmLookup, knownEpoch, noteEpoch, rememberLookup, type CredentialRef } from "../services/gateway-cache";
import { looksLikeJwt } from "../services/tokens";
import { admit, bearerKey, verifiedTokenSubject } from "./auth";
import { dbOf } from "./route";
import { ApiError, ErrorCodes } from "../errors";

/** The credential of the request, checked as far as it can be without D1 (a token's signature and expiry); null: not one of ours. */
async function credentialOf(c: Context<AppEnv>): Promise<CredentialRef | null> {
  const credential = bearerKey(c);
  if (looksLikeJwt(credential)) {
    const subject = await verifiedTokenSubject(c, credential); // 401 when invalid or expired
    return { kind: "token", ...subject };
  }
  if (looksLikeSessionBearer(credential)) return { kind: "session", hash: await sha256Hex(credential) };
  return looksLikeKey(credential) ? { kind: "key", hash: await sha256Hex(credential) } : null;
}

const readLookup = (c: Context<AppEnv>, cred: CredentialRef, uuid: string): Promise<GatewayLookup> =>
  cred.kind === "key"
    ? gatewayLookup(dbOf(c), cred.hash, uuid)
    : cred.kind === "session"
      ? gatewayLookupSession(dbOf(c), cred.hash, uuid)
      : gatewayLookupToken(dbOf(c), cred, uuid);

/**
 * The invoke routes' authentication: the principal (admit() then checks it is a key or token of the
 * account in the path; another account's is 404) and the function it calls, put on the context with
 * the Freshness the invocation path uses to check a cached answer against the account's gate.
 */
export const authenticateAndLoad = createMiddleware<AppEnv>(async (c, next) => {
  const cred = await credentialOf(c);
  if (!cred) return admit(c, null); // 401
  const accountId = c.req.param("accountId") ?? "";
  const uuid = c.req.param("uuid") ?? "";

  const cached = cachedLookup(accountId, cred, uuid);
  // The epoch seen before the read that `found` comes from (see services/gateway-cache).
  let readAt = cached ? cached.epoch : knownEpoch(accountId);
  let found: GatewayLookup = cached ?? (await readLookup(c, cred, uuid));
  admit(c, found.principal);
  const principal = found.principal!;
  c.set("serving", found.lambda);

  const freshness: Freshness = {
    epoch: readAt,
    async refresh(epoch) {
      noteEpoch(accountId, epoch);
      readAt = epoch;
      found = await readLookup(c, cred, uuid);
      admit(c, found.principal);
      // The caller authorised above, with the roles it was authorised with (a user's roles may have
      // changed meanwhile; that change also ended the session, so this is belt and braces).
      const current = found.principal!;
      if (current.kind !== principal.kind || current.id !== principal.id || current.sessionId !== principal.sessionId || !sameRoles(current.roles, principal.roles)) {
        throw new ApiError(401, ErrorCodes.unauthorized, "The credentials changed during the request; retry");
      }
      return found.lambda;
    },
    admitted(epoch) {
      noteEpoch(accountId, epoch);
      if (cached && found === cached) confirmLookup(accountId, cred, uuid, cached, epoch);
      else rememberLookup(accountId, cred, uuid, found, readAt, epoch);
    },
  };
  c.set("freshness", freshness);
  await next();
});
