import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { DataPlane } from "./data-plane/data-plane";
import type { LogQuery, RecordQuery, StoredLog } from "./data-plane/types";
import { LEASE_MARGIN_MS, monthOf, monthsBefore, nextMonthStart, type EpochAdmission, type GateLimits, type GateUsage, type Lease, type Settled } from "./lease";
import { lostRecords, reportClosed } from "./reclaim";
import { readRestartNotices, RESTART_NOTICE_GRACE_MS } from "./restart-notices";

// Leases closed per alarm run; more are closed by the next run, at once.
const RECLAIM_BATCH = 100;
// When the restart notices cannot be read, the alarm tries again this much later.
const RECLAIM_RETRY_MS = 30_000;
// Monthly counters kept, for reports of past months.
const MONTHS_KEPT = 13;
// An alarm overdue by more than this (and not running) is set again (see alarmNoLaterThan).
const ALARM_LATE_MS = 10_000;
/** The account counts as busy this long after an admission: its chores (retention) slow down. */
const BUSY_WINDOW_MS = 1_000;
// The first guess of how long an invocation holds its slot, until some ended.
const INITIAL_HOLD_MS = 1_000;
// Storage keys (the Durable Object's key-value API, in its SQLite database).
export const LEASE_PREFIX = "lease:";
const MONTH_PREFIX = "month:";
const EPOCH_KEY = "epoch";
const ACCOUNT_KEY = "account";
// Lease and counter writes do not hold the answer until the disk confirms them: the write is made
// (and committed) in the same event, only its durability confirmation is not awaited. Waiting for
// it cost about 15% of invoke throughput (npm run bench). A crash of the process after the answer
// still leaves the committed write on disk; only a machine failure in those milliseconds could lose
// a lease, and with it the PLATFORM_FAILURE record of an invocation that failed at that moment.
const UNCONFIRMED = { allowUnconfirmed: true } as const;

/**
 * The account's Durable Object, one per account (`GATE.idFromName(accountId)`), with SQLite storage
 * so that nothing it holds is lost on a restart. It is the account's concurrency gate (issue 4) and
 * its data plane (issue 12): the invocation records, logs and metrics of the account live in its
 * SQL tables (data-plane/), so they are written and read per account and never through D1.
 *
 * - `lease:<invocationId>`: one entry per invocation in flight. An invocation takes one before it
 *   runs (acquire); when it ended, its record arrives (with the account's next call, or on its own
 *   shortly after) and is stored in the same transaction that deletes the lease. A lease expires
 *   LEASE_MARGIN_MS after its deadline; the alarm, set at the earliest expiry, stores a record for
 *   each expired lease (PLATFORM_FAILURE, see reclaim.ts) and deletes it. An expired lease stops
 *   counting at once, even before the alarm ran: a crash never holds a slot past deadline + margin.
 * - `month:<YYYY-MM>`: invocations admitted per UTC calendar month (the fair-use quota).
 * - `epoch`: a number that grows whenever something the gateway caches changes for the account (a
 *   key or OAuth client revoked, a function deployed or undeployed, limits changed: the services
 *   call bumpEpoch after their D1 write). Gateway isolates tag what they cache with the epoch they
 *   saw before reading it, and acquire refuses a tagged admission whose epoch is no longer current
 *   ("stale"), so a cached lookup is never used past a change: see services/gateway-cache.ts.
 *
 * Counting happens in memory, on a copy of the leases loaded at start and kept in step with every
 * write: an admission costs the writes it makes (lease, counter) and no read. The alarm also runs
 * the data plane's chores: retention in bounded steps, and moving records written to D1 before the
 * data plane existed.
 */
