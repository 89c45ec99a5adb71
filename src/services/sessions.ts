// Sign-in sessions with LivePerson's login contract (issue 13 §2; liveperson-clients.md §2.3):
// POST /login {username, password} → {bearer, csrf, sessionId, config: {userId, loginName}};
// POST /refresh (Cookie: session_id, body {csrf}) answers 2xx while the session lives; POST /logout
// ends it. The bearer acts as the user, with the user's roles, on every /api/account route and on the
// gateway. Only SHA-256 hashes of the bearer, session id and csrf are stored. A session lasts
// SESSION_TTL_MS from sign-in (refresh does not extend it), and ends at once when revoked: by
// logout, by an Admin, or by a change of its user (roles, password, deletion: services/users.ts).
import { and, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Principal, Role } from "../auth/principal";
import { actorName, canonicalRoles } from "../auth/principal";
import { randomToken, sha256Hex } from "../crypto/hash";
import { PASSWORD_ITERATIONS, hashPassword, iterationsOf } from "../crypto/password";
import type { Db } from "../db/client";
import { sessions, users } from "../db/schema";
import { ApiError, ErrorCodes } from "../errors";
import { advanceCacheGeneration } from "./cache-generation";
import { bumpEpoch } from "../gate/client";
import { auditIfChanged } from "./audit";
import { WRONG_CREDENTIALS, checkCredentials, type CredentialCheck } from "./credentials";

/** LivePerson's session length. */
export const SESSION_TTL_MS = 8 * 60 * 60_000;
/** Bearers of sessions start with this (keys: efk_, OAuth client secrets: efs_), so each is told apart by shape. */
export const SESSION_BEARER_PREFIX = "efu_";

export const looksLikeSessionBearer = (s: string) => s.startsWith(SESSION_BEARER_PREFIX) && s.length <= 200;

const unauthorized = (msg: string) => new ApiError(401, ErrorCodes.unauthorized, msg);

export interface SignedIn {
  bearer: string;
  csrf: string;
  sessionId: string;
  expiresAt: string;
  config: { userId: string; loginName: string; roles: Role[] };
}

/** Signs in with a password (services/credentials.ts checks it: same 401 for every wrong pair, 429 while locked). */
export async function signIn(db: Db, input: CredentialCheck, now = Date.now()): Promise<SignedIn> {
  const { user, forget } = await checkCredentials(db, input, now);

  const bearer = SESSION_BEARER_PREFIX + randomToken(32);
  const sessionId = randomToken(32);
  const csrf = randomToken(24);
  const row = {
    id: crypto.randomUUID(),
    accountId: input.accountId,
    userId: user.id,
    bearerHash: await sha256Hex(bearer),
    sessionHash: await sha256Hex(sessionId),
    csrfHash: await sha256Hex(csrf),
    createdAt: now,
    expiresAt: now + SESSION_TTL_MS,
    revokedAt: null,
    clientAddress: input.address,
  };
  const actor = `user:${user.loginName}#${user.id}`;
  // A hash made with fewer iterations than today's is replaced while the password is at hand.
  const stale = (iterationsOf(user.passwordHash) ?? 0) < PASSWORD_ITERATIONS;
  const rehash = stale ? await hashPassword(input.password) : null;
  await db.batch([
    forget(),
    // Only while the user still has the password just checked: a change in between wins.
    db.insert(sessions).select(
      sql`SELECT ${row.id}, ${row.accountId}, ${row.userId}, ${row.bearerHash}, ${row.sessionHash}, ${row.csrfHash}, ${row.createdAt}, ${row.expiresAt}, NULL, ${row.clientAddress}
          WHERE EXISTS (SELECT 1 FROM users WHERE id = ${user.id} AND password_hash = ${user.passwordHash})`,
    ),
    auditIfChanged(db, { accountId: input.accountId, actor, action: "session.signin", target: user.id, detail: { session: row.id, loginName: user.loginName } }, now),
    ...(rehash ? [db.update(users).set({ passwordHash: rehash }).where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))] : []),
    // Sessions long past their end are no use to anyone, not even the Admin's list.
    db.delete(sessions).where(inArray(sessions.id, db.select({ id: sessions.id }).from(sessions).where(lt(sessions.expiresAt, now - 24 * 60 * 60_000)).limit(20))),
  ]);
  const created = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, row.id)).get();
  if (!created) throw unauthorized(WRONG_CREDENTIALS); // the password changed meanwhile
  return {
    bearer,
    csrf,
    sessionId,
    expiresAt: new Date(row.expiresAt).toISOString(),
    config: { userId: user.id, loginName: user.loginName, roles: canonicalRoles(user.roles) },
  };
}

// A live session and its user: not revoked, not expired, the user still there (deleting a user ends
// its sessions even before their rows are revoked).
const liveSession = (now: number) => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now));

/** The principal a session's row and its user's row make. */
export const sessionPrincipal = (s: Pick<typeof sessions.$inferSelect, "id" | "expiresAt">, u: typeof users.$inferSelect): Principal => ({
  accountId: u.accountId,
  kind: "user",
  id: u.id,
  name: u.loginName,
  roles: canonicalRoles(u.roles),
  sessionId: s.id,
  expiresAt: s.expiresAt,
});

