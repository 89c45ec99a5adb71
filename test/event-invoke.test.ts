// Issue 5, invoking by event: POST /events/{eventId}/invoke runs every deployed function of the
// account bound to the event that serves the skill, in a stable order, at most 4 at a time, and the
// first failure stops the chain (901). isImplemented answers the same selection.
import { storedCount, storedRows } from "./helpers/data-plane";
import { describe, expect, it } from "vitest";
import { EVENT_FAN_OUT, runInWaves } from "../src/runtime/fan-out";
import { OPERATOR_TOKEN, call, createLambda, deployed, env, json, newAccount, type TestAccount, wireStatus } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const V1 = "?v=1&skillId=&externalSystem=test";
const body = { headers: [], payload: { name: "ev" } };

const invokeEvent = (a: TestAccount, eventId: string, query = V1, key = a.invocation, headers?: Record<string, string>) =>
  call(`/api/account/${a.accountId}/events/${eventId}/invoke${query}`, { key, body, headers });

const implemented = async (a: TestAccount, eventId: string, query: string) =>
  (await json(await call(`/api/account/${a.accountId}/events/${eventId}/isImplemented${query}`, { key: a.invocation }))).implemented as boolean;

const answering = (label: string) => `function lambda(input, callback) { callback(null, ${JSON.stringify(label)}); }`;

/** Invocation rows of one function (the records are written just after the answer, so wait for `atLeast`). */
async function recordsOf(a: TestAccount, uuid: string, atLeast = 0) {
  let rows: { trigger: string; status: string }[] = [];
  for (let i = 0; i < 100; i++) {
    rows = (
      await storedRows<{ trigger: string; status: string }>(a.accountId, "SELECT trigger, status FROM invocations WHERE lambda_uuid = ?", uuid)
    );
    if (rows.length >= atLeast) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return rows;
}

describe("runInWaves", () => {
  it("keeps at most `size` tasks in flight, answers in item order, and starts no wave after a stop", async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const outcomes = await runInWaves(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      4,
      async (item) => {
        started.push(item);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5 * (4 - (item % 4)))); // later items of a wave finish first
        inFlight--;
        if (item === 5) throw new Error("boom");
        return item * 10;
      },
      (v) => v === 20,
    );
    expect(peak).toBe(4);
    // Item 2's value stops after the first wave: items 4.. never start.
    expect(started.sort()).toEqual([0, 1, 2, 3]);
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    expect(outcomes.map((o) => (o.ok ? o.value : "error"))).toEqual([0, 10, 20, 30]);

    const thrown = await runInWaves([0, 1, 2, 3, 4, 5, 6, 7, 8], 4, async (i) => {
      if (i === 5) throw new Error("boom");
      return i;
    }, () => false);
    expect(thrown.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(thrown[5]!.ok).toBe(false);
    expect(EVENT_FAN_OUT).toBe(4);
  });
});

