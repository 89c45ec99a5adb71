// `npm run bench` (or BENCH_ONLY=observability): the per-account data plane at scale (issue 12's
// quality bar), on its own instance with EDGEFN_BENCH=1 (which opens POST /admin/bench/seed):
//   1. seeds BENCH_LOG_ENTRIES (default 1,000,000) log entries into one account, 3 to 20 days old
//      (within the default retention of 30 days), and times it;
//   2. search latency of a fixed mix of queries (words, phrases, prefixes, filters, a 1-day span,
//      paging) through GET /logs, one client, each followed by a GET /healthz as the control
//      (target: p95 <= 100 ms);
//   3. the CSV export of 10,000 and of 100,000 entries (time spans that hold exactly that many),
//      read as a stream while the RSS of the instance's workerd processes is sampled every 100 ms
//      (target: flat memory, i.e. the larger export grows RSS by at most 1.5 x the smaller + 20 MiB,
//      and every line arrives);
//   4. retention under load: invoke p99 of a hello-world function of the same account over 3 × 5 s
//      while the account's alarm deletes every seeded entry (logRetentionDays 30 -> 1), against the
//      control: 2 × 5 s before the change and 2 × 5 s after retention ended (target: <= 1.2 x); and
//      how long until search finds none (polled every second, given up after 5 minutes).
// All traffic goes to 127.0.0.1.
import http from "node:http";
import { accountWithFunction, api, startPlatform } from "./bench-platform.mjs";
import { loadFor, percentile, send } from "./load.mjs";
import { HOST } from "./net.mjs";
import { memoryOf, workerdUnder } from "./procmem.mjs";

export const DAY_MS = 24 * 60 * 60 * 1000;
/** The seed route's limits and vocabulary (src/api/bench-seed.ts). */
export const LOGS_PER_RECORD = 10;
export const SEED_CALL_RECORDS = 1_000;
export const COMMON_WORDS = ["order", "request", "customer", "message", "processed", "conversation", "status", "received"];
export const RARE_WORDS = 5_000;
export const rareWord = (i) => `token${i.toString(36)}`;
/** Seeded entries are this old (days): within the default retention, and all past a retention of 1 day. */
export const NEWEST_AGE_DAYS = 3;
export const OLDEST_AGE_DAYS = 20;
/** Share of the seed calls per function (the lambdaUUID filter then selects 60 %, 30 % or 10 %). */
const FUNCTION_SHARES = [6, 3, 1];

const SEED_CONCURRENCY = 2; // the Worker builds one batch while the account's object stores another
const SEARCH_PER_KIND = 15;
const SEARCH_LIMIT = 50;
/** A search slower than this is given up (50 × the target); the rest of its kind is skipped. */
const SEARCH_TIMEOUT_MS = 5_000;
/** After a search was given up, how long to wait for the account's object to answer again. */
const SEARCH_DRAIN_GIVE_UP_MS = 5 * 60_000;
const EXPORT_SIZES = [10_000, 100_000];
const RSS_SAMPLE_MS = 100;
const LOAD_CONCURRENCY = 8;
const LOAD_MS = 5_000;
const DURING_WINDOWS = 3; // while retention deletes; the control is 2 windows before and 2 after it
const RETENTION_POLL_MS = 1_000;
const RETENTION_GIVE_UP_MS = 5 * 60_000;
/** Retention that has deleted nothing this long after the change is reported as not started. */
const RETENTION_STALL_MS = 60_000;
const RETENTION_PROGRESS_MS = 15_000;

export const TARGET_SEARCH_P95_MS = 100;
export const TARGET_EXPORT_FACTOR = 1.5;
export const TARGET_EXPORT_SLACK_MIB = 20;
export const TARGET_RETENTION_P99_RATIO = 1.2;

const HELLO_CODE = `function lambda(input, callback) { callback(null, "hello"); }`;

/** A small deterministic generator (mulberry32), so that a run always asks the same queries. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The seed calls for at least `entries` log entries (whole records of LOGS_PER_RECORD), one record
 * every stepMs from OLDEST_AGE_DAYS to NEWEST_AGE_DAYS before `now`, spread over `uuids` by
 * FUNCTION_SHARES. Record i starts at first + i * stepMs and its entries follow 1 ms apart, so
 * [first + a * stepMs, first + b * stepMs - 1] holds exactly the entries of records a..b-1.
 */
