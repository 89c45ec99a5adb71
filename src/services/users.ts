// Users: people of an account who sign in (issue 13 §1). An Admin creates one with a login name,
// a non-empty set of roles, and either a password or a one-time invitation (a token shown once,
// stored as its SHA-256 hash, valid INVITATION_TTL_MS, that sets the password when accepted).
// Changing a user's roles or password, or deleting the user, ends the user's sessions at once
// (in the same batch, then the gate's epoch for the gateway's cache). Passwords and their hashes
// never leave this file except as the hash column; answers, errors and audit rows never hold them.
import { and, asc, eq, gt, isNotNull, sql } from "drizzle-orm";
import type { Principal, Role } from "../auth/principal";
import { actorName, canonicalRoles } from "../auth/principal";
import { randomToken, sha256Hex } from "../crypto/hash";
import { hashPassword, passwordProblem } from "../crypto/password";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { ApiError, ErrorCodes, badInput, conflict } from "../errors";
import { advanceCacheGeneration } from "./cache-generation";
import { bumpEpoch } from "../gate/client";
import { otherAdminsSql } from "./admins";
import { auditIfChanged } from "./audit";
import { loginKeyOf } from "./credentials";
import { revokeSessionsOf } from "./sessions";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
/** Invitation tokens start with this, so a leaked one is recognisable. */
export const INVITATION_PREFIX = "efi_";

type Row = typeof users.$inferSelect;

export interface UserView {
  id: string;
  loginName: string;
  roles: Role[];
  /** "active" once a password is set; "invited" while only an invitation can set it. */
  status: "active" | "invited";
  invitationExpiresAt: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface Invitation {
  token: string;
  expiresAt: string;
}

const toView = (r: Row): UserView => ({
  id: r.id,
  loginName: r.loginName,
  roles: canonicalRoles(r.roles),
  status: r.passwordHash ? "active" : "invited",
  invitationExpiresAt: r.invitationHash && r.invitationExpiresAt ? new Date(r.invitationExpiresAt).toISOString() : null,
  createdAt: new Date(r.createdAt).toISOString(),
  createdBy: r.createdBy,
  updatedAt: new Date(r.updatedAt).toISOString(),
  updatedBy: r.updatedBy,
});

const notFound = (id: string) => new ApiError(404, ErrorCodes.notFound, `No user with id ${id} in this account`);
const LAST_ADMIN = "This is the account's last FaaS-Admin who can manage it (no Admin key and no other Admin user with a password); make another Admin first";

/** The password rule as a 400 (the message never holds the password). */
export function checkPassword(password: string, loginName: string) {
  const problem = passwordProblem(password, loginName);
  if (problem) throw badInput(problem, { errors: [{ path: "password", message: problem }] });
}

async function newInvitation(now: number) {
  const token = INVITATION_PREFIX + randomToken(32);
  return { token, hash: await sha256Hex(token), expiresAt: now + INVITATION_TTL_MS };
}

const userOf = (db: Db, accountId: string, id: string) =>
  db.select().from(users).where(and(eq(users.accountId, accountId), eq(users.id, id))).get();

// SQL condition: the user `id` holds the Admin role and can sign in (counts as a managing Admin).
const isManagingAdmin = sql`(${users.passwordHash} IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(${users.roles}) WHERE json_each.value = 'FaaS-Admin'))`;

export async function createUser(
  db: Db,
  p: Principal,
  input: { loginName: string; roles: readonly Role[]; password?: string },
  now = Date.now(),
): Promise<{ user: UserView; invitation?: Invitation }> {
  if (input.password !== undefined) checkPassword(input.password, input.loginName);
  const invitation = input.password === undefined ? await newInvitation(now) : null;
  const row: Row = {
    id: crypto.randomUUID(),
    accountId: p.accountId,
    loginName: input.loginName,
    loginKey: loginKeyOf(input.loginName),
    roles: canonicalRoles(input.roles),
    passwordHash: input.password === undefined ? null : await hashPassword(input.password),
    passwordChangedAt: input.password === undefined ? null : now,
    invitationHash: invitation?.hash ?? null,
    invitationExpiresAt: invitation?.expiresAt ?? null,
    createdAt: now,
    createdBy: actorName(p),
    updatedAt: now,
    updatedBy: actorName(p),
  };
  try {
    await db.batch([
      db.insert(users).values(row),
      auditIfChanged(db, {
        accountId: p.accountId,
        actor: actorName(p),
        action: "user.create",
        target: row.id,
        detail: { loginName: row.loginName, roles: row.roles, invited: invitation !== null },
      }, now),
    ]);
  } catch (e) {
    if (String(e).includes("UNIQUE")) throw conflict(`A user with login name ${input.loginName} already exists in this account`);
    throw e;
  }
  return { user: toView(row), ...(invitation ? { invitation: { token: invitation.token, expiresAt: new Date(invitation.expiresAt).toISOString() } } : {}) };
}

export async function listUsers(db: Db, p: Principal): Promise<UserView[]> {
  const rows = await db.select().from(users).where(eq(users.accountId, p.accountId)).orderBy(asc(users.createdAt), asc(users.id)).all();
  return rows.map(toView);
}

/**
 * Changes a user's roles and/or password. Either ends the user's sessions (they were granted under
 * the old ones). Taking FaaS-Admin from the account's last managing Admin is refused (409).
 */
export async function updateUser(db: Db, p: Principal, id: string, input: { roles?: readonly Role[]; password?: string }, now = Date.now()): Promise<UserView> {
  const current = await userOf(db, p.accountId, id);
  if (!current) throw notFound(id);
  if (input.password !== undefined) checkPassword(input.password, current.loginName);
  const roles = input.roles ? canonicalRoles(input.roles) : canonicalRoles(current.roles);
  const rolesChanged = roles.join() !== canonicalRoles(current.roles).join();
  const changed = [...(rolesChanged ? ["roles"] : []), ...(input.password !== undefined ? ["password"] : [])];
  if (changed.length === 0) return toView(current);

  const next: Partial<Row> = { roles, updatedAt: now, updatedBy: actorName(p) };
  if (input.password !== undefined) Object.assign(next, { passwordHash: await hashPassword(input.password), passwordChangedAt: now, invitationHash: null, invitationExpiresAt: null });
  // After the change, the account must still have a managing Admin: this user (if still one), or another.
  const staysAdmin = roles.includes("FaaS-Admin") && (current.passwordHash !== null || input.password !== undefined);
  const [updated] = await db.batch([
    db
      .update(users)
      .set(next)
      .where(
        and(
          eq(users.accountId, p.accountId),
          eq(users.id, id),
          // Nothing changed it since it was read (a concurrent edit re-runs nothing silently).
          eq(users.updatedAt, current.updatedAt),
          staysAdmin ? sql`1` : sql`(NOT ${isManagingAdmin} OR ${otherAdminsSql(p.accountId, { userId: id })} > 0)`,
        ),
      ),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "user.update", target: id, detail: { loginName: current.loginName, changed, roles } }, now),
    revokeSessionsOf(db, p.accountId, id, now, true),
    advanceCacheGeneration(db, p.accountId),
  ]);
  if (updated.meta.changes === 0) {
    const again = await userOf(db, p.accountId, id);
    if (!again) throw notFound(id);
    if (again.updatedAt !== current.updatedAt) throw conflict("The user was changed by someone else meanwhile; read it again and retry");
    throw conflict(LAST_ADMIN);
  }
  await bumpEpoch(p.accountId);
  return toView({ ...current, ...next } as Row);
}

