// Issue 11 from the hostile side, against a real local edgefn as `npm start` runs it: the supervised
// wrangler dev behind the front proxy (scripts/lib/bench-platform.mjs startSupervisedPlatform), on a
// fresh temporary state and free 127.0.0.1 ports, started once for this file.
//   - a function that logs and then never answers: the logs reach its TIMEOUT record (runtime Tail)
//   - a chunked request body over the size limit is the Worker's 413, not the front's 503
//   - the runtime dying mid-call answers the API's JSON 503 with Retry-After, never wrangler's
//     500 with a stack trace and paths of the machine
//   - a function in a CPU loop: another account is served again within 10 s
//   - a function that keeps allocating: another account is served again within 10 s
//   - the records of both lost invocations are PLATFORM_FAILURE naming the cause (the looping one's
//     account has a timeout so short that its lease expired before the supervisor could tell why it
//     restarted the runtime)
//   - an invocation answered just before a CPU loop stalls the runtime (before its record was
//     written) is recorded as its caller was answered, from the front's memory of the answer
// The gate's side of "a record never contradicts its caller's answer" is in test/faults.test.ts.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { accountWithFunction, api, startSupervisedPlatform } from "../lib/bench-platform.mjs";
import { platformFixture } from "../lib/test-platform.mjs";
import { HOST } from "../lib/net.mjs";
import { CPU_LOOP_CODE, invokeRequest, memoryBombCode, msUntilServed, request } from "../lib/recovery.mjs";
import { memoryCeiling } from "../lib/supervisor.mjs";

const BOOT_TIMEOUT_MS = 180_000;
const WATCHDOG_MS = 6 * 60_000; // the whole file, whatever happens
const TARGET_MS = 10_000; // issue 11: other accounts served again within 10 s
const CEILING_MIB = 512; // the supervisor's memory ceiling for this run
const BOMB_MIB = 2000;
const HOSTILE_TIMEOUT_MS = 3000; // the hostile account's timeout: its leases expire (and get their records) soon

const SLOW = "function lambda(input, callback) { setTimeout(() => callback(null, 'late'), 4000); }";
const HELLO = "function lambda(input, callback) { callback(null, 'hello'); }";
const LOG_THEN_HANG = "function lambda(input, callback) { console.info('before the hang', { step: 1 }); setTimeout(() => callback(null, 'never seen'), 60000); }";
const ANSWER_THEN_STALL = `let answered = false;
async function lambda(input) {
  if (input.payload.role !== "stall") { answered = true; return "answered"; }
  await new Promise((resolve) => { const t = setInterval(() => { if (answered) { clearInterval(t); resolve(); } }, 1); });
  await new Promise((resolve) => setTimeout(resolve, 30));
  for (;;) {}
}`;

const fixture = platformFixture("runtime-recovery.test", { watchdogMs: WATCHDOG_MS });
const { tmp, logFd, vars, logTail } = fixture;

let platform;
const fx = {};

const stopPlatform = () => fixture.stop();

before(async () => {
  try {
    platform = fixture.platform = await startSupervisedPlatform({ name: "recovery", tmp, vars, logFd, say: () => {}, ceilingMiB: CEILING_MIB });
  } catch (err) {
    throw new Error(`${err.message}\n--- last lines of wrangler's output ---\n${logTail()}`);
  }
  const port = platform.port;
  // The hostile account and its functions; another account that must keep being served.
  fx.hostile = await accountWithFunction(port, vars.OPERATOR_TOKEN, HELLO, "hello");
  const h = fx.hostile;
  const create = async (name, code) => {
    const { uuid } = await api(port, "POST", `${h.base}/lambdas`, h.key, { name, description: "hostile", implementation: { code } });
    await api(port, "POST", `${h.base}/deployments/${uuid}`, h.key);
    return uuid;
  };
  fx.slow = await create("slow", SLOW);
  fx.hang = await create("log_then_hang", LOG_THEN_HANG);
  fx.bomb = await create("memory_bomb", memoryBombCode(BOMB_MIB));
  await api(port, "PUT", `/admin/accounts/${h.accountId}/limits`, vars.OPERATOR_TOKEN, { timeoutMs: HOSTILE_TIMEOUT_MS });
  fx.other = await accountWithFunction(port, vars.OPERATOR_TOKEN, HELLO, "hello");
  // An account whose leases expire at once (timeout 100 ms, the minimum): its lost invocation is
  // reclaimed right when the gate restarts, before the supervisor's notice could arrive.
  fx.hasty = await accountWithFunction(port, vars.OPERATOR_TOKEN, CPU_LOOP_CODE, "cpu_loop");
  await api(port, "PUT", `/admin/accounts/${fx.hasty.accountId}/limits`, vars.OPERATOR_TOKEN, { timeoutMs: 100 });
  // One function, two roles in one isolate: "stall" waits until an "answer" invocation has answered,
  // then holds the CPU 30 ms later, after that answer left and before its record is written
  // (records are written ~50 ms after the answer).
  const { uuid: relay } = await api(port, "POST", `${fx.hasty.base}/lambdas`, fx.hasty.key, { name: "answer_then_stall", description: "hostile", implementation: { code: ANSWER_THEN_STALL } });
  await api(port, "POST", `${fx.hasty.base}/deployments/${relay}`, fx.hasty.key);
  fx.relay = relay;
}, { timeout: BOOT_TIMEOUT_MS });

