import { and, eq, gt, isNull } from "drizzle-orm";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { accountLimits, accounts, apiKeys, deployments, lambdas, oauthClients, sessions, users } from "../db/schema";
import { invocationLimitColumns, invocationLimits } from "../gate/lease";
import type { ServingLookup } from "../runtime/invoke";
import { toPrincipal } from "./api-keys";
import { sessionPrincipal, sessionUserJoin } from "./sessions";
import { tokenPrincipal } from "./oauth-clients";
import type { TokenSubject } from "./tokens";

/** What the gateway needs before it runs a function: who calls, and what serves. */
export interface GatewayLookup {
  principal: Principal | null;
  /** The function of the key's own account with this uuid, its serving version (if any) and the account's limits. */
  lambda: ServingLookup;
  /** The account's cache generation read in the same statement (services/cache-generation.ts); null with no principal. */
  generation: number | null;
}

/** The serving half of a lookup's row: null when the caller's account has no function with that uuid. */
function servingOf(row: { name: string | null; deployment: typeof deployments.$inferSelect | null } & Parameters<typeof invocationLimits>[0]): ServingLookup {
  return row.name === null ? null : { name: row.name, deployment: row.deployment, limits: invocationLimits(row) };
}

/**
 * The invoke hot path reads the key (by its SHA-256), the function, its serving version and the account's
 * invocation limits (for the gate) in one statement: on local D1 each round trip costs about as
 * much CPU as the rest of the request. The function is joined on the key's own account, so another
 * account's function can never come back.
 */
export async function gatewayLookup(db: Db, keyHash: string, lambdaUuid: string): Promise<GatewayLookup> {
  const row = await db
    .select({ key: apiKeys, name: lambdas.name, deployment: deployments, ...invocationLimitColumns, generation: accounts.cacheGeneration })
    .from(apiKeys)
    .leftJoin(lambdas, and(eq(lambdas.accountId, apiKeys.accountId), eq(lambdas.uuid, lambdaUuid)))
    .leftJoin(deployments, eq(deployments.id, lambdas.deploymentId))
    .leftJoin(accountLimits, eq(accountLimits.accountId, apiKeys.accountId))
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .get();
  if (!row) return { principal: null, lambda: null, generation: null };
  return { principal: toPrincipal(row.key), lambda: servingOf(row), generation: row.generation };
}

/**
 * The same hot path for an OAuth2 access token (already verified: signature, expiry, scope). The
 * token's client is joined in, so a revoked client's tokens stop working at the next call (no
 * revocation list, no extra round trip): one statement, starting from the client of the token's
 * own account, then the function of that account, its serving version and the account's limits.
 * The caller acts as the FaaS-Invocation role of that account.
 */
export async function gatewayLookupToken(db: Db, subject: TokenSubject, lambdaUuid: string): Promise<GatewayLookup> {
  const row = await db
    .select({ clientRowId: oauthClients.id, clientName: oauthClients.name, name: lambdas.name, deployment: deployments, ...invocationLimitColumns, generation: accounts.cacheGeneration })
    .from(oauthClients)
    .leftJoin(lambdas, and(eq(lambdas.accountId, oauthClients.accountId), eq(lambdas.uuid, lambdaUuid)))
    .leftJoin(deployments, eq(deployments.id, lambdas.deploymentId))
    .leftJoin(accountLimits, eq(accountLimits.accountId, oauthClients.accountId))
    .innerJoin(accounts, eq(accounts.id, oauthClients.accountId))
    .where(and(eq(oauthClients.clientId, subject.clientId), eq(oauthClients.accountId, subject.accountId), isNull(oauthClients.revokedAt)))
    .get();
  if (!row) return { principal: null, lambda: null, generation: null };
  return { principal: tokenPrincipal(subject.accountId, { id: row.clientRowId, name: row.clientName }), lambda: servingOf(row), generation: row.generation };
}

/**
 * The same hot path for a signed-in user's bearer (by its SHA-256): the live session, its user (in
 * the same account; a deleted user has none), the user's function, its serving version and the
 * account's limits, in one statement. The caller acts with the user's roles.
 */
export async function gatewayLookupSession(db: Db, bearerHash: string, lambdaUuid: string, now = Date.now()): Promise<GatewayLookup> {
  const row = await db
    .select({ session: { id: sessions.id, expiresAt: sessions.expiresAt }, user: users, name: lambdas.name, deployment: deployments, ...invocationLimitColumns, generation: accounts.cacheGeneration })
    .from(sessions)
    .innerJoin(users, sessionUserJoin)
    .leftJoin(lambdas, and(eq(lambdas.accountId, sessions.accountId), eq(lambdas.uuid, lambdaUuid)))
    .leftJoin(deployments, eq(deployments.id, lambdas.deploymentId))
    .leftJoin(accountLimits, eq(accountLimits.accountId, sessions.accountId))
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.bearerHash, bearerHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .get();
  if (!row) return { principal: null, lambda: null, generation: null };
  return { principal: sessionPrincipal(row.session, row.user), lambda: servingOf(row), generation: row.generation };
}
