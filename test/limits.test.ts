// Per-account limits: the operator's endpoint (GET|PUT /admin/accounts/{accountId}/limits), the
// functions limit on create (race-safe), and the monthly invocation quota (always counted and
// reported, enforced only with enforceMonthlyQuota). Concurrency and timeouts: gate.test.ts.
import { storedCount, storedRows } from "./helpers/data-plane";
import { describe, expect, it } from "vitest";
import { HELLO, OPERATOR_TOKEN, call, deployed, env, invoke, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const LIMIT_REACHED = "com.liveperson.faas.es.limitreached";
const QUOTA_EXCEEDED = "com.liveperson.faas.es.quotaexceeded";

async function setLimits(a: TestAccount, body: Record<string, unknown>) {
  const res = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body });
  expect(res.status, await res.clone().text()).toBe(200);
}

const create = (a: TestAccount, name = uniqueName()) =>
  call(`/api/account/${a.accountId}/lambdas`, { key: a.developer, body: { name, description: "d", implementation: { code: HELLO } } });

/** The account's invocation records, once at least `atLeast` exist (they are written after the answer). */
async function recordCount(a: TestAccount, atLeast: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < 100; i++) {
    n = await storedCount(a.accountId);
    if (n >= atLeast) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return n;
}

const limitCounts = async (a: TestAccount) => json(await call(`/api/account/${a.accountId}/reports/limitCounts?v=1`, { key: a.invocation }));

