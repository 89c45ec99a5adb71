// `npm run bench` (or BENCH_ONLY=scale): how costs grow with the number of functions (issue 16).
// Its own instances, as `npm start` runs them, all on 127.0.0.1:
//   1. 1,000 distinct hello-world functions deployed one after another into one account (each
//      deploy timed, with its create request as the control; runtime memory and elapsed time noted at 1, 100 and 1,000);
//   2. throughput with them deployed: /healthz (the control), one function, 100 and 1,000 functions
//      round-robin, alternately in the same rounds;
//   3. cold start: the instance restarted on the same state, as `npm start` runs it (supervised),
//      then the first invoke of 200 of the functions, one at a time, each beside a warm invoke of
//      one function (the control);
//   4. 1,000 more functions (2,000 in all), each invoked once: all must answer, without a restart
//      of the runtime; runtime memory per loaded function;
//   5. a second instance with 200 accounts of 25 functions each, each invoked once in random order:
//      no failure, and no account's invokes slower than the others'.
// The control of phase 3 is a bare isolate's cold start on the same runtime: a Worker that only has
// the Worker Loader build a hello-world isolate (bare-isolate/), 200 of them the same way.
import http from "node:http";
import { writeSync } from "node:fs";
import { freemem } from "node:os";
import path from "node:path";
import { api, startPlatform, startSupervisedPlatform } from "./bench-platform.mjs";
import { loadFor, percentile, send } from "./load.mjs";
import { memoryOf, workerdCounters, workerdCpuMs, workerdUnder } from "./procmem.mjs";
import { scaleReport } from "./bench-scale-report.mjs";
import { invokeRequest } from "./recovery.mjs";
import { startRuntime } from "./runtime.mjs";
import { freePort } from "./net.mjs";

export { scaleReport };

// BENCH_SCALE_FUNCTIONS (≥ 150) shrinks the whole section proportionally, to try the bench itself.
const FUNCTIONS = Math.max(150, Number(process.env.BENCH_SCALE_FUNCTIONS ?? 1000));
const MORE_FUNCTIONS = FUNCTIONS;
const COLD = Math.round(FUNCTIONS / 5);
const ACCOUNTS = Math.round(FUNCTIONS / 5);
const PER_ACCOUNT = 25;
const CONCURRENCY = 8;
const ROUNDS = 3;
const ROUND_MS = 5000;
const WARMUP_MS = 1000;
// The local runtime runs every request on one thread: more requests at once only wait longer
// (8 at once made each deploy take 8 times as long); 2 keep it busy.
const SETUP_CONCURRENCY = 2;
// Phase 5 loads 5,000 isolates (~3 MiB each locally): it stops rather than exhaust the machine.
const MIN_FREE_MIB = 2048;

const helloCode = (i) => `function lambda(input, callback) { callback(null, "hello ${i}"); }`;
const answersHello = (i) => (status, body) => status === 200 && body === JSON.stringify(`hello ${i}`);

/** The summed RSS of the runtime's workerd processes, in MiB (NaN where /proc is missing). */
function runtimeMiB(platform) {
  const procs = workerdUnder(platform.runtime.pid).map((p) => memoryOf(p.pid)).filter(Boolean);
  return procs.length ? procs.reduce((n, p) => n + p.rssKiB, 0) / 1024 : NaN;
}

/** An account with raised limits and a developer key, which creates, deploys and invokes. */
async function newAccount(port, operatorToken, functions) {
  const { accountId, adminKey } = await api(port, "POST", "/admin/accounts", operatorToken, { name: "scale" });
  await api(port, "PUT", `/admin/accounts/${accountId}/limits`, operatorToken, { functions });
  const { key } = await api(port, "POST", `/api/account/${accountId}/api-keys`, adminKey, { name: "scale", role: "FaaS-Developer" });
  return { accountId, key, base: `/api/account/${accountId}` };
}

async function createFunction(port, account, i) {
  const { uuid } = await api(port, "POST", `${account.base}/lambdas`, account.key, { name: `f${i}`, description: "scale", implementation: { code: helloCode(i) } });
  return { ...account, uuid, i };
}

