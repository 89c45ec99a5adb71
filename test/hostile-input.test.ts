// Issue 11 from the hostile side: bad input is a 4xx, never a 500 and never a broken account (§1),
// and no answer names a host the caller chose (§6). One nesting limit for every JSON value edgefn
// stores or passes on (src/json-nesting.ts); a row stored before the limit existed still lists.
import { describe, expect, it } from "vitest";
import { MAX_JSON_NESTING, MAX_REQUEST_NESTING } from "../src/json-nesting";
import { call, createLambda, deployed, env, invoke, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const LIMIT = MAX_JSON_NESTING;

/** n nested arrays: `[[[...]]]`, as JSON text (so the test never serialises something that deep itself). */
const arraysText = (n: number) => "[".repeat(n) + "]".repeat(n);
/** n nested objects: `{"a":{"a":...1}}`, as JSON text. */
const objectsText = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
/** n nested arrays as a value (built iteratively). */
const nestedArrays = (n: number) => {
  let v: unknown[] = [];
  for (let i = 1; i < n; i++) v = [v];
  return v;
};

const CODE = "function lambda(input, callback) { callback(null, 'ran'); }";

/** A raw JSON request (the body is text, so its nesting is whatever the attacker wrote). */
const rawJson = (path: string, key: string, body: string, method = "POST") =>
  call(path, { key, method, rawBody: body, headers: { "content-type": "application/json" } });

/** Asserts a 400 badinput whose errorMsg names the field and the limit. */
async function expectTooDeep(res: Response, field: string, limit = LIMIT) {
  const body = await expectError(res, 400, CODES.badInput, field);
  expect(body.errorMsg).toContain(field);
  expect(body.errorMsg).toContain(`at most ${limit} levels`);
  return body;
}

const lambdasPath = (a: TestAccount) => `/api/account/${a.accountId}/lambdas`;

async function listNames(a: TestAccount): Promise<string[]> {
  const res = await call(lambdasPath(a), { key: a.developer });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json(res)).map((l: any) => l.name);
}

async function invocationCount(a: TestAccount): Promise<number> {
  // Records are written after the answer (waitUntil): give a wrongly started one time to land.
  await new Promise((r) => setTimeout(r, 300));
  const res = await call(`/api/account/${a.accountId}/invocations`, { key: a.admin });
  expect(res.status).toBe(200);
  return (await json(res)).items.length;
}

describe("a JSON value nested too deep is a 400 before anything is stored", () => {
  it("POST /lambdas with a samplePayload of 100,000 nested arrays: 400 naming samplePayload and the limit; nothing stored", async () => {
    const a = await newAccount();
    const name = uniqueName("deep");
    const res = await rawJson(lambdasPath(a), a.developer, `{"name":"${name}","implementation":{"code":${JSON.stringify(CODE)}},"samplePayload":${arraysText(100_000)}}`);
    await expectTooDeep(res, "samplePayload");
    expect(await listNames(a)).not.toContain(name);
  });

  it("the limit itself passes, one level more does not (arrays and objects alike)", async () => {
    const a = await newAccount();
    const ok = await call(lambdasPath(a), { key: a.developer, body: { name: uniqueName(), implementation: { code: CODE }, samplePayload: nestedArrays(LIMIT) } });
    expect(ok.status, await ok.clone().text()).toBe(201);
    await expectTooDeep(await call(lambdasPath(a), { key: a.developer, body: { name: uniqueName(), implementation: { code: CODE }, samplePayload: nestedArrays(LIMIT + 1) } }), "samplePayload");
    const deps = `{"name":"${uniqueName()}","implementation":{"code":"x","dependencies":[${objectsText(LIMIT + 1)}]},"samplePayload":${objectsText(LIMIT + 1)}}`;
    await expectTooDeep(await rawJson(lambdasPath(a), a.developer, deps), "implementation.dependencies.0");
  });

  it("PUT /lambdas/{uuid} with a deep samplePayload: 400; the function keeps its sample payload and version", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, CODE, { samplePayload: { headers: [], payload: { ok: true } } });
    const res = await rawJson(`${lambdasPath(a)}/${uuid}`, a.developer, `{"samplePayload":${arraysText(100_000)}}`, "PUT");
    await expectTooDeep(res, "samplePayload");
    const [fn] = await json(await call(`${lambdasPath(a)}/${uuid}`, { key: a.developer }));
    expect(fn.samplePayload).toEqual({ headers: [], payload: { ok: true } });
    expect(fn.version).toBe(1);
  });

  it("a request body nested too deep in a field the schema lets through (an unknown key) is a 400 too, even at 500,000 levels", async () => {
    const a = await newAccount();
    const name = uniqueName("junk");
    const res = await rawJson(lambdasPath(a), a.developer, `{"name":"${name}","implementation":{"code":"x"},"junk":${arraysText(500_000)}}`);
    await expectTooDeep(res, "request body", MAX_REQUEST_NESTING);
    expect(await listNames(a)).not.toContain(name);
  });
});