/** The join that takes a session to its user, in the same account. */
export const sessionUserJoin = and(eq(users.id, sessions.userId), eq(users.accountId, sessions.accountId));

/** Resolves a session bearer to its user's principal; unknown, expired or revoked sessions give null. */
export async function authenticateSession(db: Db, bearer: string, now = Date.now()): Promise<Principal | null> {
  if (!looksLikeSessionBearer(bearer)) return null;
  const row = await db
    .select({ session: { id: sessions.id, expiresAt: sessions.expiresAt }, user: users })
    .from(sessions)
    .innerJoin(users, sessionUserJoin)
    .where(and(eq(sessions.bearerHash, await sha256Hex(bearer)), liveSession(now)))
    .get();
  return row ? sessionPrincipal(row.session, row.user) : null;
}

/** The live session of this account with this session id and csrf token, or null. */
async function sessionByCookie(db: Db, accountId: string, sessionId: string, csrf: string, now: number) {
  if (!sessionId || !csrf || sessionId.length > 200 || csrf.length > 200) return null;
  const row = await db
    .select({ id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt, csrfHash: sessions.csrfHash, loginName: users.loginName })
    .from(sessions)
    .innerJoin(users, sessionUserJoin)
    .where(and(eq(sessions.sessionHash, await sha256Hex(sessionId)), eq(sessions.accountId, accountId), liveSession(now)))
    .get();
  // The csrf is compared as its hash: both sides are SHA-256 of random tokens, so equality says nothing about either.
  return row && row.csrfHash === (await sha256Hex(csrf)) ? row : null;
}

/** lpf's validity check: 2xx while the session lives (csrf matching), 401 after. Does not extend it. */
export async function refreshSession(db: Db, accountId: string, sessionId: string, csrf: string, now = Date.now()) {
  const row = await sessionByCookie(db, accountId, sessionId, csrf, now);
  if (!row) throw unauthorized("The session has ended or is not valid; sign in again");
  return { expiresAt: new Date(row.expiresAt).toISOString() };
}

/** Ends the session named by its bearer (of this account), or by its session id and csrf. */
export async function signOut(db: Db, accountId: string, cred: { bearer?: string; sessionId?: string; csrf?: string }, now = Date.now()) {
  let target: { id: string; userId: string; loginName: string } | null = null;
  if (cred.bearer) {
    const p = await authenticateSession(db, cred.bearer, now);
    if (p && p.accountId === accountId) target = { id: p.sessionId!, userId: p.id, loginName: p.name };
  } else if (cred.sessionId && cred.csrf) {
    target = await sessionByCookie(db, accountId, cred.sessionId, cred.csrf, now);
  }
  if (!target) throw unauthorized("No live session matches these credentials");
  await db.batch([
    db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, target.id), isNull(sessions.revokedAt))),
    auditIfChanged(db, { accountId, actor: `user:${target.loginName}#${target.userId}`, action: "session.signout", target: target.userId, detail: { session: target.id, loginName: target.loginName } }, now),
    advanceCacheGeneration(db, accountId),
  ]);
  await bumpEpoch(accountId); // the gateway may hold the session in its cache
}

/** The user of this id in the principal's account, or 404 (another account's users do not exist here). */
async function userOfAccount(db: Db, p: Principal, userId: string) {
  const user = await db.select({ id: users.id, loginName: users.loginName }).from(users).where(and(eq(users.accountId, p.accountId), eq(users.id, userId))).get();
  if (!user) throw new ApiError(404, ErrorCodes.notFound, `No user with id ${userId} in this account`);
  return user;
}

export interface SessionView {
  id: string;
  createdAt: string;
  expiresAt: string;
  clientAddress: string | null;
}

/** A user's live sessions (never their tokens). */
export async function listUserSessions(db: Db, p: Principal, userId: string, now = Date.now()): Promise<SessionView[]> {
  await userOfAccount(db, p, userId);
  const rows = await db
    .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, clientAddress: sessions.clientAddress })
    .from(sessions)
    .where(and(eq(sessions.accountId, p.accountId), eq(sessions.userId, userId), liveSession(now)))
    .orderBy(sessions.createdAt)
    .all();
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString(), expiresAt: new Date(r.expiresAt).toISOString() }));
}

/**
 * Statement: revoke every live session of a user, in the caller's batch with the change that ends
 * them. With `afterAudit`, put it right after an auditIfChanged: it then revokes only if that audit
 * row was written, i.e. the change itself happened (changes() still refers to the audit insert).
 */
export const revokeSessionsOf = (db: Db, accountId: string, userId: string, now: number, afterAudit = false) =>
  db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.accountId, accountId), eq(sessions.userId, userId), isNull(sessions.revokedAt), afterAudit ? sql`changes() > 0` : undefined));

/** An Admin ends every session of a user of the account (404 for a user of no such id here). */
export async function revokeUserSessions(db: Db, p: Principal, userId: string, now = Date.now()) {
  const user = await userOfAccount(db, p, userId);
  await db.batch([
    revokeSessionsOf(db, p.accountId, userId, now),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "session.revoke", target: userId, detail: { loginName: user.loginName } }, now),
    advanceCacheGeneration(db, p.accountId),
  ]);
  await bumpEpoch(p.accountId);
}