/** Runs task(i) for i in [from, to) with `concurrency` workers. */
async function eachConcurrently(from, to, concurrency, task) {
  let next = from;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < to) await task(next++);
  }));
}

/**
 * Phase 1: FUNCTIONS created and deployed one after another; the deploy requests timed, and the
 * create requests beside them as a control (D1 writes and no isolate: a stretch of the run in
 * which the machine was slower slows both, growth with the number of functions only the deploys).
 * The runtime's CPU time of each deploy too: its work, where latency also counts waiting (/proc's
 * ticks are 10 ms, so only sums over many deploys mean anything), and the runtime's major page
 * faults during each (waiting for memory read back from disk).
 */
async function deployOneByOne(platform, account, say) {
  const fns = [];
  const deployMs = [];
  const createMs = [];
  const deployCpuMs = [];
  const deployMajorFaults = [];
  const milestones = [];
  const started = performance.now();
  say(`scale: creating and deploying ${FUNCTIONS} functions one after another`);
  for (let i = 0; i < FUNCTIONS; i++) {
    const created = performance.now();
    const fn = await createFunction(platform.port, account, i);
    createMs.push(performance.now() - created);
    const before = workerdCounters(platform.runtime.pid);
    const t0 = performance.now();
    await api(platform.port, "POST", `${fn.base}/deployments/${fn.uuid}`, fn.key);
    deployMs.push(performance.now() - t0);
    const after = workerdCounters(platform.runtime.pid);
    deployCpuMs.push(after.cpuMs - before.cpuMs);
    deployMajorFaults.push(after.majorFaults - before.majorFaults);
    fns.push(fn);
    if ([1, 100, FUNCTIONS].includes(i + 1)) milestones.push({ count: i + 1, elapsedMs: performance.now() - started, runtimeMiB: runtimeMiB(platform) });
  }
  return { fns, deployMs, createMs, deployCpuMs, deployMajorFaults, milestones };
}

/** Phase 2: alternate rounds of /healthz, one function, and round-robin over 100 and all. */
async function throughput(platform, fns, say) {
  const over = (n) => ({
    request: (i) => invokeRequest(fns[i % n]),
    isOk: (status, body, i) => answersHello(fns[i % n].i)(status, body),
  });
  const runs = [
    ["healthz", { request: { method: "GET", path: "/healthz" }, isOk: (s) => s === 200 }],
    ["1", over(1)],
    ["100", over(100)],
    [String(FUNCTIONS), over(FUNCTIONS)],
  ];
  say(`scale: warm-up, then ${ROUNDS} rounds of ${ROUND_MS / 1000} s: healthz, 1, 100 and ${FUNCTIONS} functions round-robin`);
  // Steady state: every function called once before the rounds (a function's first call reads its
  // lookup from D1; cold starts are phase 3's), then each run for WARMUP_MS.
  await loadFor({ port: platform.port, concurrency: CONCURRENCY, durationMs: 10 * 60_000, count: FUNCTIONS, ...over(FUNCTIONS) });
  for (const [, r] of runs) await loadFor({ port: platform.port, concurrency: CONCURRENCY, durationMs: WARMUP_MS, ...r });
  const totals = Object.fromEntries(runs.map(([name]) => [name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, r] of runs) {
      const cpu0 = workerdCpuMs(platform.runtime.pid);
      const res = await loadFor({ port: platform.port, concurrency: CONCURRENCY, durationMs: ROUND_MS, ...r });
      res.cpuMs = workerdCpuMs(platform.runtime.pid) - cpu0;
      totals[name].push(res);
      say(`  round ${round} ${name.padStart(7)} ${(res.ok / (res.elapsedMs / 1000)).toFixed(0).padStart(6)} req/s (${res.errors} errors)`);
    }
  }
  return totals;
}

