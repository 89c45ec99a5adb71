// LivePerson's CLI `lpf` (liveperson-functions-cli 1.31.13, pinned devDependency), unchanged, end
// to end against a real local edgefn: wrangler dev behind the front proxy (as `npm start` runs it),
// fresh temporary state, started once for this file or shared by `npm test` between files
// (scripts/lib/test-platform.mjs). lpf reaches it through a TLS front with a
// throwaway certificate and its CSDS lookup pointed there by a preload (scripts/lib/lpf-local.mjs,
// LivePerson reference §2.5). Every command runs as a brand developer would type it, one after the
// other, and each one's effect is checked through edgefn's API, not only its exit code.
// Skipped when there is no openssl to make the certificate.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { api } from "../lib/bench-platform.mjs";
import { platformFixture, startTestPlatform } from "../lib/test-platform.mjs";
import { hasOpenssl, lpfEnv, runLpf, startTlsFront } from "../lib/lpf-local.mjs";
import { freePort } from "../lib/net.mjs";

const BOOT_TIMEOUT_MS = 180_000; // migrations + wrangler dev (its own readiness limit is 90 s)
const COMMAND_TIMEOUT_MS = 30_000; // one lpf command; a watched deploy polls every 3 s
const WATCHDOG_MS = 5 * 60_000; // the whole file, whatever happens
const ROLES = ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"];
const METRICS_HEADER = "From,To,Unknown Errors,Successful Invocations,Code-based Errors,Platform Failures,Timeout Errors";
const LOGS_HEADER = "lambdaUUID;requestID;timestamp;level;message;extras";
const LOGIN_NAME = "lpf.developer@brand.example";
const PASSWORD = `lpf-e2e-${randomUUID()}`; // throwaway, this run only

const openssl = hasOpenssl();
const fixture = platformFixture("lpf-cli.test", { watchdogMs: WATCHDOG_MS });
const { tmp, vars, logTail } = fixture;

let platform;
let front; // the TLS front: domain, bundle, requests
let deadRegistryPort;
const fx = {}; // accountId, adminKey, key (every role), userId, bootMs

before(async () => {
  if (!openssl) return;
  const started = Date.now();
  try {
    platform = await startTestPlatform(fixture, "lpf-cli");
    fx.bootMs = Date.now() - started;
  } catch (err) {
    throw new Error(`${err.message}\n--- last lines of wrangler's output ---\n${logTail()}`);
  }
  const { accountId, adminKey } = await api(platform.port, "POST", "/admin/accounts", vars.OPERATOR_TOKEN, { name: "lpf-cli" });
  // LivePerson's admin profile holds every role: push needs Developer, add:domain Admin.
  const { key } = await api(platform.port, "POST", `/api/account/${accountId}/api-keys`, adminKey, { name: "lpf", roles: ROLES });
  const user = await api(platform.port, "POST", `/api/account/${accountId}/users`, adminKey, { loginName: LOGIN_NAME, password: PASSWORD, roles: ROLES });
  Object.assign(fx, { accountId, adminKey, key, userId: user.id });
  front = await startTlsFront({ dir: tmp, upstreamPort: platform.port });
  deadRegistryPort = await freePort(); // nothing listens there: npm fails at once, on 127.0.0.1
}, { timeout: BOOT_TIMEOUT_MS });

after(async () => {
  await front?.close();
  await fixture.stop();
}, { timeout: 30_000 });

const acct = () => `/api/account/${fx.accountId}`;
const get = (urlPath, key = fx.key) => api(platform.port, "GET", `${acct()}${urlPath}`, key);

/** The function named `name`, as the API answers it. */
async function lambdaNamed(name) {
  const list = await get(`/lambdas?name=${encodeURIComponent(name)}`);
  return list.find((l) => l.name === name);
}

/** Polls `read` until `done(value)`, at most `maxMs`; answers the last value. */
async function until(read, done, maxMs = 10_000) {
  const deadline = Date.now() + maxMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150));
    value = await read();
  }
  return value;
}

/**
 * One lpf session: its own TMPDIR (where lpf keeps its login) and cache; the project folder is
 * shared (a developer who signs in another way keeps their project). `run` fails the test unless
 * lpf exits 0, with everything lpf printed in the message.
 */