describe("a row stored before the limit cannot break its account", () => {
  it("lists (V1 and V2) and reads still answer, with the field null and a warning; PUT repairs it, DELETE removes it", async () => {
    const a = await newAccount();
    const fine = await createLambda(a, CODE);
    const broken = await createLambda(a, CODE);
    const doomed = await createLambda(a, CODE);
    // As a legacy row: written straight to D1, deeper than anything can serialise.
    for (const uuid of [broken, doomed]) {
      await env.DB.prepare("UPDATE lambdas SET sample_payload = ?, dependencies = ? WHERE account_id = ? AND uuid = ?")
        .bind(arraysText(20_000), `[${arraysText(20_000)}]`, a.accountId, uuid)
        .run();
    }
    for (const path of [lambdasPath(a), `/api/account/${a.accountId}/functions`]) {
      const res = await call(path, { key: a.developer });
      expect(res.status, `${path}: ${await res.clone().text()}`.slice(0, 300)).toBe(200);
      const byUuid = new Map<string, any>((await json(res)).map((l: any) => [l.uuid, l]));
      expect(byUuid.get(fine).warnings).toBeUndefined();
      const legacy = byUuid.get(broken);
      expect(legacy.samplePayload).toBeNull();
      expect(legacy.implementation.dependencies).toBeNull();
      expect(legacy.warnings.join(" ")).toContain("samplePayload");
      expect(legacy.warnings.join(" ")).toContain(`at most ${LIMIT} levels`);
    }
    const read = await call(`${lambdasPath(a)}/${broken}`, { key: a.developer });
    expect(read.status).toBe(200);
    expect((await json(read))[0].samplePayload).toBeNull();

    const fix = await call(`${lambdasPath(a)}/${broken}`, { method: "PUT", key: a.developer, body: { samplePayload: { headers: [], payload: {} }, implementation: { dependencies: [] } } });
    expect(fix.status, await fix.clone().text()).toBe(200);
    const fixed = await json(fix);
    expect(fixed.samplePayload).toEqual({ headers: [], payload: {} });
    expect(fixed.warnings).toBeUndefined();

    expect((await call(`${lambdasPath(a)}/${doomed}`, { method: "DELETE", key: a.developer })).status).toBe(204);
    const left = (await json(await call(lambdasPath(a), { key: a.developer }))).map((l: any) => l.uuid);
    expect(left.sort()).toEqual([fine, broken].sort());
  });

  it("a schedule whose stored body is too deep still lists and reads, and can be repaired or deleted", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, CODE);
    const schedules = `/api/account/${a.accountId}/schedules`;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await call(schedules, { key: a.developer, body: { lambdaUUID: uuid, cronExpression: "0 3 * * *" } });
      expect(res.status, await res.clone().text()).toBe(201);
      ids.push((await json(res)).id);
    }
    await env.DB.prepare("UPDATE schedules SET invocation_body = ? WHERE account_id = ?").bind(`{"headers":[],"payload":${arraysText(20_000)}}`, a.accountId).run();
    const list = await call(schedules, { key: a.developer });
    expect(list.status).toBe(200);
    for (const s of await json(list)) {
      expect(s.invocationBody).toBeNull();
      expect(s.warnings.join(" ")).toContain("invocationBody");
    }
    expect((await call(`${schedules}/${ids[0]}`, { key: a.developer })).status).toBe(200);
    const fix = await call(`${schedules}/${ids[0]}`, { method: "PUT", key: a.developer, body: { invocationBody: { headers: [], payload: { ok: 1 } } } });
    expect(fix.status, await fix.clone().text()).toBe(200);
    expect((await json(fix)).invocationBody).toEqual({ headers: [], payload: { ok: 1 } });
    expect((await call(`${schedules}/${ids[1]}`, { method: "DELETE", key: a.developer })).status).toBe(204);
  });
});