/** Phase 3: after a restart, the first invoke of COLD functions, each beside a warm invoke of fns[0]. */
async function coldStarts(platform, fns, say) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const timed = async (fn) => {
    const t0 = performance.now();
    const res = await send(agent, platform.port, invokeRequest(fn));
    if (!answersHello(fn.i)(res.status, res.body)) throw new Error(`function ${fn.i} answered ${res.status} ${res.body}`);
    return performance.now() - t0;
  };
  // The account's gate and the platform's own first requests are not what is measured.
  for (let k = 0; k < 3; k++) await timed(fns[0]);
  say(`scale: first invokes of ${COLD} functions after the restart, each beside a warm one`);
  const cold = [];
  const warm = [];
  const cpu0 = workerdCpuMs(platform.runtime.pid);
  for (let k = 1; k <= COLD; k++) {
    cold.push(await timed(fns[k]));
    warm.push(await timed(fns[0]));
  }
  // The runtime's CPU time per cold invoke: the loop above less as many warm invokes alone.
  const cpu1 = workerdCpuMs(platform.runtime.pid);
  for (let k = 1; k <= COLD; k++) await timed(fns[0]);
  const warmCpuMs = (workerdCpuMs(platform.runtime.pid) - cpu1) / COLD;
  agent.destroy();
  return { cold, warm, coldCpuMs: (cpu1 - cpu0) / COLD - warmCpuMs, warmCpuMs };
}

/**
 * The control of phase 3: COLD isolates built by a bare Worker on the same runtime (no platform: no
 * lookup, gate, records, wrapper or capabilities), each first call beside a call of a warm one, by
 * the client straight to the runtime's port (the platform's calls cross the front proxy too).
 */
async function bareColdStarts({ tmp, logFd, say }) {
  say(`scale: the control, ${COLD} bare isolates built by a Worker that does nothing else`);
  const runtime = startRuntime({
    port: await freePort(),
    persistTo: path.join(tmp, "bare-isolate"),
    config: new URL("./bare-isolate/wrangler.toml", import.meta.url).pathname,
    onLine: (l) => writeSync(logFd, `[bare-isolate] ${l}\n`),
  });
  try {
    await runtime.ready;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const timed = async (id) => {
      const t0 = performance.now();
      const res = await send(agent, runtime.port, { method: "GET", path: `/?id=${id}` });
      if (res.status !== 200) throw new Error(`bare isolate ${id} answered ${res.status}`);
      return performance.now() - t0;
    };
    for (let k = 0; k < 3; k++) await timed("warm");
    const cold = [];
    const warm = [];
    for (let k = 1; k <= COLD; k++) {
      cold.push(await timed(`cold-${k}`));
      warm.push(await timed("warm"));
    }
    agent.destroy();
    return { cold, warm };
  } finally {
    await runtime.stop();
  }
}

/** Phase 4: MORE_FUNCTIONS more, then every function invoked once (after the restart: each one cold). */
async function twoThousand(platform, account, fns, say) {
  say(`scale: ${MORE_FUNCTIONS} more functions (${fns.length + MORE_FUNCTIONS} in all), then each invoked once`);
  const all = [...fns];
  await eachConcurrently(fns.length, fns.length + MORE_FUNCTIONS, SETUP_CONCURRENCY, async (i) => {
    const fn = await createFunction(platform.port, account, i);
    await api(platform.port, "POST", `${fn.base}/deployments/${fn.uuid}`, fn.key);
    all[i] = fn;
  });
  const before = runtimeMiB(platform);
  const res = await loadFor({
    port: platform.port,
    concurrency: CONCURRENCY,
    durationMs: 600_000,
    request: (i) => invokeRequest(all[i % all.length]),
    isOk: (status, body, i) => answersHello(all[i % all.length].i)(status, body),
    count: all.length,
  });
  return { functions: all.length, ok: res.ok, errors: res.errors, beforeMiB: before, afterMiB: runtimeMiB(platform), restarts: platform.runtime.recoveries.length, isolates: platform.runtime.isolates };
}

/** Phase 5: ACCOUNTS accounts × PER_ACCOUNT functions on a fresh instance, invoked in random order. */
async function manyAccounts({ tmp, vars, logFd, say, track }) {
  const platform = await startPlatform({ name: "scale-accounts", tmp, vars, logFd, say });
  track(platform);
  try {
    return await invokeManyAccounts(platform, vars, say);
  } finally {
    await platform.stop();
  }
}

