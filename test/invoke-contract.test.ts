import { describe, expect, it } from "vitest";
import { call, deployed, invoke, json, newAccount, wireStatus } from "./helpers/api";

const body = (payload: unknown = {}) => ({ headers: [{ key: "x-test", value: "1" }], payload });

describe("the function contract", () => {
  it("runs lambda(input, callback) with LivePerson's input shape", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(input, callback) { callback(null, { ts: typeof input.timestamp, headers: input.headers, payload: input.payload }); }");
    const res = await invoke(a, uuid, { timestamp: 1234, ...body({ n: 1 }) });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ts: "number", headers: [{ key: "x-test", value: "1" }], payload: { n: 1 } });
  });

  it("fills the timestamp when the caller leaves it out", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(input, callback) { callback(null, input.timestamp); }");
    const before = Date.now();
    const ts = await json<number>(await invoke(a, uuid, body()));
    expect(ts).toBeGreaterThanOrEqual(before);
  });

  it("runs async lambda(input) and uses its resolved value", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "async function lambda(input) { await new Promise(r => setTimeout(r, 5)); return { doubled: input.payload.n * 2 }; }");
    expect(await json(await invoke(a, uuid, body({ n: 21 })))).toEqual({ doubled: 42 });
  });

  it("waits for the callback of an async function that declares one", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "async function lambda(input, callback) { setTimeout(() => callback(null, 'late'), 10); }");
    expect(await json(await invoke(a, uuid, body()))).toBe("late");
  });

  it("answers a string result as a JSON string and undefined as null", async () => {
    const a = await newAccount();
    const s = await deployed(a, "function lambda(i, cb) { cb(null, 'Hello World'); }");
    const res = await invoke(a, s, body());
    expect(await res.text()).toBe('"Hello World"');
    const u = await deployed(a, "function lambda(i, cb) { cb(null); }");
    expect(await (await invoke(a, u, body())).text()).toBe("null");
  });

  it("resolves both toolbelt module names to the toolbelt", async () => {
    const a = await newAccount();
    const uuid = await deployed(
      a,
      `const lp = require('lp-faas-toolbelt'); const own = require('edgefn-toolbelt');
       function lambda(i, cb) { cb(null, { lp: typeof lp.Toolbelt.SecretClient, own: typeof own.Toolbelt.HTTPClient, strategy: lp.ErrorStrategy.EXIT_ON_ERROR }); }`,
    );
    expect(await json(await invoke(a, uuid, body()))).toEqual({ lp: "function", own: "function", strategy: "ExitOnError" });
  });

  it("exposes the function's environment variables in process.env, and the account as BRAND_ID", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(i, cb) { cb(null, { greeting: process.env.GREETING, brand: process.env.BRAND_ID }); }", {
      implementation: {
        code: "function lambda(i, cb) { cb(null, { greeting: process.env.GREETING, brand: process.env.BRAND_ID }); }",
        environmentVariables: [{ key: "GREETING", value: "hej" }],
      },
    });
    expect(await json(await invoke(a, uuid, body()))).toEqual({ greeting: "hej", brand: a.accountId });
  });

  it("keeps every platform binding out of reach of brand code", async () => {
    const a = await newAccount();
    const uuid = await deployed(
      a,
      `async function lambda() {
         const { env } = await import('cloudflare:workers');
         const names = Object.keys(env);
         const strings = Object.keys(process.env);
         return { names, strings, globals: ['DB', 'KV', 'LOADER', 'OPERATOR_TOKEN', 'SECRETS_KEK'].filter((n) => n in globalThis) };
       }`,
    );
    const seen = await json(await invoke(a, uuid, body()));
    for (const name of ["DB", "KV", "LOADER", "OPERATOR_TOKEN", "SECRETS_KEK", "JWT_SIGNING_KEY"]) {
      expect(seen.names).not.toContain(name);
      expect(seen.strings).not.toContain(name);
    }
    expect(seen.globals).toEqual([]);
  });

  it("refuses outbound fetch with an error that names the host, and logs it", async () => {
    const a = await newAccount();
    const uuid = await deployed(
      a,
      `async function lambda() {
         try { await fetch('https://api.example.com/x'); return 'reached'; }
         catch (e) { return { name: e.name, message: e.message }; }
       }`,
    );
    const res = await call(`/api/account/${a.accountId}/lambdas/${uuid}/test`, { key: a.developer, body: body() });
    const out = await json(res);
    expect(out.result.name).toBe("EgressBlockedError");
    expect(out.result.message).toContain("api.example.com");
    expect(out.result.message).toContain("blocked");
    expect(out.logs).toEqual([expect.objectContaining({ level: "Error", message: expect.stringContaining("api.example.com") })]);
  });
});

