// Issue 11 §2–§4 and §6 (second part), from the side of a hostile or careless function:
// - its own failures (process.exit, a result too large or not serialisable) are 901 with a handler
//   code and a CODING_FAILURE record, never a 500 that LivePerson's client would retry;
// - the record of its invocation cannot be forged: outbound calls are what Egress saw, and the
//   platform's own log entries stay, whatever the function does to the modules it can reach;
// - secret values stay hidden in the forms a function easily produces (JSON-escaped, URL-encoded,
//   base64, a json secret's fields, an outbound host or path);
// - outbound records name the host that was refused, without a trailing dot, and list raw sockets.
import { describe, expect, inject, it } from "vitest";
import { call, createSecret, deployed, invoke, json, newAccount, storedInvocation, testInvoke, wireStatus, type TestAccount } from "./helpers/api";

const PORT = inject("upstreamPort");
const UP = `http://127.0.0.1:${PORT}`;
const PRELUDE = `const secrets = require("lp-faas-toolbelt").Toolbelt.SecretClient();\n`;

async function allow(a: TestAccount, domain: string) {
  const res = await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain, id: -1 } });
  expect(res.status, await res.text()).toBe(201);
}

/** Invokes through the gateway; answers the wire status, the body and the stored record. */
async function invokeAndRecord(a: TestAccount, uuid: string, payload: unknown = {}) {
  const res = await invoke(a, uuid, { headers: [], payload });
  const body = await json(res);
  const id = res.headers.get("x-invocation-id") ?? body.invocationId;
  return { status: wireStatus(res), body, record: await storedInvocation(a, id), outcome: res.headers.get("x-edgefn-outcome") };
}

describe("a function's own failure is 901 and CODING_FAILURE, never a 500", () => {
  const cases: [string, string, string, RegExp][] = [
    ["process.exit(1)", `function lambda() { process.exit(1); }`, "com.liveperson.faas.handler.runtime-exception", /process\.exit/],
    [
      "process.exit in a later callback",
      `async function lambda() { setTimeout(() => process.exit(3), 1); await new Promise((r) => setTimeout(r, 200)); return "survived"; }`,
      "com.liveperson.faas.handler.runtime-exception",
      /process\.exit/,
    ],
    ["a 50 MB result", `function lambda() { return "x".repeat(50 * 1024 * 1024); }`, "com.liveperson.faas.handler.result-too-large", /5242880 bytes/],
    ["a circular result", `function lambda() { const a = {}; a.self = a; return a; }`, "com.liveperson.faas.handler.runtime-exception", /not JSON-serialisable/],
    ["a BigInt result", `function lambda() { return { n: 10n }; }`, "com.liveperson.faas.handler.runtime-exception", /not JSON-serialisable/],
    ["a result whose toJSON throws", `function lambda() { return { toJSON() { throw 42; } }; }`, "com.liveperson.faas.handler.runtime-exception", /not JSON-serialisable/],
    [
      "a thrown Proxy whose every trap throws",
      `function lambda() { throw new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 1; }, ownKeys() { throw 1; } }); }`,
      "com.liveperson.faas.handler.custom-failure",
      /.+/,
    ],
  ];
  for (const [what, code, errorCode, message] of cases) {
    it(what, async () => {
      const a = await newAccount();
      const uuid = await deployed(a, code);
      const { status, body, record, outcome } = await invokeAndRecord(a, uuid);
      expect(status, JSON.stringify(body).slice(0, 500)).toBe(901);
      // What the local front remembers of the answer (scripts/lib/answered.mjs) matches the record.
      expect(outcome).toBe(`CODING_FAILURE ${errorCode}`);
      expect(body.errorCode).toBe(errorCode);
      expect(body.errorMsg).toMatch(message);
      expect(record).toMatchObject({ status: "CODING_FAILURE", errorCode });
    });
  }

  it("a result nested 100,000 deep simply works: it travels as the JSON text its isolate wrote", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, `function lambda() { let v = 1; for (let i = 0; i < 100000; i++) v = [v]; return v; }`);
    const res = await invoke(a, uuid);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toBe("[".repeat(100000) + "1" + "]".repeat(100000));
  });

  it("logging a value nested 5,000 deep keeps the invocation alive; the entry is cut at 32 levels", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, `function lambda() { let v = {}; for (let i = 0; i < 5000; i++) v = { v }; console.info("deep", v); return "logged"; }`);
    const out = await json(await testInvoke(a, uuid));
    expect(out.result).toBe("logged");
    expect(JSON.stringify(out.logs[0].extras)).toContain("nested deeper than 32 levels");
  });

  it("process.exit ends only the invocation that called it: the isolate keeps serving", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, `function lambda(input) { if (input.payload.exit) process.exit(0); return "alive"; }`);
    const [exited, alive] = await Promise.all([invoke(a, uuid, { headers: [], payload: { exit: true } }), invoke(a, uuid)]);
    expect(wireStatus(exited)).toBe(901);
    expect(await json(alive)).toBe("alive");
  });
});

