// `npm run bench` (not part of npm test): the platform as `npm start` runs it (wrangler dev behind
// the front proxy), on fresh temporary states and free ports, all on 127.0.0.1. It measures, each as
// a ratio against a control measured in the same run:
//   - GET /healthz and the gateway invoke of a hello-world function, alternately, same concurrency
//     (issue 2: invoke >= 0.5 x healthz)
//   - the same invoke on a second instance whose AccountGate is bypassed (GATE_BYPASS=1),
//     alternately (issue 4: gated >= 0.8 x bypassed)
//   - deploy-to-first-successful-invoke latency over repeated redeploys (issue 2: p50 <= 250 ms)
//   - the same two figures for a function that requires lodash and luxon (issue 15: deploy → first
//     invoke p50 <= 250 ms, warm throughput >= 0.8 x hello world, alternately in the same rounds)
//   - 1,000 schedules due in the same minute: the delay of each run's start from the minute
//     boundary (issue 4: all within the minute; p50/p95 printed)
//   - the peak memory of the workerd processes
//   - recovery: how soon another account is served again after a function starts a CPU loop, and
//     after one starts allocating without bound (issue 11: <= 10 s each), on its own supervised
//     instance (scripts/lib/bench-recovery.mjs)
//   - observability: search latency over 1,000,000 log entries of one account, exports of 10,000
//     and 100,000 lines in flat memory, invoke p99 while retention deletes them (issue 12), on its
//     own instance (scripts/lib/bench-observability.mjs; BENCH_LOG_ENTRIES sets the count)
//   - scale: 1,000 and 2,000 functions, cold starts after a restart, deploys one after another, 200
//     accounts × 25 functions (issue 16), on its own instances (scripts/lib/bench-scale.mjs)
// BENCH_ONLY=throughput runs only the throughput rounds; BENCH_ONLY=recovery only the recovery runs;
// BENCH_ONLY=observability only the observability section; BENCH_ONLY=scale only the scale section.
// Exits 1 if a target is missed, 2 if the bench itself failed.
import { mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { accountWithFunction, api, queryD1, startPlatform } from "./lib/bench-platform.mjs";
import { measureObservability, observabilityReport } from "./lib/bench-observability.mjs";
import { measureRecovery, recoveryReport } from "./lib/bench-recovery.mjs";
import { measureScale, scaleReport } from "./lib/bench-scale.mjs";
import { msUntilNextTick, scheduledPath } from "./lib/cron-tick.mjs";
import { invokeRequest } from "./lib/recovery.mjs";
import { generateSecrets } from "./lib/dev-vars.mjs";
import { loadFor, percentile, send } from "./lib/load.mjs";
import { probe } from "./lib/net.mjs";
import { memoryOf, workerdUnder } from "./lib/procmem.mjs";
import { ROOT } from "./lib/tools.mjs";

const CONCURRENCY = 8;
const ROUNDS = 3;
const ROUND_MS = 5000;
const WARMUP_MS = 1000;
const DEPLOYS = 20;
const FIRST_INVOKE_GIVE_UP_MS = 10_000;
const SCHEDULES = 1000;
const WATCHDOG_MS = 35 * 60_000; // the whole bench, whatever happens (observability alone takes about 6 min, scale about 8)
const TARGET_RATIO = 0.5;
const TARGET_GATE_RATIO = 0.8;
const TARGET_DEPLOY_P50_MS = 250;
const TARGET_SCHEDULE_MAX_MS = 60_000;
const TARGET_LIBRARIES_RATIO = 0.8;

const say = (msg) => console.log(`[bench] ${msg}`);
const helloCode = (text) => `function lambda(input, callback) { callback(null, ${JSON.stringify(text)}); }`;
// Answers the same text as helloCode, through both libraries: its isolate carries their modules.
const librariesCode = (text) => `const _ = require("lodash");
const { DateTime } = require("luxon");
function lambda(input, callback) {
  callback(null, _.join([${JSON.stringify(text)}], "") + (DateTime.fromMillis(0, { zone: "Europe/Berlin" }).year === 1970 ? "" : "?"));
}`;

const tmp = mkdtempSync(path.join(tmpdir(), "edgefn-bench-"));
mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
const logFile = path.join(ROOT, ".bench", "runtime.log"); // wrangler's output; .bench/ is git-ignored
const logFd = openSync(logFile, "w");

const platforms = [];
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    await Promise.all(platforms.map((p) => p.stop()));
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => cleanup().then(() => process.exit(130)));
setTimeout(() => {
  console.error(`[bench] gave up after ${WATCHDOG_MS / 1000} s`);
  cleanup().then(() => process.exit(2));
}, WATCHDOG_MS).unref();

