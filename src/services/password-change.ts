// A user changes their own password: with the login name and the current password, like a sign-in
// (the same lockout, the same 401 for any wrong pair), so no session or key is needed and a stolen
// bearer alone cannot change it. The change ends every session of the user, as an Admin's does.
import { and, eq } from "drizzle-orm";
import { hashPassword } from "../crypto/password";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { ApiError, ErrorCodes } from "../errors";
import { advanceCacheGeneration } from "./cache-generation";
import { bumpEpoch } from "../gate/client";
import { auditIfChanged } from "./audit";
import { WRONG_CREDENTIALS, checkCredentials, type CredentialCheck } from "./credentials";
import { revokeSessionsOf } from "./sessions";
import { checkPassword } from "./users";

export async function changeOwnPassword(db: Db, input: CredentialCheck & { newPassword: string }, now = Date.now()) {
  // The new password's rule first: a mistake in it is not a failed sign-in.
  checkPassword(input.newPassword, input.username);
  if (input.newPassword.normalize("NFC") === input.password.normalize("NFC")) {
    throw new ApiError(400, ErrorCodes.badInput, "the new password must differ from the current one");
  }
  const { user, forget } = await checkCredentials(db, input, now);
  const actor = `user:${user.loginName}#${user.id}`;
  const [updated] = await db.batch([
    // Only over the hash just checked: a change made meanwhile wins, and this one reports 401.
    db
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), passwordChangedAt: now, invitationHash: null, invitationExpiresAt: null, updatedAt: now, updatedBy: actor })
      .where(and(eq(users.id, user.id), eq(users.accountId, input.accountId), eq(users.passwordHash, user.passwordHash))),
    auditIfChanged(db, { accountId: input.accountId, actor, action: "user.password", target: user.id, detail: { loginName: user.loginName } }, now),
    revokeSessionsOf(db, input.accountId, user.id, now, true),
    forget(),
    advanceCacheGeneration(db, input.accountId),
  ]);
  if (updated.meta.changes === 0) throw new ApiError(401, ErrorCodes.unauthorized, WRONG_CREDENTIALS);
  await bumpEpoch(input.accountId);
}