describe("the record of an invocation cannot be forged by the function", () => {
  it("outbound calls are recorded as Egress saw them, whatever the function does to the modules and globals it can reach", async () => {
    const a = await newAccount();
    await allow(a, `127.0.0.1:${PORT}`);
    const tag = `forge${crypto.randomUUID().slice(0, 8)}`;
    const uuid = await deployed(
      a,
      `async function lambda(input) {
        const platform = require("./platform.js");
        for (const k of Object.keys(platform)) platform[k] = () => { throw new Error("gone"); };
        for (const name of ["./sink.js", "./platform-fetch.js", "./main.js"]) { try { const m = require(name); for (const k of Object.keys(m)) m[k] = null; } catch {} }
        const realFetch = globalThis.fetch;
        globalThis.fetch = async () => new Response("forged");
        await realFetch("${UP}/" + input.payload.tag + "/real?q=1");
        try { await realFetch("https://not-listed.example/x"); } catch {}
        console.log = () => {};
        console.error = () => {};
        return "done";
      }`,
    );
    const { status, record } = await invokeAndRecord(a, uuid, { tag });
    expect(status).toBe(200);
    expect(record.outbound).toEqual([
      { host: `127.0.0.1:${PORT}`, method: "GET", path: `/${tag}/real?q=1`, status: 200, durationMs: expect.any(Number) },
      { host: "not-listed.example", method: "GET", path: "/x", status: "blocked", durationMs: 0 },
    ]);
    // The platform's own entry for the refused request stays, though the function muted console.
    expect(record.logs.map((l: { level: string; message: string }) => [l.level, l.message])).toEqual([
      ["Error", expect.stringMatching(/^Outbound request to not-listed\.example blocked: /)],
    ]);
  });

  it("a raw socket attempt is refused and recorded; a refused redirect names the host refused, without a trailing dot", async () => {
    const a = await newAccount();
    await allow(a, `127.0.0.1:${PORT}`);
    const tag = `hops${crypto.randomUUID().slice(0, 8)}`;
    const uuid = await deployed(
      a,
      `async function lambda(input) {
        const { connect } = await import("cloudflare:sockets");
        try {
          const s = connect({ hostname: "db.internal.example.", port: 5432 });
          const reader = s.readable.getReader();
          while (!(await reader.read()).done);
        } catch {}
        try { await fetch("${UP}/" + input.payload.tag + "/redirect?to=" + encodeURIComponent("http://denied.example./next")); } catch (e) { return e.name; }
        return "followed";
      }`,
    );
    const { body, record } = await invokeAndRecord(a, uuid, { tag });
    expect(body).toBe("EgressBlockedError");
    const hosts = record.outbound.map((c: { host: string; status: unknown }) => [c.host, c.status]);
    expect(hosts).toContainEqual(["db.internal.example:5432", "blocked"]);
    expect(hosts).toContainEqual([`127.0.0.1:${PORT}`, 302]);
    expect(hosts).toContainEqual(["denied.example", "blocked"]);
    for (const [host] of hosts) expect(host).not.toMatch(/\.(:\d+)?$/);
  });
});

