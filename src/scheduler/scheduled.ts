// The Cron Trigger (`* * * * *`): every minute, claim the schedules due at that minute and fire
// them through the same invocation path as HTTP. See ./claim.ts (exactly once per minute, missed
// minutes, skipped runs) and ./dispatch.ts (bounded fan-out).
import type { Env } from "../env";
import { runActivityRetention } from "../services/activity-retention";
import { runEmailReports } from "../services/email-reports";
import { CLAIM_CHUNK, claim, closeLostRuns, selectDue, type AccountLimitRow } from "./claim";
import { dispatchGroups, fireInline, groupRuns, MAX_GROUPS_IN_FLIGHT, sendToSelf } from "./dispatch";
import type { DueRun } from "./runs";

/** Upper bound of claim rounds per tick (CLAIM_CHUNK schedules each). */
const MAX_CLAIM_ROUNDS = 40;

export interface TickResult {
  tickMs: number;
  fired: number;
  skipped: number;
  /** Settles when every fired run has been written (the handler hands it to waitUntil). */
  done: Promise<void>;
}

/**
 * One tick for the minute `tickMs`: claims (awaited, so the runs exist before the handler returns)
 * and starts the fan-out (not awaited).
 */
export async function tick(env: Env, waitUntil: (p: Promise<unknown>) => void, tickMs: number): Promise<TickResult> {
  const fire: DueRun[] = [];
  const limits = new Map<string, AccountLimitRow>();
  let skipped = 0;
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const due = await selectDue(env.DB, tickMs);
    if (due.length === 0) break;
    const claimed = await claim(env.DB, env, due, tickMs);
    fire.push(...claimed.fire);
    skipped += claimed.skipped;
    for (const [k, v] of claimed.limits) limits.set(k, v);
    if (due.length < CLAIM_CHUNK) break;
  }
  // Once an hour, runs left "running" anywhere (e.g. of a schedule paused since) are closed.
  if (tickMs % 3_600_000 === 0) await closeLostRuns(env.DB).catch((e) => console.error(JSON.stringify({ msg: "closing lost runs failed", error: String(e) })));
  const token = env.OPERATOR_TOKEN;
  const done =
    fire.length === 0
      ? Promise.resolve()
      : dispatchGroups(env.DB, groupRuns(fire, limits), limits, token ? sendToSelf(token) : fireInline(env, waitUntil), token ? MAX_GROUPS_IN_FLIGHT : 1);
  return { tickMs, fired: fire.length, skipped, done };
}

export async function scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  // The minute this trigger is for (Cloudflare passes the boundary; a local trigger may pass "now").
  const tickMs = Math.floor(controller.scheduledTime / 60_000) * 60_000;
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  // Expired activity-stream rows go in bounded batches, beside the tick; it never rejects.
  waitUntil(runActivityRetention(env.DB));
  // The email reports due at this minute (01:00 UTC onwards), a bounded batch; it never rejects.
  waitUntil(runEmailReports(env, tickMs));
  const result = await tick(env, waitUntil, tickMs);
  if (result.fired > 0 || result.skipped > 0) {
    console.log(JSON.stringify({ msg: "scheduler tick", minute: new Date(tickMs).toISOString(), fired: result.fired, skipped: result.skipped }));
  }
  ctx.waitUntil(result.done);
}
