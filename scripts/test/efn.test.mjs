// efn, edgefn's CLI (cli/efn.js), run as a user runs it (a child process, in a project folder)
// against a real local edgefn started once for this file, or the one `npm test` shares between
// files (wrangler dev behind the front proxy, as `npm start` runs it, on a fresh temporary state;
// scripts/lib/test-platform.mjs). Its config and cache folders are temporary too
// (EFN_CONFIG_DIR, EFN_CACHE_DIR), so `invoke --local` starts its own private edgefn from scratch.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { api } from "../lib/bench-platform.mjs";
import { platformFixture, startTestPlatform } from "../lib/test-platform.mjs";
import { HOST } from "../lib/net.mjs";
import { ROOT } from "../lib/tools.mjs";
import { renderApiTypes } from "../../cli/lib/openapi-to-ts.js";

const EFN = path.join(ROOT, "cli", "efn.js");
const BOOT_TIMEOUT_MS = 180_000;
const WATCHDOG_MS = 6 * 60_000;

const fixture = platformFixture("efn.test", { watchdogMs: WATCHDOG_MS });
const { tmp, vars, logTail } = fixture;
const configDir = path.join(tmp, "config");
const cacheDir = path.join(tmp, "cache");
const project = path.join(tmp, "project");
const fx = {}; // base, accountId, adminKey, devKey

/**
 * Runs efn; resolves to { code, stdout, stderr, json } (json: stdout parsed when it is JSON).
 * @param {string[]} args
 * @param {{ cwd?: string, input?: string, env?: Record<string, string> }} [options]
 */
