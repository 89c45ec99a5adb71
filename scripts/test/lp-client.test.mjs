// LivePerson's own published Node client (`liveperson-functions-client`, pinned devDependency),
// unchanged, against a real local edgefn: wrangler dev behind the front proxy (as `npm start` runs
// it), on a fresh temporary state and free 127.0.0.1 ports, started once for this file or shared
// by `npm test` between files (scripts/lib/test-platform.mjs).
//
// The client is pointed at the platform with scripts/lib/lp-client-local.mjs (CSDS answers fake
// domain names, getUrl swaps only the origin). Every call below is the client's own: its paths,
// queries, headers, bodies, got with its retries, and its error mapping. It runs in both modes the
// client knows, V1 and V2 (chosen by the CSDS domain names), with failOnErrorStatusCode: true and an
// access token from edgefn's token endpoint, for an OAuth client made through the API, as the bearer.
//
// A last part runs the client's own client-credentials flow ({clientId, clientSecret}). The client
// always fetches tokens over https, so that part puts a TLS front (a throwaway self-signed
// certificate made with openssl in the temp directory, never a file in the repository) before the
// token endpoint and runs the client in a child process that trusts it via NODE_EXTRA_CA_CERTS.
// It is skipped when there is no openssl.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { api } from "../lib/bench-platform.mjs";
import { platformFixture, startTestPlatform } from "../lib/test-platform.mjs";
import { createLocalClient } from "../lib/lp-client-local.mjs";
import { HOST, freePort } from "../lib/net.mjs";
import { ROOT } from "../lib/tools.mjs";

const BOOT_TIMEOUT_MS = 180_000; // migrations + wrangler dev (its own readiness limit is 90 s)
const TEST_TIMEOUT_MS = 30_000;
const WATCHDOG_MS = 8 * 60_000; // the whole file, whatever happens
const EVENT = "conversational_command";
const EVENT_WITHOUT_FUNCTION = "bot_connectors_error_hook";

const helloCode = `function lambda(input, callback) {
  callback(null, { greeting: "hello " + input.payload.name, headers: input.headers.length });
}`;
const eventCode = `function lambda(input, callback) {
  callback(null, { handled: "${EVENT}", echo: input.payload });
}`;
const failCode = `function lambda(input, callback) { callback(new Error("boom")); }`;

const fixture = platformFixture("lp-client.test", { watchdogMs: WATCHDOG_MS });
const { tmp, vars, logTail } = fixture;

let platform; // set once wrangler and the front proxy are up
let base; // http://127.0.0.1:<front proxy port>
const fx = {}; // accountId, keys, function uuids, the access token

const stopPlatform = () => fixture.stop();

before(async () => {
  try {
    platform = await startTestPlatform(fixture, "lp-client");
  } catch (err) {
    throw new Error(`${err.message}\n--- last lines of wrangler's output ---\n${logTail()}`);
  }
  base = `http://${HOST}:${platform.port}`;
  const port = platform.port;

  const { accountId, adminKey } = await api(port, "POST", "/admin/accounts", vars.OPERATOR_TOKEN, { name: "lp-client" });
  const { key } = await api(port, "POST", `/api/account/${accountId}/api-keys`, adminKey, { name: "dev", role: "FaaS-Developer" });
  const acct = `/api/account/${accountId}`;
  const create = async (name, code, eventId, deploy = true) => {
    const body = { name, description: `lp-client ${name}`, implementation: { code } };
    if (eventId) body.eventId = eventId;
    const { uuid } = await api(port, "POST", `${acct}/lambdas`, key, body);
    if (deploy) await api(port, "POST", `${acct}/deployments/${uuid}`, key);
    return uuid;
  };
  Object.assign(fx, {
    accountId,
    adminKey,
    devKey: key,
    hello: await create("hello", helloCode),
    onEvent: await create("on_event", eventCode, EVENT),
    failV1: await create("fail_v1", failCode),
    failV2: await create("fail_v2", failCode),
    draft: await create("draft_only", helloCode, undefined, false),
  });

  const oauth = await api(port, "POST", `${acct}/oauth-clients`, adminKey, { name: "lp-client" });
  fx.clientId = oauth.clientId;
  fx.clientSecret = oauth.clientSecret;
  const res = await fetch(`${base}/sentinel/api/account/${accountId}/app/token?v=2.0`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: `grant_type=client_credentials&scope=&client_id=${encodeURIComponent(oauth.clientId)}&client_secret=${encodeURIComponent(oauth.clientSecret)}`,
  });
  const text = await res.text();
  assert.equal(res.status, 200, `token endpoint answered ${res.status}: ${text}`);
  const token = JSON.parse(text);
  assert.equal(token.token_type, "Bearer");
  assert.equal(typeof token.access_token, "string");
  fx.accessToken = token.access_token;
}, { timeout: BOOT_TIMEOUT_MS });

