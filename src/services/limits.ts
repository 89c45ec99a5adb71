// Per-account limits set by the operator (table account_limits). A missing row or a null column
// means the documented default in LIMITS. Adding a limit: one nullable column in account_limits and
// one entry in LIMITS; the admin API, its validation and the answers follow from the table.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountLimits, accounts } from "../db/schema";
import { ApiError, ErrorCodes } from "../errors";
import { auditInsert } from "./audit";
import { bumpEpoch } from "../gate/client";

interface NumberLimit {
  kind: "int";
  default: number;
  min: number;
  max: number;
  description: string;
}
interface FlagLimit {
  kind: "bool";
  default: boolean;
  description: string;
}

export const LIMITS = {
  concurrentInvocations: { kind: "int", default: 50, min: 1, max: 10_000, description: "Invocations of the account running at once (all triggers)" },
  functions: { kind: "int", default: 50, min: 1, max: 10_000, description: "Functions the account may hold" },
  schedules: { kind: "int", default: 50, min: 0, max: 10_000, description: "Schedules the account may hold (LivePerson V2: 50)" },
  invocationsPerMonth: { kind: "int", default: 150_000, min: 1, max: 1_000_000_000, description: "Fair-use invocations per calendar month (UTC); reported always, enforced only with enforceMonthlyQuota" },
  enforceMonthlyQuota: { kind: "bool", default: false, description: "Refuse invocations beyond invocationsPerMonth (429)" },
  timeoutMs: { kind: "int", default: 30_000, min: 100, max: 300_000, description: "Wall-clock limit of one invocation in ms (LivePerson: 30 s)" },
  outboundPerSecond: { kind: "int", default: 20, min: 1, max: 1_000, description: "Outbound requests per second per function (LivePerson: 20)" },
} as const satisfies Record<string, NumberLimit | FlagLimit>;

export type LimitName = keyof typeof LIMITS;
export type LimitValues = { [K in LimitName]: (typeof LIMITS)[K]["default"] extends boolean ? boolean : number };
/** Overrides as stored: null = the default. */
export type LimitOverrides = { [K in LimitName]: LimitValues[K] | null };

export const LIMIT_NAMES = Object.keys(LIMITS) as LimitName[];
export const LIMIT_DEFAULTS = Object.fromEntries(LIMIT_NAMES.map((n) => [n, LIMITS[n].default])) as LimitValues;
/** Kept for the allow-list code and its messages. */
export const OUTBOUND_PER_SECOND_DEFAULT = LIMITS.outboundPerSecond.default;

/** What the admin API answers: the overrides at the top level, the defaults, and what applies. */
export type AccountLimitsView = { accountId: string } & LimitOverrides & { defaults: LimitValues; effective: LimitValues };

const OPERATOR = "operator";

const unknownAccount = (accountId: string) => new ApiError(404, ErrorCodes.notFound, `Account ${accountId} does not exist`);

/** The effective value of one limit, from a stored override that may be null or absent. */
export const effectiveLimit = <K extends LimitName>(name: K, override: LimitValues[K] | null | undefined): LimitValues[K] =>
  override ?? LIMIT_DEFAULTS[name];

/** Every limit's effective value from a row of overrides (a missing row is all defaults). */
export const effectiveLimits = (o: Partial<LimitOverrides> | null | undefined): LimitValues =>
  Object.fromEntries(LIMIT_NAMES.map((n) => [n, effectiveLimit(n, o?.[n] as never)])) as LimitValues;

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
  ]);
  await bumpEpoch(accountId); // the gateway caches the limits with the functions
  return view(accountId, after);
}
