// LivePerson's account reports, as faas-cli `lpf get account` reads them: limitCounts, lambdaCounts
// and invocationCounts (?v=1&startTimestamp&endTimestamp, epoch ms). Shapes, values, the time
// window, the OpenAPI documentation, and tenancy (another account's numbers never show).
import { storedCount, storedRows } from "./helpers/data-plane";
import { describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, createLambda, deployed, env, invoke, newAccount, type TestAccount } from "./helpers/api";
import { CODES, expectError, fetchSpec } from "./helpers/spec";

const report = async (a: TestAccount, name: string, query = "", key = a.invocation) => {
  const res = await call(`/api/account/${a.accountId}/reports/${name}?v=1${query}`, { key });
  const text = await res.text();
  expect(res.status, `${name}: ${text}`).toBe(200);
  return JSON.parse(text);
};

async function recordsWritten(a: TestAccount, n: number) {
  for (let i = 0; i < 100; i++) {
    if ((await storedCount(a.accountId)) >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`expected ${n} invocation records`);
}

const DEFAULTS = { concurrentInvocations: 50, functions: 50, schedules: 50, invocationsPerMonth: 150000, enforceMonthlyQuota: false, timeoutMs: 1500, outboundPerSecond: 20, logRetentionDays: 30 };
const month = () => new Date().toISOString().slice(0, 7);
const firstOfMonth = () => {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};

describe("limitCounts", () => {
  it("answers LivePerson's fields, every limit as it applies, and current usage", async () => {
    const a = await newAccount();
    expect(await report(a, "limitCounts")).toEqual({
      limitTotalLambdas: 50,
      limitDeployedLambdas: 50,
      invocationLimitPerMonth: 150000,
      // timeoutMs: the platform's INVOKE_TIMEOUT_MS (1500 in tests) while the account has no override.
      limits: DEFAULTS,
      usage: { concurrentInvocations: 0, month: month(), invocationsThisMonth: 0 },
    });
    const res = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { functions: 7, invocationsPerMonth: 1000, timeoutMs: 5000 } });
    expect(res.status).toBe(200);
    const fn = await deployed(a);
    await invoke(a, fn);
    await invoke(a, fn);
    const counts = await report(a, "limitCounts");
    expect(counts).toMatchObject({ limitTotalLambdas: 7, limitDeployedLambdas: 7, invocationLimitPerMonth: 1000 });
    expect(counts.limits).toEqual({ ...DEFAULTS, functions: 7, invocationsPerMonth: 1000, timeoutMs: 5000 });
    expect(counts.usage.invocationsThisMonth).toBe(2);
  });
});

describe("lambdaCounts", () => {
  it("counts the account's functions and the deployed ones", async () => {
    const a = await newAccount();
    expect(await report(a, "lambdaCounts")).toEqual({ total: 0, deployed: 0 });
    await createLambda(a);
    await createLambda(a);
    const fn = await deployed(a);
    expect(await report(a, "lambdaCounts")).toEqual({ total: 3, deployed: 1 });
    // Undeployed: still a function, no longer deployed.
    expect((await call(`/api/account/${a.accountId}/deployments/${fn}`, { method: "DELETE", key: a.developer })).status).toBeLessThan(300);
    expect(await report(a, "lambdaCounts")).toEqual({ total: 3, deployed: 0 });
  });
});

describe("invocationCounts", () => {
  it("counts successful and unsuccessful invocations in the window faas-cli asks for", async () => {
    const a = await newAccount();
    const ok = await deployed(a);
    const bad = await deployed(a, "function lambda(i, cb) { cb(new Error('no')); }");
    await invoke(a, ok);
    await invoke(a, ok);
    await invoke(a, bad);
    await recordsWritten(a, 3);
    const now = Date.now();
    // Exactly what faas-cli sends: the first of the month (UTC) until now, epoch ms.
    const counts = await report(a, "invocationCounts", `&startTimestamp=${firstOfMonth()}&endTimestamp=${now}`);
    expect(counts).toEqual({ successfulInvocations: 2, unsuccessfulInvocations: 1, startTimestamp: firstOfMonth(), endTimestamp: now });
    // Without a window: this month so far.
    expect(await report(a, "invocationCounts")).toMatchObject({ successfulInvocations: 2, unsuccessfulInvocations: 1, startTimestamp: firstOfMonth() });
    // A window before or after the invocations counts nothing; ISO-8601 works too.
    expect(await report(a, "invocationCounts", `&startTimestamp=${now + 60_000}&endTimestamp=${now + 120_000}`)).toMatchObject({ successfulInvocations: 0, unsuccessfulInvocations: 0 });
    expect(await report(a, "invocationCounts", `&startTimestamp=2020-01-01T00:00:00Z&endTimestamp=2020-02-01T00:00:00Z`)).toMatchObject({ successfulInvocations: 0, unsuccessfulInvocations: 0 });
  });

  it("rejects a bad window with 400", async () => {
    const a = await newAccount();
    const path = (q: string) => `/api/account/${a.accountId}/reports/invocationCounts?v=1${q}`;
    await expectError(await call(path("&startTimestamp=yesterday"), { key: a.admin }), 400, CODES.badInput, "bad start");
    await expectError(await call(path("&endTimestamp=later"), { key: a.admin }), 400, CODES.badInput, "bad end");
    await expectError(await call(path("&startTimestamp=2000&endTimestamp=1000"), { key: a.admin }), 400, CODES.badInput, "start after end");
  });
});

