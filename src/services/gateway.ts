import { and, eq, isNull } from "drizzle-orm";
import type { Principal } from "../auth/principal";
import { sha256Hex } from "../crypto/hash";
import type { Db } from "../db/client";
import { apiKeys, deployments, lambdas } from "../db/schema";
import { looksLikeKey, toPrincipal } from "./api-keys";

/** What the gateway needs before it runs a function: who calls, and what serves. */
export interface GatewayLookup {
  principal: Principal | null;
  /** The function of the key's own account with this uuid, and its serving version (if any). */
  lambda: { name: string; deployment: typeof deployments.$inferSelect | null } | null;
}

/**
 * The invoke hot path reads the key, the function and its serving version in one statement: on
 * local D1 each round trip costs about as much CPU as the rest of the request. The function is
 * joined on the key's own account, so another account's function can never come back.
 */
export async function gatewayLookup(db: Db, key: string, lambdaUuid: string): Promise<GatewayLookup> {
  if (!looksLikeKey(key)) return { principal: null, lambda: null };
  const row = await db
    .select({ key: apiKeys, name: lambdas.name, deployment: deployments })
    .from(apiKeys)
    .leftJoin(lambdas, and(eq(lambdas.accountId, apiKeys.accountId), eq(lambdas.uuid, lambdaUuid)))
    .leftJoin(deployments, eq(deployments.id, lambdas.deploymentId))
    .where(and(eq(apiKeys.keyHash, await sha256Hex(key)), isNull(apiKeys.revokedAt)))
    .get();
  if (!row) return { principal: null, lambda: null };
  return { principal: toPrincipal(row.key), lambda: row.name === null ? null : { name: row.name, deployment: row.deployment } };
}