describe("invocations: too deep is a 400 before the function runs (no record, no slot)", () => {
  it("a payload of 3,000 nested objects (18 KB) and a deep header value are refused on invoke, test and event invoke", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, CODE);
    const invokePath = `${lambdasPath(a)}/${uuid}/invoke?v=1`;
    await expectTooDeep(await rawJson(invokePath, a.invocation, `{"headers":[],"payload":${objectsText(3_000)}}`), "payload");
    await expectTooDeep(await rawJson(invokePath, a.invocation, `{"headers":[{"key":"x","value":${objectsText(LIMIT + 1)}}],"payload":{}}`), "headers.0.value");
    await expectTooDeep(await rawJson(`${lambdasPath(a)}/${uuid}/test`, a.developer, `{"headers":[],"payload":${arraysText(LIMIT + 1)}}`), "payload");
    await expectTooDeep(await rawJson(`/api/account/${a.accountId}/events/any_event/invoke?v=1`, a.invocation, `{"headers":[],"payload":${arraysText(3_000)}}`), "payload");
    expect(await invocationCount(a)).toBe(0);
    // A payload within the limit still runs.
    const ok = await invoke(a, uuid, { headers: [{ key: "x", value: nestedArrays(LIMIT) }], payload: nestedArrays(LIMIT) });
    expect(ok.status, await ok.clone().text()).toBe(200);
  });

  it("a schedule body too deep is a 400 on create and edit (the runs would fail later)", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, CODE);
    const schedules = `/api/account/${a.accountId}/schedules`;
    const deepPayload = `{"lambdaUUID":"${uuid}","cronExpression":"0 3 * * *","invocationBody":{"headers":[],"payload":${arraysText(LIMIT + 1)}}}`;
    await expectTooDeep(await rawJson(schedules, a.developer, deepPayload), "invocationBody.payload");
    const deepHeader = `{"lambdaUUID":"${uuid}","cronExpression":"0 3 * * *","invocationBody":{"headers":{"x":${objectsText(LIMIT + 1)}},"payload":{}}}`;
    await expectTooDeep(await rawJson(schedules, a.developer, deepHeader), "invocationBody.headers");
    expect(await json(await call(schedules, { key: a.developer }))).toEqual([]);
    const created = await call(schedules, { key: a.developer, body: { lambdaUUID: uuid, cronExpression: "0 3 * * *" } });
    const { id } = await json(created);
    await expectTooDeep(await rawJson(`${schedules}/${id}`, a.developer, `{"invocationBody":{"payload":${arraysText(4_000)}}}`, "PUT"), "invocationBody.payload");
  });
});