/** Deletes a user and ends their sessions; the account's last managing Admin cannot be deleted (409). */
export async function deleteUser(db: Db, p: Principal, id: string, now = Date.now()) {
  const current = await userOf(db, p.accountId, id);
  if (!current) throw notFound(id);
  const [deleted] = await db.batch([
    db
      .delete(users)
      .where(and(eq(users.accountId, p.accountId), eq(users.id, id), sql`(NOT ${isManagingAdmin} OR ${otherAdminsSql(p.accountId, { userId: id })} > 0)`)),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "user.delete", target: id, detail: { loginName: current.loginName } }, now),
    revokeSessionsOf(db, p.accountId, id, now, true),
    advanceCacheGeneration(db, p.accountId),
  ]);
  if (deleted.meta.changes === 0) {
    if (!(await userOf(db, p.accountId, id))) throw notFound(id);
    throw conflict(LAST_ADMIN);
  }
  await bumpEpoch(p.accountId);
}

/** A new invitation for a user (e.g. a forgotten password): replaces any earlier one; the password stays until it is accepted. */
export async function inviteUser(db: Db, p: Principal, id: string, now = Date.now()): Promise<Invitation> {
  const invitation = await newInvitation(now);
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ invitationHash: invitation.hash, invitationExpiresAt: invitation.expiresAt, updatedAt: now, updatedBy: actorName(p) })
      .where(and(eq(users.accountId, p.accountId), eq(users.id, id))),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "user.invite", target: id }, now),
  ]);
  if (updated.meta.changes === 0) throw notFound(id);
  return { token: invitation.token, expiresAt: new Date(invitation.expiresAt).toISOString() };
}

/**
 * Sets the password of the user an invitation of this account names, once: the UPDATE takes the
 * invitation away in the same statement, so a second use (or a race of two) finds nothing. Ends the
 * user's sessions. Unknown, used, expired and other accounts' invitations are one 401.
 */
export async function acceptInvitation(db: Db, accountId: string, token: string, password: string, now = Date.now()) {
  const hash = token.startsWith(INVITATION_PREFIX) && token.length <= 200 ? await sha256Hex(token) : null;
  const invalid = new ApiError(401, ErrorCodes.unauthorized, "This invitation is not valid: unknown, already used or expired; ask an Admin for a new one");
  if (!hash) throw invalid;
  const user = await db
    .select()
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.invitationHash, hash), isNotNull(users.invitationExpiresAt), gt(users.invitationExpiresAt, now)))
    .get();
  if (!user) throw invalid;
  checkPassword(password, user.loginName);
  const passwordHash = await hashPassword(password);
  const actor = `user:${user.loginName}#${user.id}`;
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ passwordHash, passwordChangedAt: now, invitationHash: null, invitationExpiresAt: null, updatedAt: now, updatedBy: actor })
      .where(and(eq(users.accountId, accountId), eq(users.id, user.id), eq(users.invitationHash, hash), gt(users.invitationExpiresAt, now))),
    auditIfChanged(db, { accountId, actor, action: "user.activate", target: user.id, detail: { loginName: user.loginName } }, now),
    revokeSessionsOf(db, accountId, user.id, now, true),
    advanceCacheGeneration(db, accountId),
  ]);
  if (updated.meta.changes === 0) throw invalid;
  await bumpEpoch(accountId);
  return { userId: user.id, loginName: user.loginName };
}