const answers = (text) => (status, body) => status === 200 && body === JSON.stringify(text);

/** BENCH_ONLY=recovery: only the recovery figures. */
async function recoveryOnly() {
  const vars = generateSecrets();
  const { lines, targets } = recoveryReport(await measureRecovery({ tmp, vars, logFd, say, track: (p) => platforms.push(p) }));
  console.log(`\nedgefn bench (recovery only)${lines}`);
  return printTargets(targets);
}

/** BENCH_ONLY=scale: only the scale figures. */
async function scaleOnly() {
  const vars = generateSecrets();
  const { lines, targets } = scaleReport(await measureScale({ tmp, vars, logFd, say, track: (p) => platforms.push(p) }));
  console.log(`\nedgefn bench (scale only)${lines}`);
  return printTargets(targets);
}

/** BENCH_ONLY=observability: only the observability figures. */
async function observabilityOnly() {
  const vars = generateSecrets();
  const { lines, targets } = observabilityReport(await measureObservability({ tmp, vars, logFd, say, track: (p) => platforms.push(p) }));
  console.log(`\nedgefn bench (observability only)${lines}`);
  return printTargets(targets);
}

function printTargets(targets) {
  console.log("\n  targets");
  for (const [ok, what, got] of targets) console.log(`    ${ok ? "PASS" : "FAIL"}  ${what}: ${got}`);
  return targets.every(([ok]) => ok) ? 0 : 1;
}