after(() => stopPlatform(), { timeout: 30_000 });

/** The real client in `mode`, with the access token from the token endpoint as its bearer. */
function clientFor(mode) {
  return createLocalClient({
    baseUrl: base,
    accountId: fx.accountId,
    mode,
    failOnErrorStatusCode: true,
    timeout: 15_000,
    authStrategy: async () => `Bearer ${fx.accessToken}`,
  });
}

const uuidsOf = (body) => {
  assert.ok(Array.isArray(body), `expected an array, got ${JSON.stringify(body)}`);
  return body.map((f) => f.uuid);
};

/** The VError the client threw, with everything that helps when an assertion on it fails. */
async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("the client did not throw");
}

/** The HTTP response inside a client error: FaaS*Error <- FaaSRequestError <- HttpRequestError{info.response}. */
const responseOf = (err) => err?.jse_cause?.jse_cause?.jse_info?.response ?? err?.jse_cause?.jse_info?.response;

/** Invocation records of a function once they have settled (they are written just after the answer). */
async function settledInvocations(uuid, { atLeast = 1, settleMs = 1500, maxMs = 10_000 } = {}) {
  const deadline = Date.now() + maxMs;
  const list = () => api(platform.port, "GET", `/api/account/${fx.accountId}/invocations?lambdaUUID=${uuid}&limit=200`, fx.devKey);
  let page = await list();
  while (page.items.length < atLeast && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    page = await list();
  }
  await new Promise((r) => setTimeout(r, settleMs)); // anything late (a retry would be) shows up now
  return (await list()).items;
}

