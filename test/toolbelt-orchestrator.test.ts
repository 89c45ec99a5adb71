// Toolbelt.OrchestratorClient() from brand code: a function invokes other functions of its own
// account with LivePerson's signature, retry defaults and error strategies; the calls pass the
// account's gate, name their caller on their records, stop at a depth limit and never leave the
// account (runtime/orchestration.ts, sandbox/isolate/orchestrator-client.js).
import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccountGate } from "../src/gate/account-gate";
import { call, deployed, invoke, json, newAccount, OPERATOR_TOKEN, wireStatus, type TestAccount } from "./helpers/api";
import { gateOf, storedCount, storedRows, waitForStored } from "./helpers/data-plane";

/**
 * The caller: runs invoke() with what the payload says and answers {ok, results, seen, elapsed} or
 * {ok: false, error fields, seen, elapsed}. `retry` picks a retryFunction, which notes its calls in `seen`.
 */
const CALLER = `
const { Toolbelt } = require("lp-faas-toolbelt");
async function lambda(input) {
  const { invocations, deadline, options, retry } = input.payload;
  const seen = [];
  const retryFunction = retry === "always" ? (s, e) => (seen.push([s, e && e.code]), true)
    : retry === "never" ? (s, e) => (seen.push([s, e && e.code]), false) : undefined;
  const list = invocations.map((i) => (retryFunction ? { ...i, retryFunction } : i));
  const started = Date.now();
  try {
    const results = await Toolbelt.OrchestratorClient().invoke(list, deadline, options);
    return { ok: true, results, seen, elapsed: Date.now() - started };
  } catch (e) {
    return { ok: false, name: e.name, code: e.code, message: e.message, statusCode: e.statusCode, uuid: e.uuid, seen, elapsed: Date.now() - started };
  }
}`;
const ECHO = "function lambda(input, callback) { callback(null, { echo: input.payload, headers: input.headers }); }";
const FAIL = "function lambda(input, callback) { callback(new Error('failed on purpose')); }";
const slow = (ms: number) => `function lambda(input, callback) { setTimeout(() => callback(null, 'slept ${ms}'), ${ms}); }`;
// Calls itself until something stops it; errors go up the chain (ExitOnError).
const SELF = `
const { Toolbelt } = require("lp-faas-toolbelt");
async function lambda(input) {
  return Toolbelt.OrchestratorClient().invoke([{ uuid: input.payload.self, payload: input.payload }], 20000);
}`;

const STATUS_ERROR = "com.liveperson.faas.orchestrator-fn.invoke.status-code-error";
const TIMEOUT = "com.liveperson.faas.orchestrator-fn.invoke.timeout";

async function orchestrate(a: TestAccount, caller: string, payload: Record<string, unknown>) {
  const res = await invoke(a, caller, { headers: [], payload });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { body: body as any, invocationId: res.headers.get("x-invocation-id")! };
}

