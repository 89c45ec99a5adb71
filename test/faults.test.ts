// Faults around the gate: an invocation whose runtime died mid-run (its lease expires: the slot is
// freed and a PLATFORM_FAILURE record is stored, once), a normal end (the record ends the lease,
// nothing extra is written), a record stored twice (the first stays), a Durable Object restart
// (leases and their alarm survive), D1 down while lost invocations are closed (the data plane needs
// none), a record never contradicting the answer its caller got (issue 11), and lost invocations
// naming the cause of a local runtime restart.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AccountGate, LEASE_PREFIX } from "../src/gate/account-gate";
import type { RecordWithLogs } from "../src/gate/data-plane/types";
import { LEASE_MARGIN_MS, type InvocationOutcome, type Lease } from "../src/gate/lease";
import { storedLogs, storedRows } from "./helpers/data-plane";
import { OPERATOR_TOKEN, call, deployed, env, invoke, newAccount, storedInvocation, type TestAccount } from "./helpers/api";

const LIMITS = { concurrentInvocations: 50, invocationsPerMonth: 150_000, enforceMonthlyQuota: false };

const gate = (a: TestAccount) => env.GATE.get(env.GATE.idFromName(a.accountId));

function lease(a: TestAccount, lambdaUuid: string, deadline: number, extra: Partial<Lease> = {}): Lease {
  return {
    invocationId: crypto.randomUUID(),
    accountId: a.accountId,
    lambdaUuid,
    deploymentId: null,
    version: 1,
    trigger: "schedule",
    requestId: `req-${crypto.randomUUID()}`,
    scheduleId: "sched-1",
    startedAt: deadline - 1500,
    deadline,
    ...extra,
  };
}

const leaseRows = (a: TestAccount) =>
  runInDurableObject(gate(a), async (_: AccountGate, state) => [...(await state.storage.list<Lease>({ prefix: LEASE_PREFIX })).values()].map((l) => ({ invocation_id: l.invocationId })));

const record = async (a: TestAccount, id: string) => (await storedRows(a.accountId, "SELECT * FROM invocations WHERE id = ?", id))[0] ?? null;

/** The record an invocation of `l` that ended normally hands the gate. */
const endedRecord = (l: Lease, status: RecordWithLogs["record"]["status"] = "SUCCEEDED"): RecordWithLogs => ({
  record: {
    id: l.invocationId,
    lambdaUuid: l.lambdaUuid,
    deploymentId: l.deploymentId,
    version: l.version,
    trigger: l.trigger,
    status,
    errorCode: null,
    startedAt: l.startedAt,
    durationMs: 3,
    requestId: l.requestId,
    outbound: [],
    scheduleId: l.scheduleId ?? null,
  },
  logs: [{ level: "Info", message: "done", extras: [], timestamp: l.startedAt + 1 }],
});

