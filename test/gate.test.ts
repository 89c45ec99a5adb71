// The per-account concurrency gate (AccountGate) on the invocation path: a burst over
// concurrentInvocations, every trigger through the same gate, slots coming back (also after a
// timeout), and the account's own timeoutMs. Faults (lost invocations, restarts): faults.test.ts.
import { storedCount, storedRows, waitForStored } from "./helpers/data-plane";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LEASE_PREFIX, type AccountGate } from "../src/gate/account-gate";
import { OPERATOR_TOKEN, call, deployed, env, invoke, json, newAccount, storedInvocation, testInvoke, wireStatus, type TestAccount } from "./helpers/api";
import { expectError } from "./helpers/spec";

const TOO_MANY = "com.liveperson.faas.es.toomanyrequests";
const TIMEOUT_CODE = "com.liveperson.faas.handler.executiontime-exceeded";
// INVOKE_TIMEOUT_MS in vitest.config.ts.
const PLATFORM_TIMEOUT_MS = 1500;

const slow = (ms: number) => `function lambda(input, callback) { setTimeout(() => callback(null, 'slept ${ms}'), ${ms}); }`;
const HANG = "function lambda(input, callback) { setTimeout(() => {}, 60000); }";

async function setLimits(a: TestAccount, body: Record<string, unknown>) {
  const res = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body });
  expect(res.status, await res.clone().text()).toBe(200);
}

const gate = (a: TestAccount) => env.GATE.get(env.GATE.idFromName(a.accountId));

/**
 * Waits until the account's gate holds no slot and no lease: a slot comes back when its invocation
 * answered, its lease once its record is written.
 */