function efn(args, { cwd = project, input, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EFN, ...args], {
      cwd,
      env: { ...process.env, EFN_CONFIG_DIR: configDir, EFN_CACHE_DIR: cacheDir, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(input ?? "");
    child.on("close", (code) => {
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** Asserts the exit code, showing what efn said when it differs. */
function expectCode(r, code) {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
}

/** No secret of this run appears in what efn printed. */
function assertNoSecret(r) {
  for (const secret of [fx.adminKey, fx.devKey, vars.OPERATOR_TOKEN, "s3cr3t-value-42"]) {
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), "a secret was printed");
  }
}

/** The first `invoke --local` of this run (a cold start: migrations, then the runtime), made while the
 * platform boots so that the two starts overlap; the template test reuses its cached state. */
let coldLocal;
const coldProject = path.join(tmp, "cold");

/** A project made by LivePerson's own lpf (`lpf init greeter`, its pinned devDependency), offline. */
const lpfProject = path.join(tmp, "lpf-project");
const LPF = path.join(ROOT, "node_modules", ".bin", "lpf");
function lpfInit() {
  if (!existsSync(LPF)) return Promise.resolve(undefined);
  mkdirSync(path.join(lpfProject, ".tmp"), { recursive: true });
  const env = { ...process.env, TMPDIR: path.join(lpfProject, ".tmp"), npm_config_offline: "true", npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0", npm_config_update_notifier: "false" };
  return new Promise((resolve) => {
    const child = spawn(LPF, ["init", "greeter"], { cwd: lpfProject, env, stdio: "ignore" });
    child.on("error", () => resolve(undefined));
    child.on("close", () => resolve(existsSync(path.join(lpfProject, "functions", "greeter", "config.json")) || undefined));
  });
}
let lpfMade;

before(async () => {
  mkdirSync(coldProject, { recursive: true });
  const lpfReady = lpfInit();
  const cold = efn(["init", "warm", "broke"], { cwd: coldProject }).then(() => {
    const fns = path.join(coldProject, "functions");
    writeFileSync(path.join(fns, "warm", "index.js"), 'function lambda(input, callback) { console.debug("warming up"); callback(null, "Hello " + process.env.WHO); }\n');
    const config = JSON.parse(readFileSync(path.join(fns, "warm", "config.json"), "utf8"));
    writeFileSync(path.join(fns, "warm", "config.json"), JSON.stringify({ ...config, environmentVariables: { WHO: "World" } })); // lpf V2's form
    writeFileSync(path.join(fns, "broke", "index.js"), 'function lambda(input, callback) { console.error("about to fail"); callback(new Error("broken on purpose")); }\n');
    return efn(["invoke", "--local", "warm", "broke", "--json"], { cwd: coldProject });
  });
  try {
    [, coldLocal, lpfMade] = await Promise.all([startTestPlatform(fixture, "efn"), cold, lpfReady]);
  } catch (err) {
    throw new Error(`${err.message}\n--- last lines of wrangler's output ---\n${logTail()}`);
  }
  const port = fixture.platform.port;
  fx.base = `http://${HOST}:${port}`;
  const { accountId, adminKey } = await api(port, "POST", "/admin/accounts", vars.OPERATOR_TOKEN, { name: "efn" });
  const { key } = await api(port, "POST", `/api/account/${accountId}/api-keys`, adminKey, { name: "dev", role: "FaaS-Developer" });
  Object.assign(fx, { accountId, adminKey, devKey: key, port });
  // The secret the secret-storage template reads, on the platform and in the project's settings.
  await api(port, "POST", `/api/account/${accountId}/secrets`, adminKey, { key: "my-secret", value: "s3cr3t-value-42" });
  await api(port, "POST", `/api/account/${accountId}/proxy-settings`, adminKey, { domain: "*.liveperson.com" }); // as settings.json below
  mkdirSync(project, { recursive: true });
}, { timeout: BOOT_TIMEOUT_MS });

after(() => fixture.stop(), { timeout: 30_000 });

test("usage errors: unknown command and flag exit 2, with a JSON error under --json", async () => {
  const bad = await efn(["deploy", "--bogus", "--json"]);
  expectCode(bad, 2);
  assert.equal(bad.json.exitCode, 2);
  assert.match(bad.json.error, /unknown flag --bogus/);
  expectCode(await efn(["frobnicate"]), 2);
  expectCode(await efn(["login", "--url", fx.base]), 2); // no account
  const help = await efn(["--help"]);
  expectCode(help, 0);
  assert.match(help.stdout, /create:schedule/);
  const notLoggedIn = await efn(["get", "functions", "--json"]);
  expectCode(notLoggedIn, 3);
});

test("login: a wrong key exits 3 and stores nothing; a good one is stored 0600 and never printed", async () => {
  const wrong = await efn(["login", "--url", fx.base, "--account", fx.accountId, "--api-key", "efk_wrong", "--json"]);
  expectCode(wrong, 3);
  expectCode(await efn(["whoami"]), 3);

  const ok = await efn(["login", "--url", fx.base, "--account", fx.accountId, "--api-key", "-", "--json"], { input: `${fx.devKey}\n` });
  expectCode(ok, 0);
  assert.equal(ok.json.loggedIn, true);
  assert.equal(ok.json.accountId, fx.accountId);
  assertNoSecret(ok);
  const file = path.join(configDir, "session.json");
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(configDir).mode & 0o777, 0o700);
  assert.equal(JSON.parse(readFileSync(file, "utf8")).token, fx.devKey);
  const who = await efn(["whoami", "--json"]);
  expectCode(who, 0);
  assert.deepEqual(Object.keys(who.json).sort(), ["accountId", "createdAt", "kind", "url"]);
  assertNoSecret(who);
});

test("init → push → deploy (with progress) → invoke → logs, and logs --follow", async () => {
  expectCode(await efn(["init", "hello"]), 0);
  const dir = path.join(project, "functions", "hello");
  writeFileSync(path.join(dir, "index.js"), 'function lambda(input, callback) {\n  console.info("greeting " + input.payload.name);\n  callback(null, { hello: input.payload.name });\n}\n');
  const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
  assert.equal(config.event, "No Event");
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, input: { headers: [], payload: { name: "Ada" } } }));

  const pushed = await efn(["push", "hello", "--json"]);
  expectCode(pushed, 0);
  assert.equal(pushed.json[0].outcome, "created");
  const again = await efn(["push", "hello", "--json"], { cwd: dir }); // from inside the function's folder
  expectCode(again, 0);
  assert.equal(again.json[0].outcome, "unchanged");

  const deployed = await efn(["deploy", "hello", "--json"]);
  expectCode(deployed, 0);
  assert.equal(deployed.json[0].state, "Productive");
  assert.match(deployed.stderr, /hello: deploying/);
  assert.match(deployed.stderr, /hello: Productive, version 1/);

  const invoked = await efn(["invoke", "hello", "--json"]);
  expectCode(invoked, 0);
  assert.deepEqual(invoked.json, [{ name: "hello", result: { hello: "Ada" } }]);
  const plain = await efn(["invoke", "hello"]);
  assert.deepEqual(JSON.parse(plain.stdout), { hello: "Ada" });

  // Logs are stored just after the answer: wait for them.
  let logs;
  for (let i = 0; i < 40; i++) {
    logs = await efn(["logs", "hello", "--json"]);
    if (logs.code === 0 && logs.json.some((e) => e.message === "greeting Ada")) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expectCode(logs, 0);
  assert.ok(logs.json.some((e) => e.message === "greeting Ada" && e.level === "Info"), JSON.stringify(logs.json));
  const csv = await efn(["logs", "hello"]);
  assert.match(csv.stdout.split("\n")[0], /^lambdaUUID;requestID;timestamp;level;message;extras/);

  // --follow prints entries that arrive after it started, then stops cleanly on SIGINT.
  const child = spawn(process.execPath, [EFN, "logs", "hello", "--follow", "--interval", "0.3", "--json"], { cwd: project, env: { ...process.env, EFN_CONFIG_DIR: configDir } });
  let lines = "";
  child.stdout.on("data", (d) => (lines += d));
  const exited = new Promise((r) => child.on("close", r));
  await new Promise((r) => setTimeout(r, 800));
  expectCode(await efn(["invoke", "hello", "--input", '{"headers":[],"payload":{"name":"Grace"}}']), 0);
  for (let i = 0; i < 60 && !lines.includes("greeting Grace"); i++) await new Promise((r) => setTimeout(r, 200));
  child.kill("SIGINT");
  assert.equal(await exited, 0);
  const followed = lines.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(followed.some((e) => e.message === "greeting Grace"), lines);
  assert.ok(!followed.some((e) => e.message === "greeting Ada"), "entries from before the start are not followed");
});

test("a project made by lpf init works unchanged: push, deploy and invoke from its function's folder; pull into it", async (t) => {
  if (!lpfMade) return t.skip("lpf (liveperson-functions-cli) is not installed");
  const dir = path.join(lpfProject, "functions", "greeter");
  expectCode(await efn(["push"], { cwd: dir }), 0);
  expectCode(await efn(["deploy"], { cwd: dir }), 0);
  const invoked = await efn(["invoke", "--json"], { cwd: dir });
  expectCode(invoked, 0);
  assert.deepEqual(invoked.json, [{ name: "greeter", result: "Hello World" }]);
  const pulled = await efn(["pull", "hello", "--json"], { cwd: lpfProject });
  expectCode(pulled, 0);
  assert.equal(readFileSync(path.join(lpfProject, "functions", "hello", "index.js"), "utf8"), readFileSync(path.join(project, "functions", "hello", "index.js"), "utf8"));
  assert.equal(JSON.parse(readFileSync(path.join(lpfProject, "functions", "hello", "config.json"), "utf8")).input.payload.name, "Ada");
});

test("exit codes: unknown function 5, a forbidden change 4, a failing function 1; get --json shapes", async () => {
  const missing = await efn(["deploy", "nope", "--json"]);
  expectCode(missing, 5);
  assert.equal(missing.json[0].exitCode, 5);
  expectCode(await efn(["invoke", "nope"]), 5);

  const forbidden = await efn(["add:domain", "api.example.com", "--json"]); // a Developer may not edit the allow-list
  expectCode(forbidden, 4);
  assert.equal(forbidden.json.status, 403);

  expectCode(await efn(["init", "broken"]), 0);
  writeFileSync(path.join(project, "functions", "broken", "index.js"), 'function lambda(input, callback) { callback(new Error("boom")); }\n');
  expectCode(await efn(["push", "broken"]), 0);
  expectCode(await efn(["deploy", "broken", "-w"]), 0);
  const failed = await efn(["invoke", "broken", "--json"]);
  expectCode(failed, 1);
  assert.equal(failed.json[0].errorCode, "com.liveperson.faas.handler.custom-failure");
  assert.match(failed.json[0].errorMsg, /boom/);

  // A deploy the platform refuses (the code does not parse): exit 1 with its errorCode; the other
  // function named in the same command is still deployed.
  expectCode(await efn(["init", "unparsable"]), 0);
  writeFileSync(path.join(project, "functions", "unparsable", "index.js"), "function lambda(input, callback) {\n");
  expectCode(await efn(["push", "unparsable"]), 0);
  const refused = await efn(["deploy", "unparsable", "hello", "--json"]);
  expectCode(refused, 1);
  assert.match(refused.json[0].errorCode, /contract-error/);
  assert.equal(refused.json[1].state, "Productive");

  const got = await efn(["get", "functions", "deployments", "account", "events", "--json"]);
  expectCode(got, 0);
  assert.deepEqual(Object.keys(got.json).sort(), ["account", "deployments", "events", "functions"]);
  assert.ok(got.json.functions.some((f) => f.name === "hello" && f.state === "Productive"));
  assert.ok(got.json.deployments.some((f) => f.name === "hello"));
  assert.equal(typeof got.json.account.total, "number");
  assert.ok(got.json.events.some((e) => e.eventId === "conversational_command"));

  const schedule = await efn(["create:schedule", "-f", "hello", "-c", "*/5 * * * *", "--json"]);
  expectCode(schedule, 0);
  assert.equal(typeof schedule.json.nextExecution, "string");
  const metrics = await efn(["metrics", "hello", "--json"]);
  expectCode(metrics, 0);
  assert.ok(Array.isArray(metrics.json.invocationStatistics));

  const undeployed = await efn(["undeploy", "broken", "--json"]);
  expectCode(undeployed, 0);
  assert.equal(undeployed.json[0].state, "Draft");
});

test("the committed API types are what the running platform describes (node cli/gen-api-types.js)", async () => {
  const doc = await (await fetch(`${fx.base}/api/openapi.json`)).json();
  const committed = readFileSync(path.join(ROOT, "cli", "lib", "api-types.d.ts"), "utf8");
  const generated = renderApiTypes(doc);
  if (committed === generated) return;
  const [a, b] = [committed.split("\n"), generated.split("\n")];
  const line = a.findIndex((l, i) => l !== b[i]);
  assert.fail(`cli/lib/api-types.d.ts is stale (line ${line + 1}: ${JSON.stringify(a[line])}, the platform: ${JSON.stringify(b[line])}): run node cli/gen-api-types.js`);
});

test("invoke --local, cold: a private local edgefn runs the functions (env, Debug logs, lpf's error shape); its state is cached for the user only", () => {
  expectCode(coldLocal, 1); // one of the two functions failed
  const [warm, broke] = coldLocal.json;
  assert.equal(warm.result, "Hello World");
  assert.deepEqual(warm.logs.map((l) => [l.level, l.message]), [["Debug", "warming up"]]);
  assert.equal(broke.errorCode, "com.liveperson.faas.handler.custom-failure");
  assert.match(broke.errorMsg, /broken on purpose/);
  assert.ok(broke.errorLogs.some((l) => l.message === "about to fail"), JSON.stringify(broke));
  assert.match(coldLocal.stderr, /applying migrations/);
  const [state] = readdirSync(path.join(cacheDir, "local"));
  for (const f of ["vars.json", "account.json"]) assert.equal(statSync(path.join(cacheDir, "local", state, f)).mode & 0o777, 0o600, f);
  assert.ok(!existsSync(path.join(cacheDir, "local", state, "lock")), "the lock is released");
});

test("invoke --local gives the remote result for every template (one local runtime for all)", async () => {
  // One template per event: an event serves one function per account (Keyword Scanner and
  // Conversation End share theirs); templates of no event all go.
  const seenEvents = new Set();
  const templates = (await api(fx.port, "GET", `/api/account/${fx.accountId}/templates`, fx.devKey))
    .filter((t) => !t.eventId || (!seenEvents.has(t.eventId) && seenEvents.add(t.eventId)))
    .map((t) => t.templateId);
  assert.ok(templates.length >= 5, templates.join(","));
  writeFileSync(path.join(project, "functions", "settings.json"), JSON.stringify({ secrets: [{ key: "my-secret", value: "s3cr3t-value-42" }], whitelist: ["*.liveperson.com"] }));
  const names = templates.map((id) => `t_${id.replace(/-/g, "_")}`);
  for (let i = 0; i < templates.length; i += 4) { // four at a time
    const batch = templates.slice(i, i + 4).map((id, j) => efn(["create:function", "-n", names[i + j], "--template", id]));
    for (const r of await Promise.all(batch)) expectCode(r, 0);
  }

  const local = efn(["invoke", "--local", ...names, "--json"]); // starts while the remote side is set up
  expectCode(await efn(["push", ...names]), 0);
  expectCode(await efn(["deploy", ...names]), 0);
  const remote = await efn(["invoke", ...names, "--json"]);
  const localRun = await local;
  assert.doesNotMatch(localRun.stderr, /applying migrations/, "the cached local state is reused");
  assertNoSecret(localRun);
  assert.equal(localRun.json?.length, names.length, `${localRun.stdout}\n${localRun.stderr}`);
  for (const [i, name] of names.entries()) {
    const l = localRun.json[i];
    const r = remote.json[i];
    assert.equal(l.name, name);
    if ("errorCode" in r) {
      assert.equal(l.errorCode, r.errorCode, name);
      assert.equal(l.errorMsg, r.errorMsg, name);
    } else {
      assert.deepEqual(l.result, r.result, `${name}: local ${JSON.stringify(l)} remote ${JSON.stringify(r)}`);
    }
  }
  const secret = localRun.json[names.indexOf("t_secret_storage")];
  assert.equal(secret?.result?.found, true, "the local run has the settings' secret");
});

test("password login (read from stdin): the session acts as the user; a wrong password exits 3; logout ends it on the platform", async () => {
  const password = "correct horse battery 9";
  await api(fx.port, "POST", `/api/account/${fx.accountId}/users`, fx.adminKey, { loginName: "ada@example.com", roles: ["FaaS-Developer"], password });
  const wrong = await efn(["login", "--url", fx.base, "--account", fx.accountId, "-u", "ada@example.com", "--json"], { input: "not the password!\n" });
  expectCode(wrong, 3);

  const ok = await efn(["login", "--url", fx.base, "-a", fx.accountId, "-u", "ada@example.com", "--json"], { input: `${password}\n` });
  expectCode(ok, 0);
  assert.equal(ok.json.kind, "password");
  assert.equal(ok.json.loginName, "ada@example.com");
  const session = JSON.parse(readFileSync(path.join(configDir, "session.json"), "utf8"));
  for (const r of [ok]) assert.ok(!r.stdout.includes(password) && !r.stdout.includes(session.token) && !r.stderr.includes(session.token));
  assert.ok(!JSON.stringify(session).includes(password), "the password is not stored");
  assert.equal(statSync(path.join(configDir, "session.json")).mode & 0o777, 0o600);

  const got = await efn(["get", "functions", "--json"]);
  expectCode(got, 0);
  assert.ok(got.json.functions.some((f) => f.name === "hello"));

  const out = await efn(["logout", "--json"]);
  expectCode(out, 0);
  assert.deepEqual(out.json, { loggedOut: true, endedOnPlatform: true });
  assert.ok(!existsSync(path.join(configDir, "session.json")));
  const res = await fetch(`${fx.base}/api/account/${fx.accountId}/lambdas`, { headers: { authorization: `Bearer ${session.token}` } });
  assert.equal(res.status, 401, "the ended session's bearer is refused");
  expectCode(await efn(["get", "functions"]), 3);
});

test("exit codes 6 and 7: a failing or unreachable platform, and a deploy that never settles (a stand-in server)", async () => {
  const stubConfig = path.join(tmp, "stub-config");
  const env = { EFN_CONFIG_DIR: stubConfig };
  const stuck = { uuid: "u-stuck", name: "stuck", state: "Modified", version: 1, lastDeployment: null };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const json = (status, body) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method === "GET" && url.pathname === "/api/account/1/lambdas") return json(200, url.searchParams.get("name") === "broken-server" ? [{ ...stuck, name: "broken-server", uuid: "u-500" }] : [stuck]);
    if (req.method === "POST" && url.pathname === "/api/account/1/deployments/u-stuck") return json(201, {});
    if (req.method === "GET" && url.pathname === "/api/account/1/lambdas/u-stuck") return json(200, [stuck]); // never Productive
    return json(503, { errorCode: "com.liveperson.faas.es.unavailable", errorMsg: "down for a moment" });
  });
  await new Promise((r) => server.listen(0, HOST, r));
  try {
    const base = `http://${HOST}:${server.address().port}`;
    expectCode(await efn(["login", "--url", base, "--account", "1", "--api-key", "efk_stub"], { env }), 0);
    const stalled = await efn(["deploy", "stuck", "--timeout", "1", "--json"], { env, cwd: tmp });
    expectCode(stalled, 7);
    assert.equal(stalled.json[0].exitCode, 7);
    assert.match(stalled.stderr, /stuck: state Modified, waiting for Productive/);
    const failing = await efn(["invoke", "broken-server", "--json"], { env, cwd: tmp });
    expectCode(failing, 6);
    assert.equal(failing.json.errorCode, "com.liveperson.faas.es.unavailable");
  } finally {
    server.close();
  }
  const unreachable = await efn(["login", "--url", `http://${HOST}:9`, "--account", "1", "--api-key", "k", "--json"], { env });
  expectCode(unreachable, 6);
  assert.match(unreachable.json.error, /cannot reach/);
});