after(() => stopPlatform(), { timeout: 30_000 });

/** Sends a body of `bytes` without Content-Length (Node frames it as Transfer-Encoding: chunked). */
function chunkedInvoke(port, fn, bytes) {
  return new Promise((resolve) => {
    const req = http.request({ host: HOST, port, method: "POST", path: `${fn.base}/lambdas/${fn.uuid}/invoke`, headers: { authorization: `Bearer ${fn.key}`, "content-type": "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { body += c; });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
      res.on("error", (e) => resolve({ status: 0, body: e.message }));
    });
    req.on("error", (e) => resolve({ status: 0, body: e.message }));
    (async () => {
      const chunk = Buffer.alloc(256 * 1024, "a");
      req.write('{"headers":[],"payload":"');
      for (let sent = 0; sent < bytes && !req.destroyed; sent += chunk.length) {
        if (!req.write(chunk)) await new Promise((r) => { req.once("drain", r); req.once("close", r); });
      }
      if (!req.destroyed) req.end('"}');
    })();
  });
}

/** The PLATFORM_FAILURE record (with logs) of a lost invocation of `uuid`, once the gate wrote it. */
async function lostRecord(fn, uuid) {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const { items } = await api(platform.port, "GET", `${fn.base}/invocations?status=PLATFORM_FAILURE&lambdaUUID=${uuid}`, fn.key);
    if (items[0]) return api(platform.port, "GET", `${fn.base}/invocations/${items[0].id}`, fn.key);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no PLATFORM_FAILURE record of ${uuid} within 45 s`);
}

/** The record (with logs) of invocation `id`, once it is written (by the invocation or by the gate). */
async function recordOf(fn, id) {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const res = await request(platform.port, { path: `${fn.base}/invocations/${id}`, headers: { authorization: `Bearer ${fn.key}` } });
    if (res.status === 200) return JSON.parse(res.body);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no record of invocation ${id} within 45 s`);
}

/** An answer the front made in the API's shape: 503 JSON with Retry-After; no stack, no path. */
function assertApiUnavailable(res) {
  assert.equal(res.status, 503, `expected 503, got ${res.status}: ${res.body?.slice(0, 300)}`);
  assert.match(res.headers["content-type"], /^application\/json/);
  assert.ok(Number(res.headers["retry-after"]) >= 1, "Retry-After");
  assert.doesNotMatch(res.body, /node_modules|\/work\/|\/tmp\/|\n\s+at /, "no stack trace, no path of the machine");
  const body = JSON.parse(res.body);
  assert.equal(body.errorCode, "com.liveperson.faas.es.unavailable");
  assert.equal(typeof body.errorMsg, "string");
  assert.equal(typeof body.requestId, "string");
}