async function main() {
  if (process.env.BENCH_ONLY === "recovery") return recoveryOnly();
  if (process.env.BENCH_ONLY === "observability") return observabilityOnly();
  if (process.env.BENCH_ONLY === "scale") return scaleOnly();
  const vars = generateSecrets(); // throwaway values for this run only, passed with --var
  const gated = await startPlatform({ name: "gated", tmp, vars, logFd, say });
  platforms.push(gated);
  const bypassed = await startPlatform({ name: "bypassed", tmp, vars: { ...vars, GATE_BYPASS: "1" }, logFd, say });
  platforms.push(bypassed);

  const memory = new Map(); // pid -> { name/cmdline, peak sampled RSS } of the gated instance
  let peakSumKiB = 0;
  let pids = [];
  let samples = 0;
  const sampler = setInterval(() => {
    // Walking /proc for the process tree is the costly part; the workerd pids rarely change.
    if (samples++ % 10 === 0) pids = workerdUnder(gated.runtime.pid).map((p) => p.pid);
    const procs = pids.map(memoryOf).filter(Boolean);
    peakSumKiB = Math.max(peakSumKiB, procs.reduce((n, p) => n + p.rssKiB, 0));
    for (const p of procs) memory.set(p.pid, { ...p, hwmKiB: Math.max(p.hwmKiB, memory.get(p.pid)?.hwmKiB ?? 0) });
  }, 200);

  say("creating an account, a developer key and a hello-world function on each instance");
  const fn = await accountWithFunction(gated.port, vars.OPERATOR_TOKEN, helloCode("hello"));
  const fnBypassed = await accountWithFunction(bypassed.port, vars.OPERATOR_TOKEN, helloCode("hello"));
  const fnLibraries = await functionIn(gated.port, fn, librariesCode("hello"), "libraries");
  const healthz = { method: "GET", path: "/healthz" };
  const runs = [
    ["healthz", gated.port, healthz, undefined],
    ["invoke", gated.port, invokeRequest(fn), answers("hello")],
    ["bypassed", bypassed.port, invokeRequest(fnBypassed), answers("hello")],
    ["libraries", gated.port, invokeRequest(fnLibraries), answers("hello")],
  ];
  for (const [, port, request, isOk] of runs.slice(1)) {
    const first = await send(false, port, request);
    if (!isOk(first.status, first.body)) throw new Error(`the function answered ${first.status} ${first.body}`);
  }

  say(`warm-up, then ${ROUNDS} rounds of ${ROUND_MS / 1000} s per endpoint, alternately, concurrency ${CONCURRENCY}`);
  for (const [, port, request] of runs) await loadFor({ port, request, concurrency: CONCURRENCY, durationMs: WARMUP_MS });
  const totals = Object.fromEntries(runs.map(([name]) => [name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, port, request, isOk] of runs) {
      const r = await loadFor({ port, request, concurrency: CONCURRENCY, durationMs: ROUND_MS, isOk });
      totals[name].push(r);
      say(`  round ${round} ${name.padEnd(8)} ${(r.ok / (r.elapsedMs / 1000)).toFixed(0).padStart(6)} req/s  (${r.errors} errors)`);
    }
  }
  await bypassed.stop();
  platforms.splice(platforms.indexOf(bypassed), 1);

  // BENCH_ONLY=throughput stops here (for quick comparisons while tuning the hot path).
  const quick = process.env.BENCH_ONLY === "throughput";
  const deploys = quick ? { firstInvokeMs: [NaN], deployCallMs: [NaN] } : await deployLatency(gated.port, fn, helloCode);
  const librariesDeploys = quick ? { firstInvokeMs: [NaN], deployCallMs: [NaN] } : await deployLatency(gated.port, fnLibraries, librariesCode);
  const schedules = quick ? { count: NaN, delays: [], byStatus: {} } : await schedulerDelay(gated, vars.OPERATOR_TOKEN, fn);

  clearInterval(sampler);
  for (const p of workerdUnder(gated.runtime.pid)) memory.set(p.pid, { ...p, hwmKiB: Math.max(p.hwmKiB, memory.get(p.pid)?.hwmKiB ?? 0) });
  await gated.stop();
  platforms.splice(platforms.indexOf(gated), 1);

  const recovery = quick ? null : recoveryReport(await measureRecovery({ tmp, vars, logFd, say, track: (p) => platforms.push(p) }));
  await Promise.all(platforms.splice(0).map((p) => p.stop())); // the recovery instance: nothing else runs beside the next one
  const observability = quick ? null : observabilityReport(await measureObservability({ tmp, vars, logFd, say, track: (p) => platforms.push(p) }));
  await Promise.all(platforms.splice(0).map((p) => p.stop()));
  const scale = quick ? null : scaleReport(await measureScale({ tmp, vars, logFd, say, track: (p) => platforms.push(p) }));
  return report({ totals, ...deploys, librariesDeploys, schedules, memory: [...memory.values()], peakSumKiB, runtimePort: gated.runtime.port, recovery, observability, scale });
}

/** One more function in the account of `fn`, deployed. */
async function functionIn(port, fn, code, name) {
  const { uuid } = await api(port, "POST", `${fn.base}/lambdas`, fn.key, { name, description: "bench", implementation: { code } });
  await api(port, "POST", `${fn.base}/deployments/${uuid}`, fn.key);
  return { ...fn, uuid };
}