describe("secret values stay hidden in the forms a function easily produces", () => {
  it("a json secret's string fields, and JSON-escaped, URL-encoded and base64 forms, in logs, the 901 message and outbound records", async () => {
    const a = await newAccount();
    const tenant = `tenant${crypto.randomUUID().slice(0, 12).replace(/-/g, "")}`;
    await allow(a, "*.allowed.example");
    await allow(a, `127.0.0.1:${PORT}`);
    const password = `pa"ss\\wo\nrd-${crypto.randomUUID()}`;
    const apiKey = `key ${crypto.randomUUID()}/+=`;
    await createSecret(a, "CREDS", JSON.stringify({ user: "svc", password, tenant }), "json");
    await createSecret(a, "API_KEY", apiKey);
    const uuid = await deployed(
      a,
      PRELUDE +
        `async function lambda(input) {
          const creds = (await secrets.readSecret("CREDS")).value;
          const { value: key } = await secrets.readSecret("API_KEY");
          const c = typeof creds === "string" ? JSON.parse(creds) : creds;
          console.info("login as " + c.user + " with " + c.password);
          console.info(JSON.stringify({ body: { password: c.password } }));
          console.info("auth " + btoa(key) + " q=" + encodeURIComponent(key) + " form=" + new URLSearchParams({ k: key }));
          try { await fetch("https://" + c.tenant + ".allowed.example/v1"); } catch {}
          await fetch("${UP}/" + input.payload.tag + "/" + encodeURIComponent(key) + "?token=" + encodeURIComponent(c.password));
          throw new Error("failed for " + c.password + " and " + JSON.stringify(key));
        }`,
    );
    const tag = `red${crypto.randomUUID().slice(0, 8)}`;
    const { status, body, record } = await invokeAndRecord(a, uuid, { tag });
    expect(status).toBe(901);
    const everything = JSON.stringify({ body, record });
    for (const value of [password, apiKey, tenant, JSON.stringify(password).slice(1, -1), encodeURIComponent(apiKey), btoa(apiKey), encodeURIComponent(password)]) {
      expect(everything, value).not.toContain(value);
    }
    expect(body.errorMsg).toBe(`failed for [secret:CREDS] and "[secret:API_KEY]"`);
    expect(record.outbound[0].host).toBe("[secret:CREDS].allowed.example");
    expect(record.outbound[1].path).toBe(`/${tag}/[secret:API_KEY]?token=[secret:CREDS]`);
    // Short fields of a json secret ("svc") are left alone: redacting them would shred the logs.
    expect(record.logs[0].message).toBe("login as svc with [secret:CREDS]");
  });

  it("a secret cached in module scope (LivePerson's advice) stays redacted in later invocations that log it without reading it", async () => {
    const a = await newAccount();
    const value = `cached-${crypto.randomUUID()}`;
    await createSecret(a, "CACHED", value);
    const uuid = await deployed(a, PRELUDE + `let cached;\nasync function lambda() { cached ??= (await secrets.readSecret("CACHED")).value; console.info("using " + cached); return "ok"; }`);
    for (let i = 0; i < 2; i++) {
      const out = await json(await testInvoke(a, uuid));
      expect(out.logs?.[0]?.message, JSON.stringify(out)).toBe("using [secret:CACHED]");
    }
  });

  it("the result a function returns on purpose is its answer and is not changed", async () => {
    const a = await newAccount();
    const value = `returned-${crypto.randomUUID()}`;
    await createSecret(a, "SHOWN", value);
    const uuid = await deployed(a, PRELUDE + `async function lambda() { return (await secrets.readSecret("SHOWN")).value; }`);
    expect(await json(await testInvoke(a, uuid))).toMatchObject({ result: value });
  });
});
