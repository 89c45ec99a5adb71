// The sign-in lockout (issue 13 §2): five failed sign-ins within 15 minutes lock the login name for
// 15 minutes, and the same limit applies to the client address, whichever account it tries.
//
// Counted in D1 (KV cannot count; the account's AccountGate would not see one address trying many
// accounts). Each attempt *reserves* its place before the password is checked: one INSERT writes
// the attempt's row for the login name and for the address only if neither is locked, so however
// many sign-ins arrive at once, at most five passwords per name (and per address) are ever tried
// in a window: D1 runs writes one at a time, and the fifth reservation locks both keys for every
// statement after it. A right password then removes its reservation (and the name's earlier
// failures); a wrong one leaves it, as the failure it is.
//
// "Locked" is literal: a key is locked for LOCK_MS after any attempt that was at least the fifth
// within WINDOW_MS. Attempts refused while locked are not recorded, so they do not extend it.
import { eq, inArray, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditLog, loginAttempts } from "../db/schema";
import type { AuditEntry } from "./audit";

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;
/** Rows older than this can no longer count or lock. */
const KEEP_MS = WINDOW_MS + LOCK_MS;
const PRUNE_BATCH = 100;

/** The counted keys of one sign-in: its login name in its account, and its client address. */
export const throttleKeys = (accountId: string, loginKey: string, address: string) => ({
  user: `user:${accountId}:${loginKey}`,
  address: `addr:${address}`,
});

type Keys = ReturnType<typeof throttleKeys>;

// SQL: the attempts of key `k` that locked it and still do (at least the MAX_FAILURES-th within WINDOW_MS, within LOCK_MS of now).
const locking = (k: string, now: number) => sql`
  SELECT f.at FROM login_attempts f WHERE f.key = ${k} AND f.at > ${now - LOCK_MS}
    AND (SELECT count(*) FROM login_attempts g WHERE g.key = f.key AND g.at > f.at - ${WINDOW_MS} AND g.at <= f.at) >= ${MAX_FAILURES}`;

export type Admission = { ok: true; attempt: string } | { ok: false; retryAfterSeconds: number };

/** Reserves one attempt for both keys, or says how long they stay locked. */
export async function admitAttempt(db: Db, keys: Keys, now = Date.now()): Promise<Admission> {
  const attempt = crypto.randomUUID();
  const [inserted, lockedUntil] = await db.batch([
    db.insert(loginAttempts).select(sql`
      SELECT NULL, k.key, ${attempt}, ${now} FROM (SELECT ${keys.user} AS key UNION ALL SELECT ${keys.address} AS key) k
      WHERE NOT EXISTS (${locking(keys.user, now)}) AND NOT EXISTS (${locking(keys.address, now)})`),
    db.select({ until: sql<number | null>`max(l.at) + ${LOCK_MS}` }).from(sql`(${locking(keys.user, now)} UNION ALL ${locking(keys.address, now)}) l`),
    db
      .delete(loginAttempts)
      .where(inArray(loginAttempts.id, db.select({ id: loginAttempts.id }).from(loginAttempts).where(lte(loginAttempts.at, now - KEEP_MS)).orderBy(loginAttempts.at).limit(PRUNE_BATCH))),
  ]);
  if (inserted.meta.changes > 0) return { ok: true, attempt };
  const until = lockedUntil[0]?.until ?? now + LOCK_MS;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
}

/** The statement that forgets a successful attempt: its reservation, and the login name's earlier failures. */
export const forgetAttempt = (db: Db, keys: Keys, attempt: string) =>
  db.delete(loginAttempts).where(or(eq(loginAttempts.attempt, attempt), eq(loginAttempts.key, keys.user)));

/**
 * The audit row of a lockout of a user's login name, for the statement after a wrong password: it is
 * written only if the name's failures in the window have reached MAX_FAILURES and no lockout row of
 * the user is younger than LOCK_MS, so one lockout gives one row however many failures end at once
 * (D1 runs the statements one at a time). An Admin then sees in the activity stream that someone is
 * guessing; lockouts of names no user has are not written (a guesser could fill the stream).
 */
export function lockoutAudit(db: Db, keys: Keys, e: AuditEntry, now: number) {
  const detail = JSON.stringify(e.detail ?? {});
  return db.insert(auditLog).select(sql`
    SELECT NULL, ${e.accountId}, ${e.actor}, ${e.action}, ${e.target}, ${detail}, ${now}
    WHERE (SELECT count(*) FROM login_attempts WHERE key = ${keys.user} AND at > ${now - WINDOW_MS}) >= ${MAX_FAILURES}
      AND NOT EXISTS (SELECT 1 FROM audit_log WHERE account_id = ${e.accountId} AND action = ${e.action} AND target = ${e.target} AND at > ${now - LOCK_MS})`);
}