describe("hostile input and a dying runtime, through the local front", () => {
  test("a function that logs and never answers: its TIMEOUT record gets the logs from the runtime's Tail, at once", { timeout: 60_000 }, async () => {
    const res = await request(platform.port, invokeRequest(fx.hostile, fx.hang));
    assert.equal(res.status, 901, res.body);
    const id = res.headers["x-invocation-id"];
    const answeredAt = Date.now();
    let record;
    while (Date.now() - answeredAt < 10_000) {
      record = await recordOf(fx.hostile, id);
      if (record.logs.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(record.status, "TIMEOUT");
    assert.deepEqual(record.logs.map((l) => [l.level, l.message, l.extras]), [["Info", "before the hang", [{ step: 1 }]]]);
    // Long before the function's own 60 s timer: the Tail had the entry when the host gave up.
    assert.ok(Date.now() - answeredAt < 10_000);
  });

  test("a chunked body over the size limit is the Worker's 413 in the API's shape, at any size", { timeout: 60_000 }, async () => {
    for (const mib of [2, 20, 64]) {
      const res = await chunkedInvoke(platform.port, fx.other, mib * 1024 * 1024);
      assert.equal(res.status, 413, `${mib} MiB chunked: ${res.status} ${res.body.slice(0, 300)}`);
      const body = JSON.parse(res.body);
      assert.equal(body.errorCode, "com.liveperson.faas.es.payloadtoolarge");
      assert.equal(typeof body.requestId, "string");
    }
    // Under the limit, chunked still works.
    assert.equal((await chunkedInvoke(platform.port, fx.other, 1000)).status, 200);
  });

  test("the runtime dying mid-call answers the API's JSON 503 with Retry-After, no stack trace, no path", { timeout: 60_000 }, async () => {
    const pending = request(platform.port, invokeRequest(fx.hostile, fx.slow));
    await new Promise((r) => setTimeout(r, 1500)); // the function is running (it answers after 4 s)
    const pid = platform.runtime.workerPid();
    assert.ok(pid, "the Worker runtime's process");
    process.kill(pid, "SIGKILL");
    assertApiUnavailable(await pending);
    assert.notEqual(await msUntilServed(platform.port, invokeRequest(fx.other), Date.now(), 30_000), null, "served again");
  });

  test(`a function in a CPU loop: another account is served again within ${TARGET_MS / 1000} s`, { timeout: 60_000 }, async () => {
    const started = Date.now();
    const looping = request(platform.port, invokeRequest(fx.hasty));
    await new Promise((r) => setTimeout(r, 300)); // the loop has the runtime's thread
    const servedMs = await msUntilServed(platform.port, invokeRequest(fx.other), started, 30_000);
    assert.ok(servedMs !== null && servedMs <= TARGET_MS, `served again after ${servedMs} ms`);
    assertApiUnavailable(await looping);
    assert.equal(platform.runtime.recoveries.at(-1)?.cause, "cpu-stall");
  });

  test("an invocation answered just before a CPU loop stalls the runtime: its caller keeps its 200 and the platform serves again", { timeout: 60_000 }, async () => {
    const role = (r) => ({ ...invokeRequest(fx.hasty, fx.relay), body: JSON.stringify({ headers: [], payload: { role: r } }) });
    const stalling = request(platform.port, role("stall"));
    await new Promise((r) => setTimeout(r, 300)); // the stalling invocation waits in the isolate
    const started = Date.now();
    const res = await request(platform.port, role("answer"));
    assert.equal(res.status, 200, res.body);
    fx.answeredId = res.headers["x-invocation-id"];
    assert.ok(fx.answeredId, "the answer names its invocation");
    const servedMs = await msUntilServed(platform.port, invokeRequest(fx.other), started, 30_000);
    assert.ok(servedMs !== null && servedMs <= TARGET_MS, `served again after ${servedMs} ms`);
    // The stalling one timed out (this account's timeout is 100 ms) or was caught in the restart.
    assert.ok([901, 503].includes((await stalling).status));
  });

  test(`a function that keeps allocating: another account is served again within ${TARGET_MS / 1000} s`, { timeout: 60_000 }, async () => {
    const started = Date.now();
    const bombing = request(platform.port, invokeRequest(fx.hostile, fx.bomb));
    await new Promise((r) => setTimeout(r, 300));
    const servedMs = await msUntilServed(platform.port, invokeRequest(fx.other), started, 30_000);
    assert.ok(servedMs !== null && servedMs <= TARGET_MS, `served again after ${servedMs} ms`);
    assertApiUnavailable(await bombing);
    assert.equal(platform.runtime.recoveries.at(-1)?.cause, "memory-ceiling");
    // The hostile account is served again too (and its gate wakes up to close what was lost).
    assert.notEqual(await msUntilServed(platform.port, invokeRequest(fx.hostile), Date.now(), 10_000), null);
  });

  // Last, so that both leases expire while the earlier tests run (a lost lease is closed its
  // timeout + 5 s + 15 s after its start under the supervisor, see src/gate/restart-notices.ts).
  test("the records of the invocations lost in the restarts are PLATFORM_FAILURE naming the cause", { timeout: 60_000 }, async () => {
    const looped = await lostRecord(fx.hasty, fx.hasty.uuid);
    assert.equal(looped.status, "PLATFORM_FAILURE");
    assert.match(looped.logs[0].message, /stopped answering for \d+\.\d s, held by a function using the CPU/);
    const bombed = await lostRecord(fx.hostile, fx.bomb);
    assert.equal(bombed.status, "PLATFORM_FAILURE");
    // The ceiling plus the allowance for the few function isolates the runtime holds (scripts/lib/supervisor.mjs).
    const ceiling = Number(bombed.logs[0].message.match(/passed its memory ceiling of (\d+) MiB/)?.[1]);
    assert.ok(ceiling >= CEILING_MIB && ceiling <= memoryCeiling(CEILING_MIB, 10), bombed.logs[0].message);
    assert.match(bombed.logs[0].message, /this invocation or another one running at the same time used that memory/);
    // The invocation answered 200 just before the stall: its record says what its caller was told
    // (written by the gate from the front's memory of the answer when the stall came first).
    const answered = await recordOf(fx.hasty, fx.answeredId);
    assert.equal(answered.status, "SUCCEEDED", JSON.stringify(answered));
    if (answered.logs[0]?.message?.includes("its caller had been answered")) console.log("the stall came before the record: the gate completed it");
  });
});
