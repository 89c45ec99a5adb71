// The gateway's lookup cache (services/gateway-cache) and the gate epoch that keeps it honest: warm
// invocations are served from the isolate's memory, and every change the services make that could
// make a cached lookup wrong (revoking a key or OAuth client, deploying, undeploying, changing
// limits) takes effect on the very next invocation, before anything runs.
import { storedCount, storedRows } from "./helpers/data-plane";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AccountGate, LEASE_PREFIX } from "../src/gate/account-gate";
import type { Lease } from "../src/gate/lease";
import { CACHE_MAX_AGE_MS, CACHE_TTL_MS, cacheSize, cachedLookup, confirmLookup, noteEpoch, knownEpoch, rememberLookup } from "../src/services/gateway-cache";
import { OPERATOR_TOKEN, call, deploy, deployed, env, invoke, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const gate = (a: TestAccount) => env.GATE.get(env.GATE.idFromName(a.accountId));
const LIMITS = { concurrentInvocations: 50, invocationsPerMonth: 150_000, enforceMonthlyQuota: false };
const answering = (text: string) => `function lambda(input, callback) { callback(null, ${JSON.stringify(text)}); }`;

async function invokeStatus(a: TestAccount, uuid: string, key = a.invocation) {
  const res = await invoke(a, uuid, { headers: [], payload: { name: "cache" } }, key);
  return { status: res.status, body: await res.text() };
}

/** Invokes until the lookup is cached: the first call learns the epoch, the second reads at it and caches. */
async function warm(a: TestAccount, uuid: string, key = a.invocation) {
  for (let i = 0; i < 3; i++) expect((await invokeStatus(a, uuid, key)).status).toBe(200);
}

const recordCount = async (a: TestAccount, uuid: string) =>
  storedCount(a.accountId, "lambda_uuid = ?", uuid);

/** Takes the function out of service behind the services' back: D1 alone says it is not deployed, nobody tells the gate. */
const undeployInD1Only = (a: TestAccount, uuid: string) =>
  env.DB.prepare("UPDATE lambdas SET deployment_id = NULL, state = 'Draft' WHERE account_id = ? AND uuid = ?").bind(a.accountId, uuid).run();

describe("gateway lookup cache", () => {
  it("warm invocations are served from the cache (a row changed behind the services' back is not read) until the account's epoch moves", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    await warm(a, uuid);
    await undeployInD1Only(a, uuid);
    expect((await invokeStatus(a, uuid)).status, "served from the cache").toBe(200);
    // Any change through the services bumps the epoch: here the operator's limits.
    const put = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { concurrentInvocations: 40 } });
    expect(put.status).toBe(200);
    const after = await invoke(a, uuid);
    await expectError(after, 404, "com.liveperson.faas.es.notdeployed");
  });

  it("a revoked key is refused at its next call, cached or not, and its function does not run", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    const minted = await json(await call(`/api/account/${a.accountId}/api-keys`, { key: a.admin, body: { name: "cached", role: "FaaS-Invocation" } }));
    await warm(a, uuid, minted.key);
    for (let i = 0; i < 100 && (await recordCount(a, uuid)) < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const before = await recordCount(a, uuid);
    expect(before).toBe(3);
    expect((await call(`/api/account/${a.accountId}/api-keys/${minted.id}`, { method: "DELETE", key: a.admin })).status).toBeLessThan(300);
    await expectError(await invoke(a, uuid, undefined, minted.key), 401, CODES.unauthorized);
    await new Promise((r) => setTimeout(r, 150)); // records land ~50 ms after an answer
    expect(await recordCount(a, uuid)).toBe(before);
    expect((await invokeStatus(a, uuid)).status, "other keys still work").toBe(200);
  });

  it("a revoked OAuth client's token is refused at its next call", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    const client = await json(await call(`/api/account/${a.accountId}/oauth-clients`, { key: a.admin, body: { name: "crm" } }));
    const tokenRes = await call(`/sentinel/api/account/${a.accountId}/app/token?v=2.0`, {
      method: "POST",
      rawBody: `grant_type=client_credentials&scope=&client_id=${client.clientId}&client_secret=${client.clientSecret}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const token = (await json(tokenRes)).access_token as string;
    await warm(a, uuid, token);
    expect((await call(`/api/account/${a.accountId}/oauth-clients/${client.id}`, { method: "DELETE", key: a.admin })).status).toBe(204);
    await expectError(await invoke(a, uuid, undefined, token), 401, CODES.unauthorized);
  });

  it("a redeploy serves the new version and an undeploy answers 404 at the next call", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, answering("v1"));
    await warm(a, uuid);
    const edit = await call(`/api/account/${a.accountId}/lambdas/${uuid}`, { method: "PUT", key: a.developer, body: { implementation: { code: answering("v2") } } });
    expect(edit.status).toBe(200);
    expect(JSON.parse((await invokeStatus(a, uuid)).body), "an edit alone does not change what serves").toBe("v1");
    expect((await deploy(a, uuid)).status).toBe(201);
    expect(JSON.parse((await invokeStatus(a, uuid)).body)).toBe("v2");
    await warm(a, uuid);
    expect((await call(`/api/account/${a.accountId}/deployments/${uuid}`, { method: "DELETE", key: a.developer })).status).toBeLessThan(300);
    await expectError(await invoke(a, uuid), 404, "com.liveperson.faas.es.notdeployed");
  });

  it("changed limits apply at the next call", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    await warm(a, uuid);
    const put = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { invocationsPerMonth: 1, enforceMonthlyQuota: true } });
    expect(put.status, await put.clone().text()).toBe(200);
    const refused = await invoke(a, uuid);
    await expectError(refused, 429, "com.liveperson.faas.es.quotaexceeded");
  });
});

describe("the gate's epoch", () => {
  const lease = (a: TestAccount): Lease => {
    const now = Date.now();
    return { invocationId: crypto.randomUUID(), accountId: a.accountId, lambdaUuid: "fn", deploymentId: null, version: 1, trigger: "http", requestId: "r", startedAt: now, deadline: now + 5000 };
  };
  const leaseCount = (a: TestAccount) => runInDurableObject(gate(a), async (_: AccountGate, state) => (await state.storage.list({ prefix: LEASE_PREFIX })).size);

  it("an admission tagged with an old epoch is answered stale and takes nothing; the epoch survives a restart", async () => {
    const a = await newAccount();
    const first = await gate(a).acquire(lease(a), LIMITS);
    expect(first).toMatchObject({ ok: true, epoch: 0 });
    const bumped = await gate(a).bumpEpoch();
    expect(bumped).toBe(1);
    expect(await gate(a).acquire(lease(a), LIMITS, {}, 0)).toEqual({ ok: false, reason: "stale", epoch: 1 });
    expect(await leaseCount(a)).toBe(1);
    await evictDurableObject(gate(a));
    expect(await gate(a).acquire(lease(a), LIMITS, {}, 1)).toMatchObject({ ok: true, epoch: 1 });
    expect(await leaseCount(a)).toBe(2);
  });
});

describe("cache rules", () => {
  const principal = (accountId: string) => ({ accountId, kind: "key" as const, id: "k1", name: "k", roles: ["FaaS-Invocation" as const] });
  const deployment = { id: "d1", accountId: "x", lambdaUuid: "u", lambdaVersion: 1, code: "", environmentVariables: [], libraries: [], codeHash: "h", deployedAt: 0, deployedBy: "t" };
  const lambda = { name: "fn", deployment };

  it("caches only complete answers read at the epoch the admission confirmed, and forgets them after CACHE_TTL_MS", () => {
    const acct = `unit${crypto.randomUUID()}`;
    const cred = { kind: "key" as const, hash: crypto.randomUUID() };
    rememberLookup(acct, cred, "u", { principal: principal(acct), lambda }, undefined, 3);
    expect(cachedLookup(acct, cred, "u"), "read before any epoch was known").toBeUndefined();
    rememberLookup(acct, cred, "u", { principal: principal(acct), lambda }, 2, 3);
    expect(cachedLookup(acct, cred, "u"), "read at an older epoch").toBeUndefined();
    rememberLookup(acct, cred, "u", { principal: principal("other"), lambda }, 3, 3);
    expect(cachedLookup(acct, cred, "u"), "another account's key").toBeUndefined();
    rememberLookup(acct, cred, "u", { principal: principal(acct), lambda: { name: "fn", deployment: null } }, 3, 3);
    expect(cachedLookup(acct, cred, "u"), "not deployed").toBeUndefined();
    rememberLookup(acct, cred, "u", { principal: null, lambda }, 3, 3);
    expect(cachedLookup(acct, cred, "u"), "no principal").toBeUndefined();
    rememberLookup(acct, cred, "u", { principal: principal(acct), lambda }, 3, 3);
    expect(cachedLookup(acct, cred, "u")).toMatchObject({ epoch: 3, lambda });
    expect(cachedLookup(acct, { kind: "key", hash: "other" }, "u")).toBeUndefined();
    expect(cachedLookup(acct, cred, "u", Date.now() + CACHE_TTL_MS + 1)).toBeUndefined();
    expect(cachedLookup(acct, cred, "u"), "expired entries are dropped").toBeUndefined();
  });

  it("an admission at the entry's epoch keeps it CACHE_TTL_MS longer, never past CACHE_MAX_AGE_MS from its read; one at another epoch does not", () => {
    const acct = `unit${crypto.randomUUID()}`;
    const cred = { kind: "key" as const, hash: crypto.randomUUID() };
    const t0 = Date.now();
    rememberLookup(acct, cred, "u", { principal: principal(acct), lambda }, 5, 5);
    const entry = cachedLookup(acct, cred, "u", t0)!;
    // Confirmed every 8 s at its own epoch: alive past the TTL, up to the maximum age.
    let t = t0;
    for (; t + 8_000 - t0 <= CACHE_MAX_AGE_MS; t += 8_000) {
      expect(cachedLookup(acct, cred, "u", t + 8_000), `confirmed at ${t - t0} ms`).toBe(entry);
      confirmLookup(acct, cred, "u", entry, 5, t + 8_000);
    }
    expect(t + 8_000 - t0).toBeGreaterThan(CACHE_TTL_MS);
    expect(cachedLookup(acct, cred, "u", t0 + CACHE_MAX_AGE_MS + 1_000), "read too long ago, however often confirmed").toBeUndefined();

    rememberLookup(acct, cred, "u", { principal: principal(acct), lambda }, 6, 6);
    const other = cachedLookup(acct, cred, "u", t0)!;
    confirmLookup(acct, cred, "u", other, 7, t0 + CACHE_TTL_MS - 1); // the account changed: no confirmation
    expect(cachedLookup(acct, cred, "u", t0 + CACHE_TTL_MS + 1_000)).toBeUndefined();
  });

  it("keeps one copy of a deployment's code for all entries, and holds at most 8M characters of code", () => {
    const acct = `unit${crypto.randomUUID()}`;
    const big = (id: string) => ({ ...deployment, id, code: "x".repeat(100_000) });
    const before = cacheSize();
    for (let i = 0; i < 3; i++) {
      // Three callers of one function: three entries, each read separately from D1 (distinct objects).
      rememberLookup(acct, { kind: "key", hash: `h${i}` }, "u", { principal: principal(acct), lambda: { name: "fn", deployment: big(`shared-${acct}`) } }, 1, 1);
    }
    expect(cacheSize().entries - before.entries).toBe(3);
    expect(cacheSize().deployments - before.deployments).toBe(1);
    expect(cacheSize().codeChars - before.codeChars).toBeLessThan(200_000);
    // 90 functions of 100,000 characters each: the oldest entries make room.
    for (let i = 0; i < 90; i++) {
      rememberLookup(acct, { kind: "key", hash: "h" }, `f${i}`, { principal: principal(acct), lambda: { name: "fn", deployment: big(`${acct}-${i}`) } }, 1, 1);
    }
    expect(cacheSize().codeChars).toBeLessThanOrEqual(8_000_000);
    expect(cachedLookup(acct, { kind: "key", hash: "h0" }, "u"), "the oldest went first").toBeUndefined();
    expect(cachedLookup(acct, { kind: "key", hash: "h" }, "f89"), "the newest stays").toBeDefined();
  });

  it("remembers the newest epoch seen per account", () => {
    const acct = `unit${crypto.randomUUID()}`;
    expect(knownEpoch(acct)).toBeUndefined();
    noteEpoch(acct, 4);
    noteEpoch(acct, 2);
    expect(knownEpoch(acct)).toBe(4);
  });
});
