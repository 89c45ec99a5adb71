// Per-account limits set by the operator (table account_limits). A missing row or a null column
// means the documented default below. Issue 4 adds more limits: each is one nullable column, one
// entry in LIMIT_DEFAULTS and one optional field of the admin PUT body; the rest follows.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountLimits, accounts } from "../db/schema";
import { ApiError, ErrorCodes } from "../errors";
import { auditInsert } from "./audit";

/** Outbound requests per second per function (LivePerson: 20 req/s per function). */
export const OUTBOUND_PER_SECOND_DEFAULT = 20;
export const OUTBOUND_PER_SECOND_MAX = 1000;

export const LIMIT_DEFAULTS = { outboundPerSecond: OUTBOUND_PER_SECOND_DEFAULT } as const;
export type LimitName = keyof typeof LIMIT_DEFAULTS;

/** Overrides as stored: null = the default. */
export type LimitOverrides = { [K in LimitName]: number | null };

export interface AccountLimitsView {
  accountId: string;
  /** The account's overrides; null means the default applies. */
  outboundPerSecond: number | null;
  defaults: typeof LIMIT_DEFAULTS;
  /** What applies now: the override, or the default. */
  effective: { [K in LimitName]: number };
}

const OPERATOR = "operator";

const unknownAccount = (accountId: string) => new ApiError(404, ErrorCodes.notFound, `Account ${accountId} does not exist`);

/** The effective value of one limit, from a stored override that may be null or absent. */
export const effectiveLimit = <K extends LimitName>(name: K, override: number | null | undefined): number => override ?? LIMIT_DEFAULTS[name];

function view(accountId: string, o: LimitOverrides): AccountLimitsView {
  return {
    accountId,
    outboundPerSecond: o.outboundPerSecond,
    defaults: LIMIT_DEFAULTS,
    effective: { outboundPerSecond: effectiveLimit("outboundPerSecond", o.outboundPerSecond) },
  };
}

/** The account and its overrides in one statement; null if the account does not exist. */
async function readOverrides(db: Db, accountId: string): Promise<LimitOverrides | null> {
  const row = await db
    .select({ id: accounts.id, outboundPerSecond: accountLimits.outboundPerSecond })
    .from(accounts)
    .leftJoin(accountLimits, eq(accountLimits.accountId, accounts.id))
    .where(eq(accounts.id, accountId))
    .get();
  return row ? { outboundPerSecond: row.outboundPerSecond ?? null } : null;
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
  for (const name of Object.keys(LIMIT_DEFAULTS) as LimitName[]) {
    if (input[name] !== undefined) changes[name] = input[name];
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
  ]);
  return view(accountId, after);
}
