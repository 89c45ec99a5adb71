import { and, eq, isNull, sql } from "drizzle-orm";
import type { Principal, Role } from "../auth/principal";
import { actorName, canonicalRoles } from "../auth/principal";
import { randomToken, sha256Hex } from "../crypto/hash";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { ApiError, ErrorCodes, conflict } from "../errors";
import { auditIfChanged, auditInsert } from "./audit";
import { otherAdminsSql } from "./admins";
import { advanceCacheGeneration } from "./cache-generation";
import { bumpEpoch } from "../gate/client";

export const API_KEY_PREFIX = "efk_";

/** A new key: the plaintext (shown once) and the row that stores only its hash. */
export async function mintApiKey(input: { accountId: string; name: string; roles: readonly Role[]; createdBy: string }, now = Date.now()) {
  const key = API_KEY_PREFIX + randomToken(32);
  const roles = canonicalRoles(input.roles);
  if (roles.length === 0) throw new Error("a key needs at least one role");
  const row = {
    id: crypto.randomUUID(),
    accountId: input.accountId,
    name: input.name,
    role: roles[0]!,
    roles,
    keyHash: await sha256Hex(key),
    createdAt: now,
    createdBy: input.createdBy,
  };
  return { key, row };
}

/** Cheap shape check before any hashing or lookup. */
export const looksLikeKey = (key: string) => key.startsWith(API_KEY_PREFIX) && key.length <= 200;

// Not async: a drizzle query is a thenable, and returning it from an async function would run it.
const activeKeyQuery = (db: Db, keyHash: string) =>
  db.select().from(apiKeys).where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt))).limit(1);

/** A key row's roles (rows from before multi-role keys hold their one role in `role`). */
const rolesOf = (row: Pick<typeof apiKeys.$inferSelect, "role" | "roles">): Role[] => {
  const roles = canonicalRoles(row.roles ?? []);
  return roles.length > 0 ? roles : canonicalRoles([row.role]);
};

export const toPrincipal = (row: typeof apiKeys.$inferSelect | undefined | null): Principal | null =>
  row ? { accountId: row.accountId, kind: "key", id: row.id, name: row.name, roles: rolesOf(row) } : null;

/** Resolves a bearer key to its principal; revoked or unknown keys give null. */
export async function authenticateApiKey(db: Db, key: string): Promise<Principal | null> {
  if (!looksLikeKey(key)) return null;
  return toPrincipal((await activeKeyQuery(db, await sha256Hex(key)))[0]);
}

// `role` (the first of `roles`) stays for the clients of one-role keys.
const toDto = (r: typeof apiKeys.$inferSelect) => {
  const roles = rolesOf(r);
  return { id: r.id, name: r.name, role: roles[0]!, roles, createdAt: new Date(r.createdAt).toISOString(), createdBy: r.createdBy };
};

export async function createApiKey(db: Db, p: Principal, input: { name: string; roles: readonly Role[] }) {
  const { key, row } = await mintApiKey({ accountId: p.accountId, ...input, createdBy: actorName(p) });
  await db.batch([
    db.insert(apiKeys).values(row),
    auditInsert(db, { accountId: p.accountId, actor: actorName(p), action: "apikey.create", target: row.id, detail: { name: row.name, role: row.role, roles: row.roles } }),
  ]);
  return { ...toDto(row as typeof apiKeys.$inferSelect), key };
}

export async function listApiKeys(db: Db, p: Principal) {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, p.accountId), isNull(apiKeys.revokedAt)))
    .orderBy(apiKeys.createdAt)
    .all();
  return rows.map(toDto);
}

export async function revokeApiKey(db: Db, p: Principal, id: string) {
  const target = await db
    .select({ role: apiKeys.role, roles: apiKeys.roles })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, p.accountId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .get();
  if (!target) throw new ApiError(404, ErrorCodes.notFound, `No active API key with id ${id} in this account`);
  const isAdminKey = sql`EXISTS (SELECT 1 FROM json_each(${apiKeys.roles}) WHERE json_each.value = 'FaaS-Admin')`;
  const [revoked] = await db.batch([
    // The last-admin rule sits in the UPDATE itself: two admins revoking each other at once are
    // serialised by D1, and the second finds no other admin (key or signed-in user) left.
    db
      .update(apiKeys)
      .set({ revokedAt: Date.now() })
      .where(
        and(
          eq(apiKeys.id, id),
          eq(apiKeys.accountId, p.accountId),
          isNull(apiKeys.revokedAt),
          sql`(NOT ${isAdminKey} OR ${otherAdminsSql(p.accountId, { keyId: id })} > 0)`,
        ),
      ),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "apikey.revoke", target: id }),
    advanceCacheGeneration(db, p.accountId),
  ]);
  if (revoked.meta.changes === 0) {
    if (rolesOf(target).includes("FaaS-Admin")) {
      throw conflict("This is the account's last FaaS-Admin (no other Admin key, and no Admin user who can sign in); create another Admin before revoking it");
    }
    throw new ApiError(404, ErrorCodes.notFound, `No active API key with id ${id} in this account`);
  }
  await bumpEpoch(p.accountId); // the gateway may hold the key in its cache
}