/** Runs the gate's alarm now (it may also have fired by itself), then waits for `id`'s record. */
async function reclaimed(a: TestAccount, id: string) {
  await runDurableObjectAlarm(gate(a));
  for (let i = 0; i < 100; i++) {
    const row = await record(a, id);
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no record for lost invocation ${id}`);
}

describe("a lost invocation (the runtime died mid-invocation)", () => {
  it("its expired lease frees the slot and becomes a PLATFORM_FAILURE record with the lease's details", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const lost = lease(a, fn, Date.now() - LEASE_MARGIN_MS - 1000);
    expect(await gate(a).acquire(lost, LIMITS)).toMatchObject({ ok: true });
    const row = await reclaimed(a, lost.invocationId);
    expect(row).toMatchObject({
      lambda_uuid: fn,
      status: "PLATFORM_FAILURE",
      error_code: "com.liveperson.faas.es.general",
      trigger: "schedule",
      schedule_id: "sched-1",
      request_id: lost.requestId,
      started_at: lost.startedAt,
    });
    // Through the API too, with a log line that says what happened.
    const stored = await storedInvocation(a, lost.invocationId);
    expect(stored.status).toBe("PLATFORM_FAILURE");
    expect(stored.logs).toHaveLength(1);
    expect(stored.logs[0]).toMatchObject({ level: "Error", message: expect.stringContaining("lost this invocation") });
    // The slot is free and the lease gone; running the alarm again writes nothing more.
    expect((await gate(a).usage()).inUse).toBe(0);
    expect(await leaseRows(a)).toEqual([]);
    await runDurableObjectAlarm(gate(a));
    expect(await storedLogs(a.accountId, lost.invocationId)).toHaveLength(1);
    // It counted as an invocation of the month.
    expect((await gate(a).usage()).invocationsThisMonth).toBe(1);
  });

  it("an expired lease no longer holds a slot even before the alarm ran: a crash never blocks the account", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { concurrentInvocations: 1 } });
    // A lease written straight into storage (no alarm set), then a restart of the gate: the state
    // a crash of the runtime and of the gate leaves behind.
    const lost = lease(a, fn, Date.now() - LEASE_MARGIN_MS - 1);
    await runInDurableObject(gate(a), (_: AccountGate, state) => state.storage.put(LEASE_PREFIX + lost.invocationId, { ...lost, trigger: "http", scheduleId: null }));
    await evictDurableObject(gate(a));
    expect((await gate(a).usage()).inUse).toBe(0);
    expect((await invoke(a, fn, { headers: [], payload: { name: "x" } })).status).toBe(200);
    // The restarted gate armed its alarm for the lease it found, which closes the lost invocation.
    expect((await reclaimed(a, lost.invocationId)).status).toBe("PLATFORM_FAILURE");
  });

  it("a lease ended by its record stores that record, and the alarm adds nothing", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const done = lease(a, fn, Date.now() + 60_000);
    expect(await gate(a).acquire(done, LIMITS)).toMatchObject({ ok: true });
    expect((await gate(a).usage()).inUse).toBe(1);
    expect(await gate(a).settleMany({ records: [endedRecord(done)] })).toBe(1);
    // The same record again (a retried delivery) stores nothing more.
    expect(await gate(a).settleMany({ records: [endedRecord(done, "TIMEOUT")] })).toBe(0);
    expect((await gate(a).usage()).inUse).toBe(0);
    expect(await leaseRows(a)).toEqual([]);
    await runDurableObjectAlarm(gate(a));
    expect(await record(a, done.invocationId)).toMatchObject({ status: "SUCCEEDED" });
    expect(await storedLogs(a.accountId, done.invocationId)).toEqual([expect.objectContaining({ message: "done" })]);
  });

  it("records carried by the next acquire end their leases before it is admitted", async () => {
    const a = await newAccount();
    const one = { ...LIMITS, concurrentInvocations: 1 };
    const l = lease(a, "fn", Date.now() + 60_000);
    await gate(a).acquire(l, one);
    expect(await gate(a).acquire(lease(a, "fn", Date.now() + 60_000), one)).toMatchObject({ ok: false, reason: "concurrency" });
    const next = lease(a, "fn", Date.now() + 60_000);
    expect(await gate(a).acquire(next, one, { records: [endedRecord(l)] })).toMatchObject({ ok: true });
    expect((await leaseRows(a)).map((r) => r.invocation_id)).toEqual([next.invocationId]);
    expect((await record(a, l.invocationId)).status).toBe("SUCCEEDED");
    expect(await gate(a).settleMany({ records: [endedRecord(next)] })).toBe(1);
    expect(await leaseRows(a)).toEqual([]);
  });

  it("a real invocation's record ends its lease: one record, and the alarm adds nothing", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const res = await invoke(a, fn, { headers: [], payload: { name: "x" } });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-invocation-id")!;
    expect((await storedInvocation(a, id)).status).toBe("SUCCEEDED");
    // The lease (and with it the slot) goes when the record is stored.
    for (let i = 0; i < 100 && (await leaseRows(a)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await leaseRows(a)).toEqual([]);
    expect((await gate(a).usage()).inUse).toBe(0);
    await runDurableObjectAlarm(gate(a));
    expect((await record(a, id)).status).toBe("SUCCEEDED");
  });

  it("a lease that expires although its invocation has a record: the record stays as it was", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const res = await invoke(a, fn, { headers: [], payload: { name: "x" } });
    const id = res.headers.get("x-invocation-id")!;
    const before = await storedInvocation(a, id);
    // The same invocation holding a lease again, long expired (a retried admission, say).
    expect(await gate(a).acquire(lease(a, fn, Date.now() - LEASE_MARGIN_MS - 1000, { invocationId: id }), LIMITS)).toMatchObject({ ok: true });
    await runDurableObjectAlarm(gate(a));
    for (let i = 0; i < 100 && (await leaseRows(a)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await leaseRows(a)).toEqual([]);
    expect(await storedInvocation(a, id)).toEqual(before);
  });
});

describe("restarts and storage failures", () => {
  it("leases and their alarm survive a restart of the gate; the alarm then reclaims them", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const deadline = Date.now() + 60_000;
    const running = lease(a, fn, deadline);
    await gate(a).acquire(running, LIMITS);
    await evictDurableObject(gate(a));
    expect((await gate(a).usage()).inUse).toBe(1);
    // A started gate first runs its data plane's chores (an alarm at once), then re-arms for the lease.
    const alarmAt = () => runInDurableObject(gate(a), (_: AccountGate, state) => state.storage.getAlarm());
    for (let i = 0; i < 100 && (await alarmAt()) !== deadline + LEASE_MARGIN_MS; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await alarmAt()).toBe(deadline + LEASE_MARGIN_MS);
    // Not expired yet: the alarm leaves it alone (and re-arms).
    await runDurableObjectAlarm(gate(a));
    expect((await gate(a).usage()).inUse).toBe(1);
    expect(await record(a, running.invocationId)).toBeNull();
    expect(await alarmAt()).toBe(deadline + LEASE_MARGIN_MS);
    expect(await gate(a).settleMany({ records: [endedRecord(running)] })).toBe(1);
  });

  it("closing lost invocations needs no D1: with every D1 statement failing, the alarm still stores their records", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    await runInDurableObject(gate(a), () => {}); // started (and its first chores done) with D1 up
    await runDurableObjectAlarm(gate(a));
    const lost = lease(a, fn, Date.now() - LEASE_MARGIN_MS - 1000);
    const fail = () => Promise.reject(new Error("D1 is down"));
    await runInDurableObject(gate(a), (instance: AccountGate) => {
      const broken = { ...env, DB: { batch: fail, exec: fail, prepare: () => ({ bind: () => ({ all: fail, first: fail, run: fail, raw: fail }), all: fail, first: fail, run: fail, raw: fail }) } };
      (instance as unknown as { env: unknown }).env = broken;
    });
    try {
      await gate(a).acquire(lost, LIMITS);
      expect((await reclaimed(a, lost.invocationId)).status).toBe("PLATFORM_FAILURE");
      expect(await leaseRows(a)).toEqual([]);
    } finally {
      await runInDurableObject(gate(a), (instance: AccountGate) => {
        (instance as unknown as { env: unknown }).env = env;
      });
    }
  });
});

describe("gate answers", () => {
  it("acquiring the same invocation twice takes one slot and counts once", async () => {
    const a = await newAccount();
    const l = lease(a, "fn", Date.now() + 60_000);
    await gate(a).acquire(l, LIMITS);
    await gate(a).acquire(l, LIMITS);
    expect(await gate(a).usage()).toMatchObject({ inUse: 1, invocationsThisMonth: 1 });
    await gate(a).settleMany({ records: [endedRecord(l)] });
  });

  it("refuses with the limit, the slots in use and a Retry-After no later than the earliest deadline", async () => {
    const a = await newAccount();
    const deadline = Date.now() + 4_000;
    await gate(a).acquire(lease(a, "fn", deadline), { ...LIMITS, concurrentInvocations: 1 });
    const refused = await gate(a).acquire(lease(a, "fn", deadline + 1000), { ...LIMITS, concurrentInvocations: 1 });
    expect(await leaseRows(a)).toHaveLength(1);
    expect(refused).toMatchObject({ ok: false, reason: "concurrency", limit: 1, inUse: 1 });
    if (refused.ok || refused.reason === "stale") throw new Error("unreachable");
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(4);
    // The quota: counted always, refused only when enforced.
    const third = lease(a, "fn", deadline);
    expect(await gate(a).acquire(third, { concurrentInvocations: 5, invocationsPerMonth: 1, enforceMonthlyQuota: false })).toMatchObject({ ok: true });
    const quota = await gate(a).acquire(lease(a, "fn", deadline), { concurrentInvocations: 5, invocationsPerMonth: 2, enforceMonthlyQuota: true });
    expect(quota).toMatchObject({ ok: false, reason: "quota", limit: 2, inUse: 2 });
    expect((await gate(a).usage()).invocationsThisMonth).toBe(2);
    await runInDurableObject(gate(a), (_: AccountGate, state) => state.storage.deleteAll());
  });
});

/**
 * A lease that carries the outcome its invocation reported (as an earlier version of the gate
 * stored them), then was lost with the runtime: taken while running (its deadline ahead, so no
 * alarm interferes), then given its outcome and moved past its expiry (`deadline`), and the gate
 * restarts, as after a crash.
 */
async function endedThenLost(a: TestAccount, l: Lease, outcome: InvocationOutcome) {
  const expiresAt = l.deadline;
  await gate(a).acquire({ ...l, deadline: Date.now() + 60_000 }, LIMITS);
  await runInDurableObject(gate(a), async (_: AccountGate, state) => {
    const stored = await state.storage.get<Lease>(LEASE_PREFIX + l.invocationId);
    await state.storage.put(LEASE_PREFIX + l.invocationId, { ...stored, outcome, deadline: expiresAt });
  });
  await evictDurableObject(gate(a)); // the runtime died: only what is stored survives
}

describe("a record never contradicts the answer its caller got", () => {
  const answered: InvocationOutcome = { status: "SUCCEEDED", errorCode: null, durationMs: 42 };

  it("an invocation that reported its outcome (its caller got 200), then died with the runtime before its record: the reclaim writes SUCCEEDED, not PLATFORM_FAILURE", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const l = lease(a, fn, Date.now() - LEASE_MARGIN_MS - 1000);
    await endedThenLost(a, l, answered);
    const row = await reclaimed(a, l.invocationId);
    expect(row).toMatchObject({ status: "SUCCEEDED", error_code: null, duration_ms: 42, request_id: l.requestId });
    const stored = await storedInvocation(a, l.invocationId);
    expect(stored.logs).toEqual([expect.objectContaining({ level: "Info", message: expect.stringContaining("completed this record after a restart") })]);
  });

  it("a failure the caller was told about keeps its own status and code (901 CODING_FAILURE stays CODING_FAILURE)", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const l = lease(a, fn, Date.now() - LEASE_MARGIN_MS - 1000);
    const outcome: InvocationOutcome = { status: "CODING_FAILURE", errorCode: "com.liveperson.faas.handler.custom-failure", durationMs: 7 };
    await endedThenLost(a, l, outcome);
    expect(await reclaimed(a, l.invocationId)).toMatchObject({ status: "CODING_FAILURE", error_code: outcome.errorCode, duration_ms: 7 });
  });

});

describe("lost in a restart of the local runtime", () => {
  // Far in the past, so no other test's lease falls in this restart's time.
  const longAgo = Date.now() - 3600_000;

  it("the supervisor's notice (memory ceiling) makes the record of a lost invocation name memory; the route is operator-only", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const l = lease(a, fn, longAgo, { startedAt: longAgo - 4000 });
    const notice = { cause: "memory-ceiling", at: longAgo - 2000, ceilingMiB: 512 };
    expect((await call("/admin/runtime/restarts", { method: "POST", key: a.admin, body: notice })).status).toBe(401);
    const told = await call("/admin/runtime/restarts", { method: "POST", key: OPERATOR_TOKEN, body: notice });
    expect(told.status, await told.clone().text()).toBe(200);
    await gate(a).acquire(l, LIMITS);
    const row = await reclaimed(a, l.invocationId);
    expect(row).toMatchObject({ status: "PLATFORM_FAILURE", duration_ms: 2000 });
    const stored = await storedInvocation(a, l.invocationId);
    expect(stored.logs[0]).toMatchObject({ level: "Error", message: expect.stringContaining("passed its memory ceiling of 512 MiB") });
    expect(stored.logs[0].message).toContain("this invocation or another one running at the same time used that memory");
  });

  it("an invocation the front had answered before the restart, whose record was not written, is recorded as its caller was answered", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const l = lease(a, fn, longAgo + 1000, { startedAt: longAgo - 1000 });
    const answered = { [l.invocationId]: { status: "SUCCEEDED", errorCode: null, at: longAgo - 500 } };
    const told = await call("/admin/runtime/restarts", { method: "POST", key: OPERATOR_TOKEN, body: { cause: "cpu-stall", at: longAgo, stalledMs: 5000, answered } });
    expect(told.status, await told.clone().text()).toBe(200);
    await gate(a).acquire(l, LIMITS);
    expect(await reclaimed(a, l.invocationId)).toMatchObject({ status: "SUCCEEDED", error_code: null, duration_ms: 500 });
    const stored = await storedInvocation(a, l.invocationId);
    expect(stored.logs[0]).toMatchObject({ level: "Info", message: expect.stringContaining("its caller had been answered (SUCCEEDED)") });
  });

  it("a CPU stall is named too; an ended invocation with its outcome keeps the outcome even in a notified restart", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const t = longAgo - 600_000;
    const stalled = lease(a, fn, t, { startedAt: t - 4000 });
    const ended = lease(a, fn, t, { startedAt: t - 4000 });
    const told = await call("/admin/runtime/restarts", { method: "POST", key: OPERATOR_TOKEN, body: { cause: "cpu-stall", at: t - 1000, stalledMs: 5000 } });
    expect(told.status).toBe(200);
    await endedThenLost(a, ended, { status: "SUCCEEDED", errorCode: null, durationMs: 5 });
    await gate(a).acquire(stalled, LIMITS);
    await reclaimed(a, stalled.invocationId);
    const lost = await storedInvocation(a, stalled.invocationId);
    expect(lost.status).toBe("PLATFORM_FAILURE");
    expect(lost.logs[0].message).toContain("stopped answering for 5.0 s");
    expect((await record(a, ended.invocationId)).status).toBe("SUCCEEDED");
  });
});
