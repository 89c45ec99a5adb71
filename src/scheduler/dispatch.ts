// Fan-out of claimed runs. The Worker Loader lets one request have at most 4 distinct dynamic
// Workers in flight, so the runs of a tick are cut into groups of at most GROUP_SIZE runs and each
// group is fired by a request of its own: a fetch to this very Worker (ctx.exports.default) on the
// internal route POST /internal/scheduler/fire, protected by OPERATOR_TOKEN. Groups go out in
// parallel, at most MAX_GROUPS_IN_FLIGHT at once, and per account at most half of its
// concurrentInvocations limit is used by the scheduler, so a burst of due schedules does not
// push the account's own HTTP traffic into the gate's 429.
//
// Without OPERATOR_TOKEN (a misconfigured deployment) the groups are fired inside the scheduled
// event itself, one group at a time, which keeps the 4-Worker limit but is slower.
import { exports as workerExports } from "cloudflare:workers";
import type { Env } from "../env";
import { ErrorCodes } from "../errors";
import { LIMIT_DEFAULTS } from "../services/limits";
import type { AccountLimitRow } from "./claim";
import { failUnfinished, fireAndFinish, type DueRun } from "./runs";

export const GROUP_SIZE = 4;
export const MAX_GROUPS_IN_FLIGHT = 128;
/** The share of an account's concurrentInvocations the scheduler may use at once. */
export const ACCOUNT_SHARE = 0.5;
export const FIRE_PATH = "/internal/scheduler/fire";
const SELF_ORIGIN = "https://edgefn.internal";

export interface Group {
  accountId: string;
  runs: DueRun[];
}

/** How many runs of the account the scheduler keeps in flight at most. */
export function accountCap(limits: AccountLimitRow | undefined): number {
  const limit = limits?.concurrent_invocations ?? LIMIT_DEFAULTS.concurrentInvocations;
  return Math.max(1, Math.floor(limit * ACCOUNT_SHARE));
}

/** Groups of at most GROUP_SIZE runs (and never more than the account's cap), one account each. */
export function groupRuns(runs: DueRun[], limits: Map<string, AccountLimitRow>): Group[] {
  const byAccount = new Map<string, DueRun[]>();
  for (const r of runs) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
  const groups: Group[] = [];
  for (const [accountId, list] of byAccount) {
    const size = Math.min(GROUP_SIZE, accountCap(limits.get(accountId)));
    for (let i = 0; i < list.length; i += size) groups.push({ accountId, runs: list.slice(i, i + size) });
  }
  // Interleave accounts, so one account's many schedules do not hold back the others.
  const queues = [...byAccount.keys()].map((a) => groups.filter((g) => g.accountId === a));
  const out: Group[] = [];
  for (let i = 0; out.length < groups.length; i++) for (const q of queues) if (q[i]) out.push(q[i]!);
  return out;
}

/**
 * Sends every group through `send`, keeping at most `maxInFlight` groups and, per account, at most
 * accountCap runs in flight. A group whose send fails has its still-running runs closed as failed.
 */
export async function dispatchGroups(
  d1: D1Database,
  groups: Group[],
  limits: Map<string, AccountLimitRow>,
  send: (g: Group) => Promise<void>,
  maxInFlight = MAX_GROUPS_IN_FLIGHT,
): Promise<void> {
  const pending = [...groups];
  const inFlightRuns = new Map<string, number>();
  const running = new Set<Promise<void>>();
  while (pending.length > 0 || running.size > 0) {
    let started = false;
    for (let i = 0; i < pending.length && running.size < maxInFlight; ) {
      const g = pending[i]!;
      const used = inFlightRuns.get(g.accountId) ?? 0;
      if (used > 0 && used + g.runs.length > accountCap(limits.get(g.accountId))) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      inFlightRuns.set(g.accountId, used + g.runs.length);
      const p: Promise<void> = send(g)
        .catch(async (error) => {
          console.error(JSON.stringify({ msg: "scheduler dispatch failed", runs: g.runs.map((r) => r.runId), error: String(error) }));
          await failUnfinished(d1, g.runs, ErrorCodes.general).catch(() => {});
        })
        .finally(() => {
          running.delete(p);
          inFlightRuns.set(g.accountId, (inFlightRuns.get(g.accountId) ?? 0) - g.runs.length);
        });
      running.add(p);
      started = true;
    }
    if (running.size > 0) await Promise.race(running);
    else if (!started) break; // cannot happen (a group always fits an idle account); never spin
  }
}

/** Sends one group to this Worker's internal route, which fires it and answers when it is written. */
export function sendToSelf(token: string) {
  return async (g: Group) => {
    const self = (workerExports as unknown as { default: Fetcher }).default;
    const res = await self.fetch(`${SELF_ORIGIN}${FIRE_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ runs: g.runs }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`internal fire answered ${res.status}: ${text.slice(0, 200)}`);
  };
}

/** Fires a group inside the current request (the fallback without OPERATOR_TOKEN). */
export function fireInline(env: Env, waitUntil: (p: Promise<unknown>) => void) {
  return async (g: Group) => {
    await fireAndFinish(env, waitUntil, g.runs);
  };
}
