// Claiming due schedules. A tick reads the schedules due at its minute and claims them all in one
// D1 batch (one transaction): for every schedule still due at the value it read
// (`next_execution = prev`) it inserts the run and moves next_execution forward. A second,
// overlapping tick for the same minute finds next_execution already moved and claims nothing, so
// no schedule fires twice for one minute. The run row exists from the moment of the claim, so a
// crash after it leaves a "running" run that the next claim of that schedule closes as failed.
import { ErrorCodes } from "../errors";
import { LIMIT_DEFAULTS, LIMITS } from "../services/limits";
import { catchUp, type InvocationBody } from "../services/schedule-rules";
import { invokeTimeoutMs, type DueRun } from "./runs";

/** Schedules read and claimed per statement batch (the JSON parameter stays well under D1's limits). */
export const CLAIM_CHUNK = 500;
/** A "running" run older than the invocation timeout plus this margin is considered lost. */
export const LOST_RUN_MARGIN_MS = 60_000;

interface DueRow {
  id: string;
  account_id: string;
  lambda_uuid: string;
  cron_expression: string;
  time_zone: string;
  next_execution: number;
  invocation_body: string;
}

export interface AccountLimitRow {
  account_id: string;
  timeout_ms: number | null;
  concurrent_invocations: number | null;
}

export interface Claimed {
  /** Runs to fire now. */
  fire: DueRun[];
  /** Runs recorded as skipped (the previous run of the schedule is still going). */
  skipped: number;
  /** Limits of the accounts involved (for the dispatcher). */
  limits: Map<string, AccountLimitRow>;
}

export async function selectDue(d1: D1Database, tickMs: number, limit = CLAIM_CHUNK): Promise<DueRow[]> {
  const { results } = await d1
    .prepare(
      `SELECT id, account_id, lambda_uuid, cron_expression, time_zone, next_execution, invocation_body
       FROM schedules WHERE is_active = 1 AND next_execution <= ?1 ORDER BY next_execution LIMIT ?2`,
    )
    .bind(tickMs, limit)
    .all<DueRow>();
  return results;
}

export async function accountLimits(d1: D1Database, accountIds: string[]): Promise<Map<string, AccountLimitRow>> {
  const { results } = await d1
    .prepare(
      `SELECT account_id, timeout_ms, concurrent_invocations FROM account_limits
       WHERE account_id IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(accountIds))
    .all<AccountLimitRow>();
  return new Map(results.map((r) => [r.account_id, r]));
}

/**
 * Claims the given due schedules for the tick at `tickMs` (a minute boundary). Missed minutes
 * (nextExecution further back than the tick) fire once, for the latest due minute, with `missed`
 * counting the ones before it.
 */
export async function claim(d1: D1Database, env: { INVOKE_TIMEOUT_MS?: string }, due: DueRow[], tickMs: number, now = Date.now()): Promise<Claimed> {
  const limits = await accountLimits(d1, [...new Set(due.map((d) => d.account_id))]);
  if (due.length === 0) return { fire: [], skipped: 0, limits };
  const envTimeout = invokeTimeoutMs(env);
  const plan = due.map((d) => {
    const { scheduledFor, missed, next } = catchUp(d.cron_expression, d.time_zone, d.next_execution, tickMs);
    const timeout = Math.max(envTimeout, limits.get(d.account_id)?.timeout_ms ?? LIMIT_DEFAULTS.timeoutMs);
    return { run: crypto.randomUUID(), id: d.id, acc: d.account_id, prev: d.next_execution, next, for: scheduledFor, missed, lost: timeout + LOST_RUN_MARGIN_MS };
  });
  const json = JSON.stringify(plan);
  const j = (field: string) => `json_extract(c.value, '$.${field}')`;
  // The unary + keeps SQLite from driving these joins by the (is_active, next_execution) index,
  // which would scan every active schedule once per claimed one; by primary key each is one lookup.
  const [, inserted] = await d1.batch([
    // Runs that never reported back (the runtime died under them) are closed first.
    d1
      .prepare(
        `UPDATE schedule_runs SET status = 'failed', error_code = ?3, finished_at = ?2
         WHERE status = 'running' AND id IN (
           SELECT r.id FROM json_each(?1) AS c
           JOIN schedule_runs AS r ON r.account_id = ${j("acc")} AND r.schedule_id = ${j("id")}
           WHERE r.status = 'running' AND r.started_at < ?2 - ${j("lost")})`,
      )
      .bind(json, now, ErrorCodes.general),
    // One run per schedule that is still due at the value read; "skipped" if one is still going.
    d1
      .prepare(
        `INSERT INTO schedule_runs (id, account_id, schedule_id, scheduled_for, kind, status, missed, invocation_id, error_code, started_at, finished_at)
         SELECT x.run, x.acc, x.sid, x.sfor, 'cron', CASE WHEN x.busy THEN 'skipped' ELSE 'running' END, x.missed, NULL, NULL, ?2,
                CASE WHEN x.busy THEN ?2 ELSE NULL END
         FROM (
           SELECT ${j("run")} AS run, s.account_id AS acc, s.id AS sid, ${j("for")} AS sfor, ${j("missed")} AS missed,
                  EXISTS (SELECT 1 FROM schedule_runs AS r WHERE r.account_id = s.account_id AND r.schedule_id = s.id AND r.status = 'running') AS busy
           FROM json_each(?1) AS c
           JOIN schedules AS s ON s.id = ${j("id")} AND s.account_id = ${j("acc")}
           WHERE +s.is_active = 1 AND +s.next_execution = ${j("prev")}
         ) AS x
         RETURNING id, schedule_id, status`,
      )
      .bind(json, now),
    // The claim itself: conditional on the value read, in the same transaction as the insert.
    d1
      .prepare(
        `UPDATE schedules SET next_execution = ${j("next")}
         FROM json_each(?1) AS c
         WHERE schedules.id = ${j("id")} AND schedules.account_id = ${j("acc")}
           AND +schedules.is_active = 1 AND +schedules.next_execution = ${j("prev")}`,
      )
      .bind(json),
  ]);
  const byId = new Map(due.map((d) => [d.id, d]));
  const planById = new Map(plan.map((p) => [p.id, p]));
  const fire: DueRun[] = [];
  let skipped = 0;
  for (const row of (inserted?.results ?? []) as { id: string; schedule_id: string; status: string }[]) {
    if (row.status !== "running") {
      skipped++;
      continue;
    }
    const d = byId.get(row.schedule_id)!;
    fire.push({
      runId: row.id,
      accountId: d.account_id,
      scheduleId: d.id,
      lambdaUuid: d.lambda_uuid,
      scheduledFor: planById.get(d.id)!.for,
      invocationBody: JSON.parse(d.invocation_body) as InvocationBody,
    });
  }
  return { fire, skipped, limits };
}

/**
 * Closes every run still "running" long after any invocation could have ended (the longest
 * allowed timeout plus the margin), also of schedules that are paused or no longer due, whose runs
 * no claim would look at. The scheduler calls it once an hour (a scan of the kept runs).
 */
export async function closeLostRuns(d1: D1Database, now = Date.now()): Promise<number> {
  const result = await d1
    .prepare("UPDATE schedule_runs SET status = 'failed', error_code = ?1, finished_at = ?2 WHERE status = 'running' AND started_at < ?3")
    .bind(ErrorCodes.general, now, now - (LIMITS.timeoutMs.max + LOST_RUN_MARGIN_MS))
    .run();
  return result.meta.changes ?? 0;
}