export function seedPlan(entries, now, uuids) {
  const records = Math.max(1, Math.ceil(entries / LOGS_PER_RECORD));
  const first = now - OLDEST_AGE_DAYS * DAY_MS;
  const stepMs = Math.floor(((OLDEST_AGE_DAYS - NEWEST_AGE_DAYS) * DAY_MS) / records);
  if (stepMs <= LOGS_PER_RECORD) throw new Error(`too many entries to seed: ${entries}`);
  const shares = FUNCTION_SHARES.slice(0, uuids.length);
  const whole = shares.reduce((a, b) => a + b, 0);
  const owner = (k) => {
    let r = k % whole;
    for (let i = 0; i < shares.length; i++) if ((r -= shares[i]) < 0) return uuids[i];
    return uuids[0];
  };
  const calls = [];
  for (let done = 0, k = 0; done < records; k++) {
    const n = Math.min(SEED_CALL_RECORDS, records - done);
    calls.push({ lambdaUuid: owner(k), records: n, startedAt: first + done * stepMs, seed: k + 1 });
    done += n;
  }
  const last = first + (records - 1) * stepMs + LOGS_PER_RECORD - 1;
  return { records, entries: records * LOGS_PER_RECORD, first, last, stepMs, calls };
}

/** The export span that holds exactly the entries of `n` records from record `from` on. */
export function recordSpan(plan, from, n) {
  if (from < 0 || n < 1 || from + n > plan.records) throw new Error(`records ${from}..${from + n - 1} are not all seeded`);
  return { startTimestamp: plan.first + from * plan.stepMs, endTimestamp: plan.first + (from + n) * plan.stepMs - 1 };
}

/** Seeded entries at or after timestamp `t` (retention deletes oldest first). */
export function entriesFrom(plan, t) {
  if (t <= plan.first) return plan.entries;
  if (t > plan.last) return 0;
  const record = Math.floor((t - plan.first) / plan.stepMs);
  const offset = (t - plan.first) % plan.stepMs; // the entry within its record (1 ms apart)
  return Math.max(0, (plan.records - record) * LOGS_PER_RECORD - Math.min(offset, LOGS_PER_RECORD));
}

/**
 * The fixed query mix: SEARCH_PER_KIND queries of each kind, as { kind, params, pages }. Words come
 * from the seed route's vocabulary; the filtered kinds carry a text condition of any kind (or none).
 */
export function searchMix(plan, uuids, perKind = SEARCH_PER_KIND, seed = 12) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const common = () => pick(COMMON_WORDS);
  const rare = () => rareWord(Math.floor(next() * RARE_WORDS));
  const phrase = () => `"${common()} ${rare()}"`;
  // "token1*" (about a quarter of the rare words) or "token1a*" (37 of them).
  const prefix = () => `${rare().slice(0, next() < 0.5 ? 6 : 7)}*`;
  const any = () => pick([undefined, common, rare, phrase, prefix])?.();
  const q = (text) => (text === undefined ? {} : { q: text });
  const day = () => {
    const from = plan.first + Math.floor(next() * Math.max(1, plan.last - plan.first - DAY_MS));
    return { from: String(from), to: String(from + DAY_MS - 1) };
  };
  const kinds = [
    ["word, common", () => q(common())],
    ["word, rare", () => q(rare())],
    ["phrase", () => q(phrase())],
    ["prefix", () => q(prefix())],
    ["+ lambdaUUID", () => ({ ...q(any()), lambdaUUID: pick(uuids) })],
    ["+ levels=Error", () => ({ ...q(any()), levels: "Error" })],
    ["+ 1-day span", () => ({ ...q(any()), ...day() })],
  ];
  const mix = [];
  for (const [kind, params] of kinds) for (let i = 0; i < perKind; i++) mix.push({ kind, params: { ...params(), limit: String(SEARCH_LIMIT) }, pages: 1 });
  // Paging: each sequence is 3 requests (pages 1, 2, 3 through nextCursor), counted one by one.
  for (let i = 0; i < Math.ceil(perKind / 3); i++) mix.push({ kind: "3 pages deep", params: { ...q(pick([common, prefix])()), limit: String(SEARCH_LIMIT) }, pages: 3 });
  return mix;
}

