// Schedules through their API: CRUD, LivePerson V1/V2 and faas-cli bodies, every validation rule,
// deployed-only and the per-account limit (race-safe), tenancy, undeploy pausing, time zones and
// daylight saving (croner, evaluated inside workerd), and "run now".
import { storedCount, storedRows } from "./helpers/data-plane";
import { describe, expect, it } from "vitest";
import { catchUp, checkCron, nextDue } from "../src/services/schedule-rules";
import { HELLO, OPERATOR_TOKEN, call, createLambda, deploy, deployed, env, json, newAccount, storedInvocation, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const MINUTE = 60_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const path = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/schedules${rest}`;
const post = (a: TestAccount, body: unknown, key = a.developer) => call(path(a), { key, body });
const put = (a: TestAccount, id: string, body: unknown, key = a.developer) => call(path(a, `/${id}`), { method: "PUT", key, body });
const del = (a: TestAccount, id: string, key = a.developer) => call(path(a, `/${id}`), { method: "DELETE", key });
const runNow = (a: TestAccount, id: string, key = a.developer) => call(path(a, `/${id}/run`), { method: "POST", key });

async function ok(res: Response, status = 200) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return text ? JSON.parse(text) : null;
}
const created = async (a: TestAccount, body: Record<string, unknown>) => ok(await post(a, { isActive: true, ...body }), 201);
const getOne = async (a: TestAccount, id: string, key = a.invocation) => ok(await call(path(a, `/${id}`), { key }));
const listAll = async (a: TestAccount, query = "") => ok(await call(`${path(a)}${query}`, { key: a.invocation }));

/** A 400 whose message names `field` (and, for a bad cron, suggests a valid example). */
async function badField(res: Response, field: string, also?: RegExp) {
  const body = await expectError(res, 400, CODES.badInput, field);
  expect(body.errorMsg).toContain(field);
  if (also) expect(body.errorMsg).toMatch(also);
  return body;
}

/** Formats an epoch in a zone as "YYYY-MM-DD HH:mm". */
function wallClock(ms: number, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

describe("schedules CRUD", () => {
  it("creates, lists, reads, edits and deletes a schedule", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    expect(await listAll(a)).toEqual([]);
    const before = Date.now();
    const s = await created(a, { lambdaUUID: fn, cronExpression: "*/15 * * * *", description: "every quarter", invocationBody: { headers: [{ key: "h", value: "v" }], payload: { name: "cron" } } });
    expect(s).toMatchObject({
      id: expect.any(String),
      uuid: s.id,
      lambdaUUID: fn,
      functionUuid: fn,
      cronExpression: "*/15 * * * *",
      timeZone: "UTC",
      isActive: true,
      pausedReason: null,
      description: "every quarter",
      invocationBody: { headers: [{ key: "h", value: "v" }], payload: { name: "cron" } },
      lastExecution: null,
      didLastExecutionFail: null,
      createdBy: expect.stringContaining("key:"),
      lastRuns: [],
    });
    expect(s.nextExecution).toMatch(ISO);
    const next = Date.parse(s.nextExecution);
    expect(next).toBeGreaterThan(before);
    expect(next - before).toBeLessThanOrEqual(15 * MINUTE);
    expect(next % (15 * MINUTE)).toBe(0);

    expect(await listAll(a)).toEqual([s]);
    expect(await getOne(a, s.id)).toEqual(s);
    expect(await listAll(a, `?lambdaUUID=${fn}`)).toEqual([s]);
    expect(await listAll(a, "?functionUuid=nope")).toEqual([]);

    // PUT with only some fields keeps the others; a new cron counts from now.
    const edited = await ok(await put(a, s.id, { cronExpression: "0 * * * *", description: "hourly" }));
    expect(edited).toMatchObject({ cronExpression: "0 * * * *", description: "hourly", invocationBody: s.invocationBody, isActive: true });
    expect(Date.parse(edited.nextExecution) % (60 * MINUTE)).toBe(0);
    // The whole answer sent back (what a UI does) is accepted.
    const again = await ok(await put(a, s.id, { ...edited, description: "round trip" }));
    expect(again).toMatchObject({ description: "round trip", cronExpression: "0 * * * *", nextExecution: edited.nextExecution });

    // Pausing clears nextExecution; resuming sets it again.
    const paused = await ok(await put(a, s.id, { isActive: false }));
    expect(paused).toMatchObject({ isActive: false, nextExecution: null, pausedReason: null });
    const resumed = await ok(await put(a, s.id, { isActive: true }));
    expect(resumed.nextExecution).toMatch(ISO);

    expect((await del(a, s.id)).status).toBe(204);
    await expectError(await call(path(a, `/${s.id}`), { key: a.admin }), 404, "com.liveperson.faas.es.notfound");
    await expectError(await del(a, s.id), 404);
    expect(await listAll(a)).toEqual([]);
  });

  it("accepts faas-cli's body ({lambdaUUID, cronExpression, isActive, uuid: '', timestamp: 0}) and answers nextExecution", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const s = await ok(await post(a, { timestamp: 0, lambdaUUID: fn, cronExpression: "0 9 * * 1-5", isActive: true, uuid: "" }), 201);
    expect(s.uuid).not.toBe("");
    expect(s.nextExecution).toMatch(ISO);
    expect(new Date(s.nextExecution).getUTCHours()).toBe(9);
  });

  it("accepts LivePerson V2's body: functionUuid, headers as a map, timeZone", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const s = await created(a, { functionUuid: fn, cronExpression: "30 2 * * *", timeZone: "Europe/Berlin", invocationBody: { headers: { "X-One": "1", "X-Two": 2 }, payload: [1, 2] } });
    expect(s).toMatchObject({ lambdaUUID: fn, functionUuid: fn, timeZone: "Europe/Berlin" });
    expect(s.invocationBody).toEqual({ headers: [{ key: "X-One", value: "1" }, { key: "X-Two", value: 2 }], payload: [1, 2] });
    expect(wallClock(Date.parse(s.nextExecution), "Europe/Berlin")).toMatch(/ 02:30$/);
    // Both names for the same function are fine; different ones are not.
    expect((await post(a, { lambdaUUID: fn, functionUuid: fn, cronExpression: "* * * * *" })).status).toBe(201);
    await badField(await post(a, { lambdaUUID: fn, functionUuid: "other", cronExpression: "* * * * *" }), "functionUuid");
    // No invocationBody: an empty one.
    const bare = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *", isActive: false });
    expect(bare).toMatchObject({ invocationBody: { headers: [], payload: {} }, isActive: false, nextExecution: null });
  });

  it("writes an audit row per change", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const s = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    await put(a, s.id, { description: "x" });
    await runNow(a, s.id);
    await del(a, s.id);
    await del(a, s.id); // 404: no row
    const rows = (await env.DB.prepare("SELECT action, target, actor FROM audit_log WHERE account_id = ? AND action LIKE 'schedule.%' ORDER BY id").bind(a.accountId).all<any>()).results;
    expect(rows.map((r) => r.action)).toEqual(["schedule.create", "schedule.update", "schedule.run", "schedule.delete"]);
    expect(rows.every((r) => r.target === s.id && r.actor.startsWith("key:"))).toBe(true);
  });
});

describe("schedule rules (400 naming the field)", () => {
  it("refuses cron expressions that are not 5 fields of minute resolution, and suggests a valid one", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const cases: [unknown, RegExp][] = [
      ["* * * *", /4 fields/],
      ["*/10 * * * * *", /6 fields; seconds are not supported/],
      ["0 0 12 * * * 2030", /7 fields; seconds and years/],
      ["@hourly", /nickname/],
      ["61 * * * *", /not valid/],
      ["* * 32 * *", /not valid/],
      ["0 0 1 13 *", /not valid/],
      ["5/5 * * * *", /not valid/],
      ["? * * * *", /"\?"/],
      ["0 0 30 2 *", /never fires/],
      ["every minute", /not 5|fields/],
      ["", /required/],
      [42, /./],
      [`${"1,".repeat(60)}1 * * * *`, /longer than 120/],
    ];
    for (const [cronExpression, what] of cases) {
      const body = await badField(await post(a, { lambdaUUID: fn, cronExpression }), "cronExpression", what);
      if (typeof cronExpression === "string") expect(body.errorMsg, String(cronExpression)).toContain('"*/15 * * * *"');
    }
    await badField(await post(a, { lambdaUUID: fn }), "cronExpression", /required/);
    // Extensions croner documents are fine; so are names and Sunday as 7.
    for (const good of ["0 0 L * *", "0 9 * * MON-FRI", "0 0 * * 7", "  */5   *  * * *  "]) {
      expect((await post(a, { lambdaUUID: fn, cronExpression: good })).status, good).toBe(201);
    }
  });

  it("refuses a time zone that is not an IANA name", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    for (const timeZone of ["Mars/Phobos", "+01:00", "GMT+5", "Europe/", "x".repeat(65)]) {
      await badField(await post(a, { lambdaUUID: fn, cronExpression: "* * * * *", timeZone }), "timeZone", /IANA/);
    }
    await badField(await post(a, { lambdaUUID: fn, cronExpression: "* * * * *", timeZone: 5 }), "timeZone", /string/);
    for (const timeZone of ["UTC", "Etc/UTC", "America/Argentina/Buenos_Aires", "Asia/Kolkata"]) {
      expect((await post(a, { lambdaUUID: fn, cronExpression: "* * * * *", timeZone })).status, timeZone).toBe(201);
    }
    // A bad time zone on PUT too, and a new zone re-checks the stored expression.
    const s = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    await badField(await put(a, s.id, { timeZone: "Nowhere/City" }), "timeZone");
  });

  it("refuses an invocationBody over 8,000 characters, bad headers, a description over 200, and no function", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const base = { lambdaUUID: fn, cronExpression: "* * * * *" };
    // {"headers":[],"payload":"…"} is 27 characters plus the string.
    expect((await post(a, { ...base, invocationBody: { headers: [], payload: "x".repeat(8000 - 27) } })).status).toBe(201);
    await badField(await post(a, { ...base, invocationBody: { headers: [], payload: "x".repeat(8000 - 26) } }), "invocationBody", /8000/);
    await badField(await post(a, { ...base, invocationBody: "text" }), "invocationBody");
    await badField(await post(a, { ...base, invocationBody: { headers: [{ value: 1 }] } }), "invocationBody.headers");
    await badField(await post(a, { ...base, invocationBody: { headers: "x" } }), "invocationBody.headers");
    expect((await post(a, { ...base, description: "d".repeat(200) })).status).toBe(201);
    await badField(await post(a, { ...base, description: "d".repeat(201) }), "description", /200/);
    await badField(await post(a, { cronExpression: "* * * * *" }), "lambdaUUID", /required/);
    await badField(await post(a, { ...base, isActive: "yes" }), "isActive");
    const s = await created(a, base);
    await badField(await put(a, s.id, { description: "d".repeat(201) }), "description");
    await badField(await put(a, s.id, { cronExpression: "* * *" }), "cronExpression");
  });

  it("schedules only deployed functions (Productive or Modified): a Draft is 409, an unknown or foreign one 404", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const draft = await createLambda(a);
    const body = await expectError(await post(a, { lambdaUUID: draft, cronExpression: "* * * * *" }), 409, CODES.conflict);
    expect(body.errorMsg).toMatch(/not deployed/);
    await expectError(await post(a, { lambdaUUID: "no-such-function", cronExpression: "* * * * *" }), 404, CODES.missingLambda);
    const foreign = await deployed(b);
    await expectError(await post(a, { lambdaUUID: foreign, cronExpression: "* * * * *" }), 404, CODES.missingLambda);
    // Modified (edited after deploying) still has a serving version.
    const fn = await deployed(a);
    const [l] = await ok(await call(`/api/account/${a.accountId}/lambdas/${fn}`, { key: a.developer }));
    await ok(await call(`/api/account/${a.accountId}/lambdas/${fn}`, { method: "PUT", key: a.developer, body: { ...l, description: "edited" } }));
    expect((await ok(await call(`/api/account/${a.accountId}/lambdas/${fn}`, { key: a.developer })))[0].state).toBe("Modified");
    expect((await post(a, { lambdaUUID: fn, cronExpression: "* * * * *" })).status).toBe(201);
    // Pointing a schedule at a Draft function is refused too.
    const s = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    await expectError(await put(a, s.id, { lambdaUUID: draft }), 409, CODES.conflict);
  });

  it("holds at most the account's schedules limit, also under concurrent creates (409 naming the limit)", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    await ok(await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { schedules: 3 } }));
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(a, { lambdaUUID: fn, cronExpression: "* * * * *" })));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of answers.filter((r) => r.status !== 201)) {
      const body = await expectError(r, 409, CODES.conflict);
      expect(body.errorMsg).toMatch(/limit \(schedules\) is 3/);
    }
    expect(await listAll(a)).toHaveLength(3);
    // Paused ones count too; deleting one makes room.
    const [first] = await listAll(a);
    await ok(await put(a, first.id, { isActive: false }));
    await expectError(await post(a, { lambdaUUID: fn, cronExpression: "* * * * *", isActive: false }), 409);
    await del(a, first.id);
    expect((await post(a, { lambdaUUID: fn, cronExpression: "* * * * *" })).status).toBe(201);
  });

  it("the default limit is 50", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    for (let i = 0; i < 50; i += 10) {
      const rs = await Promise.all(Array.from({ length: 10 }, () => post(a, { lambdaUUID: fn, cronExpression: "* * * * *", isActive: false })));
      expect(rs.map((r) => r.status)).toEqual(Array(10).fill(201));
    }
    const body = await expectError(await post(a, { lambdaUUID: fn, cronExpression: "* * * * *" }), 409);
    expect(body.errorMsg).toMatch(/limit \(schedules\) is 50/);
  });
});

describe("tenancy", () => {
  it("another account's schedule does not exist for a caller: 404 on read, edit, delete and run", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const fn = await deployed(b);
    const s = await created(b, { lambdaUUID: fn, cronExpression: "* * * * *" });
    // A's key on A's path with B's id.
    await expectError(await call(path(a, `/${s.id}`), { key: a.admin }), 404);
    await expectError(await put(a, s.id, { description: "mine now" }), 404);
    await expectError(await del(a, s.id), 404);
    await expectError(await runNow(a, s.id), 404);
    expect(await listAll(a)).toEqual([]);
    // A's key on B's path.
    await expectError(await call(path(b), { key: a.admin }), 404);
    await expectError(await call(path(b, `/${s.id}`), { key: a.developer, method: "DELETE" }), 404);
    // B's schedule is untouched.
    expect(await getOne(b, s.id)).toMatchObject({ description: "", isActive: true });
  });
});

describe("undeploy and schedules", () => {
  it("undeploying pauses the function's active schedules (nothing deleted); activation is refused until redeployed; redeploy does not resume", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const other = await deployed(a);
    const active = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *", description: "keep me", invocationBody: { headers: [], payload: { k: 1 } } });
    const userPaused = await created(a, { lambdaUUID: fn, cronExpression: "0 * * * *", isActive: false });
    const unrelated = await created(a, { lambdaUUID: other, cronExpression: "* * * * *" });

    await ok(await call(`/api/account/${a.accountId}/deployments/${fn}`, { method: "DELETE", key: a.developer }));
    expect(await getOne(a, active.id)).toMatchObject({
      isActive: false,
      pausedReason: "function undeployed",
      nextExecution: null,
      description: "keep me",
      invocationBody: { headers: [], payload: { k: 1 } },
      cronExpression: "* * * * *",
    });
    expect(await getOne(a, userPaused.id)).toMatchObject({ isActive: false, pausedReason: null });
    expect(await getOne(a, unrelated.id)).toMatchObject({ isActive: true, pausedReason: null });
    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE account_id = ? AND action = 'schedule.pause'").bind(a.accountId).all();
    expect(audit.results).toHaveLength(1);

    // Editing a paused schedule is fine; activating it is not, and neither is run now.
    expect((await ok(await put(a, active.id, { description: "edited while paused" }))).pausedReason).toBe("function undeployed");
    const refused = await expectError(await put(a, active.id, { isActive: true }), 409, CODES.conflict);
    expect(refused.errorMsg).toMatch(/not deployed/);
    await expectError(await runNow(a, active.id), 409);
    expect((await getOne(a, active.id)).isActive).toBe(false);

    // Redeploying leaves it paused; the user re-activates it.
    expect((await deploy(a, fn)).status).toBe(201);
    expect(await getOne(a, active.id)).toMatchObject({ isActive: false, pausedReason: "function undeployed" });
    const resumed = await ok(await put(a, active.id, { isActive: true }));
    expect(resumed).toMatchObject({ isActive: true, pausedReason: null });
    expect(resumed.nextExecution).toMatch(ISO);
  });

  it("deleting a (Draft) function deletes its schedules; other functions' schedules stay", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const other = await deployed(a);
    const s = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *" });
    const kept = await created(a, { lambdaUUID: other, cronExpression: "* * * * *" });
    await ok(await call(`/api/account/${a.accountId}/deployments/${fn}`, { method: "DELETE", key: a.developer }));
    expect(await getOne(a, s.id)).toMatchObject({ isActive: false, pausedReason: "function undeployed", lambdaUUID: fn });
    expect((await call(`/api/account/${a.accountId}/lambdas/${fn}`, { method: "DELETE", key: a.developer })).status).toBe(204);
    expect((await call(`/api/account/${a.accountId}/schedules/${s.id}`, { key: a.developer })).status).toBe(404);
    expect(await getOne(a, kept.id)).toMatchObject({ isActive: true, lambdaUUID: other });
  });
});

describe("time zones and daylight saving (croner inside workerd)", () => {
  const berlin = "Europe/Berlin";
  const runsFrom = (expr: string, tz: string, fromIso: string, n: number) => {
    const out: string[] = [];
    let t = Date.parse(fromIso);
    for (let i = 0; i < n; i++) {
      t = nextDue(expr, tz, t)!;
      out.push(new Date(t).toISOString());
    }
    return out;
  };

  it("computes the next run in the schedule's zone", () => {
    const from = Date.parse("2026-06-01T12:00:00Z");
    expect(new Date(nextDue("0 9 * * *", "UTC", from)!).toISOString()).toBe("2026-06-02T09:00:00.000Z");
    expect(new Date(nextDue("0 9 * * *", "America/New_York", from)!).toISOString()).toBe("2026-06-01T13:00:00.000Z");
    expect(new Date(nextDue("0 9 * * *", "Asia/Kolkata", from)!).toISOString()).toBe("2026-06-02T03:30:00.000Z");
    expect(new Date(nextDue("0 9 * * *", "Etc/UTC", from)!).toISOString()).toBe("2026-06-02T09:00:00.000Z");
    // Winter vs summer in Berlin: 09:00 local is 08:00Z in January, 07:00Z in June.
    expect(new Date(nextDue("0 9 * * *", berlin, Date.parse("2026-01-10T00:00:00Z"))!).toISOString()).toBe("2026-01-10T08:00:00.000Z");
    expect(new Date(nextDue("0 9 * * *", berlin, from)!).toISOString()).toBe("2026-06-02T07:00:00.000Z");
  });

  it("spring forward: a fixed time in the gap fires once at the first valid time after it; intervals skip the missing hour", () => {
    // 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST; 02:30 does not exist that day.
    expect(runsFrom("30 2 * * *", berlin, "2026-03-27T12:00:00Z", 4)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST: the first valid time after the gap, once
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
    ]);
    expect(runsFrom("30 2 * * *", berlin, "2026-03-27T12:00:00Z", 3).map((t) => wallClock(Date.parse(t), berlin))).toEqual([
      "2026-03-28 02:30",
      "2026-03-29 03:00",
      "2026-03-30 02:30",
    ]);
    // A list of fixed times in the gap also fires once.
    expect(runsFrom("15,45 2 * * *", berlin, "2026-03-28T12:00:00Z", 2)).toEqual(["2026-03-29T01:00:00.000Z", "2026-03-30T00:15:00.000Z"]);
    // Every 30 minutes: 01:30 CET, then 03:00 CEST (02:00 and 02:30 do not exist).
    expect(runsFrom("*/30 * * * *", berlin, "2026-03-29T00:15:00Z", 3)).toEqual(["2026-03-29T00:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-29T01:30:00.000Z"]);
  });

  it("fall back: a fixed time in the repeated hour fires once (the first occurrence); intervals fire on both", () => {
    // 2026-10-25: Berlin goes from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
    expect(runsFrom("30 2 * * *", berlin, "2026-10-24T12:00:00Z", 3)).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST, once
      "2026-10-26T01:30:00.000Z", // 02:30 CET
      "2026-10-27T01:30:00.000Z",
    ]);
    expect(runsFrom("*/30 * * * *", berlin, "2026-10-24T23:45:00Z", 6)).toEqual([
      "2026-10-25T00:00:00.000Z", // 02:00 CEST
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T01:00:00.000Z", // 02:00 CET
      "2026-10-25T01:30:00.000Z", // 02:30 CET
      "2026-10-25T02:00:00.000Z",
      "2026-10-25T02:30:00.000Z",
    ]);
  });

  it("catching up counts missed minutes and fires for the latest one", () => {
    const t = Date.parse("2026-06-01T12:00:00Z");
    expect(catchUp("* * * * *", "UTC", t - 10 * MINUTE, t)).toEqual({ scheduledFor: t, missed: 10, next: t + MINUTE });
    expect(catchUp("*/5 * * * *", "UTC", t - 30 * MINUTE, t)).toEqual({ scheduledFor: t, missed: 6, next: t + 5 * MINUTE });
    expect(catchUp("0 * * * *", berlin, t - 3 * 60 * MINUTE, t + 7 * MINUTE)).toEqual({ scheduledFor: t, missed: 3, next: t + 60 * MINUTE });
    expect(catchUp("* * * * *", "UTC", t, t)).toEqual({ scheduledFor: t, missed: 0, next: t + MINUTE });
    // Counting is bounded: a long outage reports at least the cap and still fires the latest minute.
    const far = catchUp("*/2 * * * *", "UTC", t - 30 * 24 * 60 * MINUTE, t, 100);
    expect(far).toEqual({ scheduledFor: t, missed: 100, next: t + 2 * MINUTE });
  });

  it("validation runs croner in the workerd runtime", () => {
    expect(checkCron("*/15 * * * *", "UTC")).toEqual({ ok: true, value: "*/15 * * * *" });
    expect(checkCron("0 25 * * *", "UTC")).toMatchObject({ ok: false, field: "cronExpression" });
  });
});

describe("run now", () => {
  it("fires immediately (kind manual) and answers the run with its invocation id and outcome; the record has trigger schedule", async () => {
    const a = await newAccount();
    const fn = await deployed(a, "function lambda(input, callback) { console.info('got', input.payload.name); callback(null, 'done'); }");
    const s = await created(a, { lambdaUUID: fn, cronExpression: "0 0 1 1 *", invocationBody: { headers: { h: "v" }, payload: { name: "manual" } } });
    const run = await ok(await runNow(a, s.id));
    expect(run).toMatchObject({ kind: "manual", status: "succeeded", missed: 0, invocationStatus: "SUCCEEDED", errorCode: null, errorMsg: null, invocationId: expect.any(String) });
    expect(run.startedAt).toMatch(ISO);
    expect(run.finishedAt).toMatch(ISO);
    const record = await storedInvocation(a, run.invocationId);
    expect(record).toMatchObject({ trigger: "schedule", status: "SUCCEEDED" });
    expect(record.logs.map((l: any) => [l.message, l.extras])).toEqual([["got", ["manual"]]]);
    const [row] = await storedRows(a.accountId, "SELECT schedule_id, request_id FROM invocations WHERE id = ?", run.invocationId);
    expect(row).toEqual({ schedule_id: s.id, request_id: run.id });

    const after = await getOne(a, s.id);
    expect(after.lastRuns).toEqual([expect.objectContaining({ id: run.id, kind: "manual", status: "succeeded", invocationId: run.invocationId })]);
    expect(after).toMatchObject({ didLastExecutionFail: false, lastExecution: run.startedAt, nextExecution: s.nextExecution });
  });

  it("a failing function is a failed run (HTTP 200) with its errorCode; a paused schedule can be run; Invocation keys may not", async () => {
    const a = await newAccount();
    const fn = await deployed(a, "function lambda(input, callback) { callback(new Error('nope')); }");
    const s = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *", isActive: false });
    const run = await ok(await runNow(a, s.id, a.admin));
    expect(run).toMatchObject({ status: "failed", invocationStatus: "CODING_FAILURE", errorCode: "com.liveperson.faas.handler.custom-failure", errorMsg: "nope" });
    expect((await getOne(a, s.id)).didLastExecutionFail).toBe(true);
    await expectError(await runNow(a, s.id, a.invocation), 403, CODES.forbidden);
  });

  it("shows the last 10 runs, newest first", async () => {
    const a = await newAccount();
    const fn = await deployed(a, HELLO);
    const s = await created(a, { lambdaUUID: fn, cronExpression: "* * * * *", invocationBody: { headers: [], payload: { name: "n" } } });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await ok(await runNow(a, s.id))).id);
    const got = await getOne(a, s.id);
    expect(got.lastRuns.map((r: any) => r.id)).toEqual(ids.reverse().slice(0, 10));
    expect((await listAll(a))[0].lastRuns).toHaveLength(10);
  });
});

describe("json helper sanity", () => {
  it("answers JSON with the schedule fields faas-cli reads", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const res = await post(a, { lambdaUUID: fn, cronExpression: "* * * * *", isActive: true });
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const s = await json(res);
    for (const k of ["uuid", "lambdaUUID", "cronExpression", "isActive", "createdBy", "lastExecution", "nextExecution", "didLastExecutionFail"]) expect(s).toHaveProperty(k);
  });
});