export class AccountGate extends DurableObject<Env> {
  /** The alarm as this instance last set it (null: none); read from storage at start. */
  private alarmAt: number | null = null;
  /** When an invocation was last admitted (or asked to be): the data plane's chores yield to them. */
  private lastAcquireAt = 0;
  /** Every stored lease (by invocation id), and whether its invocation ended. */
  private readonly held = new Map<string, { lease: Lease; ended: boolean }>();
  /** This month's count, as stored. */
  private counted: { month: string; n: number } | null = null;
  /** Moving average of how long an invocation holds its slot, for Retry-After. */
  private holdMs = INITIAL_HOLD_MS;
  /** See the class comment; read from storage at start. */
  private epoch = 0;
  /** The account this object serves (learnt from the first call that names it, and stored). */
  private accountId: string | null = null;
  private readonly data: DataPlane;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.data = new DataPlane(ctx.storage);
    // Leases survive a restart: load them, and make sure an alarm is set to reclaim them.
    void ctx.blockConcurrencyWhile(async () => {
      for (const [, l] of await ctx.storage.list<Lease>({ prefix: LEASE_PREFIX })) {
        this.held.set(l.invocationId, { lease: l, ended: Boolean(l.outcome) });
      }
      // An alarm already due is set again below: one that came due while the runtime was down (a
      // local restart) was seen not to fire by itself.
      const stored = await ctx.storage.getAlarm();
      this.alarmAt = stored !== null && stored > Date.now() ? stored : null;
      this.epoch = (await ctx.storage.get<number>(EPOCH_KEY)) ?? 0;
      this.accountId = (await ctx.storage.get<string>(ACCOUNT_KEY)) ?? null;
      await this.data.open(Date.now());
      await this.rearm();
    });
  }

  /**
   * Takes a slot for one invocation, or says why not. Refusals:
   * - "quota" (only with enforceMonthlyQuota): the month's invocations reached invocationsPerMonth;
   *   retry when the next UTC month starts.
   * - "concurrency": concurrentInvocations slots are taken; retry when the oldest running
   *   invocation is expected to end (its start + the average hold time), and never later than the
   *   earliest deadline of a running invocation (by then one slot is free for sure); at least 1 s.
   * Acquiring the same invocation id twice (a retried call) takes one slot and counts once.
   * `settled`: what the caller learnt since its last call (see gate/client), applied first.
   * `expectEpoch`: the epoch the caller's cached lookup is tagged with; another one answers "stale"
   * and takes nothing. Every answer carries the current epoch.
   */
  async acquire(lease: Lease, limits: GateLimits, settled: Settled = {}, expectEpoch?: number): Promise<EpochAdmission> {
    this.learnAccount(lease.accountId);
    this.lastAcquireAt = Date.now();
    this.settle(settled);
    if (limits.logRetentionDays !== undefined && this.data.setRetentionDays(limits.logRetentionDays, Date.now())) await this.rearm();
    const epoch = this.epoch;
    if (this.held.has(lease.invocationId)) return { ok: true, epoch }; // a retried call: already admitted
    if (expectEpoch !== undefined && expectEpoch !== epoch) return { ok: false, reason: "stale", epoch };
    const now = Date.now();
    const month = monthOf(now);
    const used = await this.monthCount(month);
    if (limits.enforceMonthlyQuota && used >= limits.invocationsPerMonth) {
      const retryAfterSeconds = Math.max(1, Math.ceil((nextMonthStart(now) - now) / 1000));
      return { ok: false, reason: "quota", retryAfterSeconds, limit: limits.invocationsPerMonth, inUse: used, epoch };
    }
    const live = this.live(now);
    if (live.n >= limits.concurrentInvocations) {
      return { ok: false, reason: "concurrency", retryAfterSeconds: this.retryAfter(now, live), limit: limits.concurrentInvocations, inUse: live.n, epoch };
    }
    const stored: Lease = { ...lease, scheduleId: lease.scheduleId ?? null, outcome: null };
    void this.ctx.storage.put(LEASE_PREFIX + lease.invocationId, stored, UNCONFIRMED);
    this.held.set(lease.invocationId, { lease: stored, ended: false });
    this.counted = { month, n: used + 1 };
    void this.ctx.storage.put(MONTH_PREFIX + month, used + 1, UNCONFIRMED);
    // The first invocation of a month drops the counter of MONTHS_KEPT months ago.
    if (used === 0) void this.ctx.storage.delete(MONTH_PREFIX + monthOf(monthsBefore(now, MONTHS_KEPT)), UNCONFIRMED);
    await this.alarmNoLaterThan(lease.deadline + LEASE_MARGIN_MS);
    return { ok: true, epoch };
  }

  /** Something the gateway caches changed for the account: later tagged admissions must re-read. Answers the new epoch. */
  async bumpEpoch(accountId?: string): Promise<number> {
    if (accountId !== undefined) this.learnAccount(accountId);
    this.epoch++;
    await this.ctx.storage.put(EPOCH_KEY, this.epoch); // confirmed: a change must never be forgotten
    return this.epoch;
  }

  /** Stores the records of ended invocations (each ends its lease); answers how many it stored. */
  async settleMany(settled: Settled): Promise<number> {
    return this.settle(settled);
  }

  /** The account's limits changed: the data plane's retention follows at once. */
  async configure(accountId: string, settings: { logRetentionDays: number }): Promise<void> {
    this.learnAccount(accountId);
    if (this.data.setRetentionDays(settings.logRetentionDays, Date.now())) await this.rearm();
  }

  /** The runtime's logs of an invocation whose isolate never answered (runtime/log-tail.ts). */
  async amendLogs(accountId: string, invocationId: string, trailToken: string, logs: StoredLog[]): Promise<void> {
    this.learnAccount(accountId);
    this.ctx.storage.transactionSync(() => this.data.amend(invocationId, trailToken, logs, Date.now()));
  }

  /** Running invocations and this month's count, for reports. */
  async usage(): Promise<GateUsage> {
    const now = Date.now();
    const month = monthOf(now);
    return { inUse: this.live(now).n, month, invocationsThisMonth: await this.monthCount(month) };
  }

  // --- the data plane's reads (services/invocations.ts, services/logs.ts, services/metrics.ts) ---

  async listRecords(accountId: string, q: RecordQuery) {
    this.learnAccount(accountId);
    return { rows: this.data.listRecords(q), legacyPending: this.data.legacyPending };
  }

  async getRecord(accountId: string, id: string) {
    this.learnAccount(accountId);
    return { record: this.data.getRecord(id), legacyPending: this.data.legacyPending };
  }

  async findLogs(accountId: string, q: LogQuery) {
    this.learnAccount(accountId);
    return this.data.findLogs(q);
  }

  async metricsSeries(accountId: string, from: number, to: number, size: number, lambdaUuid?: string) {
    this.learnAccount(accountId);
    return this.data.metricsSeries(from, to, size, lambdaUuid);
  }

  async metricsByFunction(accountId: string, from: number, to: number) {
    this.learnAccount(accountId);
    return this.data.metricsByFunction(from, to);
  }

  async countRecords(accountId: string, from: number, to: number) {
    this.learnAccount(accountId);
    return this.data.countRecords(from, to);
  }

  /** Closes the invocations of expired leases (PLATFORM_FAILURE), runs the data plane's chores, re-arms. */
  override async alarm(): Promise<void> {
    this.alarmAt = null; // a fired alarm is gone
    const now = Date.now();
    await this.reclaimExpired(now);
    const { retentionAt, legacyAt } = this.data.chores;
    // While invocations come in, retention steps are spaced out so that admissions keep their latency.
    const busy = this.held.size > 0 || now - this.lastAcquireAt < BUSY_WINDOW_MS;
    if (retentionAt !== null && retentionAt <= now) this.data.retentionStep(now, busy);
    if (legacyAt !== null && legacyAt <= now) {
      if (this.accountId !== null) await this.data.legacyStep(this.env.DB, this.accountId, now);
      // A gate that has not learnt its account (only its epoch was bumped) cannot look for its
      // records yet: the chore waits for the account (learnAccount). Left due, it re-armed the alarm
      // at once, for ever: 28 alarms a second for every such account, which took a whole core for
      // 40 accounts locally (found by npm run bench, scale) and would be billed on Cloudflare.
      else this.data.chores.legacyAt = null;
    }
    await this.rearm();
  }

  /** Stores a record for each expired lease (one bounded batch) and deletes the leases, in one transaction. */
  private async reclaimExpired(now: number) {
    const expired = [...this.held.values()]
      .map((h) => h.lease)
      .filter((l) => this.closableAt(l) <= now)
      .sort((a, b) => this.closableAt(a) - this.closableAt(b))
      .slice(0, RECLAIM_BATCH);
    if (expired.length === 0) return;
    let notices;
    try {
      notices = await readRestartNotices(this.env.KV);
    } catch (error) {
      // The leases stay (they no longer count as in use) until their records can be written.
      console.error(JSON.stringify({ msg: "could not read restart notices; closing lost invocations later", ids: expired.map((l) => l.invocationId), error: String(error) }));
      await this.alarmNoLaterThan(now + RECLAIM_RETRY_MS);
      return;
    }
    const stored = this.ctx.storage.transactionSync(() => {
      const ids = this.data.store(lostRecords(expired, now, notices), now);
      for (const l of expired) this.ctx.storage.kv.delete(LEASE_PREFIX + l.invocationId);
      return ids;
    });
    for (const l of expired) this.held.delete(l.invocationId);
    reportClosed(expired, stored);
  }

  /**
   * When the alarm may close a lease: its expiry; under the local supervisor (the var
   * EDGEFN_SUPERVISED=1) RESTART_NOTICE_GRACE_MS later unless it reported its outcome, so that a
   * lease that expired during a restart is closed after the supervisor told why (its slot is free
   * at its expiry all the same).
   */
  private closableAt(l: Lease): number {
    const supervised = this.env.EDGEFN_SUPERVISED === "1";
    return l.deadline + LEASE_MARGIN_MS + (supervised && !l.outcome ? RESTART_NOTICE_GRACE_MS : 0);
  }

  /**
   * Stores the records of ended invocations and deletes their leases, in one transaction: a lease
   * is never given back without its record. A record of an invocation this gate holds no lease for
   * (already reclaimed, or a retried call) is stored only if it is not stored yet. Answers how many
   * records it stored.
   */
  private settle({ records = [] }: Settled): number {
    if (records.length === 0) return 0;
    const now = Date.now();
    const stored = this.ctx.storage.transactionSync(() => {
      const ids = this.data.store(records, now);
      for (const { record } of records) if (this.held.has(record.id)) this.ctx.storage.kv.delete(LEASE_PREFIX + record.id);
      return ids;
    });
    for (const { record } of records) {
      const l = this.held.get(record.id);
      if (!l) continue;
      this.held.delete(record.id);
      if (!l.ended) this.holdMs = 0.8 * this.holdMs + 0.2 * Math.max(0, now - l.lease.startedAt);
    }
    return stored.length;
  }

  private learnAccount(accountId: string) {
    if (this.accountId === accountId) return;
    if (this.accountId !== null) throw new Error(`this gate serves account ${this.accountId}, not ${accountId}`);
    this.accountId = accountId;
    void this.ctx.storage.put(ACCOUNT_KEY, accountId);
    // The chore the alarm put off until the account was known (see alarm()).
    if (this.data.legacyPending && this.data.chores.legacyAt === null) {
      this.data.chores.legacyAt = Date.now();
      void this.rearm();
    }
  }

  private async monthCount(month: string): Promise<number> {
    if (this.counted?.month !== month) {
      const n = (await this.ctx.storage.get<number>(MONTH_PREFIX + month)) ?? 0;
      if (this.counted?.month !== month) this.counted = { month, n };
    }
    return this.counted!.n;
  }

  /** The slots taken (live leases: not ended, not expired), the oldest start and the earliest deadline among them. */
  private live(now: number) {
    let n = 0;
    let oldest: number | null = null;
    let earliest: number | null = null;
    for (const { lease: l, ended } of this.held.values()) {
      if (ended || l.deadline <= now - LEASE_MARGIN_MS) continue;
      n++;
      if (oldest === null || l.startedAt < oldest) oldest = l.startedAt;
      if (earliest === null || l.deadline < earliest) earliest = l.deadline;
    }
    return { n, oldest, earliest };
  }

  private retryAfter(now: number, live: { oldest: number | null; earliest: number | null }): number {
    const expected = (live.oldest ?? now) + this.holdMs - now;
    const certain = (live.earliest ?? now) - now;
    return Math.max(1, Math.ceil(Math.max(0, Math.min(expected, certain)) / 1000));
  }

  /** When the alarm may next close a lease (null: no lease). */
  private earliestExpiry(): number | null {
    let d: number | null = null;
    for (const { lease: l } of this.held.values()) if (d === null || this.closableAt(l) < d) d = this.closableAt(l);
    return d;
  }

  /** Sets the alarm at the earliest of: a lease expiry, a data-plane chore. */
  private async rearm() {
    const due = [this.earliestExpiry(), this.data.chores.retentionAt, this.data.chores.legacyAt].filter((t): t is number => t !== null);
    if (due.length > 0) await this.alarmNoLaterThan(Math.min(...due));
  }

  /**
   * Moves the alarm earlier if needed (one alarm per object; leases mostly expire in order). An
   * alarm this instance set that is overdue by more than ALARM_LATE_MS and has not run (alarm()
   * clears alarmAt) is taken as lost and set again: locally, a first alarm was seen to vanish
   * without running, and then nothing would ever close a lease or run retention.
   */
  private async alarmNoLaterThan(at: number) {
    const lost = this.alarmAt !== null && this.alarmAt < Date.now() - ALARM_LATE_MS;
    if (this.alarmAt !== null && this.alarmAt <= at && !lost) return;
    // A lost alarm's work (due chores, expired leases) is done at once; its next alarm follows from there.
    if (lost) at = Math.min(at, Date.now());
    await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }
}
