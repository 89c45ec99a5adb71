// Checking a login name and password, for sign-in and for a user's own password change: the same
// work whatever the outcome (one reservation of the lockout, one user read, one PBKDF2 derivation,
// against a dummy hash when there is no such user or no password yet), the same 401 for every
// wrong pair, and 429 with Retry-After while the name or the address is locked, whether or not the
// name exists (services/login-throttle.ts).
import { and, eq } from "drizzle-orm";
import { verifyPassword } from "../crypto/password";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { ApiError, ErrorCodes, retryLater } from "../errors";
import { LOCK_MS, MAX_FAILURES, admitAttempt, forgetAttempt, lockoutAudit, throttleKeys } from "./login-throttle";

/** A login name as it is matched: case-insensitively. */
export const loginKeyOf = (loginName: string) => loginName.normalize("NFC").toLowerCase();

export const WRONG_CREDENTIALS = "Wrong user name or password";

export interface CredentialCheck {
  accountId: string;
  username: string;
  password: string;
  /** The client's address (api/client-address.ts), counted by the lockout. */
  address: string;
}

/** The user whose name and password these are, and the statement that forgets the attempt (for the caller's batch). */
export async function checkCredentials(db: Db, input: CredentialCheck, now: number) {
  const loginKey = loginKeyOf(input.username);
  const keys = throttleKeys(input.accountId, loginKey, input.address);
  const admission = await admitAttempt(db, keys, now);
  if (!admission.ok) {
    throw retryLater(
      429,
      ErrorCodes.tooManyRequests,
      `Too many failed sign-ins for this user name or from this address; try again in ${Math.ceil(admission.retryAfterSeconds / 60)} minutes`,
      admission.retryAfterSeconds,
    );
  }
  const user = await db
    .select()
    .from(users)
    .where(and(eq(users.accountId, input.accountId), eq(users.loginKey, loginKey)))
    .get();
  const ok = await verifyPassword(input.password, user?.passwordHash ?? null);
  if (!ok || !user?.passwordHash) {
    if (user) {
      const detail = { loginName: user.loginName, failures: MAX_FAILURES, minutes: LOCK_MS / 60_000 };
      await lockoutAudit(db, keys, { accountId: input.accountId, actor: "sign-in", action: "session.lockout", target: user.id, detail }, now).run();
    }
    throw new ApiError(401, ErrorCodes.unauthorized, WRONG_CREDENTIALS);
  }
  return { user: { ...user, passwordHash: user.passwordHash }, forget: () => forgetAttempt(db, keys, admission.attempt) };
}