/** Whether the larger export's RSS growth is flat: at most factor x the smaller's + slack. */
export function flatMemory(smallKiB, largeKiB, factor = TARGET_EXPORT_FACTOR, slackMiB = TARGET_EXPORT_SLACK_MIB) {
  const allowedKiB = factor * Math.max(0, smallKiB) + slackMiB * 1024;
  return { ok: largeKiB <= allowedKiB, allowedKiB };
}

/** Sampled sum of the RSS of the workerd processes under `rootPid`. */
function rssSampler(rootPid) {
  let pids = workerdUnder(rootPid).map((p) => p.pid);
  let ticks = 0;
  const sum = () => pids.map(memoryOf).filter(Boolean).reduce((n, p) => n + p.rssKiB, 0);
  return {
    sum,
    /** Samples every RSS_SAMPLE_MS until the returned stop() (which answers the highest sum seen). */
    start() {
      let peak = sum();
      const timer = setInterval(() => {
        if (++ticks % 20 === 0) pids = workerdUnder(rootPid).map((p) => p.pid); // walking /proc is the costly part
        peak = Math.max(peak, sum());
      }, RSS_SAMPLE_MS);
      timer.unref(); // never what keeps the bench alive
      return () => {
        clearInterval(timer);
        return Math.max(peak, sum());
      };
    },
  };
}

/**
 * GET a streamed body, counting its lines as they come (never holding it). With stopAfter, the
 * first lines are kept and the request is dropped once that many arrived.
 */
function streamLines(port, urlPath, token, { stopAfter, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: HOST, port, path: urlPath, headers: { authorization: `Bearer ${token}` }, agent: false, timeout: timeoutMs }, (res) => {
      let lines = 0;
      let bytes = 0;
      let head = "";
      const done = () => resolve({ status: res.statusCode, lines, bytes, ms: performance.now() - t0, head: head.split("\n").slice(0, stopAfter ?? 0) });
      res.on("data", (chunk) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        if (stopAfter === undefined) return;
        head += chunk.toString("utf8");
        if (lines >= stopAfter) {
          done();
          req.destroy();
        }
      });
      res.on("end", done);
      res.on("error", (error) => (stopAfter !== undefined && lines >= stopAfter ? undefined : reject(error)));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", (error) => (stopAfter !== undefined ? undefined : reject(error)));
  });
}

const query = (params) => new URLSearchParams(params).toString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmtInt = (n) => Math.round(n).toLocaleString("en-US");