async function setLimits(a: TestAccount, body: Record<string, unknown>) {
  const res = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body });
  expect(res.status, await res.clone().text()).toBe(200);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("OrchestratorClient: invocation and results", () => {
  it("invokes in parallel and in sequence, answers LivePerson's items, and each callee's record names its caller", async () => {
    const a = await newAccount();
    const [caller, echo, slow300] = await Promise.all([deployed(a, CALLER), deployed(a, ECHO), deployed(a, slow(300))]);
    const { body, invocationId } = await orchestrate(a, caller, {
      invocations: [{ uuid: echo, payload: { n: 1 }, headers: { "x-trace": "t1" } }, { uuid: slow300 }, { uuid: slow300 }],
      deadline: 5000,
      options: { invokeParallel: true },
    });
    expect(body.ok, JSON.stringify(body)).toBe(true);
    expect(body.results).toHaveLength(3);
    expect(body.results[0]).toMatchObject({ uuid: echo, statusCode: 200, body: { echo: { n: 1 }, headers: [{ key: "x-trace", value: "t1" }] } });
    expect(body.results[0].error).toBeUndefined();
    expect(body.results[0].headers["x-invocation-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.results[1]).toMatchObject({ uuid: slow300, statusCode: 200, body: "slept 300" });
    expect(body.elapsed).toBeLessThan(580); // the two slow ones ran side by side

    // Every callee's record names the calling invocation, in the data plane and through the API.
    await waitForStored(a.accountId, 3, "parent_invocation_id = ?", invocationId);
    const children = await storedRows(a.accountId, "SELECT lambda_uuid, trigger FROM invocations WHERE parent_invocation_id = ?", invocationId);
    expect(children.map((c) => c.lambda_uuid).sort()).toEqual([echo, slow300, slow300].sort());
    const child = body.results[0].headers["x-invocation-id"];
    const res = await call(`/api/account/${a.accountId}/invocations/${child}`, { key: a.admin });
    expect((await json(res)).parentInvocationId).toBe(invocationId);
    await waitForStored(a.accountId, 1, "id = ?", invocationId);
    expect((await storedRows(a.accountId, "SELECT parent_invocation_id AS p FROM invocations WHERE id = ?", invocationId))[0].p).toBeNull();

    const sequential = await orchestrate(a, caller, { invocations: [{ uuid: slow300 }, { uuid: echo, payload: "two" }], deadline: 5000 });
    expect(sequential.body.ok).toBe(true);
    expect(sequential.body.results.map((r: any) => r.body)).toEqual(["slept 300", { echo: "two", headers: [] }]);
  });

  it("refuses a deadline over 25,000 ms, and bad arguments, with LivePerson's general error", async () => {
    const a = await newAccount();
    const [caller, echo] = await Promise.all([deployed(a, CALLER), deployed(a, ECHO)]);
    const { body } = await orchestrate(a, caller, { invocations: [{ uuid: echo }], deadline: 25_001 });
    expect(body).toMatchObject({ ok: false, name: "OrchestratorError", code: "com.liveperson.faas.orchestrator-fn-general" });
    expect(body.message).toContain("25000");
    expect(await storedCount(a.accountId, "lambda_uuid = ?", echo)).toBe(0);
    const strategy = await orchestrate(a, caller, { invocations: [{ uuid: echo }], deadline: 1000, options: { errorStrategy: "Sometimes" } });
    expect(strategy.body).toMatchObject({ ok: false, code: "com.liveperson.faas.orchestrator-fn-general" });
  });
});

describe("OrchestratorClient: retries", () => {
  it("retries a 429 (the account's concurrency limit full) 3 times by default; retryFunction decides when given", async () => {
    const a = await newAccount();
    const [caller, echo] = await Promise.all([deployed(a, CALLER), deployed(a, ECHO)]);
    await setLimits(a, { concurrentInvocations: 1 }); // the caller holds the only slot
    const item = { uuid: echo };
    const byDefault = await orchestrate(a, caller, { invocations: [item], deadline: 5000, options: { errorStrategy: "ContinueOnError" } });
    expect(byDefault.body.ok).toBe(true);
    const [refused] = byDefault.body.results;
    expect(refused).toMatchObject({ uuid: echo, statusCode: 429, error: { code: STATUS_ERROR }, body: { errorCode: "com.liveperson.faas.es.toomanyrequests" } });
    expect(refused.error.message).toContain("(after 4 attempts)");

    const always = await orchestrate(a, caller, { invocations: [{ ...item, retries: 2 }], deadline: 5000, options: { errorStrategy: "ContinueOnError" }, retry: "always" });
    expect(always.body.seen).toEqual([[429, STATUS_ERROR], [429, STATUS_ERROR]]);
    expect(always.body.results[0].error.message).toContain("(after 3 attempts)");

    const never = await orchestrate(a, caller, { invocations: [item], deadline: 5000, options: { errorStrategy: "ContinueOnError" }, retry: "never" });
    expect(never.body.seen).toEqual([[429, STATUS_ERROR]]);
    expect(never.body.results[0]).toMatchObject({ statusCode: 429 });
    expect(never.body.results[0].error.message).not.toContain("attempts");
    expect(await storedCount(a.accountId, "lambda_uuid = ?", echo)).toBe(0); // refused admissions never ran
  });

  it("a retried 429 succeeds once a slot is free", async () => {
    const a = await newAccount();
    const [caller, echo, blocker] = await Promise.all([deployed(a, CALLER), deployed(a, ECHO), deployed(a, slow(350))]);
    await setLimits(a, { concurrentInvocations: 2 });
    const blocking = invoke(a, blocker);
    await sleep(100);
    const { body } = await orchestrate(a, caller, { invocations: [{ uuid: echo, payload: "late" }], deadline: 5000 });
    expect(body.ok, JSON.stringify(body)).toBe(true);
    expect(body.results[0]).toMatchObject({ statusCode: 200, body: { echo: "late" } });
    expect((await blocking).status).toBe(200);
  });

  it("never retries a function-raised error, even with retries left", async () => {
    const a = await newAccount();
    const [caller, fail] = await Promise.all([deployed(a, CALLER), deployed(a, FAIL)]);
    const { body } = await orchestrate(a, caller, { invocations: [{ uuid: fail, retries: 3 }], deadline: 5000, options: { errorStrategy: "ContinueOnError" } });
    expect(body.results[0]).toMatchObject({
      uuid: fail,
      statusCode: 901,
      error: { code: STATUS_ERROR, message: "failed on purpose" },
      body: { errorCode: "com.liveperson.faas.handler.custom-failure", errorMsg: "failed on purpose" },
    });
    await waitForStored(a.accountId, 1, "lambda_uuid = ?", fail);
    await sleep(200);
    expect(await storedCount(a.accountId, "lambda_uuid = ?", fail)).toBe(1);
  });
});

describe("OrchestratorClient: error strategies, timeout and deadline", () => {
  it("ExitOnError throws and starts nothing after the failure; ContinueOnError answers every outcome", async () => {
    const a = await newAccount();
    const [caller, fail, echo, slow1500] = await Promise.all([deployed(a, CALLER), deployed(a, FAIL), deployed(a, ECHO), deployed(a, slow(1500))]);
    const exit = await orchestrate(a, caller, { invocations: [{ uuid: fail }, { uuid: echo }], deadline: 5000, options: { errorStrategy: "ExitOnError" } });
    expect(exit.body).toMatchObject({ ok: false, name: "OrchestratorError", code: STATUS_ERROR, statusCode: 901, uuid: fail });
    expect(exit.body.message).toContain("failed on purpose");
    await sleep(200);
    expect(await storedCount(a.accountId, "lambda_uuid = ?", echo)).toBe(0);

    // The default strategy is ExitOnError; in parallel the first failure answers without waiting for the others.
    const parallel = await orchestrate(a, caller, { invocations: [{ uuid: slow1500 }, { uuid: fail }], deadline: 5000, options: { invokeParallel: true } });
    expect(parallel.body).toMatchObject({ ok: false, code: STATUS_ERROR, uuid: fail });
    expect(parallel.body.elapsed).toBeLessThan(1200);

    const go = await orchestrate(a, caller, { invocations: [{ uuid: fail }, { uuid: echo, payload: 2 }], deadline: 5000, options: { errorStrategy: "ContinueOnError", invokeParallel: true } });
    expect(go.body.ok).toBe(true);
    expect(go.body.results.map((r: any) => r.statusCode)).toEqual([901, 200]);
    expect(go.body.results[1].body.echo).toBe(2);
  });

  it("a slow callee is cut at the per-invocation timeout, and nothing outlives the deadline", async () => {
    const a = await newAccount();
    const [caller, slow3000] = await Promise.all([deployed(a, CALLER), deployed(a, slow(3000))]);
    const cut = await orchestrate(a, caller, { invocations: [{ uuid: slow3000, retries: 0 }], deadline: 10_000, options: { timeout: 300, errorStrategy: "ContinueOnError" } });
    expect(cut.body.results[0]).toMatchObject({ statusCode: 504, error: { code: TIMEOUT } });
    expect(cut.body.elapsed).toBeLessThan(1500);

    // Timeouts are retried (as LivePerson retries a timed-out request) until the deadline has passed.
    const late = await orchestrate(a, caller, { invocations: [{ uuid: slow3000 }], deadline: 800, options: { timeout: 300 } });
    expect(late.body).toMatchObject({ ok: false, code: TIMEOUT, statusCode: 504 });
    expect(late.body.elapsed).toBeGreaterThanOrEqual(750);
    expect(late.body.elapsed).toBeLessThan(2000);
  });
});

describe("OrchestratorClient: loops and tenancy", () => {
  it("a function that calls itself is stopped at the depth limit, and the chain of records shows each caller", async () => {
    const a = await newAccount();
    const self = await deployed(a, SELF);
    const res = await invoke(a, self, { headers: [], payload: { self } });
    const body = await json(res);
    expect(wireStatus(res)).toBe(901);
    expect(body.errorMsg).toContain("Orchestration depth limit reached");
    await waitForStored(a.accountId, 6, "lambda_uuid = ?", self);
    const rows = await storedRows(a.accountId, "SELECT id, parent_invocation_id AS parent FROM invocations WHERE lambda_uuid = ?", self);
    expect(rows).toHaveLength(6); // depth 0 (the HTTP call) and 1..5
    const top = rows.filter((r) => r.parent === null);
    expect(top).toHaveLength(1);
    // Following the parents from the deepest record leads to the top in 5 steps.
    const byId = new Map(rows.map((r) => [r.id, r]));
    const deepest = rows.find((r) => !rows.some((o) => o.parent === r.id))!;
    let steps = 0;
    for (let r = deepest; r.parent; r = byId.get(r.parent)!) steps++;
    expect(steps).toBe(5);
  });

  it("another account's function uuid is never reached (answered like an unknown one)", async () => {
    const victim = await newAccount();
    const attacker = await newAccount();
    const target = await deployed(victim, ECHO);
    const hostile = await deployed(attacker, CALLER);
    const { body } = await orchestrate(attacker, hostile, {
      invocations: [
        { uuid: target, payload: { accountId: victim.accountId }, headers: { "x-account-id": victim.accountId } },
        { uuid: crypto.randomUUID() },
        { uuid: "../../" + victim.accountId },
      ],
      deadline: 3000,
      options: { errorStrategy: "ContinueOnError", invokeParallel: true },
    });
    expect(body.ok).toBe(true);
    const [foreign, unknown, junk] = body.results;
    expect(foreign).toMatchObject({ statusCode: 404, error: { code: STATUS_ERROR }, body: { errorCode: "com.liveperson.faas.es.missinglambda" } });
    expect(unknown).toMatchObject({ statusCode: 404, body: { errorCode: "com.liveperson.faas.es.missinglambda" } });
    expect(foreign.error.message.replace(target, "X")).toBe(unknown.error.message.replace(unknown.uuid, "X"));
    expect(junk.statusCode).toBe(400);
    await sleep(200);
    expect(await storedCount(victim.accountId)).toBe(0);
  });
});

describe("OrchestratorClient: outside an invocation, and older data planes", () => {
  it("is refused by the toolbelt stub that serves calls outside an invocation (no calling invocation to count from)", async () => {
    const a = await newAccount();
    const echo = await deployed(a, ECHO);
    const stub = (exports as any).Toolbelt({ props: { accountId: a.accountId, lambdaUuid: echo } });
    const answer = await stub.invokeFunction({ uuid: echo, payload: {}, timeoutMs: 1000 });
    expect(answer).toMatchObject({ ok: false, code: "com.liveperson.faas.orchestrator-fn-general" });
    expect(answer.message).toContain("only while the function is being invoked");
    await sleep(100);
    expect(await storedCount(a.accountId, "lambda_uuid = ?", echo)).toBe(0);
  });

  it("a data plane of schema version 2 gets the parent column; its records stay readable", async () => {
    const a = await newAccount();
    const id = crypto.randomUUID();
    const read = await runInDurableObject(gateOf(a.accountId), async (_: AccountGate, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE IF EXISTS invocations");
      sql.exec(`CREATE TABLE invocations (id TEXT PRIMARY KEY, lambda_uuid TEXT NOT NULL, deployment_id TEXT, version INTEGER, trigger TEXT NOT NULL,
        status TEXT NOT NULL, error_code TEXT, started_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL, request_id TEXT NOT NULL,
        outbound TEXT NOT NULL, schedule_id TEXT, logs_awaited TEXT)`);
      sql.exec("INSERT INTO invocations (id, lambda_uuid, trigger, status, started_at, duration_ms, request_id, outbound) VALUES (?, 'fn-v2', 'http', 'SUCCEEDED', ?, 1, 'req-v2', '[]')", id, Date.now());
      await state.storage.put("dataPlaneSchema", 2);
      const { DataPlane } = await import("../src/gate/data-plane/data-plane");
      const plane = new DataPlane(state.storage);
      await plane.open(Date.now());
      return plane.getRecord(id);
    });
    expect(read).toMatchObject({ id, lambdaUuid: "fn-v2", parentInvocationId: null });
    // New records written into it carry their parent.
    const [caller, echo] = await Promise.all([deployed(a, CALLER), deployed(a, ECHO)]);
    const { invocationId } = await orchestrate(a, caller, { invocations: [{ uuid: echo }], deadline: 3000 });
    expect(await waitForStored(a.accountId, 1, "parent_invocation_id = ?", invocationId)).toBe(1);
  });
});
