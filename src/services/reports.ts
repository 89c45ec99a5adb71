// LivePerson's account reports (read by faas-cli `lpf get account`, which merges the three answers
// into one object): the limits, the function counts and the invocation counts of one account.
// Every query filters on the account; current usage comes from the account's gate.
import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { lambdas } from "../db/schema";
import { badInput } from "../errors";
import { gateUsage } from "../gate/client";
import { monthsBefore } from "../gate/lease";
import { getAccountLimits, type LimitValues } from "./limits";
import { countInvocations } from "./metrics";
import { parseTime } from "./time-query";

export interface LimitCounts {
  /** LivePerson: functions the account may hold, and may have deployed (edgefn: the same limit). */
  limitTotalLambdas: number;
  limitDeployedLambdas: number;
  /** LivePerson: the fair-use invocations per month. */
  invocationLimitPerMonth: number;
  /** Every limit of the account as it applies now (timeoutMs: the account's, else the platform's). */
  limits: LimitValues;
  usage: { concurrentInvocations: number; month: string; invocationsThisMonth: number };
}

export async function limitCounts(db: Db, accountId: string, platformTimeoutMs: number): Promise<LimitCounts> {
  const [view, usage] = await Promise.all([getAccountLimits(db, accountId), gateUsage(accountId)]);
  const limits: LimitValues = { ...view.effective, timeoutMs: view.timeoutMs ?? platformTimeoutMs };
  return {
    limitTotalLambdas: limits.functions,
    limitDeployedLambdas: limits.functions,
    invocationLimitPerMonth: limits.invocationsPerMonth,
    limits,
    usage: { concurrentInvocations: usage.inUse, month: usage.month, invocationsThisMonth: usage.invocationsThisMonth },
  };
}

/** Functions of the account, and how many of them are deployed (Productive or Modified). */
export async function lambdaCounts(db: Db, accountId: string): Promise<{ total: number; deployed: number }> {
  const row = await db
    .select({ total: count(), deployed: count(lambdas.deploymentId) })
    .from(lambdas)
    .where(eq(lambdas.accountId, accountId))
    .get();
  return { total: row?.total ?? 0, deployed: row?.deployed ?? 0 };
}


export interface InvocationCounts {
  successfulInvocations: number;
  unsuccessfulInvocations: number;
  /** The window counted, epoch ms, both inclusive. */
  startTimestamp: number;
  endTimestamp: number;
}

/**
 * Invocations of the account started within [startTimestamp, endTimestamp] (default: from the
 * start of the current UTC month until now), all triggers: SUCCEEDED, and everything else.
 */
export async function invocationCounts(accountId: string, q: { startTimestamp?: string; endTimestamp?: string }): Promise<InvocationCounts> {
  const now = Date.now();
  const start = parseTime(q.startTimestamp, "startTimestamp") ?? monthsBefore(now, 0);
  const end = parseTime(q.endTimestamp, "endTimestamp") ?? now;
  if (start > end) throw badInput("startTimestamp must not be after endTimestamp");
  const counts = await countInvocations(accountId, start, end);
  const successful = counts.SUCCEEDED;
  const all = counts.SUCCEEDED + counts.CODING_FAILURE + counts.PLATFORM_FAILURE + counts.TIMEOUT;
  return { successfulInvocations: successful, unsuccessfulInvocations: all - successful, startTimestamp: start, endTimestamp: end };
}