/** Redeploys the function DEPLOYS times with codeOf(text) and measures how soon an invoke answers the new code. */
async function deployLatency(port, fn, codeOf) {
  say(`deploy → first successful invoke, ${DEPLOYS} times${codeOf === helloCode ? "" : " (lodash and luxon)"}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const invoke = invokeRequest(fn);
  const firstInvokeMs = [];
  const deployCallMs = [];
  for (let i = 1; i <= DEPLOYS; i++) {
    const text = `hello-${i}`;
    await api(port, "PUT", `${fn.base}/lambdas/${fn.uuid}`, fn.key, { implementation: { code: codeOf(text) } });
    const t0 = performance.now();
    await api(port, "POST", `${fn.base}/deployments/${fn.uuid}`, fn.key);
    deployCallMs.push(performance.now() - t0);
    for (;;) {
      const res = await send(agent, port, invoke);
      if (answers(text)(res.status, res.body)) break;
      if (performance.now() - t0 > FIRST_INVOKE_GIVE_UP_MS) throw new Error(`deploy ${i}: no successful invoke after ${FIRST_INVOKE_GIVE_UP_MS} ms (last ${res.status} ${res.body})`);
    }
    firstInvokeMs.push(performance.now() - t0);
  }
  agent.destroy();
  return { firstInvokeMs, deployCallMs };
}

/**
 * SCHEDULES every-minute schedules of the account's function, all due at the same minute; the
 * Cron Trigger is fired just after the boundary (as npm start does) and each run's start is read
 * from D1. Delay = run start - the minute boundary it was due at.
 */
async function schedulerDelay(platform, operatorToken, fn) {
  say(`creating ${SCHEDULES} schedules due every minute`);
  await api(platform.port, "PUT", `/admin/accounts/${fn.accountId}/limits`, operatorToken, { schedules: SCHEDULES, concurrentInvocations: 200 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const create = async () => {
    while (next < SCHEDULES) {
      next++;
      const body = JSON.stringify({ lambdaUUID: fn.uuid, cronExpression: "* * * * *", isActive: true, description: `bench ${next}` });
      const res = await send(agent, platform.port, { method: "POST", path: `${fn.base}/schedules`, headers: { authorization: `Bearer ${fn.key}`, "content-type": "application/json" }, body });
      if (res.status !== 201) throw new Error(`creating a schedule answered ${res.status}: ${res.body}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, create));
  agent.destroy();

  const wait = msUntilNextTick();
  say(`waiting ${(wait / 1000).toFixed(1)} s for the next minute boundary, then firing the Cron Trigger`);
  await new Promise((r) => setTimeout(r, wait));
  const boundary = Math.floor(Date.now() / 60_000) * 60_000;
  const fired = await probe(platform.runtime.port, scheduledPath(), 120_000);
  if (fired !== 200) throw new Error(`the Cron Trigger answered ${fired}`);

  let rows = [];
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    rows = await queryD1(platform.persistTo, `SELECT status, started_at, scheduled_for FROM schedule_runs WHERE scheduled_for = ${boundary} AND kind = 'cron'`);
    if (rows.length >= SCHEDULES && rows.every((r) => r.status !== "running")) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const delays = rows.map((r) => r.started_at - boundary);
  const byStatus = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return { count: rows.length, delays, byStatus };
}

