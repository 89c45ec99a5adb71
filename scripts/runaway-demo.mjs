// `npm run demo:runaway` — against a RUNNING `npm start` (PORT, default 8787): deploys a function
// that spins the CPU forever, invokes it, and shows that the platform recovers by itself:
//   1. the runtime stops answering (workerd enforces no CPU limit locally; Cloudflare's cpuMs would
//      stop the function instead),
//   2. `npm start`'s supervisor notices after 5 s (EDGEFN_STALL_MS) and restarts the Worker runtime
//      process; the platform serves again within seconds (issue 11: 10 s at most),
//   3. the runaway invocation ends up recorded as TIMEOUT or PLATFORM_FAILURE (its lease in the
//      AccountGate expires after the restart and closes the record, naming the CPU stall), and
//      nothing else is lost.
// Exits 0 when all of that held, 1 otherwise. Sends traffic only to 127.0.0.1.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDevVars } from "./lib/dev-vars.mjs";
import { probe } from "./lib/net.mjs";
import { ROOT } from "./lib/tools.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://127.0.0.1:${PORT}`;
const RECOVERY_BUDGET_MS = 60_000;
const RECORD_BUDGET_MS = 120_000;

const say = (msg) => console.log(`[demo ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(pathname, { key, body, method } = {}) {
  const res = await fetch(`${BASE}${pathname}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body !== undefined && { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method ?? "POST"} ${pathname} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function deployFunction(a, dev, name, code) {
  const { uuid } = await api(`/api/account/${a}/lambdas`, { key: dev, body: { name, description: "runaway demo", implementation: { code } } });
  await api(`/api/account/${a}/deployments/${uuid}`, { key: dev, method: "POST" });
  return uuid;
}

async function main() {
  if ((await probe(PORT, "/healthz", 3000)) !== 200) throw new Error(`no edgefn at ${BASE}: start it with npm start (PORT=${PORT})`);
  const { OPERATOR_TOKEN } = parseDevVars(readFileSync(path.join(ROOT, ".dev.vars"), "utf8"));
  const { accountId: a, adminKey } = await api("/admin/accounts", { key: OPERATOR_TOKEN, body: { name: "Runaway demo" } });
  const { key: dev } = await api(`/api/account/${a}/api-keys`, { key: adminKey, body: { name: "demo", role: "FaaS-Developer" } });
  const stamp = Date.now().toString(36);
  const healthy = await deployFunction(a, dev, `healthy_${stamp}`, "function lambda(input, callback) { callback(null, 'fine'); }");
  const runaway = await deployFunction(a, dev, `runaway_${stamp}`, "function lambda(input, callback) { while (true) {} }");
  say(`account ${a}: deployed a healthy function and one that spins forever (${runaway})`);

  const started = Date.now();
  say("invoking the runaway function (the caller will not get a useful answer)");
  const call = fetch(`${BASE}/api/account/${a}/lambdas/${runaway}/invoke?v=1`, {
    method: "POST",
    headers: { authorization: `Bearer ${dev}`, "content-type": "application/json" },
    body: JSON.stringify({ headers: [], payload: {} }),
    signal: AbortSignal.timeout(RECOVERY_BUDGET_MS + 30_000),
  }).then((r) => `HTTP ${r.status}`, (e) => `no answer (${e.cause?.code ?? e.name})`);

  let hungAt = 0;
  let backAt = 0;
  while (Date.now() - started < RECOVERY_BUDGET_MS + 30_000) {
    const ok = (await probe(PORT, "/healthz", 1500)) === 200;
    if (!ok && !hungAt) say(`the platform stopped answering after ${((hungAt = Date.now()) - started) / 1000} s`);
    if (ok && hungAt) {
      backAt = Date.now();
      break;
    }
    await sleep(1000);
  }
  say(`the caller of the runaway invocation got: ${await Promise.race([call, sleep(1000).then(() => "still waiting")])}`);
  if (!hungAt) throw new Error("the platform never stopped answering: did the runaway function run?");
  if (!backAt) throw new Error(`the platform did not answer again within ${(RECOVERY_BUDGET_MS + 30_000) / 1000} s`);
  const recovery = backAt - hungAt;
  say(`the platform serves again ${(recovery / 1000).toFixed(1)} s after it stopped answering`);

  const fine = await api(`/api/account/${a}/lambdas/${healthy}/invoke?v=1`, { key: dev, body: { headers: [], payload: {} } });
  say(`the healthy function answers: ${JSON.stringify(fine)}`);

  let record;
  const recordDeadline = Date.now() + RECORD_BUDGET_MS;
  while (!record && Date.now() < recordDeadline) {
    const { items } = await api(`/api/account/${a}/invocations?lambdaUUID=${runaway}`, { key: dev });
    record = items.find((i) => i.status === "TIMEOUT" || i.status === "PLATFORM_FAILURE");
    if (!record) await sleep(2000);
  }
  if (!record) throw new Error(`no TIMEOUT or PLATFORM_FAILURE record for the runaway invocation within ${RECORD_BUDGET_MS / 1000} s`);
  say(`the runaway invocation is recorded: ${record.status} ${record.errorCode ?? ""} (${record.id})`);
  const ok = recovery <= RECOVERY_BUDGET_MS;
  say(ok ? "PASS: recovered within a minute and nothing was lost" : `FAIL: recovery took longer than ${RECOVERY_BUDGET_MS / 1000} s`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(`[demo] FAIL: ${err.message}`);
  process.exitCode = 1;
});
