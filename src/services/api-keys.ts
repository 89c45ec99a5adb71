import { and, eq, isNull } from "drizzle-orm";
import type { Principal, Role } from "../auth/principal";
import { actorName } from "../auth/principal";
import { randomToken, sha256Hex } from "../crypto/hash";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { ApiError, ErrorCodes, conflict } from "../errors";
import { auditInsert } from "./audit";

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

/** Resolves a bearer key to its principal; revoked or unknown keys give null. */
export async function authenticateApiKey(db: Db, key: string): Promise<Principal | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  const row = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, await sha256Hex(key)), isNull(apiKeys.revokedAt)))
    .get();
  if (!row) return null;
  return { accountId: row.accountId, keyId: row.id, keyName: row.name, role: row.role as Role };
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
  const active = await db
    .select({ id: apiKeys.id, role: apiKeys.role })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, p.accountId), isNull(apiKeys.revokedAt)))
    .all();
  const target = active.find((k) => k.id === id);
  if (!target) throw new ApiError(404, ErrorCodes.notFound, `No active API key with id ${id} in this account`);
  if (target.role === "FaaS-Admin" && active.filter((k) => k.role === "FaaS-Admin").length === 1) {
    throw conflict("This is the account's last FaaS-Admin key; create another admin key before revoking it");
  }
  const now = Date.now();
  await db.batch([
    // Conditional on not yet revoked, so two concurrent revocations write one audit-worthy change.
    db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.id, id), eq(apiKeys.accountId, p.accountId), isNull(apiKeys.revokedAt))),
    auditInsert(db, { accountId: p.accountId, actor: actorName(p), action: "apikey.revoke", target: id }, now),
  ]);
}