describe("tenancy", () => {
  it("another account's functions, invocations and usage never show in an account's reports", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const fb = await deployed(b);
    await createLambda(b);
    for (let i = 0; i < 3; i++) await invoke(b, fb);
    await recordsWritten(b, 3);
    await call(`/admin/accounts/${b.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { functions: 3 } });

    expect(await report(a, "lambdaCounts")).toEqual({ total: 0, deployed: 0 });
    expect(await report(a, "invocationCounts")).toMatchObject({ successfulInvocations: 0, unsuccessfulInvocations: 0 });
    const limits = await report(a, "limitCounts");
    expect(limits.limitTotalLambdas).toBe(50);
    expect(limits.usage.invocationsThisMonth).toBe(0);

    expect(await report(b, "lambdaCounts")).toEqual({ total: 2, deployed: 1 });
    expect(await report(b, "invocationCounts")).toMatchObject({ successfulInvocations: 3, unsuccessfulInvocations: 0 });
    expect((await report(b, "limitCounts")).usage.invocationsThisMonth).toBe(3);
    // A's keys on B's reports: 404, like every foreign path.
    for (const name of ["limitCounts", "lambdaCounts", "invocationCounts"]) {
      await expectError(await call(`/api/account/${b.accountId}/reports/${name}`, { key: a.admin }), 404, undefined, name);
    }
  });
});

describe("OpenAPI", () => {
  it("documents the three reports and their shapes", async () => {
    const spec = await fetchSpec();
    const ok = (path: string) => spec.paths[`/api/account/{accountId}/reports/${path}`]?.get?.responses?.["200"]?.content?.["application/json"]?.schema;
    for (const name of ["limitCounts", "lambdaCounts", "invocationCounts"]) expect(ok(name), name).toBeDefined();
    const props = (name: string) => Object.keys(spec.components.schemas[name].properties).sort();
    expect(props("LimitCounts")).toEqual(["invocationLimitPerMonth", "limitDeployedLambdas", "limitTotalLambdas", "limits", "usage"]);
    expect(props("LambdaCounts")).toEqual(["deployed", "total"]);
    expect(props("InvocationCounts")).toEqual(["endTimestamp", "startTimestamp", "successfulInvocations", "unsuccessfulInvocations"]);
    const params = spec.paths["/api/account/{accountId}/reports/invocationCounts"].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(expect.arrayContaining(["startTimestamp", "endTimestamp"]));
    // The invoke routes document the gate's 429.
    expect(spec.paths["/api/account/{accountId}/lambdas/{uuid}/invoke"].post.responses["429"]).toBeDefined();
  });
});

// faas-cli's `get account` merges the three answers into one object (Object.assign).
describe("faas-cli get account", () => {
  it("the three answers merge into one object without clashing keys", async () => {
    const a = await newAccount();
    const parts = [await report(a, "limitCounts"), await report(a, "lambdaCounts"), await report(a, "invocationCounts")];
    const keys = parts.flatMap((p) => Object.keys(p));
    expect(new Set(keys).size).toBe(keys.length);
    const merged = Object.assign({}, ...parts);
    for (const k of ["limitTotalLambdas", "limitDeployedLambdas", "invocationLimitPerMonth", "total", "deployed", "successfulInvocations", "unsuccessfulInvocations"]) {
      expect(typeof merged[k], k).toBe("number");
    }
  });
});