async function invokeManyAccounts(platform, vars, say) {
  say(`scale: ${ACCOUNTS} accounts with ${PER_ACCOUNT} functions each`);
  const accounts = [];
  await eachConcurrently(0, ACCOUNTS, SETUP_CONCURRENCY, async (a) => {
    accounts[a] = await newAccount(platform.port, vars.OPERATOR_TOKEN, PER_ACCOUNT);
  });
  const fns = [];
  await eachConcurrently(0, ACCOUNTS * PER_ACCOUNT, SETUP_CONCURRENCY, async (n) => {
    if (freemem() / 2 ** 20 < MIN_FREE_MIB) throw new Error(`stopped at function ${n}: less than ${MIN_FREE_MIB} MiB of the machine's memory left (runtime ${runtimeMiB(platform).toFixed(0)} MiB)`);
    const fn = await createFunction(platform.port, accounts[Math.floor(n / PER_ACCOUNT)], n);
    await api(platform.port, "POST", `${fn.base}/deployments/${fn.uuid}`, fn.key);
    fns[n] = { ...fn, account: Math.floor(n / PER_ACCOUNT) };
  });
  // Every function once, in one random order (a fixed seed, so runs compare). Past the runtime's
  // isolate budget (1,000 kept) most of them run in an isolate built for the call: every function
  // twice took 7.4 minutes of the section's 11.
  const order = [...fns];
  let x = 42;
  for (let i = order.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) >>> 0;
    const j = x % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  say(`scale: ${order.length} invokes over ${fns.length} functions of ${ACCOUNTS} accounts, in random order`);
  const byAccount = Array.from({ length: ACCOUNTS }, () => []);
  const statuses = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < order.length) {
      const fn = order[next++];
      const t0 = performance.now();
      const res = await send(agent, platform.port, invokeRequest(fn)).catch((e) => ({ status: String(e.message), body: "" }));
      const key = answersHello(fn.i)(res.status, res.body) ? "ok" : String(res.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (key === "ok") byAccount[fn.account].push(performance.now() - t0);
    }
  }));
  agent.destroy();
  return { statuses, byAccount, invokes: order.length, runtimeMiB: runtimeMiB(platform) };
}

/** The whole scale section. Resolves the figures scaleReport() prints. */
export async function measureScale({ tmp, vars, logFd, say, track }) {
  const started = performance.now();
  const phases = {};
  const timed = async (name, work) => {
    const t0 = performance.now();
    const result = await work();
    phases[name] = (performance.now() - t0) / 1000;
    return result;
  };
  // The load generator's instance runs its front proxy in a process of its own (bench-platform.mjs).
  let platform = await startPlatform({ name: "scale", tmp, vars, logFd, say });
  track(platform);
  const baseMiB = runtimeMiB(platform);
  const account = await newAccount(platform.port, vars.OPERATOR_TOKEN, FUNCTIONS + MORE_FUNCTIONS);
  const deploys = await timed("deploys", () => deployOneByOne(platform, account, say));
  const totals = await timed("throughput", () => throughput(platform, deploys.fns, say));

  say("scale: restarting the instance on the same state, supervised as npm start runs it");
  await platform.stop();
  platform = await startSupervisedPlatform({ name: "scale", tmp, vars, logFd, say, keepState: true });
  track(platform);
  const restartedMiB = runtimeMiB(platform);
  const cold = await timed("cold", () => coldStarts(platform, deploys.fns, say));
  const many = await timed("2,000", () => twoThousand(platform, account, deploys.fns, say));
  await platform.stop();
  const bare = await timed("bare isolates", () => bareColdStarts({ tmp, logFd, say }));

  // A failure here (the memory guard) is reported with the other figures, not instead of them.
  const accounts = await timed("accounts", () => manyAccounts({ tmp, vars, logFd, say, track }).catch((error) => ({ error: error.message })));
  return { baseMiB, restartedMiB, ...deploys, fns: undefined, totals, cold, bare, many, accounts, phases, seconds: (performance.now() - started) / 1000 };
}
