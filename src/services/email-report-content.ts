// What an email report says (LivePerson §9.3): the account's functions against its limit, the
// invocations of the period by outcome, the same per deployed function, and each figure's change
// since the previous period. Functions come from D1 (deleted ones are gone, so they are left out of
// every figure); invocations from the account's data plane, whose 5-minute metrics buckets align
// with periods starting at 00:00 UTC.
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { emailReportSends, lambdas } from "../db/schema";
import { dataPlaneOf } from "../gate/client";
import type { InvocationStatus } from "../gate/data-plane/types";
import { findEvent } from "./events-catalogue";
import { previousPeriod, type Period } from "./email-report-periods";
import { limitsOf } from "./limits";

/** The counters of a report, as LivePerson's report names them. */
export interface Counters {
  successful: number;
  /** Every invocation that did not succeed (function failures, timeouts, platform failures). */
  failed: number;
  timeouts: number;
  /** The function's own failures (CODING_FAILURE). */
  functionFailures: number;
}

export interface Compared<T> {
  current: T;
  /** The previous period's figures; null when unknown (no previous report kept the counts). */
  previous: T | null;
}

export interface FunctionReport extends Compared<Counters> {
  uuid: string;
  name: string;
  /** The event's name, or null for a function bound to no event. */
  event: string | null;
}

export interface ReportData {
  accountId: string;
  period: Period;
  functions: Compared<{ total: number; deployed: number }> & { limit: number };
  invocations: Compared<Counters>;
  /** The deployed functions, by name. */
  deployed: FunctionReport[];
}

export type Snapshot = { functions: number; deployed: number };

const zero = (): Counters => ({ successful: 0, failed: 0, timeouts: 0, functionFailures: 0 });

function add(into: Counters, counts: Record<InvocationStatus, number>) {
  into.successful += counts.SUCCEEDED;
  into.failed += counts.CODING_FAILURE + counts.PLATFORM_FAILURE + counts.TIMEOUT;
  into.timeouts += counts.TIMEOUT;
  into.functionFailures += counts.CODING_FAILURE;
}

function sum(list: Counters[]): Counters {
  const total = zero();
  for (const c of list) {
    total.successful += c.successful;
    total.failed += c.failed;
    total.timeouts += c.timeouts;
    total.functionFailures += c.functionFailures;
  }
  return total;
}

/**
 * Per function: the counters of the period and of the one before, summed by the data plane (one
 * row per function that ran, however long the period).
 */
export async function countersByFunction(accountId: string, period: Period) {
  const prev = previousPeriod(period);
  const gate = dataPlaneOf(accountId);
  const [current, previous] = await Promise.all([gate.metricsByFunction(accountId, period.start, period.end), gate.metricsByFunction(accountId, prev.start, prev.end)]);
  const out = new Map<string, { current: Counters; previous: Counters }>();
  const entry = (uuid: string) => {
    let c = out.get(uuid);
    if (!c) out.set(uuid, (c = { current: zero(), previous: zero() }));
    return c;
  };
  for (const r of current) add(entry(r.lambdaUuid).current, r.counts);
  for (const r of previous) add(entry(r.lambdaUuid).previous, r.counts);
  return out;
}

/** The function counts the previous report of this kind showed (kept when it was sent). */
async function previousSnapshot(db: Db, accountId: string, period: Period): Promise<Snapshot | null> {
  const prev = previousPeriod(period);
  const row = await db
    .select({ snapshot: emailReportSends.snapshot })
    .from(emailReportSends)
    .where(and(eq(emailReportSends.accountId, accountId), eq(emailReportSends.kind, period.kind), eq(emailReportSends.periodStart, prev.start), eq(emailReportSends.status, "sent")))
    .get();
  return row?.snapshot ?? null;
}

export async function reportData(db: Db, accountId: string, period: Period): Promise<ReportData> {
  const [fns, limits, snapshot] = await Promise.all([
    db
      .select({ uuid: lambdas.uuid, name: lambdas.name, eventId: lambdas.eventId, deploymentId: lambdas.deploymentId })
      .from(lambdas)
      .where(eq(lambdas.accountId, accountId))
      .all(),
    limitsOf(db, accountId),
    previousSnapshot(db, accountId, period),
  ]);
  const counters = await countersByFunction(accountId, period);
  const of = (uuid: string) => counters.get(uuid) ?? { current: zero(), previous: zero() };
  const deployed = fns
    .filter((f) => f.deploymentId !== null)
    .map((f) => ({ uuid: f.uuid, name: f.name, event: f.eventId ? (findEvent(f.eventId)?.eventName ?? f.eventId) : null, ...of(f.uuid) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const existing = fns.map((f) => of(f.uuid));
  return {
    accountId,
    period,
    functions: {
      current: { total: fns.length, deployed: deployed.length },
      previous: snapshot ? { total: snapshot.functions, deployed: snapshot.deployed } : null,
      limit: limits.functions,
    },
    invocations: { current: sum(existing.map((c) => c.current)), previous: sum(existing.map((c) => c.previous)) },
    deployed,
  };
}

/** What the next report compares its function counts with. */
export const snapshotOf = (d: ReportData): Snapshot => ({ functions: d.functions.current.total, deployed: d.functions.current.deployed });