const project = path.join(tmp, "project");
function session(name) {
  const dir = path.join(tmp, name);
  mkdirSync(project, { recursive: true });
  let env;
  const s = {
    timings: [], // [command, ms]
    fn: (fnName, file) => path.join(project, "functions", fnName, file),
    async lpf(args, { cwd = project, timeoutMs = COMMAND_TIMEOUT_MS } = {}) {
      env ??= lpfEnv({ dir, domain: front.domain, bundle: front.bundle, deadRegistryPort });
      const seen = front.requests.length;
      const r = await runLpf(args, { cwd, env, timeoutMs });
      s.timings.push([args[0], r.ms]);
      r.requests = front.requests.slice(seen);
      return r;
    },
    async run(args, opts) {
      const r = await s.lpf(args, opts);
      assert.equal(r.code, 0, `lpf ${args.join(" ")} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
      // Its update check found its fresh answer in the run's cache and never asked npm.
      assert.doesNotMatch(r.stdout, /Update available|fetching latest npm version/, r.stdout);
      if (s.refreshChecked) {
        // A password session is checked (POST /refresh, 2xx) before lpf calls the platform.
        const first = r.requests.findIndex((q) => !/\/(service\/baseURI\.json|login|refresh)(\?|$)/.test(q.path));
        const checked = r.requests.slice(0, first).some((q) => q.method === "POST" && q.path.startsWith(`${acct()}/refresh`) && q.status === 200);
        assert.ok(first === -1 || checked, `no session check before ${JSON.stringify(r.requests)}`);
      }
      return r;
    },
  };
  return s;
}

const paths = (r) => r.requests.map((q) => `${q.method} ${q.path.split("?")[0]}`);

/**
 * Every platform command of a brand developer's day, in order, for a new function `fnName` in
 * session `s`, which is signed in already (`s.actor` is who the API says created it). `watch`:
 * deploy and undeploy wait for lpf's own watch (the answers must read as success for lpf to start
 * it); otherwise they run with -w. `pushVariants`: push an edit and push unchanged too. Answers
 * { addDomain() } to add `domain` (a test of its own, last).
 */
function everyCommand(s, { fnName, watch, domain, label, pushVariants }) {
  const marker = `lpf-e2e ${label} greeting`;
  const code = (n) => `function lambda(input, callback) {
  console.info(${JSON.stringify(marker)}, input.payload.name, ${n});
  callback(null, { greeting: "hello " + input.payload.name, edit: ${n} });
}
`;
  const state = {};

  test(`create:function -n ${fnName} writes functions/${fnName} (index.js, config.json)`, { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["create:function", "-n", fnName, "-d", `${label} function`, "-e", "No Event"]);
    assert.match(r.stdout, new RegExp(`The function "${fnName}" has been created`));
    const config = JSON.parse(readFileSync(s.fn(fnName, "config.json"), "utf8"));
    assert.deepEqual([config.name, config.description, config.event], [fnName, `${label} function`, "No Event"]);
    assert.match(readFileSync(s.fn(fnName, "index.js"), "utf8"), /function lambda\(input, callback\)/);
  });

  test("push (new): the function exists as a Draft with the local code", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    if (!pushVariants) writeFileSync(s.fn(fnName, "index.js"), code(1));
    const r = await s.run(["push", fnName, "-y"]);
    assert.match(r.stdout, new RegExp(`Pushing ${fnName} \\[completed\\]`), r.stdout);
    assert.ok(paths(r).includes(`POST ${acct()}/lambdas`), paths(r).join("\n"));
    const l = await lambdaNamed(fnName);
    assert.ok(l, "the function is not on the platform");
    assert.equal(l.state, "Draft");
    assert.equal(l.description, `${label} function`);
    assert.equal(l.implementation.code, readFileSync(s.fn(fnName, "index.js"), "utf8"));
    assert.equal(l.createdBy, s.actor);
    state.uuid = l.uuid;
    state.version = l.version;
  });

  if (pushVariants) test("push (edited): the platform has the new code, a new version", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    writeFileSync(s.fn(fnName, "index.js"), code(1));
    const r = await s.run(["push", fnName, "-y"]);
    assert.match(r.stdout, new RegExp(`Pushing ${fnName} \\[completed\\]`), r.stdout);
    const l = await lambdaNamed(fnName);
    assert.equal(l.uuid, state.uuid);
    assert.equal(l.implementation.code, code(1));
    assert.ok(l.version > state.version, `version ${l.version} after ${state.version}`);
    state.version = l.version;
  });

  if (pushVariants) test('push (unchanged): "Push Skipped", nothing changes', { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["push", fnName, "-y"]);
    assert.match(r.stdout, /Push Skipped: The update contained no changes compared to the server version\./, r.stdout);
    assert.ok(r.requests.some((q) => q.method === "PUT" && q.status === 304), JSON.stringify(r.requests));
    assert.equal((await lambdaNamed(fnName)).version, state.version);
  });

  test(`deploy${watch ? " (watched until Productive)" : " -w"}: Productive, serving the pushed version`, { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["deploy", fnName, "-y", ...(watch ? [] : ["-w"])]);
    assert.doesNotMatch(r.stdout, /skipped/i, r.stdout);
    if (watch) {
      assert.match(r.stdout, new RegExp(`Deploying ${fnName} \\[completed\\]`), r.stdout);
      // lpf reads the answer as success only without a top-level uuid; then it watches.
      assert.ok(paths(r).includes(`GET ${acct()}/lambdas/${state.uuid}`), paths(r).join("\n"));
    }
    assert.ok(paths(r).includes(`POST ${acct()}/deployments/${state.uuid}`), paths(r).join("\n"));
    const l = await lambdaNamed(fnName);
    assert.equal(l.state, "Productive");
    assert.ok(l.lastDeployment?.deployedAt, JSON.stringify(l.lastDeployment));
    assert.equal(l.lastDeployment.lambdaVersion, state.version);
  });

  test("invoke: prints the function's result; one SUCCEEDED invocation record", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const configFile = s.fn(fnName, "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    config.input = { headers: [], payload: { name: label } };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    state.invokedAt = Date.now();
    const r = await s.run(["invoke", fnName]);
    assert.deepEqual(JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))), { greeting: `hello ${label}`, edit: 1 });
    assert.ok(paths(r).includes(`POST ${acct()}/lambdas/${state.uuid}/invoke`), paths(r).join("\n"));
    const records = await until(() => get(`/invocations?lambdaUUID=${state.uuid}`), (p) => p.items.length > 0);
    assert.equal(records.items.length, 1, JSON.stringify(records));
    assert.equal(records.items[0].status, "SUCCEEDED");
    state.requestId = records.items[0].requestId;
  });

  test("logs: LivePerson's CSV with the invocation's log line", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    // The entry is stored just after the answer: wait until the API has it, then ask lpf.
    const stored = await until(() => get(`/logs?lambdaUUID=${state.uuid}`), (p) => p.items.length > 0);
    assert.equal(stored.items.length, 1, JSON.stringify(stored));
    const r = await s.run(["logs", fnName, "-s", String(state.invokedAt - 60_000)]);
    const lines = r.stdout.trim().split(/\r?\n/);
    assert.equal(lines[0], LOGS_HEADER, r.stdout);
    const e = stored.items[0];
    assert.ok(lines.includes(`${state.uuid};${state.requestId};${e.timestamp};Info;${marker};"[""${label}"",1]"`), r.stdout);
  });

  test("metrics -o csv: the bucket columns, the invocation counted", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["metrics", fnName, "-l", "1h", "-o", "csv"]);
    assert.doesNotMatch(r.stdout, /MISSING HEADER LABEL/, r.stdout);
    const [header, ...rows] = r.stdout.trim().split(/\r?\n/); // lpf writes CRLF here
    assert.equal(header, METRICS_HEADER);
    assert.ok(rows.length >= 12, r.stdout); // an hour in 5-minute buckets
    const cols = header.split(",");
    const sum = (label) => rows.reduce((n, row) => n + Number(row.split(",")[cols.indexOf(label)]), 0);
    assert.equal(sum("Successful Invocations"), 1, r.stdout);
    assert.equal(sum("Code-based Errors") + sum("Platform Failures") + sum("Timeout Errors") + sum("Unknown Errors"), 0, r.stdout);
  });

  test("get functions deployments account events: the platform's view", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["get", "functions", "deployments", "account", "events"]);
    assert.match(r.stdout, new RegExp(`${fnName}\\s+Productive\\s`), r.stdout);
    assert.match(r.stdout, new RegExp(`${fnName}\\s+Up to date\\s.*Deploy Finish`), r.stdout);
    const [limits, counts] = await Promise.all([get("/reports/limitCounts"), get("/reports/lambdaCounts")]);
    assert.match(r.stdout, new RegExp(`Total Functions:\\s+${counts.total} / ${limits.limitTotalLambdas}`), r.stdout);
    assert.match(r.stdout, new RegExp(`Deployed Functions:\\s+${counts.deployed} / ${limits.limitDeployedLambdas}`), r.stdout);
    for (const e of await get("/events")) assert.match(r.stdout, new RegExp(`${e.eventName}\\s+${e.eventId}`), r.stdout);
  });

  test("create:schedule: the schedule exists, active, with the next execution lpf printed", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["create:schedule", "-f", fnName, "-c", "*/5 * * * *"]);
    const printed = r.stdout.match(/The schedule has been created\. Next execution: (\S+)/)?.[1];
    assert.ok(printed, r.stdout);
    const schedules = (await get("/schedules")).filter((x) => x.lambdaUUID === state.uuid);
    assert.equal(schedules.length, 1, JSON.stringify(schedules));
    assert.equal(schedules[0].cronExpression, "*/5 * * * *");
    assert.equal(schedules[0].isActive, true);
    assert.equal(new Date(schedules[0].nextExecution).toISOString(), printed);
  });

  test("pull: the local files become the platform's (edited through the API)", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const [l] = await get(`/lambdas/${state.uuid}`);
    const edited = code(2);
    await api(platform.port, "PUT", `${acct()}/lambdas/${state.uuid}`, fx.key, {
      ...l, description: `${label} function, edited on the platform`, implementation: { ...l.implementation, code: edited },
    });
    await s.run(["pull", fnName, "-y"]);
    assert.equal(readFileSync(s.fn(fnName, "index.js"), "utf8"), edited);
    const config = JSON.parse(readFileSync(s.fn(fnName, "config.json"), "utf8"));
    assert.equal(config.description, `${label} function, edited on the platform`);
    assert.equal(config.name, fnName);
  });

  test(`undeploy${watch ? " (watched until Draft)" : " -w"}: Draft, not serving, its schedule paused`, { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["undeploy", fnName, "-y", ...(watch ? [] : ["-w"])]);
    assert.doesNotMatch(r.stdout, /skipped/i, r.stdout);
    if (watch) {
      assert.match(r.stdout, new RegExp(`Undeploying ${fnName} \\[completed\\]`), r.stdout);
      assert.ok(paths(r).includes(`GET ${acct()}/lambdas/${state.uuid}`), paths(r).join("\n"));
    }
    assert.ok(paths(r).includes(`DELETE ${acct()}/deployments/${state.uuid}`), paths(r).join("\n"));
    const l = await lambdaNamed(fnName);
    assert.equal(l.state, "Draft");
    assert.equal(l.lastDeployment, null);
    const [schedule] = (await get("/schedules")).filter((x) => x.lambdaUUID === state.uuid);
    assert.equal(schedule.isActive, false);
  });

  return {
    addDomain: () =>
      test(`add:domain ${domain}: on the allow-list`, { timeout: COMMAND_TIMEOUT_MS }, async () => {
        const r = await s.run(["add:domain", domain]);
        assert.match(r.stdout, new RegExp(`Domain ${domain.replace(/\./g, "\\.")} was added to your account successfully`), r.stdout);
        const list = await get("/proxy-settings");
        assert.ok(list.some((d) => d.domain === domain), JSON.stringify(list));
      }),
  };
}

const skip = !openssl && "no openssl to make a throwaway certificate";

describe("lpf 1.31.13 against a local edgefn, signed in with login -t (an API key with every role)", { skip, timeout: 3 * 60_000 }, () => {
  const s = session("token");
  s.actor = "key:lpf#"; // completed once the key's id is known

  test("login -t: stores the key, makes no request", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["login", "-t", fx.key, "-a", fx.accountId, "-i", "lpf-e2e"]);
    assert.match(r.stdout, /Welcome to/);
    assert.deepEqual(r.requests, []);
    const [k] = (await get("/api-keys", fx.adminKey)).filter((x) => x.name === "lpf");
    s.actor += k.id;
  });

  test("init: the project layout (its toolbelt install stays offline)", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["init"]);
    for (const f of ["README.md", ".gitignore", "bin/lp-faas-toolbelt/package.json", "bin/faas-debugger.js"]) {
      assert.ok(existsSync(path.join(project, f)), `${f} missing`);
    }
    assert.deepEqual(JSON.parse(readFileSync(path.join(project, "functions", "settings.json"), "utf8")).whitelist, ["*.liveperson.com"]);
    assert.match(r.stdout, /Install packages \[skipped\]/, r.stdout); // npm was kept offline
    assert.deepEqual(r.requests, []);
  });

  everyCommand(s, { fnName: "greeter", watch: true, domain: "api.example.com", label: "token", pushVariants: true }).addDomain();

  after(() => s.timings.length && console.log(`platform up in ${fx.bootMs} ms; lpf commands (token session, ms): ${JSON.stringify(s.timings)}`));
});

describe("lpf 1.31.13 against a local edgefn, signed in with login -u -p (a user with every role)", { skip, timeout: 3 * 60_000 }, () => {
  const s = session("password");
  s.refreshChecked = true;

  test("login -u -p: a session of the user, stored by lpf", { timeout: COMMAND_TIMEOUT_MS }, async () => {
    const r = await s.run(["login", "-a", fx.accountId, "-u", LOGIN_NAME, "-p", PASSWORD]);
    assert.match(r.stdout, /Welcome to/);
    assert.deepEqual(paths(r), [`GET ${acct()}/service/baseURI.json`, `POST ${acct()}/login`], JSON.stringify(r.requests));
    assert.equal(r.requests[1].status, 200);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(PASSWORD));
    const sessions = await get(`/users/${fx.userId}/sessions`, fx.adminKey);
    assert.equal(sessions.length, 1, JSON.stringify(sessions));
    s.actor = `user:${LOGIN_NAME}#${fx.userId}`;
  });

  everyCommand(s, { fnName: "welcomer", watch: false, domain: "hooks.example.com", label: "password", pushVariants: false }).addDomain();

  after(() => s.timings.length && console.log(`lpf commands (password session, ms): ${JSON.stringify(s.timings)}`));
});