async function slotsFree(a: TestAccount) {
  for (let i = 0; i < 150; i++) {
    const leases = await runInDurableObject(gate(a), async (_: AccountGate, state) => (await state.storage.list({ prefix: LEASE_PREFIX })).size);
    if ((await gate(a).usage()).inUse === 0 && leases === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`slots of ${a.accountId} never came back: ${JSON.stringify(await gate(a).usage())}`);
}

async function records(a: TestAccount) {
  return storedRows(a.accountId, "SELECT id, status, trigger FROM invocations");
}

describe("concurrency limit", () => {
  it("a burst over concurrentInvocations: exactly the limit runs, the rest get 429 with Retry-After; slots come back", async () => {
    const a = await newAccount();
    await setLimits(a, { concurrentInvocations: 2 });
    const fn = await deployed(a, slow(700));
    const burst = Promise.all(Array.from({ length: 6 }, () => invoke(a, fn)));
    await new Promise((r) => setTimeout(r, 300));
    expect((await gate(a).usage()).inUse).toBe(2); // the two admitted ones are still running
    const answers = await burst;
    const ok = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const r of ok) expect(await json(r)).toBe("slept 700");
    for (const r of refused) {
      const retryAfter = Number(r.headers.get("retry-after"));
      // Never later than the earliest deadline of a running invocation (its timeout), at least 1 s.
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(PLATFORM_TIMEOUT_MS / 1000));
      const body = await expectError(r, 429, TOO_MANY, "refused by the gate");
      expect(body).toMatchObject({ limitName: "concurrentInvocations", limit: 2, inUse: 2, retryAfterSeconds: retryAfter });
      expect(body.errorMsg).toContain("concurrentInvocations");
      expect(body.errorMsg).toContain(`/admin/accounts/${a.accountId}/limits`);
    }
    // Only the invocations that ran are recorded; their slots come back once they are.
    await slotsFree(a);
    const stored = await records(a);
    expect(stored.map((r: any) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const again = await Promise.all([invoke(a, fn), invoke(a, fn)]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    await slotsFree(a);
  });

  it("every trigger takes a slot of the same gate: a test invocation is refused while an http one runs, and vice versa", async () => {
    const a = await newAccount();
    await setLimits(a, { concurrentInvocations: 1 });
    const fn = await deployed(a, slow(600));
    const running = invoke(a, fn);
    await new Promise((r) => setTimeout(r, 200));
    await expectError(await testInvoke(a, fn), 429, TOO_MANY, "test invoke while http runs");
    expect((await running).status).toBe(200);
    await slotsFree(a);

    const testRun = testInvoke(a, fn);
    await new Promise((r) => setTimeout(r, 200));
    await expectError(await invoke(a, fn), 429, TOO_MANY, "http invoke while a test runs");
    expect((await testRun).status).toBe(200);
    await slotsFree(a);
  });

  it("a slot is free as soon as its invocation ended: back-to-back invocations at a limit of 1 all run", async () => {
    const a = await newAccount();
    await setLimits(a, { concurrentInvocations: 1 });
    const fn = await deployed(a);
    for (let i = 0; i < 8; i++) {
      const res = await invoke(a, fn, { headers: [], payload: { name: `n${i}` } });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    await slotsFree(a);
    expect(await records(a)).toHaveLength(8);
  });

  it("a refused invocation ran no brand code, though its cold isolate was built during admission (issue 16)", async () => {
    const a = await newAccount();
    // Brand code at module scope runs when an isolate loads the function: it notes when.
    const fn = await deployed(a, `const loadedAt = Date.now();
function lambda(input, callback) { callback(null, loadedAt); }`);
    const busy = await deployed(a, slow(800));
    // A new timeout is a new isolate (its CPU limit is part of its id): cold, and unknown to the host,
    // so the refused invocation below has it built while the gate refuses.
    await setLimits(a, { concurrentInvocations: 1, timeoutMs: 1400 });
    const running = invoke(a, busy);
    await new Promise((r) => setTimeout(r, 200));
    await expectError(await invoke(a, fn), 429, TOO_MANY, "refused while the slot is taken");
    const refusedAt = Date.now();
    expect((await running).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const res = await invoke(a, fn);
    expect(res.status).toBe(200);
    expect(await json(res), "the function was loaded by the admitted invocation, not during the refused one").toBeGreaterThanOrEqual(refusedAt);
  });

  it("is per account: one account at its limit never refuses another", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    await setLimits(a, { concurrentInvocations: 1 });
    const [fa, fb] = await Promise.all([deployed(a, slow(500)), deployed(b, slow(500))]);
    const running = invoke(a, fa);
    await new Promise((r) => setTimeout(r, 150));
    const others = await Promise.all([invoke(b, fb), invoke(b, fb), invoke(b, fb)]);
    expect(others.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await running).status).toBe(200);
  });
});

describe("an idle gate", () => {
  it("whose account it has not learnt (only its epoch was bumped) does not keep its alarm firing", async () => {
    const stub = env.GATE.get(env.GATE.idFromName(`idle-${crypto.randomUUID()}`));
    await stub.bumpEpoch();
    // Its opening chores run once; a chore left due would re-arm the alarm at once, for ever.
    await new Promise((r) => setTimeout(r, 300));
    const samples: (number | null)[] = [];
    for (let i = 0; i < 10; i++) {
      samples.push(await runInDurableObject(stub, async (instance: AccountGate) => (instance as unknown as { alarmAt: number | null }).alarmAt));
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(samples, "no alarm armed while idle").toEqual(Array(10).fill(null));
  });

  it("learns its account from a bump, which names it (so an account changed before its first invocation has a known gate)", async () => {
    const accountId = `bumped-${crypto.randomUUID()}`;
    const stub = env.GATE.get(env.GATE.idFromName(accountId));
    expect(await stub.bumpEpoch(accountId)).toBe(1);
    const learnt = await runInDurableObject(stub, async (instance: AccountGate) => (instance as unknown as { accountId: string | null }).accountId);
    expect(learnt).toBe(accountId);
  });
});

describe("timeouts", () => {
  it("a function that never answers ends as TIMEOUT after the timeout and frees its slot", async () => {
    const a = await newAccount();
    await setLimits(a, { concurrentInvocations: 1 });
    const fn = await deployed(a, HANG);
    const started = Date.now();
    const res = await invoke(a, fn);
    expect(wireStatus(res)).toBe(901);
    const body = await json(res);
    expect(body.errorCode).toBe(TIMEOUT_CODE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(PLATFORM_TIMEOUT_MS - 50);
    expect((await storedInvocation(a, body.invocationId)).status).toBe("TIMEOUT");
    await slotsFree(a);
    const ok = await deployed(a);
    expect((await invoke(a, ok, { headers: [], payload: { name: "again" } })).status).toBe(200);
  });

  it("the account's timeoutMs overrides the platform's INVOKE_TIMEOUT_MS; null restores it", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    await setLimits(a, { timeoutMs: 300 });
    const [fa, fb] = await Promise.all([deployed(a, slow(700)), deployed(b, slow(700))]);
    const res = await invoke(a, fa);
    expect(wireStatus(res)).toBe(901);
    const body = await json(res);
    expect(body.errorCode).toBe(TIMEOUT_CODE);
    expect(body.errorMsg).toContain("300 ms");
    expect((await storedInvocation(a, body.invocationId)).status).toBe("TIMEOUT");
    // Another account keeps the platform's timeout (1500 ms in tests): 700 ms is fine there.
    expect((await invoke(b, fb)).status).toBe(200);
    // A longer account timeout lets it finish; null is the platform's again.
    await setLimits(a, { timeoutMs: 1000 });
    expect((await invoke(a, fa)).status).toBe(200);
    await setLimits(a, { timeoutMs: null });
    expect((await invoke(a, fa)).status).toBe(200);
    const limits = await json(await call(`/api/account/${a.accountId}/reports/limitCounts`, { key: a.invocation }));
    expect(limits.limits.timeoutMs).toBe(PLATFORM_TIMEOUT_MS);
    await slotsFree(a);
  });
});

describe("GATE_BYPASS (npm run bench only)", () => {
  it("GATE_BYPASS=1 runs invocations without the gate's admission: no slot, no limit, no count; records are still stored", async () => {
    const a = await newAccount();
    await setLimits(a, { concurrentInvocations: 1 });
    const fn = await deployed(a, slow(300));
    const vars = env as unknown as { GATE_BYPASS?: string };
    vars.GATE_BYPASS = "1";
    try {
      const answers = await Promise.all([invoke(a, fn), invoke(a, fn), invoke(a, fn)]);
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    } finally {
      delete vars.GATE_BYPASS;
    }
    expect(await gate(a).usage()).toMatchObject({ inUse: 0, invocationsThisMonth: 0 });
    expect(await waitForStored(a.accountId, 3)).toBe(3);
    // Without it, the limit holds again.
    const answers = await Promise.all([invoke(a, fn), invoke(a, fn)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
  });
});
