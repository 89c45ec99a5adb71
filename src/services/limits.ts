// Per-account limits set by the operator (table account_limits). A missing row or a null column
// means the documented default in LIMITS. Adding a limit: one nullable column in account_limits and
// one entry in LIMITS; the admin API, its validation and the answers follow from the table.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountLimits, accounts } from "../db/schema";
import { ApiError, ErrorCodes } from "../errors";
import { auditInsert } from "./audit";
import { advanceCacheGeneration } from "./cache-generation";
import { bumpEpoch, configureGate } from "../gate/client";
import { LIMIT_DEFAULTS, LIMIT_NAMES, effectiveLimits, type LimitName, type LimitOverrides, type LimitValues } from "../limit-definitions";

// The table itself lives a floor down (src/limit-definitions.ts), where the gate reads it too.
export * from "../limit-definitions";

/** What the admin API answers: the overrides at the top level, the defaults, and what applies. */
export type AccountLimitsView = { accountId: string } & LimitOverrides & { defaults: LimitValues; effective: LimitValues };

const OPERATOR = "operator";

const unknownAccount = (accountId: string) => new ApiError(404, ErrorCodes.notFound, `Account ${accountId} does not exist`);

const overrideColumns = Object.fromEntries(LIMIT_NAMES.map((n) => [n, accountLimits[n]])) as { [K in LimitName]: (typeof accountLimits)[K] };

function view(accountId: string, o: LimitOverrides): AccountLimitsView {
  return { accountId, ...o, defaults: LIMIT_DEFAULTS, effective: effectiveLimits(o) };
}

/** The account and its overrides in one statement; null if the account does not exist. */
async function readOverrides(db: Db, accountId: string): Promise<LimitOverrides | null> {
  const row = await db
    .select({ id: accounts.id, ...overrideColumns })
    .from(accounts)
    .leftJoin(accountLimits, eq(accountLimits.accountId, accounts.id))
    .where(eq(accounts.id, accountId))
    .get();
  if (!row) return null;
  return Object.fromEntries(LIMIT_NAMES.map((n) => [n, row[n] ?? null])) as LimitOverrides;
}

/** The limits that apply to an account now (defaults for an account without overrides). */
export async function limitsOf(db: Db, accountId: string): Promise<LimitValues> {
  return effectiveLimits(await readOverrides(db, accountId));
}

export async function getAccountLimits(db: Db, accountId: string): Promise<AccountLimitsView> {
  const o = await readOverrides(db, accountId);
  if (!o) throw unknownAccount(accountId);
  return view(accountId, o);
}

/**
 * Sets the given overrides (a field left out keeps its value; null restores the default) and
 * writes a limits.update audit row with what changed, in one batch.
 */
export async function setAccountLimits(db: Db, accountId: string, input: Partial<LimitOverrides>): Promise<AccountLimitsView> {
  const before = await readOverrides(db, accountId);
  if (!before) throw unknownAccount(accountId);
  const changes: Partial<LimitOverrides> = {};
  for (const name of LIMIT_NAMES) {
    if (input[name] !== undefined) (changes as Record<string, unknown>)[name] = input[name];
  }
  const after: LimitOverrides = { ...before, ...changes };
  const now = Date.now();
  const detail = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, { from: before[k as LimitName], to: v }]));
  await db.batch([
    db
      .insert(accountLimits)
      .values({ accountId, ...after, updatedAt: now, updatedBy: OPERATOR })
      .onConflictDoUpdate({ target: accountLimits.accountId, set: { ...changes, updatedAt: now, updatedBy: OPERATOR } }),
    auditInsert(db, { accountId, actor: OPERATOR, action: "limits.update", target: accountId, detail }, now),
    advanceCacheGeneration(db, accountId),
  ]);
  await bumpEpoch(accountId); // the gateway caches the limits with the functions
  // The account's data plane deletes by its retention without waiting for the next invocation.
  if (changes.logRetentionDays !== undefined) await configureGate(accountId, { logRetentionDays: effectiveLimits(after).logRetentionDays });
  return view(accountId, after);
}
