// The lines and targets of the bench's scale section (bench-scale.mjs measures them).
import { percentile } from "./load.mjs";

export const TARGET_SCALE_RATIO = 0.8; // 1,000 functions round-robin, against one function
export const TARGET_COLD_P50_MS = 20;
export const TARGET_COLD_P99_MS = 40;
export const TARGET_DEPLOY_P50_MS = 60;
// The last hundred deploys' p50 against the first hundred's. Printed beside it, not judged: each
// against the create requests of the same hundred (a slow stretch of the machine moves both; but
// the creates vary by themselves, 10.0 to 12.2 ms between the first and last hundred of one run),
// and the runtime's CPU per deploy (work, not waiting).
export const TARGET_DEPLOY_FLAT = 1.25;
export const TARGET_ACCOUNT_SPREAD = 2; // the slowest account's p50 against all invokes' p50
export const TARGET_SECTION_S = 600;

const sum = (rs) => {
  const latencies = rs.flatMap((r) => r.latencies);
  const seconds = rs.reduce((n, r) => n + r.elapsedMs, 0) / 1000;
  const cpuMs = rs.reduce((n, r) => n + (r.cpuMs ?? NaN), 0);
  return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors: rs.reduce((n, r) => n + r.errors, 0), cpuPerRequestMs: cpuMs / latencies.length };
};
const ms = (n) => `${n.toFixed(1)} ms`;
const mib = (n) => `${Math.round(n).toLocaleString("en")} MiB`;

