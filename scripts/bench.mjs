// `npm run bench` (not part of npm test): the platform as `npm start` runs it (wrangler dev behind
// the front proxy), on a fresh temporary state and free ports, all on 127.0.0.1. It measures
//   - GET /healthz and the gateway invoke of a hello-world function, alternately, same concurrency
//   - deploy-to-first-successful-invoke latency over repeated redeploys
//   - the peak memory of the workerd processes
// and checks the targets of issue 2. Exits 1 if a target is missed, 2 if the bench itself failed.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateSecrets } from "./lib/dev-vars.mjs";
import { loadFor, percentile, send } from "./lib/load.mjs";
import { freePort, probe } from "./lib/net.mjs";
import { memoryOf, workerdUnder } from "./lib/procmem.mjs";
import { applyMigrations, startRuntime } from "./lib/runtime.mjs";
import { ROOT } from "./lib/tools.mjs";

const CONCURRENCY = 8;
const ROUNDS = 3;
const ROUND_MS = 5000;
const WARMUP_MS = 1000;
const DEPLOYS = 20;
const FIRST_INVOKE_GIVE_UP_MS = 10_000;
const WATCHDOG_MS = 6 * 60_000; // the whole bench, whatever happens
const TARGET_RATIO = 0.5;
const TARGET_DEPLOY_P50_MS = 250;

const say = (msg) => console.log(`[bench] ${msg}`);
const helloCode = (text) => `function lambda(input, callback) { callback(null, ${JSON.stringify(text)}); }`;

const tmp = mkdtempSync(path.join(tmpdir(), "edgefn-bench-"));
mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
const logFile = path.join(ROOT, ".bench", "runtime.log"); // wrangler's output; .bench/ is git-ignored
const logFd = openSync(logFile, "w");

let runtime;
let proxy;
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    proxy?.kill("SIGTERM");
    await runtime?.stop();
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => cleanup().then(() => process.exit(130)));
setTimeout(() => {
  console.error(`[bench] gave up after ${WATCHDOG_MS / 1000} s`);
  cleanup().then(() => process.exit(2));
}, WATCHDOG_MS).unref();

