// The gateway's lookup cache (services/gateway-cache) and the gate epoch that keeps it honest: warm
// invocations are served from the isolate's memory, and every change the services make that could
// make a cached lookup wrong (revoking a key or OAuth client, deploying, undeploying, changing
// limits) takes effect on the very next invocation, before anything runs.
import { storedCount, storedRows } from "./helpers/data-plane";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { AccountGate, LEASE_PREFIX } from "../src/gate/account-gate";
import type { Lease } from "../src/gate/lease";
import { CACHE_MAX_AGE_MS, GENERATION_CHECK_MS, cacheSize, cachedLookup, noteEpoch, noteGeneration, knownEpoch, rememberLookup } from "../src/services/gateway-cache";
import { OPERATOR_TOKEN, call, deploy, deployed, env, invoke, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";
import { PASSWORD, logoutCall, makeUser, signedIn, usersPath } from "./helpers/users";

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

const generationOf = async (a: TestAccount) =>
  (await env.DB.prepare("SELECT cache_generation AS g FROM accounts WHERE id = ?").bind(a.accountId).first<{ g: number }>())!.g;

describe("the account's cache generation (for a change whose gate was never told)", () => {
  it("a key revoked while the gate could not be told runs nothing once the account's generation is read again, within GENERATION_CHECK_MS", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    const minted = await json(await call(`/api/account/${a.accountId}/api-keys`, { key: a.admin, body: { name: "lost bump", role: "FaaS-Invocation" } }));
    await warm(a, uuid, minted.key);
    // What the revocation's batch writes, without the bump of the gate that follows it.
    await env.DB.batch([
      env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(Date.now(), minted.id),
      env.DB.prepare("UPDATE accounts SET cache_generation = cache_generation + 1 WHERE id = ?").bind(a.accountId),
    ]);
    expect((await invokeStatus(a, uuid, minted.key)).status, "served from the cache: the gate's epoch did not move").toBe(200);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + GENERATION_CHECK_MS + 1_000 });
    try {
      await expectError(await invoke(a, uuid, undefined, minted.key), 401, CODES.unauthorized);
      expect((await invokeStatus(a, uuid)).status, "the account's other keys still work").toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it("every change the gateway may hold in its cache advances the generation in its own batch", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    const acct = `/api/account/${a.accountId}`;
    const user = await makeUser(a, ["FaaS-Developer"]);
    const invited = await makeUser(a, ["FaaS-Developer"], { password: null });
    const minted = await json(await call(`${acct}/api-keys`, { key: a.admin, body: { name: "g", role: "FaaS-Invocation" } }));
    const client = await json(await call(`${acct}/oauth-clients`, { key: a.admin, body: { name: "g" } }));
    const changes: [string, () => Promise<Response>][] = [
      ["deploy", () => deploy(a, uuid)],
      ["undeploy", () => call(`${acct}/deployments/${uuid}`, { method: "DELETE", key: a.developer })],
      ["limits", () => call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { concurrentInvocations: 30 } })],
      ["key revoked", () => call(`${acct}/api-keys/${minted.id}`, { method: "DELETE", key: a.admin })],
      ["OAuth client revoked", () => call(`${acct}/oauth-clients/${client.id}`, { method: "DELETE", key: a.admin })],
      ["sign-out", async () => logoutCall(a.accountId, { bearer: (await signedIn(a.accountId, user.loginName)).bearer })],
      ["user's sessions ended", () => call(usersPath(a, `/${user.id}/sessions`), { key: a.admin, method: "DELETE" })],
      ["user changed", () => call(usersPath(a, `/${user.id}`), { key: a.admin, method: "PUT", body: { roles: ["FaaS-Admin"] } })],
      ["own password changed", () => call(`${acct}/password`, { body: { username: user.loginName, password: PASSWORD, newPassword: "another long passphrase" }, headers: { "cf-connecting-ip": "10.250.0.1" } })],
      ["invitation accepted", () => call(`${acct}/invitation`, { body: { token: invited.invitation.token, password: PASSWORD } })],
      ["user deleted", () => call(usersPath(a, `/${user.id}`), { key: a.admin, method: "DELETE" })],
    ];
    for (const [name, change] of changes) {
      const before = await generationOf(a);
      const res = await change();
      expect(res.status, `${name}: ${await res.clone().text()}`).toBeLessThan(300);
      expect(await generationOf(a), name).toBeGreaterThan(before);
    }
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

  it("caches only complete answers read at the epoch the admission confirmed, and forgets them CACHE_MAX_AGE_MS after their read", () => {
    const acct = `unit${crypto.randomUUID()}`;
    const cred = { kind: "key" as const, hash: crypto.randomUUID() };
    const found = { principal: principal(acct), lambda, generation: 1 };
    rememberLookup(acct, cred, "u", found, undefined, 3);
    expect(cachedLookup(acct, cred, "u"), "read before any epoch was known").toBeUndefined();
    rememberLookup(acct, cred, "u", found, 2, 3);
    expect(cachedLookup(acct, cred, "u"), "read at an older epoch").toBeUndefined();
    rememberLookup(acct, cred, "u", { ...found, principal: principal("other") }, 3, 3);
    expect(cachedLookup(acct, cred, "u"), "another account's key").toBeUndefined();
    rememberLookup(acct, cred, "u", { ...found, lambda: { name: "fn", deployment: null } }, 3, 3);
    expect(cachedLookup(acct, cred, "u"), "not deployed").toBeUndefined();
    rememberLookup(acct, cred, "u", { ...found, principal: null }, 3, 3);
    expect(cachedLookup(acct, cred, "u"), "no principal").toBeUndefined();
    rememberLookup(acct, cred, "u", { ...found, generation: null }, 3, 3);
    expect(cachedLookup(acct, cred, "u"), "no generation").toBeUndefined();
    rememberLookup(acct, cred, "u", found, 3, 3);
    expect(cachedLookup(acct, cred, "u")).toMatchObject({ epoch: 3, generation: 1, lambda });
    expect(cachedLookup(acct, { kind: "key", hash: "other" }, "u")).toBeUndefined();
    // However recently its account's generation was confirmed.
    noteGeneration(acct, 1, Date.now() + CACHE_MAX_AGE_MS);
    expect(cachedLookup(acct, cred, "u", Date.now() + CACHE_MAX_AGE_MS - 1_000)).toBeDefined();
    expect(cachedLookup(acct, cred, "u", Date.now() + CACHE_MAX_AGE_MS + 1_000)).toBeUndefined();
    expect(cachedLookup(acct, cred, "u"), "expired entries are dropped").toBeUndefined();
  });

  it("a lookup read at a newer generation of the account ends every entry read at an older one; one read at an older one is not cached", () => {
    const acct = `unit${crypto.randomUUID()}`;
    const cred = { kind: "key" as const, hash: crypto.randomUUID() };
    const found = (generation: number) => ({ principal: principal(acct), lambda, generation });
    rememberLookup(acct, cred, "a", found(4), 1, 1);
    rememberLookup(acct, cred, "b", found(4), 1, 1);
    expect(cachedLookup(acct, cred, "a")).toBeDefined();
    rememberLookup(acct, cred, "c", found(5), 1, 1); // the account changed in between (its gate was never told)
    expect(cachedLookup(acct, cred, "c")).toBeDefined();
    expect(cachedLookup(acct, cred, "a"), "read before the change").toBeUndefined();
    expect(cachedLookup(acct, cred, "b"), "read before the change").toBeUndefined();
    rememberLookup(acct, cred, "a", found(4), 1, 1); // a read that started before the change and ended after it
    expect(cachedLookup(acct, cred, "a")).toBeUndefined();
    expect(cachedLookup(acct, cred, "c"), "a late answer of an older generation ends nothing").toBeDefined();
    const other = `unit${crypto.randomUUID()}`;
    rememberLookup(other, cred, "a", { ...found(9), principal: principal(other) }, 1, 1);
    expect(cachedLookup(other, cred, "a"), "generations are per account").toBeDefined();
  });

  it("GENERATION_CHECK_MS after the account's generation was last read, its entries wait for a read that confirms or ends them all", () => {
    const acct = `unit${crypto.randomUUID()}`;
    const cred = { kind: "key" as const, hash: crypto.randomUUID() };
    const found = { principal: principal(acct), lambda, generation: 7 };
    const t0 = Date.now();
    for (const uuid of ["a", "b", "c"]) rememberLookup(acct, cred, uuid, found, 1, 1);
    expect(cachedLookup(acct, cred, "a", t0 + GENERATION_CHECK_MS - 1_000)).toBeDefined();
    expect(cachedLookup(acct, cred, "a", t0 + GENERATION_CHECK_MS + 1_000), "due: read again").toBeUndefined();
    expect(cachedLookup(acct, cred, "b", t0 + GENERATION_CHECK_MS + 1_000)).toBeUndefined();
    noteGeneration(acct, 6, t0 + GENERATION_CHECK_MS + 2_000); // an older read, answered late: confirms nothing
    expect(cachedLookup(acct, cred, "b", t0 + GENERATION_CHECK_MS + 3_000)).toBeUndefined();
    noteGeneration(acct, 7, t0 + GENERATION_CHECK_MS + 2_000); // the read of one lookup: unchanged
    expect(cachedLookup(acct, cred, "b", t0 + GENERATION_CHECK_MS + 3_000), "confirmed by another function's read").toBeDefined();
    expect(cachedLookup(acct, cred, "c", t0 + 2 * GENERATION_CHECK_MS + 3_000), "due again GENERATION_CHECK_MS later").toBeUndefined();
    noteGeneration(acct, 8, t0 + 2 * GENERATION_CHECK_MS + 4_000);
    expect(cachedLookup(acct, cred, "c", t0 + 2 * GENERATION_CHECK_MS + 5_000), "the account changed").toBeUndefined();
    expect(cachedLookup(acct, cred, "b", t0 + 2 * GENERATION_CHECK_MS + 5_000)).toBeUndefined();
    rememberLookup(acct, cred, "a", { ...found, generation: 8 }, 1, 1);
    expect(cachedLookup(acct, cred, "a")).toBeDefined();
    noteGeneration(acct, null); // the account is gone
    expect(cachedLookup(acct, cred, "a")).toBeUndefined();
  });

  it("keeps one copy of a deployment's code for all entries, and holds at most 8M characters of code", () => {
    const acct = `unit${crypto.randomUUID()}`;
    const big = (id: string) => ({ ...deployment, id, code: "x".repeat(100_000) });
    const before = cacheSize();
    for (let i = 0; i < 3; i++) {
      // Three callers of one function: three entries, each read separately from D1 (distinct objects).
      rememberLookup(acct, { kind: "key", hash: `h${i}` }, "u", { principal: principal(acct), lambda: { name: "fn", deployment: big(`shared-${acct}`) }, generation: 1 }, 1, 1);
    }
    expect(cacheSize().entries - before.entries).toBe(3);
    expect(cacheSize().deployments - before.deployments).toBe(1);
    expect(cacheSize().codeChars - before.codeChars).toBeLessThan(200_000);
    // 90 functions of 100,000 characters each: the oldest entries make room.
    for (let i = 0; i < 90; i++) {
      rememberLookup(acct, { kind: "key", hash: "h" }, `f${i}`, { principal: principal(acct), lambda: { name: "fn", deployment: big(`${acct}-${i}`) }, generation: 1 }, 1, 1);
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
