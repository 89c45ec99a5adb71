import { and, count, eq, isNull, ne, or, sql } from "drizzle-orm";
import type { Principal, Role } from "../auth/principal";
import { actorName } from "../auth/principal";
import { randomToken, sha256Hex } from "../crypto/hash";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { ApiError, ErrorCodes, conflict } from "../errors";
import { auditIfChanged, auditInsert } from "./audit";
import { bumpEpoch } from "../gate/client";

export const API_KEY_PREFIX = "efk_";

/** A new key: the plaintext (shown once) and the row that stores only its hash. */
export async function mintApiKey(input: { accountId: string; name: string; role: Role; createdBy: string }, now = Date.now()) {
  const key = API_KEY_PREFIX + randomToken(32);
  const row = {
    id: crypto.randomUUID(),
    accountId: input.accountId,
    name: input.name,
    role: input.role,
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

export const toPrincipal = (row: typeof apiKeys.$inferSelect | undefined | null): Principal | null =>
  row ? { accountId: row.accountId, keyId: row.id, keyName: row.name, role: row.role as Role } : null;

/** Resolves a bearer key to its principal; revoked or unknown keys give null. */
export async function authenticateApiKey(db: Db, key: string): Promise<Principal | null> {
  if (!looksLikeKey(key)) return null;
  return toPrincipal((await activeKeyQuery(db, await sha256Hex(key)))[0]);
}

const toDto = (r: typeof apiKeys.$inferSelect) => ({
  id: r.id,
  name: r.name,
  role: r.role as Role,
  createdAt: new Date(r.createdAt).toISOString(),
  createdBy: r.createdBy,
});

export async function createApiKey(db: Db, p: Principal, input: { name: string; role: Role }) {
  const { key, row } = await mintApiKey({ accountId: p.accountId, ...input, createdBy: actorName(p) });
  await db.batch([
    db.insert(apiKeys).values(row),
    auditInsert(db, { accountId: p.accountId, actor: actorName(p), action: "apikey.create", target: row.id, detail: { name: row.name, role: row.role } }),
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
    .select({ role: apiKeys.role })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, p.accountId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .get();
  if (!target) throw new ApiError(404, ErrorCodes.notFound, `No active API key with id ${id} in this account`);
  const otherAdmins = db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, p.accountId), eq(apiKeys.role, "FaaS-Admin"), isNull(apiKeys.revokedAt), ne(apiKeys.id, id)));
  const [revoked] = await db.batch([
    // The last-admin rule sits in the UPDATE itself: two admins revoking each other at once are
    // serialised by D1, and the second finds no other admin left.
    db
      .update(apiKeys)
      .set({ revokedAt: Date.now() })
      .where(
        and(
          eq(apiKeys.id, id),
          eq(apiKeys.accountId, p.accountId),
          isNull(apiKeys.revokedAt),
          or(ne(apiKeys.role, "FaaS-Admin"), sql`(${otherAdmins}) > 0`),
        ),
      ),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "apikey.revoke", target: id }),
  ]);
  if (revoked.meta.changes === 0) {
    if (target.role === "FaaS-Admin") {
      throw conflict("This is the account's last FaaS-Admin key; create another admin key before revoking it");
    }
    throw new ApiError(404, ErrorCodes.notFound, `No active API key with id ${id} in this account`);
  }
  await bumpEpoch(p.accountId); // the gateway may hold the key in its cache
}