async function seed(port, token, accountId, plan, say) {
  say(`seeding ${fmtInt(plan.entries)} log entries (${fmtInt(plan.records)} records × ${LOGS_PER_RECORD}, ${plan.calls.length} calls of ≤ ${SEED_CALL_RECORDS} records), ${OLDEST_AGE_DAYS} to ${NEWEST_AGE_DAYS} days old`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: SEED_CONCURRENCY });
  const t0 = performance.now();
  let next = 0;
  let seeded = 0;
  let reported = 0;
  const worker = async () => {
    while (next < plan.calls.length) {
      const c = plan.calls[next++];
      const body = JSON.stringify({ accountId, lambdaUuid: c.lambdaUuid, records: c.records, logsPerRecord: LOGS_PER_RECORD, startedAt: c.startedAt, stepMs: plan.stepMs, seed: c.seed });
      const res = await send(agent, port, { method: "POST", path: "/admin/bench/seed", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body }, 120_000);
      if (res.status !== 200) throw new Error(`POST /admin/bench/seed answered ${res.status}: ${res.body}`);
      const { stored } = JSON.parse(res.body);
      if (stored !== c.records) throw new Error(`POST /admin/bench/seed stored ${stored} of ${c.records} records`);
      seeded += c.records * LOGS_PER_RECORD;
      if (seeded - reported >= plan.entries / 10 || seeded === plan.entries) {
        reported = seeded;
        const s = (performance.now() - t0) / 1000;
        say(`  ${fmtInt(seeded).padStart(10)} entries in ${s.toFixed(1).padStart(5)} s (${fmtInt(seeded / s)} entries/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  agent.destroy();
  return { entries: seeded, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Runs the query mix, one request at a time, each followed by GET /healthz. A search given up
 * after SEARCH_TIMEOUT_MS counts as Infinity; since the account's object goes on with it (and
 * serves nothing else meanwhile), the next request waits until it answers again (busyMs), and the
 * rest of that kind is skipped, so that one slow plan cannot hold the bench for long.
 */
async function searchLatency(port, fn, mix, say) {
  say(`search: ${mix.reduce((n, m) => n + m.pages, 0)} requests of GET /logs (${new Set(mix.map((m) => m.kind)).size} kinds), each followed by GET /healthz`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { authorization: `Bearer ${fn.key}` };
  const timed = async (path, timeoutMs = SEARCH_TIMEOUT_MS) => {
    const t0 = performance.now();
    try {
      const res = await send(agent, port, { path, headers }, timeoutMs);
      return { ms: performance.now() - t0, res };
    } catch (error) {
      if (!/^timeout/.test(error.message)) throw error;
      return { ms: Infinity, res: null };
    }
  };
  const byKind = new Map();
  const healthz = [];
  const busyMs = [];
  const run = async (m, record) => {
    if (!byKind.has(m.kind)) byKind.set(m.kind, { ms: [], hits: 0, empty: 0, timedOut: [], skipped: 0 });
    const k = byKind.get(m.kind);
    if (k.timedOut.length) return void (k.skipped += m.pages);
    let cursor;
    for (let page = 1; page <= m.pages; page++) {
      const path = `${fn.base}/logs?${query({ ...m.params, ...(cursor && { cursor }) })}`;
      const { ms, res } = await timed(path);
      if (!res) {
        say(`  gave up GET ${decodeURIComponent(path.slice(fn.base.length))} after ${SEARCH_TIMEOUT_MS / 1000} s; waiting for the account's object`);
        k.timedOut.push(m.params);
        if (record) k.ms.push(ms);
        k.skipped += m.pages - page;
        const t0 = performance.now();
        const drained = await timed(`${fn.base}/logs?limit=1`, SEARCH_DRAIN_GIVE_UP_MS);
        if (!drained.res) throw new Error(`the account's object did not answer within ${SEARCH_DRAIN_GIVE_UP_MS / 1000} s of a search given up`);
        busyMs.push(performance.now() - t0 + SEARCH_TIMEOUT_MS);
        return;
      }
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body}`);
      const { items, nextCursor } = JSON.parse(res.body);
      if (record) {
        k.ms.push(ms);
        k.hits += items.length;
        if (items.length === 0) k.empty++;
        const h = await timed("/healthz");
        if (h.res?.status !== 200) throw new Error(`GET /healthz answered ${h.res?.status ?? "nothing in time"}`);
        healthz.push(h.ms);
      }
      cursor = nextCursor;
      if (!cursor) break;
    }
  };
  for (const m of mix.slice(0, 8)) await run(m, false); // warm-up: the first queries again, not counted
  for (const k of byKind.values()) Object.assign(k, { ms: [], hits: 0, empty: 0, skipped: 0 });
  for (const m of mix) await run(m, true);
  agent.destroy();
  return { byKind: [...byKind].map(([kind, k]) => ({ kind, ...k })), healthz, busyMs };
}

/** Exports each span, reading the stream, with the workerd RSS sampled; the first one is a warm-up. */
async function exportMemory(platform, fn, plan, say) {
  const sampler = rssSampler(platform.runtime.pid);
  const sizes = [...new Set(EXPORT_SIZES.map((n) => Math.min(n, plan.entries)))];
  const results = [];
  // Spans in different parts of the timeline, so that no export reads pages another one cached.
  const spans = [[Math.floor(plan.records * 0.9), 100], ...sizes.map((n, i) => [Math.floor(plan.records * (i === 0 ? 0.05 : 0.3)), n / LOGS_PER_RECORD])];
  for (const [i, [fromRecord, records]] of spans.entries()) {
    const from = Math.min(fromRecord, plan.records - records);
    const span = recordSpan(plan, from, records);
    const path = `${fn.base}/logs/export?${query({ startTimestamp: String(span.startTimestamp), endTimestamp: String(span.endTimestamp) })}`;
    await sleep(1000); // let the previous export's garbage go
    const before = [];
    for (let s = 0; s < 5; s++, await sleep(RSS_SAMPLE_MS)) before.push(sampler.sum());
    const baselineKiB = percentile(before, 50);
    if (i > 0) say(`export: ${fmtInt(records * LOGS_PER_RECORD)} entries as CSV, RSS of workerd sampled every ${RSS_SAMPLE_MS} ms`);
    let retried = null;
    const stop = sampler.start();
    let peakKiB;
    let r;
    try {
      r = await streamLines(platform.port, path, fn.key).catch((error) => {
        // wrangler dev restarts the Worker when a source file changes (others may be editing):
        // a cut stream is tried once more, and the report says so.
        retried = error.message;
        say(`  the export was cut (${error.message}); once more`);
        return streamLines(platform.port, path, fn.key);
      });
    } finally {
      peakKiB = stop();
    }
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
    if (i > 0) results.push({ retried, entries: records * LOGS_PER_RECORD, lines: r.lines, bytes: r.bytes, seconds: r.ms / 1000, baselineKiB, peakKiB, growthKiB: peakKiB - baselineKiB });
  }
  return results;
}

/** Retention of every seeded entry under load: invoke p99 before and while the alarm deletes, and how long it takes. */
async function retentionUnderLoad(port, operatorToken, fn, plan, say) {
  const invoke = {
    method: "POST",
    path: `${fn.base}/lambdas/${fn.uuid}/invoke`,
    headers: { authorization: `Bearer ${fn.key}`, "content-type": "application/json" },
    body: JSON.stringify({ headers: [], payload: {} }),
  };
  const isOk = (status, body) => status === 200 && body === JSON.stringify("hello");
  const window = () => loadFor({ port, request: invoke, concurrency: LOAD_CONCURRENCY, durationMs: LOAD_MS, isOk });
  // Several windows pooled: the p99 of one 5-second window swung more from run to run (1.03–1.30 ×
  // in one day's runs) than retention moved it.
  const pooled = (rs) => {
    const latencies = rs.flatMap((r) => r.latencies);
    const seconds = rs.reduce((n, r) => n + r.elapsedMs, 0) / 1000;
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: latencies.length / seconds, errors: rs.reduce((n, r) => n + r.errors, 0), seconds };
  };
  // Entries left: none when search finds nothing up to the newest seeded one; otherwise counted
  // from the oldest left (the first line of an export, which is oldest first).
  const anyLeft = async () => {
    const res = await send(false, port, { path: `${fn.base}/logs?${query({ limit: "1", to: String(plan.last) })}`, headers: { authorization: `Bearer ${fn.key}` } }, 30_000);
    if (res.status !== 200) throw new Error(`GET /logs answered ${res.status}: ${res.body}`);
    return JSON.parse(res.body).items.length > 0;
  };
  const left = async () => {
    const r = await streamLines(port, `${fn.base}/logs/export?${query({ endTimestamp: String(plan.last) })}`, fn.key, { stopAfter: 2, timeoutMs: 30_000 });
    const first = r.head[1];
    return first ? entriesFrom(plan, Number(first.split(";")[2])) : 0;
  };
  const first = await send(false, port, invoke);
  if (!isOk(first.status, first.body)) throw new Error(`the hello-world function answered ${first.status} ${first.body}`);
  say(`retention: invoke at concurrency ${LOAD_CONCURRENCY}, 2 × ${LOAD_MS / 1000} s (control), then logRetentionDays 1 and ${DURING_WINDOWS} × ${LOAD_MS / 1000} s while the alarm deletes, then 2 × ${LOAD_MS / 1000} s more control after it`);
  await loadFor({ port, request: invoke, concurrency: LOAD_CONCURRENCY, durationMs: 1000, isOk }); // warm-up
  const controls = [await window(), await window()];
  const leftBefore = await left();
  await api(port, "PUT", `/admin/accounts/${fn.accountId}/limits`, operatorToken, { logRetentionDays: 1 });
  const t0 = Date.now();
  const duringWindows = [];
  for (let i = 0; i < DURING_WINDOWS; i++) duringWindows.push(await window());
  const during = pooled(duringWindows);
  const leftAfterLoad = await left();
  say(`  invoke p99 ${pooled(controls).p99.toFixed(1)} ms before, ${during.p99.toFixed(1)} ms during; ${fmtInt(leftBefore - leftAfterLoad)} entries deleted meanwhile`);
  let doneMs = null;
  let stalled = false;
  let lastProgress = Date.now();
  while (Date.now() - t0 < RETENTION_GIVE_UP_MS) {
    if (!(await anyLeft())) {
      doneMs = Date.now() - t0;
      break;
    }
    if (Date.now() - lastProgress >= RETENTION_PROGRESS_MS) {
      lastProgress = Date.now();
      const n = await left();
      say(`  ${fmtInt(n).padStart(10)} entries left after ${((Date.now() - t0) / 1000).toFixed(0)} s (${fmtInt((leftBefore - n) / ((Date.now() - t0) / 1000))} deleted/s)`);
      if (n >= leftBefore && Date.now() - t0 >= RETENTION_STALL_MS) {
        stalled = true;
        break;
      }
    }
    await sleep(RETENTION_POLL_MS);
  }
  const leftAtEnd = doneMs === null ? await left() : 0;
  // The control: as many seconds before retention started as after it ended (or gave up).
  controls.push(await window(), await window());
  return { before: pooled(controls), during, leftBefore, leftAfterLoad, doneMs, stalled, waitedMs: Date.now() - t0, leftAtEnd };
}

/** Resolves the section's figures; see observabilityReport. */
export async function measureObservability({ tmp, vars, logFd, say, track }) {
  const started = performance.now();
  const platform = await startPlatform({ name: "observability", tmp, vars: { ...vars, EDGEFN_BENCH: "1" }, logFd, say });
  track(platform);
  const port = platform.port;
  const fn = await accountWithFunction(port, vars.OPERATOR_TOKEN, HELLO_CODE, "hello");
  // Two more functions of the account (the lambdaUUID filter selects 60 %, 30 % or 10 % of the entries).
  const uuids = [fn.uuid];
  for (const name of ["second", "third"]) uuids.push((await api(port, "POST", `${fn.base}/lambdas`, fn.key, { name, description: "bench", implementation: { code: HELLO_CODE } })).uuid);
  const plan = seedPlan(Number(process.env.BENCH_LOG_ENTRIES ?? 1_000_000), Date.now(), uuids);
  const seeding = await seed(port, vars.OPERATOR_TOKEN, fn.accountId, plan, say);
  const search = await searchLatency(port, fn, searchMix(plan, uuids), say);
  const exports = await exportMemory(platform, fn, plan, say);
  const retention = await retentionUnderLoad(port, vars.OPERATOR_TOKEN, fn, plan, say);
  await platform.stop();
  return { entries: plan.entries, seeding, search, exports, retention, seconds: (performance.now() - started) / 1000 };
}

/** The report's lines and its targets ([ok, what, got]). */
export function observabilityReport(r) {
  const f = (n, d = 1, w = 8) => (Number.isFinite(n) ? n.toFixed(d) : n === Infinity ? `>${SEARCH_TIMEOUT_MS}` : "-").padStart(w);
  const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
  const all = r.search.byKind.flatMap((k) => k.ms);
  const row = (label, ms, extra = "") => `      ${label.padEnd(22)}${String(ms.length).padStart(5)} ${f(percentile(ms, 50))} ${f(percentile(ms, 95))} ${f(Math.max(...ms))}${extra}`;
  const perPage = (k) => (k.ms.some(Number.isFinite) ? k.hits / k.ms.filter(Number.isFinite).length : NaN);
  const notes = (k) => [k.empty && `${k.empty} empty`, k.timedOut.length && `${k.timedOut.length} given up`, k.skipped && `${k.skipped} skipped`].filter(Boolean).join(", ");
  const givenUp = r.search.byKind.flatMap((k) => k.timedOut.map((params) => `      given up after ${SEARCH_TIMEOUT_MS / 1000} s (${k.kind}): ${query(params)}`));
  const skipped = r.search.byKind.reduce((n, k) => n + k.skipped, 0);
  const searchP95 = percentile(all, 95);
  const healthzP95 = percentile(r.search.healthz, 95);
  const [small, large] = r.exports;
  const exact = r.exports.every((e) => e.lines === e.entries + 1);
  const flat = small && large ? flatMemory(small.growthKiB, large.growthKiB) : null;
  const ret = r.retention;
  const ratio = ret.during.p99 / ret.before.p99;
  const deletedDuringLoad = ret.leftBefore - ret.leftAfterLoad;
  const doneText =
    ret.doneMs !== null
      ? `${(ret.doneMs / 1000).toFixed(0)} s`
      : ret.stalled
        ? `not done: nothing deleted ${(ret.waitedMs / 1000).toFixed(0)} s after the change (given up then)`
        : `not done after ${(ret.waitedMs / 60_000).toFixed(0)} min (about ${fmtInt(ret.leftAtEnd)} entries left)`;

  const lines = [
    "",
    `  observability (its own instance, EDGEFN_BENCH=1; ${fmtInt(r.entries)} log entries in one account; ${r.seconds.toFixed(0)} s in all):`,
    `    seeding: ${fmtInt(r.seeding.entries)} entries in ${r.seeding.seconds.toFixed(1)} s (${fmtInt(r.seeding.entries / r.seeding.seconds)} entries/s, POST /admin/bench/seed)`,
    `    search (GET /logs, limit ${SEARCH_LIMIT}, one client, ${r.search.byKind.length} kinds of query):`,
    `${"".padEnd(28)}${"n".padStart(5)}${[" p50 ms", " p95 ms", " max ms"].map((h) => h.padStart(9)).join("")}${"hits/page".padStart(12)}`,
    ...r.search.byKind.map((k) => row(k.kind, k.ms, `${f(perPage(k), 1, 11)}${notes(k) ? `  (${notes(k)})` : ""}`)),
    row("all queries", all),
    row("GET /healthz, between", r.search.healthz, "   (control)"),
    ...givenUp,
    ...r.search.busyMs.map((ms) => `      the account's object answered nothing else for ${(ms / 1000).toFixed(1)} s after a search it was given`),
    `    export (CSV, streamed, workerd RSS sampled every ${RSS_SAMPLE_MS} ms):`,
    `${"".padEnd(24)}${"lines".padStart(11)}${["s", "MB/s"].map((h) => h.padStart(9)).join("")}${"RSS growth".padStart(13)}  (baseline → peak)`,
    ...r.exports.map((e) => `      ${`${fmtInt(e.entries)} entries`.padEnd(18)}${fmtInt(e.lines).padStart(11)} ${f(e.seconds)} ${f(e.bytes / 1e6 / e.seconds)}   ${mib(e.growthKiB).padStart(10)}  (${mib(e.baselineKiB)} → ${mib(e.peakKiB)})${e.retried ? `; the first try was cut: ${e.retried}` : ""}`),
    `    retention: logRetentionDays 30 → 1 expires ${fmtInt(ret.leftBefore)} entries; invoke, concurrency ${LOAD_CONCURRENCY}, pooled windows of ${LOAD_MS / 1000} s:`,
    `${"".padEnd(40)}${["p50 ms", "p99 ms", "req/s"].map((h) => h.padStart(9)).join("")}${"errors".padStart(8)}`,
    ...[["control (before and after)", ret.before], ["while the alarm deletes", ret.during]].map(([label, x]) => `      ${label.padEnd(34)}${f(x.p50, 2, 9)}${f(x.p99, 2, 9)}${f(x.rps, 1, 9)}${String(x.errors).padStart(8)}`),
    `      p99 during / before: ${ratio.toFixed(2)}; ${fmtInt(deletedDuringLoad)} entries deleted during those ${DURING_WINDOWS * LOAD_MS / 1000} s`,
    `      every expired entry deleted after: ${doneText}`,
  ].join("\n");
  const targets = [
    [
      searchP95 <= TARGET_SEARCH_P95_MS && skipped === 0,
      `search p95 <= ${TARGET_SEARCH_P95_MS} ms over ${fmtInt(r.entries)} entries`,
      `${f(searchP95).trim()} ms (GET /healthz p95 ${healthzP95.toFixed(1)} ms)${skipped ? `, ${skipped} requests skipped after a search was given up` : ""}`,
    ],
    [
      Boolean(flat?.ok) && exact,
      `export of ${fmtInt(large?.entries ?? 0)} lines in flat memory (growth <= ${TARGET_EXPORT_FACTOR} × that of ${fmtInt(small?.entries ?? 0)} + ${TARGET_EXPORT_SLACK_MIB} MiB), every line`,
      flat ? `${mib(large.growthKiB)} vs ${mib(small.growthKiB)} (allowed ${mib(flat.allowedKiB)}); lines ${r.exports.map((e) => `${fmtInt(e.lines)}/${fmtInt(e.entries + 1)}`).join(", ")}` : "not measured (too few entries)",
    ],
    [
      ratio <= TARGET_RETENTION_P99_RATIO && deletedDuringLoad > 0,
      `invoke p99 while retention deletes ${fmtInt(ret.leftBefore)} entries <= ${TARGET_RETENTION_P99_RATIO} × before`,
      `${ratio.toFixed(2)} × (${ret.during.p99.toFixed(1)} vs ${ret.before.p99.toFixed(1)} ms)${deletedDuringLoad > 0 ? "" : ", but retention deleted nothing meanwhile"}`,
    ],
  ];
  return { lines, targets };
}