describe("secrets and the context store keep the same limit", () => {
  it("a json secret nested too deep (as JSON text or as a JSON value) is a 400 naming value and the limit; nothing stored", async () => {
    const a = await newAccount();
    const secrets = `/api/account/${a.accountId}/secrets`;
    await expectTooDeep(await call(secrets, { key: a.admin, body: { key: "deep_text", type: "json", value: arraysText(LIMIT + 1) } }), "value");
    await expectTooDeep(await rawJson(secrets, a.admin, `{"key":"deep_value","type":"json","value":${arraysText(LIMIT + 1)}}`), "value");
    const ok = await call(secrets, { key: a.admin, body: { key: "fine", type: "json", value: arraysText(LIMIT) } });
    expect(ok.status, await ok.clone().text()).toBe(201);
    expect((await json(await call(secrets, { key: a.admin }))).map((s: any) => s.key)).toEqual(["fine"]);
  });

  it("a context-store value the function nests too deep is refused (invalid-input naming the property and the limit); the limit itself is stored", async () => {
    const a = await newAccount();
    const uuid = await deployed(
      a,
      `const { Toolbelt } = require("lp-faas-toolbelt");
      async function lambda(input) {
        const nest = (n) => { let v = []; for (let i = 1; i < n; i++) v = [v]; return v; };
        const ctx = Toolbelt.ContextServiceClient();
        await ctx.createNamespace("ns");
        const out = [];
        for (const n of input.payload.depths) {
          try { await ctx.setPropertiesInNamespace("ns", { deep: nest(n) }, "s1"); out.push({ ok: true }); }
          catch (e) { out.push({ ok: false, code: e.code, message: e.message }); }
        }
        return out;
      }`,
    );
    const res = await invoke(a, uuid, { headers: [], payload: { depths: [LIMIT + 1, 1_000, LIMIT] } });
    const outs = await json(res);
    expect(res.status, JSON.stringify(outs)).toBe(200);
    for (const refused of outs.slice(0, 2)) {
      expect(refused, JSON.stringify(refused)).toMatchObject({ ok: false, code: "com.liveperson.faas.context.invalid-input" });
      expect(refused.message).toContain("deep");
      expect(refused.message).toContain(`at most ${LIMIT} levels`);
    }
    expect(outs[2]).toEqual({ ok: true });
  });
});

describe("no answer names a host the caller chose (§6)", () => {
  const baseUriPath = "/api/account/12345678/service/baseURI.json?version=1.0";

  it("baseURI.json with Host: evil.example names localhost, never evil.example; a loopback Host is kept", async () => {
    const res = await call(baseUriPath, { headers: { host: "evil.example" } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("evil");
    expect(JSON.parse(text).baseURIs.map((b: any) => b.baseURI)).toEqual(Array(4).fill("localhost"));
    // Spellings that look local but resolve elsewhere are not loopback names.
    for (const host of ["localhost.evil.example", "127.0.0.1.evil.example", "127.999.1.1", "evil.example:8787"]) {
      const named = (await json(await call(baseUriPath, { headers: { host } }))).baseURIs[0].baseURI;
      expect(named, host).toBe("localhost");
    }
    const local = await json(await call(baseUriPath, { headers: { host: "localhost:8787" } }));
    expect(local.baseURIs[0].baseURI).toBe("localhost:8787");
  });

  it("baseURI.json and the token answer carry Cache-Control: no-store, whatever the Host", async () => {
    for (const host of ["evil.example", "localhost:8787"]) {
      expect((await call(baseUriPath, { headers: { host } })).headers.get("cache-control")).toBe("no-store");
    }
    expect((await call("/api/account/a%20b/service/baseURI.json", { headers: { host: "evil.example" } })).headers.get("cache-control")).toBe("no-store");
  });

  it("the OAuth token's iss ignores a hostile Host", async () => {
    const a = await newAccount();
    const client = await json(await call(`/api/account/${a.accountId}/oauth-clients`, { key: a.admin, body: { name: "crm" } }));
    const body = `grant_type=client_credentials&client_id=${encodeURIComponent(client.clientId)}&client_secret=${encodeURIComponent(client.clientSecret)}`;
    const res = await call(`/sentinel/api/account/${a.accountId}/app/token?v=2.0`, {
      method: "POST",
      rawBody: body,
      headers: { "content-type": "application/x-www-form-urlencoded", host: "evil.example" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const token = (await json(res)).access_token as string;
    const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims.iss).toBe("http://localhost");
  });
});