describe("POST /events/{eventId}/invoke", () => {
  it("one deployed function: answers its result, recorded with trigger event; Drafts and other events do not answer", async () => {
    const a = await newAccount();
    const fn = await deployed(a, undefined, { eventId: "bot_connectors_custom_integration" });
    await createLambda(a, answering("draft"), { eventId: "bot_connectors_custom_integration" });
    await deployed(a, answering("other event"), { eventId: "bot_connectors_pre_hook" });
    const res = await invokeEvent(a, "bot_connectors_custom_integration");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toBe("Hello ev");
    expect(res.headers.get("x-edgefn-functions")).toBe(fn);
    expect(await recordsOf(a, fn, 1)).toEqual([{ trigger: "event", status: "SUCCEEDED" }]);
    // V2 style: no query, LP-EventSource header.
    const v2 = await invokeEvent(a, "bot_connectors_custom_integration", "", a.invocation, { "LP-EventSource": "compat" });
    expect(await json(v2)).toBe("Hello ev");
  });

  it("several functions: an array of their results, oldest function first, at most 4 running at once", async () => {
    const a = await newAccount();
    // Each answers when it started and ended; six of them need two waves.
    const timed = (label: string) =>
      `async function lambda(input) { const start = Date.now(); await new Promise((r) => setTimeout(r, 300)); return { label: ${JSON.stringify(label)}, start, end: Date.now() }; }`;
    const uuids: string[] = [];
    for (const label of ["f1", "f2", "f3", "f4", "f5", "f6"]) uuids.push(await deployed(a, timed(label), { eventId: "conversational_command" }));
    const res = await invokeEvent(a, "conversational_command");
    expect(res.status, await res.clone().text()).toBe(200);
    const results = await json<{ label: string; start: number; end: number }[]>(res);
    expect(results.map((r) => r.label)).toEqual(["f1", "f2", "f3", "f4", "f5", "f6"]);
    expect(res.headers.get("x-edgefn-functions")).toBe(uuids.join(","));
    expect(res.headers.get("x-invocation-id")!.split(",")).toHaveLength(6);
    const peak = Math.max(...results.map((r) => results.filter((o) => o.start < r.end && r.start < o.end).length));
    expect(peak).toBeLessThanOrEqual(EVENT_FAN_OUT);
    // The second wave starts only after the first ended.
    const firstWaveEnd = Math.max(...results.slice(0, 4).map((r) => r.end));
    for (const late of results.slice(4)) expect(late.start).toBeGreaterThanOrEqual(firstWaveEnd);
  });

  it("a failing function stops the chain: 901 naming it, and functions of later waves never run", async () => {
    const a = await newAccount();
    const labels = ["ok1", "fails", "ok3", "ok4", "never5", "never6"];
    const uuids: string[] = [];
    for (const label of labels) {
      const code = label === "fails" ? "function lambda(input, callback) { callback(new Error('event failed')); }" : answering(label);
      uuids.push(await deployed(a, code, { eventId: "conversational_command" }));
    }
    const res = await invokeEvent(a, "conversational_command");
    expect(wireStatus(res)).toBe(901);
    const err = await json(res);
    expect(err).toMatchObject({
      errorCode: "com.liveperson.faas.handler.custom-failure",
      code: "com.customer.faas.function.threw-error",
      errorMsg: "event failed",
      lambdaUUID: uuids[1],
    });
    // The first wave (four functions) ran and was recorded; the rest never started.
    for (const uuid of uuids.slice(0, 4)) expect((await recordsOf(a, uuid, 1)).length).toBe(1);
    for (const uuid of uuids.slice(4)) expect(await recordsOf(a, uuid)).toEqual([]);
  });

  it("the functions share the account's timeout as one budget: a later wave gets what is left of it", async () => {
    const a = await newAccount();
    const limits = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { timeoutMs: 1000 } });
    expect(limits.status, await limits.clone().text()).toBe(200);
    // Each alone fits the timeout (700 ms of 1,000); the fifth starts when the first wave ended.
    const sleeper = "async function lambda() { await new Promise((r) => setTimeout(r, 700)); return 'done'; }";
    const uuids: string[] = [];
    for (let i = 0; i < 5; i++) uuids.push(await deployed(a, sleeper, { eventId: "conversational_command" }));
    const started = Date.now();
    const res = await invokeEvent(a, "conversational_command");
    const elapsed = Date.now() - started;
    expect(wireStatus(res)).toBe(901);
    expect(await json(res)).toMatchObject({ errorCode: "com.liveperson.faas.handler.executiontime-exceeded", lambdaUUID: uuids[4] });
    expect(elapsed).toBeLessThan(1900);
    expect((await json(await invokeEvent(a, "conversational_command", V1, a.invocation))).errorCode).toBe("com.liveperson.faas.handler.executiontime-exceeded");
    // Each function alone still answers within its timeout.
    const alone = await call(`/api/account/${a.accountId}/lambdas/${uuids[4]}/invoke`, { key: a.invocation, body });
    expect(await json(alone)).toBe("done");
  });

  it("selects by skill for skill events: skilled functions for their skills, a function without skills for every skill", async () => {
    const a = await newAccount();
    const ev = "controllerbot_messaging_new_conversation";
    await deployed(a, answering("sales"), { eventId: ev, skills: ["sales", "vip"] });
    await deployed(a, answering("support"), { eventId: ev, skills: ["support"] });
    expect(await json(await invokeEvent(a, ev, "?v=1&skillId=vip&externalSystem="))).toBe("sales");
    expect(await json(await invokeEvent(a, ev, "?skillId=support"))).toBe("support");
    await expectError(await invokeEvent(a, ev, "?v=1&skillId=billing&externalSystem="), 404, CODES.missingLambda);
    // Without a skill only a function for every skill answers, and there is none.
    await expectError(await invokeEvent(a, ev, V1), 404, CODES.missingLambda);
    expect(await implemented(a, ev, "?v=1&skillId=vip&externalSystem=")).toBe(true);
    expect(await implemented(a, ev, "?v=1&skillId=billing&externalSystem=")).toBe(false);
    expect(await implemented(a, ev, V1)).toBe(false);

    const b = await newAccount();
    await deployed(b, answering("default"), { eventId: ev });
    expect(await json(await invokeEvent(b, ev, "?skillId=anything"))).toBe("default");
    expect(await json(await invokeEvent(b, ev, V1))).toBe("default");
    expect(await implemented(b, ev, "?skillId=anything")).toBe(true);
  });

  it("events that do not select by skill ignore skillId", async () => {
    const a = await newAccount();
    await deployed(a, answering("cmd"), { eventId: "conversational_command" });
    expect(await json(await invokeEvent(a, "conversational_command", "?v=1&skillId=42&externalSystem=x"))).toBe("cmd");
    expect(await implemented(a, "conversational_command", "?skillId=42")).toBe(true);
  });

  it("404 when no deployed function answers, also for unknown events; another account's functions never answer", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    await deployed(b, undefined, { eventId: "bot_connectors_post_hook" });
    await expectError(await invokeEvent(a, "bot_connectors_post_hook"), 404, CODES.missingLambda);
    await expectError(await invokeEvent(a, "no_such_event"), 404, CODES.missingLambda);
    await expectError(await invokeEvent(b, "bot_connectors_post_hook", V1, a.invocation), 404);
  });

  it("needs a key (401) of a role that may invoke (Admin 403) and a valid body (400)", async () => {
    const a = await newAccount();
    await deployed(a, undefined, { eventId: "conversational_command" });
    await expectError(await call(`/api/account/${a.accountId}/events/conversational_command/invoke`, { body }), 401);
    await expectError(await invokeEvent(a, "conversational_command", V1, a.admin), 403);
    expect((await invokeEvent(a, "conversational_command", V1, a.developer)).status).toBe(200);
    const bad = await call(`/api/account/${a.accountId}/events/conversational_command/invoke`, { key: a.invocation, body: { headers: "nope" } });
    await expectError(bad, 400, CODES.badInput);
  });
});