export function scaleReport(r) {
  const h = sum(r.totals.healthz);
  const byCount = Object.fromEntries(Object.entries(r.totals).filter(([k]) => k !== "healthz").map(([k, rs]) => [k, sum(rs)]));
  const ratioOf = (k) => byCount[k].rps / h.rps;
  const counts = Object.keys(byCount).map(Number).sort((a, b) => a - b);
  const most = String(counts.at(-1));
  const scaleRatio = ratioOf(most) / ratioOf("1");
  const milestone = (n) => r.milestones.find((m) => m.count === n);
  const rows = counts.map((n) => {
    const m = milestone(n);
    return `    ${n.toLocaleString("en").padStart(6)}   ${ratioOf(String(n)).toFixed(2).padStart(6)}   ${ms(byCount[n].p99).padStart(9)}   ${ms(byCount[n].cpuPerRequestMs).padStart(8)}   ${(m ? mib(m.runtimeMiB) : "?").padStart(10)}   ${m ? `${(m.elapsedMs / 1000).toFixed(1)} s` : "?"}`;
  });

  const deployP50 = percentile(r.deployMs, 50);
  const firstHundred = percentile(r.deployMs.slice(0, 100), 50);
  const lastHundred = percentile(r.deployMs.slice(-100), 50);
  const rawFlat = lastHundred / firstHundred;
  const firstCreates = percentile(r.createMs.slice(0, 100), 50);
  const lastCreates = percentile(r.createMs.slice(-100), 50);
  const flat = (lastHundred / lastCreates) / (firstHundred / firstCreates);
  const total = (xs) => xs.reduce((n, x) => n + x, 0);
  const mean = (xs) => total(xs) / xs.length;
  const firstCpu = mean(r.deployCpuMs.slice(0, 100));
  const lastCpu = mean(r.deployCpuMs.slice(-100));
  const coldP50 = percentile(r.cold.cold, 50);
  const coldP99 = percentile(r.cold.cold, 99);
  const warmP50 = percentile(r.cold.warm, 50);
  const bareP50 = percentile(r.bare.cold, 50);
  // Every isolate the restarted runtime holds (each function invoked or deployed since) over its memory then.
  const perFunctionMiB = (r.many.afterMiB - r.restartedMiB) / r.many.isolates;

  const accountsFailed = r.accounts.error;
  if (accountsFailed) r.accounts = { byAccount: [], statuses: { [accountsFailed]: 1 }, invokes: 0, runtimeMiB: NaN };
  const allLatencies = r.accounts.byAccount.flat();
  const overallP50 = percentile(allLatencies, 50);
  const accountP50s = r.accounts.byAccount.map((xs) => percentile(xs, 50)).filter((x) => !Number.isNaN(x));
  const slowest = Math.max(...accountP50s);
  const failures = Object.entries(r.accounts.statuses).filter(([k]) => k !== "ok").reduce((n, [, v]) => n + v, 0);

  const lines = `
  scale (its own instances; concurrency 8; /healthz of the same rounds is the control):
    deployed     invoke /     invoke    runtime CPU   runtime      deploying
    functions    healthz      p99       per invoke    RSS          them
${rows.join("\n")}
    (/healthz: ${ms(h.cpuPerRequestMs)} of runtime CPU per request)
    (round-robin over the first N of ${r.milestones.at(-1).count.toLocaleString("en")} deployed functions; RSS and time when N were deployed;
     right after start the runtime used ${mib(r.baseMiB)})
    ${most} functions / 1 function: ${scaleRatio.toFixed(2)} ×
    deploy request, one after another: p50 ${ms(deployP50)}; first 100 ${ms(firstHundred)}, last 100 ${ms(lastHundred)} (${rawFlat.toFixed(2)} ×)
      control, the create request before each: first 100 ${ms(firstCreates)}, last 100 ${ms(lastCreates)}; deploys against it, last 100 / first 100: ${flat.toFixed(2)} ×
      runtime CPU per deploy: first 100 ${ms(firstCpu)}, last 100 ${ms(lastCpu)} (${(lastCpu / firstCpu).toFixed(2)} ×); the runtime's major page faults during deploys: first 100 ${total(r.deployMajorFaults.slice(0, 100))}, last 100 ${total(r.deployMajorFaults.slice(-100))}
    cold start after a restart (${r.cold.cold.length} functions, by the client): p50 ${ms(coldP50)}, p99 ${ms(coldP99)}; a warm invoke beside them: p50 ${ms(warmP50)}
      runtime CPU per cold invoke ${ms(r.cold.coldCpuMs)}, per warm invoke ${ms(r.cold.warmCpuMs)}
      control, a bare isolate on the same runtime built by a Worker that does nothing else: p50 ${ms(bareP50)}, p99 ${ms(percentile(r.bare.cold, 99))} (a warm one beside: ${ms(percentile(r.bare.warm, 50))}); the platform's cold start p50 is ${(coldP50 / bareP50).toFixed(2)} × it
    ${r.many.functions.toLocaleString("en")} functions each invoked once after the restart, supervised as npm start runs it: ${r.many.ok} answered, ${r.many.errors} failed, ${r.many.restarts} restarts of the runtime;
      runtime ${mib(r.restartedMiB)} after the restart → ${mib(r.many.afterMiB)} holding ${r.many.isolates} isolates: ${perFunctionMiB.toFixed(2)} MiB per function isolate
    ${accountsFailed ? `many accounts: not measured (${accountsFailed})` : `${r.accounts.byAccount.length} accounts × ${r.accounts.invokes / r.accounts.byAccount.length} functions, ${r.accounts.invokes} invokes in random order: ${JSON.stringify(r.accounts.statuses)}`}
      p50 ${ms(overallP50)}, p99 ${ms(percentile(allLatencies, 99))}; slowest account's p50 ${ms(slowest)}; runtime ${mib(r.accounts.runtimeMiB)}
    the section took ${(r.seconds / 60).toFixed(1)} min (${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(", ")})`;
  const targets = [
    [scaleRatio >= TARGET_SCALE_RATIO, `${most} functions round-robin >= ${TARGET_SCALE_RATIO} × one function (invoke/healthz)`, `${scaleRatio.toFixed(2)} ×`],
    [coldP50 <= TARGET_COLD_P50_MS, `cold start p50 <= ${TARGET_COLD_P50_MS} ms`, ms(coldP50)],
    [coldP99 <= TARGET_COLD_P99_MS, `cold start p99 <= ${TARGET_COLD_P99_MS} ms`, ms(coldP99)],
    [deployP50 <= TARGET_DEPLOY_P50_MS, `deploy p50 <= ${TARGET_DEPLOY_P50_MS} ms over ${r.deployMs.length} deploys`, ms(deployP50)],
    [rawFlat <= TARGET_DEPLOY_FLAT, `deploys flat: last 100's p50 <= ${TARGET_DEPLOY_FLAT} × first 100's`, `${rawFlat.toFixed(2)} × (against the creates ${flat.toFixed(2)} ×, runtime CPU ${(lastCpu / firstCpu).toFixed(2)} ×)`],
    [r.many.errors === 0 && r.many.ok === r.many.functions && r.many.restarts === 0, `npm start serves all ${r.many.functions.toLocaleString("en")} functions, without a restart`, `${r.many.ok} answered, ${r.many.errors} failed, ${r.many.restarts} restarts`],
    [failures === 0 && !accountsFailed, `${r.accounts.byAccount.length || "many"} accounts × functions in random order: no failure`, accountsFailed ?? `${failures} failed`],
    [r.seconds <= TARGET_SECTION_S, `the scale section runs in under ${TARGET_SECTION_S / 60} minutes`, `${(r.seconds / 60).toFixed(1)} min`],
    [slowest <= TARGET_ACCOUNT_SPREAD * overallP50, `no account waits behind another: slowest account's p50 <= ${TARGET_ACCOUNT_SPREAD} × all invokes' p50`, `${(slowest / overallP50).toFixed(2)} ×`],
  ];
  return { lines, targets };
}