function report({ totals, firstInvokeMs, deployCallMs, librariesDeploys, schedules, memory, peakSumKiB, runtimePort, recovery, observability, scale }) {
  const sum = (rs) => {
    const latencies = rs.flatMap((r) => r.latencies);
    const seconds = rs.reduce((n, r) => n + r.elapsedMs, 0) / 1000;
    return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors: rs.reduce((n, r) => n + r.errors, 0) };
  };
  const h = sum(totals.healthz);
  const v = sum(totals.invoke);
  const b = sum(totals.bypassed);
  const ratio = v.rps / h.rps;
  const gateRatio = v.rps / b.rps;
  const l = sum(totals.libraries);
  const librariesRatio = l.rps / v.rps;
  const late = schedules.delays.filter((d) => d > TARGET_SCHEDULE_MAX_MS).length;
  const allStarted = schedules.count === SCHEDULES && late === 0;
  const f = (n, d = 1) => n.toFixed(d).padStart(8);
  const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
  const deployP50 = percentile(firstInvokeMs, 50);
  const librariesDeployP50 = percentile(librariesDeploys.firstInvokeMs, 50);

  console.log(`
edgefn bench: concurrency ${CONCURRENCY}, ${ROUNDS} × ${ROUND_MS / 1000} s per endpoint (alternating), keep-alive, through the front proxy

                      req/s   p50 ms   p99 ms   errors
  GET /healthz     ${f(h.rps)} ${f(h.p50, 2)} ${f(h.p99, 2)} ${String(h.errors).padStart(8)}
  POST invoke      ${f(v.rps)} ${f(v.p50, 2)} ${f(v.p99, 2)} ${String(v.errors).padStart(8)}
  invoke, gate off ${f(b.rps)} ${f(b.p50, 2)} ${f(b.p99, 2)} ${String(b.errors).padStart(8)}   (second instance, GATE_BYPASS=1)
  invoke, libraries${f(l.rps)} ${f(l.p50, 2)} ${f(l.p99, 2)} ${String(l.errors).padStart(8)}   (requires lodash and luxon)
  invoke / healthz throughput: ${ratio.toFixed(2)}
  invoke with the gate / without: ${gateRatio.toFixed(2)}
  invoke with lodash and luxon / hello world: ${librariesRatio.toFixed(2)}

  ${SCHEDULES} schedules due in one minute: ${schedules.count} runs recorded ${JSON.stringify(schedules.byStatus)}
    start delay from the minute boundary: p50 ${percentile(schedules.delays, 50).toFixed(0)} ms, p95 ${percentile(schedules.delays, 95).toFixed(0)} ms, max ${Math.max(...schedules.delays, 0).toFixed(0)} ms

  deploy → first successful invoke (${firstInvokeMs.length} deploys): p50 ${deployP50.toFixed(0)} ms, p99 ${percentile(firstInvokeMs, 99).toFixed(0)} ms
    (of which the deploy request: p50 ${percentile(deployCallMs, 50).toFixed(0)} ms, p99 ${percentile(deployCallMs, 99).toFixed(0)} ms)
  the same, requiring lodash and luxon (${librariesDeploys.firstInvokeMs.length} deploys): p50 ${librariesDeployP50.toFixed(0)} ms, p99 ${percentile(librariesDeploys.firstInvokeMs, 99).toFixed(0)} ms
    (of which the deploy request: p50 ${percentile(librariesDeploys.deployCallMs, 50).toFixed(0)} ms, p99 ${percentile(librariesDeploys.deployCallMs, 99).toFixed(0)} ms)

  peak memory (VmHWM) of workerd:`);
  if (!memory.length) console.log("    not available (needs Linux /proc)");
  for (const m of memory) {
    const role = m.cmdline.includes(`entry=127.0.0.1:${runtimePort}`) ? "wrangler's dev proxy" : "Worker runtime";
    console.log(`    ${mib(m.hwmKiB).padStart(10)}  pid ${m.pid} (${role})`);
  }
  if (memory.length) console.log(`    ${mib(peakSumKiB).padStart(10)}  highest sampled sum of RSS`);
  if (recovery) console.log(recovery.lines);
  if (observability) console.log(observability.lines);
  if (scale) console.log(scale.lines);

  const targets = [
    [ratio >= TARGET_RATIO, `invoke throughput >= ${TARGET_RATIO} × healthz`, `${ratio.toFixed(2)} ×`],
    [gateRatio >= TARGET_GATE_RATIO, `invoke throughput with the gate >= ${TARGET_GATE_RATIO} × without`, `${gateRatio.toFixed(2)} ×`],
    // BENCH_ONLY=throughput measures neither the schedules nor the deploys: no verdict on them.
    ...(Number.isNaN(schedules.count) ? [] : [[allStarted, `all ${SCHEDULES} due schedules start within the minute`, `${schedules.count} runs, ${late} later than ${TARGET_SCHEDULE_MAX_MS / 1000} s`]]),
    ...(Number.isNaN(deployP50)
      ? []
      : [
          [deployP50 <= TARGET_DEPLOY_P50_MS, `deploy-to-first-invoke p50 <= ${TARGET_DEPLOY_P50_MS} ms`, `${deployP50.toFixed(0)} ms`],
          [librariesDeployP50 <= TARGET_DEPLOY_P50_MS, `deploy-to-first-invoke p50 <= ${TARGET_DEPLOY_P50_MS} ms, requiring lodash and luxon`, `${librariesDeployP50.toFixed(0)} ms`],
        ]),
    [librariesRatio >= TARGET_LIBRARIES_RATIO, `invoke throughput with lodash and luxon >= ${TARGET_LIBRARIES_RATIO} × hello world`, `${librariesRatio.toFixed(2)} ×`],
    ...(recovery?.targets ?? []),
    ...(observability?.targets ?? []),
    ...(scale?.targets ?? []),
  ];
  return printTargets(targets);
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`[bench] failed: ${err.message}\n[bench] runtime log: ${logFile}`);
  process.exitCode = 2;
} finally {
  await cleanup();
}