/** JSON API calls through the front proxy, for the setup. */
async function api(port, method, urlPath, token, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await send(false, port, { method, path: urlPath, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${urlPath} answered ${res.status}: ${res.body}`);
  return res.body ? JSON.parse(res.body) : null;
}

async function startPlatform(vars) {
  const persistTo = path.join(tmp, "state");
  say("applying migrations to a fresh temporary state");
  if ((await applyMigrations({ persistTo, stdio: ["ignore", logFd, logFd] })) !== 0) throw new Error(`migrations failed; see ${logFile}`);

  say("starting wrangler dev");
  runtime = startRuntime({ port: await freePort(), persistTo, vars, onLine: (l) => writeSync(logFd, `${l}\n`) });
  await runtime.ready;

  // The proxy gets its own process, as under npm start, so it does not share an event loop with
  // the load generator.
  const port = await freePort();
  proxy = spawn(process.execPath, [path.join(ROOT, "scripts", "front-proxy.mjs"), "--port", String(port), "--upstream-port", String(runtime.port)], { stdio: ["ignore", logFd, logFd] });
  for (let i = 0; i < 100 && (await probe(port)) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  if ((await probe(port)) !== 200) throw new Error("the front proxy did not come up");
  return port;
}

async function main() {
  const vars = generateSecrets(); // throwaway values for this run only, passed with --var
  const port = await startPlatform(vars);

  const memory = new Map(); // pid -> { name/cmdline, peak sampled RSS }
  let peakSumKiB = 0;
  let pids = [];
  let samples = 0;
  const sampler = setInterval(() => {
    // Walking /proc for the process tree is the costly part; the workerd pids rarely change.
    if (samples++ % 10 === 0) pids = workerdUnder(runtime.pid).map((p) => p.pid);
    const procs = pids.map(memoryOf).filter(Boolean);
    peakSumKiB = Math.max(peakSumKiB, procs.reduce((n, p) => n + p.rssKiB, 0));
    for (const p of procs) memory.set(p.pid, { ...p, hwmKiB: Math.max(p.hwmKiB, memory.get(p.pid)?.hwmKiB ?? 0) });
  }, 200);

  say("creating an account, a developer key and a hello-world function");
  const { accountId, adminKey } = await api(port, "POST", "/admin/accounts", vars.OPERATOR_TOKEN, { name: "bench" });
  const { key } = await api(port, "POST", `/api/account/${accountId}/api-keys`, adminKey, { name: "bench", role: "FaaS-Developer" });
  const base = `/api/account/${accountId}`;
  const { uuid } = await api(port, "POST", `${base}/lambdas`, key, { name: "hello", description: "bench", implementation: { code: helloCode("hello") } });
  await api(port, "POST", `${base}/deployments/${uuid}`, key);

  const healthz = { method: "GET", path: "/healthz" };
  const invoke = {
    method: "POST",
    path: `${base}/lambdas/${uuid}/invoke`,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ headers: [], payload: {} }),
  };
  const answers = (text) => (status, body) => status === 200 && body === JSON.stringify(text);
  const first = await send(false, port, invoke);
  if (!answers("hello")(first.status, first.body)) throw new Error(`the function answered ${first.status} ${first.body}`);

  say(`warm-up, then ${ROUNDS} rounds of ${ROUND_MS / 1000} s per endpoint, alternately, concurrency ${CONCURRENCY}`);
  await loadFor({ port, request: healthz, concurrency: CONCURRENCY, durationMs: WARMUP_MS });
  await loadFor({ port, request: invoke, concurrency: CONCURRENCY, durationMs: WARMUP_MS });
  const totals = { healthz: [], invoke: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, request, isOk] of [["healthz", healthz, undefined], ["invoke", invoke, answers("hello")]]) {
      const r = await loadFor({ port, request, concurrency: CONCURRENCY, durationMs: ROUND_MS, isOk });
      totals[name].push(r);
      say(`  round ${round} ${name.padEnd(7)} ${(r.ok / (r.elapsedMs / 1000)).toFixed(0).padStart(6)} req/s  (${r.errors} errors)`);
    }
  }

  say(`deploy → first successful invoke, ${DEPLOYS} times`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const firstInvokeMs = [];
  const deployCallMs = [];
  for (let i = 1; i <= DEPLOYS; i++) {
    const text = `hello-${i}`;
    await api(port, "PUT", `${base}/lambdas/${uuid}`, key, { implementation: { code: helloCode(text) } });
    const t0 = performance.now();
    await api(port, "POST", `${base}/deployments/${uuid}`, key);
    deployCallMs.push(performance.now() - t0);
    for (;;) {
      const res = await send(agent, port, invoke);
      if (answers(text)(res.status, res.body)) break;
      if (performance.now() - t0 > FIRST_INVOKE_GIVE_UP_MS) throw new Error(`deploy ${i}: no successful invoke after ${FIRST_INVOKE_GIVE_UP_MS} ms (last ${res.status} ${res.body})`);
    }
    firstInvokeMs.push(performance.now() - t0);
  }
  agent.destroy();

  clearInterval(sampler);
  for (const p of workerdUnder(runtime.pid)) memory.set(p.pid, { ...p, hwmKiB: Math.max(p.hwmKiB, memory.get(p.pid)?.hwmKiB ?? 0) });

  return report({ totals, firstInvokeMs, deployCallMs, memory: [...memory.values()], peakSumKiB, runtimePort: runtime.port });
}

function report({ totals, firstInvokeMs, deployCallMs, memory, peakSumKiB, runtimePort }) {
  const sum = (rs) => {
    const latencies = rs.flatMap((r) => r.latencies);
    const seconds = rs.reduce((n, r) => n + r.elapsedMs, 0) / 1000;
    return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors: rs.reduce((n, r) => n + r.errors, 0) };
  };
  const h = sum(totals.healthz);
  const v = sum(totals.invoke);
  const ratio = v.rps / h.rps;
  const f = (n, d = 1) => n.toFixed(d).padStart(8);
  const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
  const deployP50 = percentile(firstInvokeMs, 50);

  console.log(`
edgefn bench: concurrency ${CONCURRENCY}, ${ROUNDS} × ${ROUND_MS / 1000} s per endpoint (alternating), keep-alive, through the front proxy

                      req/s   p50 ms   p99 ms   errors
  GET /healthz     ${f(h.rps)} ${f(h.p50, 2)} ${f(h.p99, 2)} ${String(h.errors).padStart(8)}
  POST invoke      ${f(v.rps)} ${f(v.p50, 2)} ${f(v.p99, 2)} ${String(v.errors).padStart(8)}
  invoke / healthz throughput: ${ratio.toFixed(2)}

  deploy → first successful invoke (${firstInvokeMs.length} deploys): p50 ${deployP50.toFixed(0)} ms, p99 ${percentile(firstInvokeMs, 99).toFixed(0)} ms
    (of which the deploy request: p50 ${percentile(deployCallMs, 50).toFixed(0)} ms, p99 ${percentile(deployCallMs, 99).toFixed(0)} ms)

  peak memory (VmHWM) of workerd:`);
  if (!memory.length) console.log("    not available (needs Linux /proc)");
  for (const m of memory) {
    const role = m.cmdline.includes(`entry=127.0.0.1:${runtimePort}`) ? "wrangler's dev proxy" : "Worker runtime";
    console.log(`    ${mib(m.hwmKiB).padStart(10)}  pid ${m.pid} (${role})`);
  }
  if (memory.length) console.log(`    ${mib(peakSumKiB).padStart(10)}  highest sampled sum of RSS`);

  const targets = [
    [ratio >= TARGET_RATIO, `invoke throughput >= ${TARGET_RATIO} × healthz`, `${ratio.toFixed(2)} ×`],
    [deployP50 <= TARGET_DEPLOY_P50_MS, `deploy-to-first-invoke p50 <= ${TARGET_DEPLOY_P50_MS} ms`, `${deployP50.toFixed(0)} ms`],
  ];
  console.log("\n  targets");
  for (const [ok, what, got] of targets) console.log(`    ${ok ? "PASS" : "FAIL"}  ${what}: ${got}`);
  return targets.every(([ok]) => ok) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`[bench] failed: ${err.message}\n[bench] runtime log: ${logFile}`);
  process.exitCode = 2;
} finally {
  await cleanup();
}