describe("operator: per-account limits", () => {
  const limitsPath = (accountId: string) => `/admin/accounts/${accountId}/limits`;
  const get = (accountId: string, key: string | null = OPERATOR_TOKEN) => call(limitsPath(accountId), { key });
  const put = (accountId: string, body: unknown, key: string | null = OPERATOR_TOKEN) => call(limitsPath(accountId), { method: "PUT", key, body });

  it("answers the documented defaults, sets an override, and null restores the default", async () => {
    const a = await newAccount();
    // The documented defaults (docs/limits.md; issue 4).
    const defaults = { concurrentInvocations: 50, functions: 50, schedules: 50, invocationsPerMonth: 150000, enforceMonthlyQuota: false, timeoutMs: 30000, outboundPerSecond: 20, logRetentionDays: 30 };
    const none = Object.fromEntries(Object.keys(defaults).map((k) => [k, null]));
    expect(await json(await get(a.accountId))).toEqual({ accountId: a.accountId, ...none, defaults, effective: defaults });
    const set = await put(a.accountId, { outboundPerSecond: 5 });
    expect(set.status).toBe(200);
    expect(await json(set)).toEqual({ accountId: a.accountId, ...none, outboundPerSecond: 5, defaults, effective: { ...defaults, outboundPerSecond: 5 } });
    expect((await json(await get(a.accountId))).outboundPerSecond).toBe(5);
    expect(await json(await put(a.accountId, { outboundPerSecond: null }))).toEqual({ accountId: a.accountId, ...none, defaults, effective: defaults });
    const rows = (await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ? AND action = 'limits.update' ORDER BY id").bind(a.accountId).all<any>()).results;
    expect(rows.map((r: any) => JSON.parse(r.detail))).toEqual([{ outboundPerSecond: { from: null, to: 5 } }, { outboundPerSecond: { from: 5, to: null } }]);
  });

  it.each([[{ outboundPerSecond: 0 }], [{ outboundPerSecond: 1001 }], [{ outboundPerSecond: 2.5 }], [{ outboundPerSecond: "5" }], [{ enforceMonthlyQuota: "yes" }], [{ timeoutMs: 99 }], [{}], [{ unknownLimit: 3 }]])(
    "rejects %j with 400",
    async (body) => {
      const a = await newAccount();
      await expectError(await put(a.accountId, body), 400, CODES.badInput, JSON.stringify(body));
    },
  );

  it("404 for an unknown account, 401 without the operator token (an account key is not one)", async () => {
    const a = await newAccount();
    await expectError(await get("no-such-account"), 404);
    await expectError(await put("no-such-account", { outboundPerSecond: 3 }), 404);
    await expectError(await get(a.accountId, null), 401, CODES.unauthorized);
    await expectError(await put(a.accountId, { outboundPerSecond: 3 }, a.admin), 401, CODES.unauthorized);
    expect((await json(await get(a.accountId))).outboundPerSecond).toBeNull();
  });
});

describe("the functions limit", () => {
  it("refuses a create beyond the limit with 409 limitreached naming the limit; a delete makes room", async () => {
    const a = await newAccount();
    await setLimits(a, { functions: 2 });
    const first = await create(a);
    expect(first.status).toBe(201);
    expect((await create(a)).status).toBe(201);
    const body = await expectError(await create(a), 409, LIMIT_REACHED, "third function");
    expect(body.errorMsg).toContain("functions: 2");
    expect(body.errorMsg).toContain(`/admin/accounts/${a.accountId}/limits`);
    expect(body).toMatchObject({ limitName: "functions", limit: 2 });
    // Nothing was written for the refused create: two functions, two audit rows.
    const lambdas = await json<any[]>(await call(`/api/account/${a.accountId}/lambdas`, { key: a.developer }));
    expect(lambdas).toHaveLength(2);
    const audit = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE account_id = ? AND action = 'lambda.create'").bind(a.accountId).first<{ n: number }>();
    expect(audit!.n).toBe(2);

    expect((await call(`/api/account/${a.accountId}/lambdas/${(await json(first)).uuid}`, { method: "DELETE", key: a.developer })).status).toBe(204);
    expect((await create(a)).status).toBe(201);
    // Raising the limit makes room too; the default (50) applies again after null.
    await setLimits(a, { functions: 3 });
    expect((await create(a)).status).toBe(201);
    await setLimits(a, { functions: null });
    expect((await create(a)).status).toBe(201);
  });

  it("holds under concurrent creates: exactly the limit succeeds", async () => {
    const a = await newAccount();
    await setLimits(a, { functions: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => create(a)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    for (const r of answers.filter((r) => r.status === 409)) expect((await json(r)).errorCode).toBe(LIMIT_REACHED);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM lambdas WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(row!.n).toBe(3);
  });

  it("counts only the account's own functions; a duplicate name is still 409 conflict", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    await setLimits(a, { functions: 1 });
    await Promise.all([create(b), create(b)]);
    const name = uniqueName();
    expect((await create(a, name)).status).toBe(201);
    await expectError(await create(a, name), 409, CODES.conflict, "duplicate name");
    expect((await create(b)).status).toBe(201);
  });
});

describe("the monthly invocation quota", () => {
  it("is counted and reported always, refused only when enforced (429 quotaexceeded with Retry-After until next month)", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    await setLimits(a, { invocationsPerMonth: 2 });
    // Not enforced (the default): beyond the quota still runs, and is counted.
    for (let i = 0; i < 3; i++) expect((await invoke(a, fn)).status).toBe(200);
    const month = new Date().toISOString().slice(0, 7);
    let counts = await limitCounts(a);
    expect(counts.invocationLimitPerMonth).toBe(2);
    expect(counts.usage).toEqual({ concurrentInvocations: expect.any(Number), month, invocationsThisMonth: 3 });

    await setLimits(a, { enforceMonthlyQuota: true });
    const refused = await invoke(a, fn);
    const now = new Date();
    const body = await expectError(refused, 429, QUOTA_EXCEEDED, "over the enforced quota");
    const untilNextMonth = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 1000;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Math.abs(retryAfter - untilNextMonth)).toBeLessThan(10);
    expect(body.retryAfterSeconds).toBe(retryAfter);
    expect(body).toMatchObject({ limitName: "invocationsPerMonth", limit: 2, inUse: 3 });
    expect(body.errorMsg).toContain("invocationsPerMonth");
    expect(body.errorMsg).toContain(`/admin/accounts/${a.accountId}/limits`);
    // A test invocation is an invocation too.
    await expectError(await call(`/api/account/${a.accountId}/lambdas/${fn}/test`, { key: a.developer, body: { headers: [], payload: {} } }), 429, QUOTA_EXCEEDED, "test invoke");
    // Refused invocations are neither counted nor recorded.
    counts = await limitCounts(a);
    expect(counts.usage.invocationsThisMonth).toBe(3);
    expect(await recordCount(a, 3)).toBe(3);

    // Raising the quota (or no longer enforcing it) lets invocations through again.
    await setLimits(a, { invocationsPerMonth: 4 });
    expect((await invoke(a, fn)).status).toBe(200);
    await expectError(await invoke(a, fn), 429, QUOTA_EXCEEDED, "at the raised quota");
    await setLimits(a, { enforceMonthlyQuota: false });
    expect((await invoke(a, fn)).status).toBe(200);
    expect((await limitCounts(a)).usage.invocationsThisMonth).toBe(5);
  });

  it("is per account", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const [fa, fb] = await Promise.all([deployed(a), deployed(b)]);
    await setLimits(a, { invocationsPerMonth: 1, enforceMonthlyQuota: true });
    expect((await invoke(a, fa)).status).toBe(200);
    await expectError(await invoke(a, fa), 429, QUOTA_EXCEEDED);
    for (let i = 0; i < 3; i++) expect((await invoke(b, fb)).status).toBe(200);
    expect((await limitCounts(a)).usage.invocationsThisMonth).toBe(1);
    expect((await limitCounts(b)).usage.invocationsThisMonth).toBe(3);
  });
});