for (const mode of ["v1", "v2"]) {
  describe(`liveperson-functions-client 2.2.0, ${mode.toUpperCase()} mode`, { timeout: 5 * 60_000 }, () => {
    let client;
    let urls;
    const failing = () => (mode === "v1" ? fx.failV1 : fx.failV2);
    before(() => ({ client, urls } = clientFor(mode)));

    test("getLambdas({}) lists the account's functions", { timeout: TEST_TIMEOUT_MS }, async () => {
      const res = await client.getLambdas({});
      assert.equal(res.ok, true);
      assert.equal(res.status, 200);
      const uuids = uuidsOf(res.body);
      for (const u of [fx.hello, fx.onEvent, fx.failV1, fx.failV2, fx.draft]) assert.ok(uuids.includes(u), `${u} missing from ${JSON.stringify(uuids)}`);
    });

    test("getLambdas with eventId and state filters", { timeout: TEST_TIMEOUT_MS }, async () => {
      const byEvent = await client.getLambdas({ eventId: EVENT, state: ["Productive"] });
      assert.equal(byEvent.ok, true);
      assert.equal(byEvent.status, 200);
      assert.deepEqual(uuidsOf(byEvent.body), [fx.onEvent]);

      const drafts = await client.getLambdas({ state: ["Draft"] });
      assert.equal(drafts.status, 200);
      assert.deepEqual(uuidsOf(drafts.body), [fx.draft]);

      const both = await client.getLambdas({ state: ["Productive", "Draft"] });
      assert.equal(both.status, 200);
      assert.deepEqual(new Set(uuidsOf(both.body)), new Set([fx.hello, fx.onEvent, fx.failV1, fx.failV2, fx.draft]));

      const noneOfThem = await client.getLambdas({ eventId: EVENT_WITHOUT_FUNCTION });
      assert.equal(noneOfThem.status, 200);
      assert.deepEqual(noneOfThem.body, []);
    });

    if (mode === "v2") {
      test("getFunctions({}) and with filters", { timeout: TEST_TIMEOUT_MS }, async () => {
        const all = await client.getFunctions({});
        assert.equal(all.ok, true);
        assert.equal(all.status, 200);
        const uuids = uuidsOf(all.body);
        for (const u of [fx.hello, fx.onEvent, fx.failV1, fx.failV2, fx.draft]) assert.ok(uuids.includes(u), `${u} missing`);

        const filtered = await client.getFunctions({ eventId: EVENT, state: ["Productive"] });
        assert.equal(filtered.status, 200);
        assert.deepEqual(uuidsOf(filtered.body), [fx.onEvent]);
      });
    }

    test("invoke({lambdaUuid}) answers the function's result", { timeout: TEST_TIMEOUT_MS }, async () => {
      const res = await client.invoke({
        lambdaUuid: fx.hello,
        lpEventSource: "compat",
        body: { headers: [{ key: "h1", value: "v1" }], payload: { name: mode } },
      });
      assert.equal(res.ok, true);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { greeting: `hello ${mode}`, headers: 1 });
    });

    test("invoke({eventId}) answers the event's function result", { timeout: TEST_TIMEOUT_MS }, async () => {
      const payload = { mode, n: 7 };
      const res = await client.invoke({ eventId: EVENT, lpEventSource: "compat", body: { headers: [], payload } });
      assert.equal(res.ok, true);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { handled: EVENT, echo: payload });
    });

    test("isImplemented: true for an event with a deployed function, false without", { timeout: TEST_TIMEOUT_MS }, async () => {
      assert.equal(await client.isImplemented({ eventId: EVENT }), true);
      assert.equal(await client.isImplemented({ eventId: EVENT_WITHOUT_FUNCTION }), false);
    });

    test("a throwing function: FaaSLambdaError with 901, and it ran exactly once", { timeout: TEST_TIMEOUT_MS }, async () => {
      const uuid = failing();
      const err = await rejection(client.invoke({ lambdaUuid: uuid, lpEventSource: "compat", body: { headers: [], payload: {} } }));
      assert.equal(err.name, "FaaSLambdaError", `got ${err.name}: ${err.message}`);
      assert.match(err.message, /\b901\b/);
      const response = responseOf(err);
      assert.equal(response?.status, 901);
      assert.equal(response.body.errorCode, "com.liveperson.faas.handler.custom-failure");
      assert.equal(response.body.code, "com.customer.faas.function.threw-error");
      assert.equal(response.retryCount ?? 0, 0, "the client retried");

      const invocations = await settledInvocations(uuid);
      assert.equal(invocations.length, 1, `expected one invocation, got ${JSON.stringify(invocations)}`);
      assert.equal(invocations[0].status, "CODING_FAILURE");
    });

    test("an unknown uuid: FaaSInvokeError with 404", { timeout: TEST_TIMEOUT_MS }, async () => {
      const err = await rejection(client.invoke({ lambdaUuid: randomUUID(), lpEventSource: "compat", body: { headers: [], payload: {} } }));
      assert.equal(err.name, "FaaSInvokeError", `got ${err.name}: ${err.message}`);
      assert.match(err.message, /\b404\b/);
      assert.equal(responseOf(err)?.body?.errorCode, "com.liveperson.faas.es.missinglambda");
    });

    test(`the client's requests carried the ${mode.toUpperCase()} query strings`, { timeout: TEST_TIMEOUT_MS }, () => {
      const q = (u) => new URL(u, "http://x").searchParams;
      const invokes = urls.filter((u) => /\/invoke\b/.test(u));
      const lists = urls.filter((u) => /\/(lambdas\/|functions)\?/.test(u));
      const isImpl = urls.filter((u) => u.includes("/isImplemented"));
      assert.ok(invokes.length >= 4 && lists.length >= 4 && isImpl.length >= 2, JSON.stringify(urls));
      if (mode === "v1") {
        for (const u of urls) assert.equal(q(u).get("v"), "1", u);
        for (const u of invokes) assert.equal(q(u).get("externalSystem"), "compat", u);
        assert.ok(lists.every((u) => u.startsWith(`/api/account/${fx.accountId}/lambdas/?`)), JSON.stringify(lists));
      } else {
        for (const u of urls) assert.equal(q(u).has("v"), false, u);
        for (const u of [...invokes, ...isImpl]) assert.equal(new URL(u, "http://x").search, "", u);
        assert.ok(lists.every((u) => u.startsWith(`/api/account/${fx.accountId}/functions?`)), JSON.stringify(lists));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The client's own client-credentials flow, over https to a throwaway TLS front.

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

// Runs in a child process (NODE_EXTRA_CA_CERTS is read at start-up only). Prints one JSON line.
const childScript = `
const { createLocalClient } = await import(process.env.LP_HELPER);
const cfg = JSON.parse(process.env.LP_CFG);
const out = {};
for (const mode of ["v1", "v2"]) {
  const { client } = createLocalClient({
    baseUrl: cfg.baseUrl, accountId: cfg.accountId, mode, sentinel: cfg.sentinel,
    failOnErrorStatusCode: true, timeout: 15000,
    authStrategy: { clientId: cfg.clientId, clientSecret: cfg.clientSecret },
  });
  const lambdas = await client.getLambdas({});
  const invoked = await client.invoke({ lambdaUuid: cfg.hello, lpEventSource: "compat", body: { headers: [], payload: { name: "cc-" + mode } } });
  const implemented = await client.isImplemented({ eventId: cfg.event });
  out[mode] = { listStatus: lambdas.status, listed: lambdas.body.map((f) => f.uuid), invokeStatus: invoked.status, result: invoked.body, implemented };
}
console.log(JSON.stringify(out));
`;

describe("client-credentials flow ({clientId, clientSecret}) through an https token endpoint", { skip: !hasOpenssl && "no openssl to make a throwaway certificate", timeout: 3 * 60_000 }, () => {
  let tls;
  const tokenRequests = [];

  before(async () => {
    const key = path.join(tmp, "tls-key.pem");
    const cert = path.join(tmp, "tls-cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    // A TLS front that forwards to the front proxy (the sentinel host the client is told about).
    tls = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      tokenRequests.push({ method: req.method, url: req.url, contentType: req.headers["content-type"] });
      const up = http.request({ host: HOST, port: platform.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(up);
    });
    const port = await freePort();
    await new Promise((resolve) => tls.listen(port, HOST, resolve));
    // Trust the throwaway certificate on top of whatever extra CAs are configured already.
    const extra = process.env.NODE_EXTRA_CA_CERTS;
    const bundle = path.join(tmp, "ca-bundle.pem");
    writeFileSync(bundle, (extra && existsSync(extra) ? readFileSync(extra, "utf8") + "\n" : "") + readFileSync(cert, "utf8"));
    tls.sentinel = `${HOST}:${port}`;
    tls.bundle = bundle;
  });

  after(() => new Promise((resolve) => (tls ? tls.close(() => resolve()) : resolve())));

  test("the client fetches its own token and uses it, in V1 and V2 mode", { timeout: 90_000 }, async () => {
    const env = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: tls.bundle,
      LP_HELPER: pathToFileURL(path.join(ROOT, "scripts", "lib", "lp-client-local.mjs")).href,
      LP_CFG: JSON.stringify({
        baseUrl: base, accountId: fx.accountId, sentinel: tls.sentinel, clientId: fx.clientId, clientSecret: fx.clientSecret,
        hello: fx.hello, event: EVENT,
      }),
    };
    const { code, stdout, stderr } = await new Promise((resolve) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", childScript], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => { stdout += d; });
      child.stderr.on("data", (d) => { stderr += d; });
      child.on("close", (code, signal) => resolve({ code: code ?? signal, stdout, stderr }));
    });
    assert.equal(code, 0, `child failed (${code}):\n${stderr}\n${stdout}`);
    const out = JSON.parse(stdout.trim().split("\n").at(-1));
    for (const mode of ["v1", "v2"]) {
      assert.equal(out[mode].listStatus, 200);
      assert.ok(out[mode].listed.includes(fx.hello));
      assert.equal(out[mode].invokeStatus, 200);
      assert.deepEqual(out[mode].result, { greeting: `hello cc-${mode}`, headers: 0 });
      assert.equal(out[mode].implemented, true);
    }
    // One token per client (the token's exp is an hour away, past the client's 30-minute refresh margin).
    assert.equal(tokenRequests.length, 2, JSON.stringify(tokenRequests));
    for (const r of tokenRequests) {
      assert.equal(r.method, "POST");
      assert.equal(r.url, `/sentinel/api/account/${fx.accountId}/app/token?v=2.0`);
      assert.equal(r.contentType, "application/x-www-form-urlencoded");
    }
  });
});
