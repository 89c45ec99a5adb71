// "The account keeps someone who can manage it": a FaaS-Admin API key that is not revoked, or a
// FaaS-Admin user who can sign in (has a password). Revoking a key, deleting a user or taking the
// Admin role away puts this count into the conditional UPDATE/DELETE itself, so two Admins removing
// each other at once are serialised by D1 and the second finds nobody left (services/api-keys.ts,
// services/users.ts).
import { sql, type SQL } from "drizzle-orm";

const ADMIN = "FaaS-Admin";

/** SQL: how many managing Admins the account has besides the key `exceptKeyId` and the user `exceptUserId`. */
export function otherAdminsSql(accountId: string, except: { keyId?: string; userId?: string }): SQL<number> {
  const keyId = except.keyId ?? "";
  const userId = except.userId ?? "";
  return sql<number>`(
    (SELECT count(*) FROM api_keys k WHERE k.account_id = ${accountId} AND k.revoked_at IS NULL AND k.id <> ${keyId}
       AND EXISTS (SELECT 1 FROM json_each(k.roles) WHERE json_each.value = ${ADMIN}))
  + (SELECT count(*) FROM users u WHERE u.account_id = ${accountId} AND u.password_hash IS NOT NULL AND u.id <> ${userId}
       AND EXISTS (SELECT 1 FROM json_each(u.roles) WHERE json_each.value = ${ADMIN}))
  )`;
}
