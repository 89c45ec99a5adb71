// One firing of a schedule: invoke the function through the same path as HTTP (invokeDeployed,
// trigger "schedule", the schedule id on the record), then write how it ended. Used by the
// scheduler for due schedules and by the API for "run now".
import { exports as workerExports } from "cloudflare:workers";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import { invokeDeployed, type InvocationStatus, type InvokeDeps } from "../runtime/invoke";
import type { HostExports } from "../runtime/sandbox/worker-code";
import type { InvocationBody } from "../services/schedule-rules";

/** Runs kept per schedule (newest first); older ones are deleted when a run finishes. */
export const RUNS_KEPT = 50;

/** A claimed run, as the scheduler hands it to whoever fires it (also the internal route's body). */
export interface DueRun {
  runId: string;
  accountId: string;
  scheduleId: string;
  lambdaUuid: string;
  scheduledFor: number;
  invocationBody: InvocationBody;
}

export interface FinishedRun {
  runId: string;
  accountId: string;
  scheduleId: string;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  invocationId: string | null;
  /** The invocation's status; null when no invocation ran (refused by the gate, not deployed). */
  invocationStatus: InvocationStatus | null;
  errorCode: string | null;
  errorMsg: string | null;
}

/** The wall-clock limit of one invocation, as the HTTP path uses it (INVOKE_TIMEOUT_MS). */
export function invokeTimeoutMs(env: Pick<Env, "INVOKE_TIMEOUT_MS">): number {
  const n = Number(env.INVOKE_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 30_000;
}

export function invokeDepsOf(env: Env, waitUntil: (p: Promise<unknown>) => void): InvokeDeps {
  return {
    db: createDb(env.DB),
    loader: env.LOADER,
    host: workerExports as unknown as HostExports,
    timeoutMs: invokeTimeoutMs(env),
    waitUntil,
  };
}

/** Invokes the schedule's function once; never throws (a refusal is a failed run with its errorCode). */
export async function fireRun(deps: InvokeDeps, run: DueRun): Promise<FinishedRun> {
  const startedAt = Date.now();
  const base = { runId: run.runId, accountId: run.accountId, scheduleId: run.scheduleId, startedAt };
  try {
    const outcome = await invokeDeployed(deps, {
      accountId: run.accountId,
      lambdaUuid: run.lambdaUuid,
      input: { timestamp: startedAt, headers: run.invocationBody.headers, payload: run.invocationBody.payload },
      trigger: "schedule",
      // The run id doubles as the request id, so a record leads to its run and back.
      requestId: run.runId,
      scheduleId: run.scheduleId,
    });
    const ok = outcome.status === "SUCCEEDED";
    return {
      ...base,
      finishedAt: Date.now(),
      ok,
      invocationId: outcome.invocationId,
      invocationStatus: outcome.status,
      errorCode: outcome.status === "SUCCEEDED" ? null : outcome.errorCode,
      errorMsg: outcome.status === "SUCCEEDED" ? null : outcome.errorMsg,
    };
  } catch (error) {
    // The gate's 429, or the function undeployed since the claim: recorded, never thrown.
    if (error instanceof ApiError) {
      return { ...base, finishedAt: Date.now(), ok: false, invocationId: null, invocationStatus: null, errorCode: error.errorCode, errorMsg: error.errorMsg };
    }
    console.error(JSON.stringify({ msg: "scheduled run failed", runId: run.runId, scheduleId: run.scheduleId, error: String(error) }));
    return { ...base, finishedAt: Date.now(), ok: false, invocationId: null, invocationStatus: null, errorCode: ErrorCodes.general, errorMsg: "The platform failed to start the run" };
  }
}

/**
 * Writes finished runs in one D1 batch: each run's outcome (only while it is still "running", so a
 * run already closed as lost stays closed), the schedules' lastExecution / didLastExecutionFail (only
 * forward in time), and the pruning of runs beyond the newest RUNS_KEPT of each schedule.
 */
export async function finishRuns(d1: D1Database, finished: FinishedRun[]): Promise<void> {
  if (finished.length === 0) return;
  const rows = JSON.stringify(
    finished.map((f) => ({
      run: f.runId,
      acc: f.accountId,
      sid: f.scheduleId,
      status: f.ok ? "succeeded" : "failed",
      inv: f.invocationId,
      err: f.errorCode,
      start: f.startedAt,
      end: f.finishedAt,
      failed: f.ok ? 0 : 1,
    })),
  );
  const j = (field: string) => `json_extract(c.value, '$.${field}')`;
  await d1.batch([
    d1
      .prepare(
        `UPDATE schedule_runs SET status = ${j("status")}, invocation_id = ${j("inv")}, error_code = ${j("err")},
           started_at = ${j("start")}, finished_at = ${j("end")}
         FROM json_each(?1) AS c
         WHERE schedule_runs.id = ${j("run")} AND schedule_runs.account_id = ${j("acc")} AND schedule_runs.status = 'running'`,
      )
      .bind(rows),
    d1
      .prepare(
        `UPDATE schedules SET last_execution = ${j("start")}, did_last_execution_fail = ${j("failed")}
         FROM json_each(?1) AS c
         WHERE schedules.id = ${j("sid")} AND schedules.account_id = ${j("acc")}
           AND (schedules.last_execution IS NULL OR schedules.last_execution <= ${j("start")})`,
      )
      .bind(rows),
    d1
      .prepare(
        `DELETE FROM schedule_runs WHERE id IN (
           SELECT r.id FROM (SELECT DISTINCT ${j("acc")} AS acc, ${j("sid")} AS sid FROM json_each(?1) AS c) AS k
           JOIN schedule_runs AS r ON r.account_id = k.acc AND r.schedule_id = k.sid
           WHERE r.scheduled_for < (
             SELECT r2.scheduled_for FROM schedule_runs AS r2 WHERE r2.account_id = k.acc AND r2.schedule_id = k.sid
             ORDER BY r2.scheduled_for DESC LIMIT 1 OFFSET ?2))`,
      )
      .bind(rows, RUNS_KEPT - 1),
  ]);
}

/** Closes runs that never reported back (their dispatch failed) as failed with `errorCode`. */
export async function failUnfinished(d1: D1Database, runs: Pick<DueRun, "runId" | "accountId">[], errorCode: string, now = Date.now()) {
  if (runs.length === 0) return;
  await d1
    .prepare(
      `UPDATE schedule_runs SET status = 'failed', error_code = ?2, finished_at = ?3
       FROM json_each(?1) AS c
       WHERE schedule_runs.id = json_extract(c.value, '$.run') AND schedule_runs.account_id = json_extract(c.value, '$.acc')
         AND schedule_runs.status = 'running'`,
    )
    .bind(JSON.stringify(runs.map((r) => ({ run: r.runId, acc: r.accountId }))), errorCode, now)
    .run();
}

/**
 * Fires a group of runs at once and writes their outcomes together. Returns once the invocation
 * records are written too (the invocation path's after-work, which also gives the gate slot back),
 * so a dispatcher counting runs in flight never runs ahead of the account's gate.
 */
export async function fireAndFinish(env: Env, waitUntil: (p: Promise<unknown>) => void, runs: DueRun[]): Promise<FinishedRun[]> {
  const afterwork: Promise<unknown>[] = [];
  const deps = invokeDepsOf(env, (p) => {
    afterwork.push(p);
    waitUntil(p);
  });
  const finished = await Promise.all(runs.map((r) => fireRun(deps, r)));
  await finishRuns(env.DB, finished);
  await Promise.allSettled(afterwork);
  return finished;
}
