// OAuth2 clients of an account (LivePerson's "app installations" for client_credentials): an
// Admin creates one, gets its client secret once, and an external system trades the pair for a
// short-lived JWT at the token endpoint (api/oauth.ts, services/tokens.ts). Only the SHA-256 hash
// of the secret is stored. Every query filters on the account; every change writes an audit row in
// the same batch.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Principal } from "../auth/principal";
import { actorName } from "../auth/principal";
import { randomToken, sha256Hex, timingSafeEqualStrings } from "../crypto/hash";
import type { Db } from "../db/client";
import { oauthClients } from "../db/schema";
import { ApiError, ErrorCodes } from "../errors";
import { auditIfChanged, auditInsert } from "./audit";
import { advanceCacheGeneration } from "./cache-generation";
import { bumpEpoch } from "../gate/client";

/** The one scope a client (and its tokens) carries: invoking the account's functions. */
export const INVOKE_SCOPE = "faas.lambda.invoke";
/** Client secrets start with this, so a leaked one is recognisable (and never taken for an API key). */
export const CLIENT_SECRET_PREFIX = "efs_";

type Row = typeof oauthClients.$inferSelect;

export interface OAuthClient {
  id: string;
  name: string;
  clientId: string;
  scope: string;
  createdAt: string;
  createdBy: string;
}

const toDto = (r: Row): OAuthClient => ({
  id: r.id,
  name: r.name,
  clientId: r.clientId,
  scope: r.scope,
  createdAt: new Date(r.createdAt).toISOString(),
  createdBy: r.createdBy,
});

const notFound = (id: string) => new ApiError(404, ErrorCodes.notFound, `No active OAuth client with id ${id} in this account`);

/** Creates a client; the answer holds the client secret, which is never shown again. */
export async function createOAuthClient(db: Db, p: Principal, input: { name: string }): Promise<OAuthClient & { clientSecret: string }> {
  const clientSecret = CLIENT_SECRET_PREFIX + randomToken(32);
  const row: Row = {
    id: crypto.randomUUID(),
    accountId: p.accountId,
    name: input.name,
    clientId: crypto.randomUUID(),
    secretHash: await sha256Hex(clientSecret),
    scope: INVOKE_SCOPE,
    createdAt: Date.now(),
    createdBy: actorName(p),
    revokedAt: null,
  };
  await db.batch([
    db.insert(oauthClients).values(row),
    auditInsert(db, { accountId: p.accountId, actor: actorName(p), action: "oauthclient.create", target: row.id, detail: { name: row.name, clientId: row.clientId } }, row.createdAt),
  ]);
  return { ...toDto(row), clientSecret };
}

/** The account's active clients, oldest first; never their secrets. */
export async function listOAuthClients(db: Db, p: Principal): Promise<OAuthClient[]> {
  const rows = await db
    .select()
    .from(oauthClients)
    .where(and(eq(oauthClients.accountId, p.accountId), isNull(oauthClients.revokedAt)))
    .orderBy(asc(oauthClients.createdAt), asc(oauthClients.id))
    .all();
  return rows.map(toDto);
}

/** Revokes a client: the token endpoint refuses it and its tokens stop working at once (the gateway checks per call). */
export async function revokeOAuthClient(db: Db, p: Principal, id: string): Promise<void> {
  const [revoked] = await db.batch([
    db
      .update(oauthClients)
      .set({ revokedAt: Date.now() })
      .where(and(eq(oauthClients.accountId, p.accountId), eq(oauthClients.id, id), isNull(oauthClients.revokedAt))),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "oauthclient.revoke", target: id }),
    advanceCacheGeneration(db, p.accountId),
  ]);
  if (revoked.meta.changes === 0) throw notFound(id);
  await bumpEpoch(p.accountId); // the gateway may hold the client's tokens in its cache
}

/** The principal an access token acts as: the FaaS-Invocation role of its account, named after its client. */
export const tokenPrincipal = (accountId: string, client: Pick<Row, "id" | "name">): Principal => ({
  accountId,
  kind: "token",
  id: client.id,
  name: `oauth:${client.name}`,
  roles: ["FaaS-Invocation"],
});

/**
 * The principal of a verified access token, while its client is still active (revoking a client
 * ends its tokens at the next call); null otherwise.
 */
export async function authenticateTokenSubject(db: Db, subject: { accountId: string; clientId: string }): Promise<Principal | null> {
  const row = await db
    .select({ id: oauthClients.id, name: oauthClients.name })
    .from(oauthClients)
    .where(and(eq(oauthClients.clientId, subject.clientId), eq(oauthClients.accountId, subject.accountId), isNull(oauthClients.revokedAt)))
    .get();
  return row ? tokenPrincipal(subject.accountId, row) : null;
}

// Compared against when the client is unknown, so an unknown client id costs the same as a wrong secret.
const DUMMY_HASH = "0".repeat(64);

/**
 * The active client of `accountId` with this id and secret, or null (unknown, revoked, another
 * account's, or a wrong secret: the caller cannot tell which). The secret's hash is compared in
 * constant time.
 */
export async function authenticateClient(db: Db, accountId: string, clientId: string, clientSecret: string): Promise<Row | null> {
  const row =
    clientId.length > 0 && clientId.length <= 200
      ? await db
          .select()
          .from(oauthClients)
          .where(and(eq(oauthClients.clientId, clientId), eq(oauthClients.accountId, accountId), isNull(oauthClients.revokedAt)))
          .get()
      : undefined;
  const ok = await timingSafeEqualStrings(await sha256Hex(clientSecret), row?.secretHash ?? DUMMY_HASH);
  return row && ok ? row : null;
}
