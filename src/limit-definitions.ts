// The per-account limits: name, kind, default, bounds and meaning of each (docs/limits.md). The
// operator overrides them per account (services/limits.ts, table account_limits); the invocation
// path and the gate read the effective values. Adding a limit: one entry here and one nullable
// column in account_limits.

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
  logRetentionDays: { kind: "int", default: 30, min: 1, max: 365, description: "Days invocation records, logs and metrics are kept (LivePerson: 30)" },
} as const satisfies Record<string, NumberLimit | FlagLimit>;

export type LimitName = keyof typeof LIMITS;
export type LimitValues = { [K in LimitName]: (typeof LIMITS)[K]["default"] extends boolean ? boolean : number };
/** Overrides as stored: null = the default. */
export type LimitOverrides = { [K in LimitName]: LimitValues[K] | null };

export const LIMIT_NAMES = Object.keys(LIMITS) as LimitName[];
export const LIMIT_DEFAULTS = Object.fromEntries(LIMIT_NAMES.map((n) => [n, LIMITS[n].default])) as LimitValues;
/** Kept for the allow-list code and its messages. */
export const OUTBOUND_PER_SECOND_DEFAULT = LIMITS.outboundPerSecond.default;

/** The effective value of one limit, from a stored override that may be null or absent. */
export const effectiveLimit = <K extends LimitName>(name: K, override: LimitValues[K] | null | undefined): LimitValues[K] =>
  override ?? LIMIT_DEFAULTS[name];

/** Every limit's effective value from a row of overrides (a missing row is all defaults). */
export const effectiveLimits = (o: Partial<LimitOverrides> | null | undefined): LimitValues =>
  Object.fromEntries(LIMIT_NAMES.map((n) => [n, effectiveLimit(n, o?.[n] as never)])) as LimitValues;
