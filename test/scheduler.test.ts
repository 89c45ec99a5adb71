// The scheduler (the Cron Trigger's scheduled() handler) on real D1 and the real runtime: a due
// schedule fires once through the invocation path (trigger "schedule" + schedule id on the record),
// overlapping handler runs for one minute fire once, missed minutes fire once with `missed`
// counted, a run still going makes the next one "skipped", lost runs are closed, and the fan-out
// keeps its bounds.
import { storedRows } from "./helpers/data-plane";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import { accountCap, dispatchGroups, groupRuns, GROUP_SIZE, type Group } from "../src/scheduler/dispatch";
import { fireRun, invokeDepsOf, type DueRun } from "../src/scheduler/runs";
import { scheduled, tick } from "../src/scheduler/scheduled";
import { OPERATOR_TOKEN, call, deployed, env, json, newAccount, storedInvocation, type TestAccount } from "./helpers/api";

const MINUTE = 60_000;
const workerEnv = env as unknown as Env;

const ECHO = "function lambda(input, callback) { console.info(JSON.stringify({ headers: input.headers, payload: input.payload })); callback(null, 'ok'); }";
const SLOW = "function lambda(input, callback) { setTimeout(() => callback(null, 'slow'), 1000); }";
const FAILING = "function lambda(input, callback) { callback(new Error('scheduled boom')); }";

/** Runs the Worker's scheduled() for the minute of `ms` and waits for everything it started. */
async function fireTick(ms: number, e: Env = workerEnv) {
  const ctx = createExecutionContext();
  await scheduled(createScheduledController({ scheduledTime: ms, cron: "* * * * *" }), e, ctx);
  await waitOnExecutionContext(ctx);
}

async function createSchedule(a: TestAccount, body: Record<string, unknown>) {
  const res = await call(`/api/account/${a.accountId}/schedules`, { key: a.developer, body: { isActive: true, ...body } });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text);
}

const getSchedule = async (a: TestAccount, id: string) => json(await call(`/api/account/${a.accountId}/schedules/${id}`, { key: a.invocation }));

const runsOf = async (scheduleId: string) =>
  (await env.DB.prepare("SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY scheduled_for, started_at").bind(scheduleId).all<any>()).results;

/** The records of a schedule's invocations, from its account's data plane. */
async function invocationsOf(scheduleId: string) {
  const owner = await env.DB.prepare("SELECT account_id FROM schedules WHERE id = ?").bind(scheduleId).first<{ account_id: string }>();
  return owner ? storedRows(owner.account_id, "SELECT * FROM invocations WHERE schedule_id = ?", scheduleId) : [];
}

/** Invocation records are written just after the run (coalesced): wait for `n` of the schedule. */
async function waitForInvocations(scheduleId: string, n: number) {
  for (let i = 0; i < 100; i++) {
    const rows = await invocationsOf(scheduleId);
    if (rows.length >= n) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`expected ${n} invocation records of schedule ${scheduleId}`);
}

const nextOf = async (id: string) => (await env.DB.prepare("SELECT next_execution AS n FROM schedules WHERE id = ?").bind(id).first<{ n: number | null }>())!.n;

// Every test's schedules stop being due after it, so later ticks of this file fire only their own.
afterEach(async () => {
  await env.DB.prepare("UPDATE schedules SET is_active = 0, next_execution = NULL").run();
});