describe("outcomes and LivePerson error codes", () => {
  const failing = async (code: string) => {
    const a = await newAccount();
    const uuid = await deployed(a, code);
    const res = await invoke(a, uuid, body());
    return { res, out: await json(res) };
  };

  it("answers 901 custom-failure when the callback gets an error", async () => {
    const { res, out } = await failing("function lambda(i, cb) { console.info('before'); cb(new Error('no stock')); }");
    expect(res.status).not.toBe(500);
    expect(wireStatus(res)).toBe(901);
    expect(out).toMatchObject({ errorCode: "com.liveperson.faas.handler.custom-failure", errorMsg: "no stock" });
    expect(out.errorLogs).toEqual([expect.objectContaining({ level: "Info", message: "before" })]);
  });

  it("answers 901 custom-failure when the function throws its own error", async () => {
    const { res, out } = await failing("function lambda() { throw new Error('bad order'); }");
    expect(wireStatus(res)).toBe(901);
    expect(out).toMatchObject({ errorCode: "com.liveperson.faas.handler.custom-failure", errorMsg: "bad order" });
  });

  it("answers 901 runtime-exception when the code crashes", async () => {
    const { res, out } = await failing("function lambda(input, cb) { cb(null, input.payload.missing.deeper); }");
    expect(wireStatus(res)).toBe(901);
    expect(out.errorCode).toBe("com.liveperson.faas.handler.runtime-exception");
    expect(out.errorMsg).toMatch(/undefined/);
  });

  it("answers 901 for a rejected promise", async () => {
    const { res, out } = await failing("async function lambda() { throw new TypeError('x is not a function'); }");
    expect(wireStatus(res)).toBe(901);
    expect(out.errorCode).toBe("com.liveperson.faas.handler.runtime-exception");
  });

  it("answers 901 executiontime-exceeded when no answer comes within the timeout", async () => {
    const started = Date.now();
    // A pending timer keeps the isolate busy, so only the platform's deadline (1.5 s in tests) ends it.
    const { res, out } = await failing("function lambda(input, callback) { setTimeout(() => {}, 60000); }");
    expect(wireStatus(res)).toBe(901);
    expect(out.errorCode).toBe("com.liveperson.faas.handler.executiontime-exceeded");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it("answers executiontime-exceeded at once when the function can never answer", async () => {
    // Nothing pending and no callback: workerd knows the answer will never come.
    const { res, out } = await failing("function lambda(input, callback) { /* never calls back */ }");
    expect(wireStatus(res)).toBe(901);
    expect(out.errorCode).toBe("com.liveperson.faas.handler.executiontime-exceeded");
    expect(out.errorMsg).toContain("never");
  });

  it("answers 901 when the result cannot be serialised to JSON", async () => {
    const { res, out } = await failing("function lambda(i, cb) { const o = {}; o.self = o; cb(null, o); }");
    expect(wireStatus(res)).toBe(901);
    expect(out.errorMsg).toContain("JSON");
  });

  it("answers 404 missinglambda for an unknown function", async () => {
    const a = await newAccount();
    const res = await invoke(a, crypto.randomUUID(), body());
    expect(res.status).toBe(404);
    expect((await json(res)).errorCode).toBe("com.liveperson.faas.es.missinglambda");
  });

  it("answers 404 notdeployed for a function that was never deployed", async () => {
    const a = await newAccount();
    const created = await call(`/api/account/${a.accountId}/lambdas`, {
      key: a.developer,
      body: { name: "draft_only", description: "", implementation: { code: "function lambda(i, cb) { cb(null, 1) }" } },
    });
    const uuid = (await json(created)).uuid;
    const res = await invoke(a, uuid, body());
    expect(res.status).toBe(404);
    expect((await json(res)).errorCode).toBe("com.liveperson.faas.es.notdeployed");
  });

  it("answers 400 badinput for a malformed body", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    for (const rawBody of ["{not json", "[1,2]", '"text"', '{"headers": "nope"}']) {
      const res = await call(`/api/account/${a.accountId}/lambdas/${uuid}/invoke`, { key: a.invocation, rawBody, headers: { "content-type": "application/json" } });
      expect(res.status, rawBody).toBe(400);
      expect((await json(res)).errorCode).toBe("com.liveperson.faas.es.badinput");
    }
  });

  it("answers 413 for a body over 1 MiB and accepts one just under", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(input, cb) { cb(null, input.payload.length); }");
    const wrapper = JSON.stringify({ headers: [], payload: "" }).length;
    const fits = "x".repeat(1024 * 1024 - wrapper);
    const ok = await invoke(a, uuid, { headers: [], payload: fits });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toBe(fits.length);
    const tooBig = await invoke(a, uuid, { headers: [], payload: fits + "x" });
    expect(tooBig.status).toBe(413);
    expect((await json(tooBig)).errorCode).toBe("com.liveperson.faas.es.payloadtoolarge");
  });
});
