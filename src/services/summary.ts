// The home page's numbers in one answer: functions by state against their limit, invocations this
// month against the fair-use figure, failures this month by status, and the last 24 hours by hour.
import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { lambdas } from "../db/schema";
import { gateUsage } from "../gate/client";
import { monthsBefore } from "../gate/lease";
import { limitsOf } from "./limits";
import { countInvocations, series } from "./metrics";

const HOUR_MS = 60 * 60 * 1000;

export async function accountSummary(db: Db, accountId: string, now = Date.now()) {
  const monthStart = monthsBefore(now, 0);
  const hourStart = now - (now % HOUR_MS);
  const [states, limits, usage, month, hours] = await Promise.all([
    db.select({ state: lambdas.state, n: count() }).from(lambdas).where(eq(lambdas.accountId, accountId)).groupBy(lambdas.state).all(),
    limitsOf(db, accountId),
    gateUsage(accountId),
    countInvocations(accountId, monthStart, now),
    series(accountId, hourStart - 23 * HOUR_MS, hourStart + HOUR_MS, HOUR_MS),
  ]);
  const byState = { Draft: 0, Productive: 0, Modified: 0 };
  for (const s of states) byState[s.state as keyof typeof byState] = s.n;
  return {
    functions: { ...byState, total: byState.Draft + byState.Productive + byState.Modified, limit: limits.functions },
    invocationsThisMonth: { month: usage.month, admitted: usage.invocationsThisMonth, fairUse: limits.invocationsPerMonth, enforced: limits.enforceMonthlyQuota },
    outcomesThisMonth: month,
    running: { now: usage.inUse, limit: limits.concurrentInvocations },
    last24Hours: hours.map((h) => ({ from: h.from, to: h.to, ...h.counts })),
  };
}