describe("scheduled(): firing", () => {
  it("fires a due schedule once through the invocation path: trigger schedule, the schedule id, the stored body", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const s = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *", invocationBody: { headers: { "X-Source": "cron" }, payload: { n: 7 } } });
    const due = Date.parse(s.nextExecution);
    expect(due % MINUTE).toBe(0);
    expect(due).toBeGreaterThan(Date.now() - 1000);

    // The minute before it is due: nothing happens.
    await fireTick(due - MINUTE);
    expect(await runsOf(s.id)).toEqual([]);

    await fireTick(due);
    const [run, ...more] = await runsOf(s.id);
    expect(more).toEqual([]);
    expect(run).toMatchObject({ account_id: a.accountId, kind: "cron", status: "succeeded", scheduled_for: due, missed: 0, error_code: null });
    expect(run.invocation_id).toEqual(expect.any(String));
    expect(run.finished_at).toBeGreaterThanOrEqual(run.started_at);

    const [record] = await waitForInvocations(s.id, 1);
    expect(record).toMatchObject({ id: run.invocation_id, trigger: "schedule", schedule_id: s.id, lambda_uuid: fn, status: "SUCCEEDED", request_id: run.id });
    const stored = await storedInvocation(a, run.invocation_id);
    expect(stored).toMatchObject({ id: run.invocation_id, trigger: "schedule", status: "SUCCEEDED" });
    // The function got the stored body: V2's header map as LivePerson's [{key, value}] list.
    const logged = JSON.parse(stored.logs[0].message);
    expect(logged).toEqual({ headers: [{ key: "X-Source", value: "cron" }], payload: { n: 7 } });

    const after = await getSchedule(a, s.id);
    expect(after.nextExecution).toBe(new Date(due + MINUTE).toISOString());
    expect(Date.parse(after.lastExecution)).toBe(run.started_at);
    expect(after.didLastExecutionFail).toBe(false);
    expect(after.lastRuns).toEqual([
      expect.objectContaining({ id: run.id, kind: "cron", status: "succeeded", invocationId: run.invocation_id, missed: 0, scheduledFor: new Date(due).toISOString() }),
    ]);

    // The same minute again (a retried trigger): nothing more.
    await fireTick(due);
    expect(await runsOf(s.id)).toHaveLength(1);
  });

  it("two overlapping scheduled() runs for the same minute fire each schedule once", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const schedules = await Promise.all(Array.from({ length: 6 }, () => createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" })));
    const due = Date.parse(schedules[0].nextExecution);
    await env.DB.prepare("UPDATE schedules SET next_execution = ? WHERE account_id = ?").bind(due, a.accountId).run();

    await Promise.all([fireTick(due), fireTick(due), fireTick(due + 30_000)]);
    for (const s of schedules) {
      const runs = await runsOf(s.id);
      expect(runs.map((r: any) => [r.scheduled_for, r.status])).toEqual([[due, "succeeded"]]);
      expect(await waitForInvocations(s.id, 1)).toHaveLength(1);
      expect(await nextOf(s.id)).toBe(due + MINUTE);
    }
    // Give any stray second firing time to show up.
    await new Promise((r) => setTimeout(r, 200));
    for (const s of schedules) expect(await invocationsOf(s.id)).toHaveLength(1);
  });

  it("missed minutes (platform down) fire once on recovery, with missed = the due minutes skipped", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const every = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    const fives = await createSchedule(a, { lambdaUUID: fn, cronExpression: "*/5 * * * *" });
    const now = Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE;
    // Down for 10 minutes / since 6 five-minute marks ago.
    const fiveMin = 5 * MINUTE;
    const lastMark = Math.floor(now / fiveMin) * fiveMin;
    await env.DB.prepare("UPDATE schedules SET next_execution = ? WHERE id = ?").bind(now - 10 * MINUTE, every.id).run();
    await env.DB.prepare("UPDATE schedules SET next_execution = ? WHERE id = ?").bind(lastMark - 6 * fiveMin, fives.id).run();

    await fireTick(now);
    const [r1, ...more1] = await runsOf(every.id);
    expect(more1).toEqual([]);
    expect(r1).toMatchObject({ status: "succeeded", scheduled_for: now, missed: 10 });
    const [r2, ...more2] = await runsOf(fives.id);
    expect(more2).toEqual([]);
    expect(r2).toMatchObject({ status: "succeeded", scheduled_for: lastMark, missed: 6 });
    expect(await nextOf(every.id)).toBe(now + MINUTE);
    expect(await nextOf(fives.id)).toBe(lastMark + fiveMin);
    expect((await getSchedule(a, every.id)).lastRuns[0]).toMatchObject({ missed: 10 });

    // Back to normal: the next minute has nothing missed.
    await fireTick(now + MINUTE);
    expect((await runsOf(every.id)).map((r: any) => r.missed)).toEqual([10, 0]);
  });

  it("a run still going when the next minute is due is skipped, and recorded as skipped", async () => {
    const a = await newAccount();
    const fn = await deployed(a, SLOW);
    const s = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    const due = Date.parse(s.nextExecution);

    // The first minute's run takes about a second; the next minute's tick comes while it runs.
    const ctx = createExecutionContext();
    await scheduled(createScheduledController({ scheduledTime: due, cron: "* * * * *" }), workerEnv, ctx);
    await fireTick(due + MINUTE);
    await waitOnExecutionContext(ctx);

    const runs = await runsOf(s.id);
    expect(runs.map((r: any) => [r.scheduled_for, r.status])).toEqual([
      [due, "succeeded"],
      [due + MINUTE, "skipped"],
    ]);
    expect(runs[1]).toMatchObject({ invocation_id: null, missed: 0 });
    expect(runs[1].finished_at).toEqual(expect.any(Number));
    expect(await waitForInvocations(s.id, 1)).toHaveLength(1);
    expect(await nextOf(s.id)).toBe(due + 2 * MINUTE);
    // A skipped run does not count as an execution.
    expect(Date.parse((await getSchedule(a, s.id)).lastExecution)).toBe(runs[0].started_at);

    // Once it is done, the following minute fires again.
    await fireTick(due + 2 * MINUTE);
    expect((await runsOf(s.id)).map((r: any) => r.status)).toEqual(["succeeded", "skipped", "succeeded"]);
  });

  it("a run left 'running' by a runtime that died is closed as failed at the next claim, and the schedule fires", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const s = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    const due = Date.parse(s.nextExecution);
    const lostAt = Date.now() - 10 * MINUTE; // far beyond the timeout plus margin
    await env.DB.prepare(
      "INSERT INTO schedule_runs (id, account_id, schedule_id, scheduled_for, kind, status, missed, started_at) VALUES (?, ?, ?, ?, 'cron', 'running', 0, ?)",
    )
      .bind("lost-run", a.accountId, s.id, due - 10 * MINUTE, lostAt)
      .run();
    await fireTick(due);
    const runs = await runsOf(s.id);
    expect(runs.map((r: any) => [r.id === "lost-run" ? "lost" : "new", r.status])).toEqual([
      ["lost", "failed"],
      ["new", "succeeded"],
    ]);
    expect(runs[0]).toMatchObject({ error_code: "com.liveperson.faas.es.general" });
  });

  it("once an hour, runs left 'running' of schedules no claim looks at (paused) are closed too", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const s = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *", isActive: false });
    const insert = (id: string, startedAt: number) =>
      env.DB.prepare("INSERT INTO schedule_runs (id, account_id, schedule_id, scheduled_for, kind, status, missed, started_at) VALUES (?, ?, ?, ?, 'manual', 'running', 0, ?)")
        .bind(id, a.accountId, s.id, startedAt, startedAt)
        .run();
    await insert("old-run", Date.now() - 2 * 60 * MINUTE);
    await insert("recent-run", Date.now() - 30_000);
    const hour = Math.ceil(Date.now() / (60 * MINUTE)) * 60 * MINUTE;
    await fireTick(hour - MINUTE); // not an hour boundary: nothing closed
    expect((await runsOf(s.id)).map((r: any) => r.status)).toEqual(["running", "running"]);
    await fireTick(hour);
    const runs = await runsOf(s.id);
    expect(runs.map((r: any) => [r.id, r.status])).toEqual([
      ["old-run", "failed"],
      ["recent-run", "running"],
    ]);
  });

  it("a failing function is a failed run with its errorCode, and didLastExecutionFail", async () => {
    const a = await newAccount();
    const fn = await deployed(a, FAILING);
    const s = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    await fireTick(Date.parse(s.nextExecution));
    const [run] = await runsOf(s.id);
    expect(run).toMatchObject({ status: "failed", error_code: "com.liveperson.faas.handler.custom-failure" });
    expect(run.invocation_id).toEqual(expect.any(String));
    const after = await getSchedule(a, s.id);
    expect(after.didLastExecutionFail).toBe(true);
    const [record] = await waitForInvocations(s.id, 1);
    expect(record).toMatchObject({ status: "CODING_FAILURE", trigger: "schedule" });
  });

  it("a run the invocation path refuses (function no longer deployed) is a failed run with that errorCode, never an exception", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const s = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    await call(`/api/account/${a.accountId}/deployments/${fn}`, { method: "DELETE", key: a.developer });
    const run: DueRun = { runId: crypto.randomUUID(), accountId: a.accountId, scheduleId: s.id, lambdaUuid: fn, scheduledFor: Date.now(), invocationBody: { headers: [], payload: {} } };
    const finished = await fireRun(invokeDepsOf(workerEnv, () => {}), run);
    expect(finished).toMatchObject({ ok: false, invocationId: null, invocationStatus: null, errorCode: "com.liveperson.faas.es.notdeployed" });
  });

  it("without OPERATOR_TOKEN the runs are fired inside the event itself, with the same records", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const list = await Promise.all(Array.from({ length: 5 }, () => createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" })));
    const due = Date.parse(list[0].nextExecution);
    await env.DB.prepare("UPDATE schedules SET next_execution = ? WHERE account_id = ?").bind(due, a.accountId).run();
    await fireTick(due, { ...workerEnv, OPERATOR_TOKEN: undefined });
    for (const s of list) {
      expect((await runsOf(s.id)).map((r: any) => r.status)).toEqual(["succeeded"]);
      expect(await waitForInvocations(s.id, 1)).toHaveLength(1);
    }
  });
});

describe("scheduled(): scale and fan-out", () => {
  it("fires many due schedules of several accounts in one minute, each run starting soon after the boundary", async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, () => newAccount()));
    const all: { id: string }[] = [];
    for (const a of accounts) {
      const fn = await deployed(a, ECHO);
      for (let i = 0; i < 50; i += 10) all.push(...(await Promise.all(Array.from({ length: 10 }, () => createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" })))));
    }
    const due = Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE;
    await env.DB.prepare(`UPDATE schedules SET next_execution = ? WHERE account_id IN (${accounts.map(() => "?").join(",")})`)
      .bind(due, ...accounts.map((a) => a.accountId))
      .run();
    const t0 = Date.now();
    await fireTick(due);
    const elapsed = Date.now() - t0;
    const rows = (
      await env.DB.prepare(`SELECT status, started_at FROM schedule_runs WHERE scheduled_for = ? AND account_id IN (${accounts.map(() => "?").join(",")})`)
        .bind(due, ...accounts.map((a) => a.accountId))
        .all<any>()
    ).results;
    expect(rows).toHaveLength(all.length);
    expect(rows.filter((r) => r.status !== "succeeded")).toEqual([]);
    const starts = rows.map((r) => r.started_at - t0).sort((x, y) => x - y);
    console.log(`${rows.length} schedules: all finished in ${elapsed} ms; start after the tick p50 ${starts[Math.floor(starts.length / 2)]} ms, max ${starts.at(-1)} ms`);
    expect(starts.at(-1)!).toBeLessThan(30_000);
  });

  it("groups never hold more than 4 runs (the Worker Loader's limit per request) nor more than the account's share", () => {
    const runs = (account: string, n: number): DueRun[] =>
      Array.from({ length: n }, (_, i) => ({ runId: `${account}-${i}`, accountId: account, scheduleId: `s${i}`, lambdaUuid: `f${i % 7}`, scheduledFor: 0, invocationBody: { headers: [], payload: {} } }));
    const limits = new Map([["tiny", { account_id: "tiny", timeout_ms: null, concurrent_invocations: 2 }]]);
    const groups = groupRuns([...runs("big", 10), ...runs("tiny", 3)], limits);
    expect(groups.every((g) => g.runs.length <= GROUP_SIZE && new Set(g.runs.map((r) => r.lambdaUuid)).size <= 4)).toBe(true);
    expect(groups.filter((g) => g.accountId === "tiny").map((g) => g.runs.length)).toEqual([1, 1, 1]);
    expect(groups.flatMap((g) => g.runs)).toHaveLength(13);
    // Accounts are interleaved, so one account's many schedules do not hold back another's.
    expect(groups.slice(0, 2).map((g) => g.accountId)).toEqual(["big", "tiny"]);
    expect(accountCap(undefined)).toBe(25);
  });

  it("dispatch keeps at most N groups and the account's share of runs in flight", async () => {
    const mk = (account: string, i: number): Group => ({
      accountId: account,
      runs: Array.from({ length: 4 }, (_, k) => ({ runId: `${account}-${i}-${k}`, accountId: account, scheduleId: "s", lambdaUuid: "f", scheduledFor: 0, invocationBody: { headers: [], payload: {} } })),
    });
    const groups = [...Array.from({ length: 20 }, (_, i) => mk("a", i)), ...Array.from({ length: 20 }, (_, i) => mk("b", i))];
    const limits = new Map([["a", { account_id: "a", timeout_ms: null, concurrent_invocations: 16 }]]); // share: 8 runs = 2 groups
    let inFlight = 0;
    let maxInFlight = 0;
    const perAccount = new Map<string, number>();
    let maxA = 0;
    const sent: string[] = [];
    await dispatchGroups(
      env.DB,
      groups,
      limits,
      async (g) => {
        inFlight++;
        perAccount.set(g.accountId, (perAccount.get(g.accountId) ?? 0) + g.runs.length);
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxA = Math.max(maxA, perAccount.get("a") ?? 0);
        await new Promise((r) => setTimeout(r, 5));
        perAccount.set(g.accountId, perAccount.get(g.accountId)! - g.runs.length);
        inFlight--;
        sent.push(g.runs[0]!.runId);
      },
      6,
    );
    expect(sent).toHaveLength(40);
    expect(maxInFlight).toBeLessThanOrEqual(6);
    expect(maxA).toBeLessThanOrEqual(8);
  });
});

describe("the internal fan-out route", () => {
  it("refuses callers without the operator token", async () => {
    const body = { runs: [] };
    for (const key of [null, "efk_notatoken", `${OPERATOR_TOKEN}x`]) {
      const res = await call("/internal/scheduler/fire", { key, body });
      expect(res.status, await res.text()).toBe(401);
    }
    const bad = await call("/internal/scheduler/fire", { key: OPERATOR_TOKEN, body: { runs: [] } });
    expect(bad.status).toBe(400);
  });

  it("is not part of the OpenAPI document", async () => {
    const spec = await json(await call("/api/openapi.json"));
    expect(Object.keys(spec.paths).filter((p) => p.includes("internal"))).toEqual([]);
  });

  it("tick() reports what it fired and skipped", async () => {
    const a = await newAccount();
    const fn = await deployed(a, ECHO);
    const s = await createSchedule(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    const due = Date.parse(s.nextExecution);
    const pending: Promise<unknown>[] = [];
    const result = await tick(workerEnv, (p) => pending.push(p), due);
    expect(result).toMatchObject({ tickMs: due, fired: 1, skipped: 0 });
    await result.done;
    await Promise.all(pending);
    expect((await runsOf(s.id)).map((r: any) => r.status)).toEqual(["succeeded"]);
  });
});
