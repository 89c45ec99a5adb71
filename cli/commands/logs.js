// logs (lpf's: the CSV export of a function's entries, GET /logs/export) with --follow (polling
// GET /logs, printing new entries oldest first as they arrive), and metrics (lpf's: the invocation
// histogram, GET /reports/invocations/{uuid}, as CSV or JSON).
import { list, spanMs, str, timeFlag } from "../lib/context.js";
import { CliError, EXIT } from "../lib/exit-codes.js";
import { requireFunction } from "../lib/functions.js";

const LEVELS = ["Debug", "Info", "Warn", "Error"];
/** How far back each poll of --follow looks again: records are stored just after their answer, so
 * an entry can arrive a little after a later one. Entries already printed are remembered that long. */
const FOLLOW_OVERLAP_MS = 15_000;

/** @type {import("../lib/context.js").Command} */
export const logs = {
  name: "logs",
  summary: "Print a function's log entries (CSV, as lpf), or follow new ones with -f",
  usage: "efn logs <function-name> [-s <start>] [-e <end>] [-l <level>...] [-r] [-f [--interval <seconds>]]",
  options: {
    start: { type: "string", short: "s", description: "from: epoch ms, ISO-8601 or a span back (15m, 12h, 7d); default 1 day back (-f: now)" },
    end: { type: "string", short: "e", description: "to: epoch ms or ISO-8601; default now" },
    levels: { type: "string", short: "l", multiple: true, description: "Debug, Info, Warn, Error" },
    removeHeader: { type: "boolean", short: "r", description: "leave out the CSV header line" },
    follow: { type: "boolean", short: "f", description: "keep printing new entries until interrupted" },
    interval: { type: "string", description: "seconds between polls of --follow (default 2)" },
  },
  async run({ args, flags, out, client }) {
    const name = args[0];
    if (!name || args.length > 1) throw new CliError(EXIT.USAGE, "efn logs needs exactly one function name");
    const levels = list(flags.levels);
    const bad = levels.filter((l) => !LEVELS.includes(l));
    if (bad.length) throw new CliError(EXIT.USAGE, `--levels: ${bad.join(", ")} (one of ${LEVELS.join(", ")})`);
    const api = client();
    const fn = await requireFunction(api, name);
    if (flags.follow) return follow(api, fn.uuid, levels, flags, out);
    const end = timeFlag(str(flags.end), "end") ?? Date.now();
    const start = timeFlag(str(flags.start), "start") ?? end - 86_400_000;
    const { data } = await api.call("get", "/api/account/{accountId}/logs/export", {
      query: { lambdaUUID: fn.uuid, startTimestamp: String(start), endTimestamp: String(end), filterLevels: levels, format: out.json ? "ndjson" : "csv" },
    });
    const text = typeof data === "string" ? data : "";
    if (out.json) {
      out.result(text.split("\n").filter(Boolean).map((l) => JSON.parse(l)));
      return;
    }
    const lines = text.split("\n");
    process.stdout.write((flags.removeHeader ? lines.slice(1) : lines).join("\n"));
  },
};

/**
 * @param {import("../lib/api.js").Client} api @param {string} uuid @param {string[]} levels
 * @param {import("../lib/context.js").Context["flags"]} flags @param {import("../lib/output.js").Output} out
 */
async function follow(api, uuid, levels, flags, out) {
  const intervalMs = Number(str(flags.interval) ?? 2) * 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 200) throw new CliError(EXIT.USAGE, "--interval: seconds, at least 0.2");
  let since = timeFlag(str(flags.start), "start") ?? Date.now();
  const printFrom = since; // the overlap below reads earlier entries again: they are not news
  /** @type {Map<string, number>} entries printed, by identity → their timestamp */
  const seen = new Map();
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  out.progress(`following ${uuid} (Ctrl-C to stop)`);
  try {
    while (!stopped) {
      /** @type {import("../lib/client-types").Schemas["LogItem"][]} */
      const batch = [];
      /** @type {string | undefined} */
      let cursor;
      for (let page = 0; page < 20; page++) {
        const { data } = await api.call("get", "/api/account/{accountId}/logs", {
          query: { lambdaUUID: uuid, from: String(Math.max(0, since - FOLLOW_OVERLAP_MS)), limit: 200, ...(levels.length && { levels: levels.join(",") }), ...(cursor && { cursor }) },
        });
        batch.push(...data.items);
        if (!data.nextCursor) break;
        cursor = data.nextCursor;
      }
      batch.sort((a, b) => a.timestamp - b.timestamp);
      for (const e of batch) {
        const id = `${e.invocationId}\u0000${e.timestamp}\u0000${e.level}\u0000${e.message}`;
        if (seen.has(id) || e.timestamp < printFrom) continue;
        seen.set(id, e.timestamp);
        since = Math.max(since, e.timestamp);
        out.line(e, `${new Date(e.timestamp).toISOString()} ${e.level.padEnd(5)} ${e.message}${e.extras.length ? ` ${JSON.stringify(e.extras)}` : ""}  [${e.requestId}]`);
      }
      for (const [id, ts] of seen) if (ts < since - 2 * FOLLOW_OVERLAP_MS) seen.delete(id);
      await sleepUnless(intervalMs, () => stopped);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  return EXIT.OK;
}

/** Sleeps, waking early once `done()` holds. */
async function sleepUnless(/** @type {number} */ ms, /** @type {() => boolean} */ done) {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
}

const STATES = ["UNKOWN", "SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"];

/** @type {import("../lib/context.js").Command} */
export const metrics = {
  name: "metrics",
  summary: "A function's invocations over time, by outcome (CSV or JSON, as lpf)",
  usage: "efn metrics <function-name> [-s <start>] [-e <end>] [-l <12h|7d...>] [-o csv|json]",
  options: {
    start: { type: "string", short: "s", description: "from: epoch ms or ISO-8601" },
    end: { type: "string", short: "e", description: "to: epoch ms or ISO-8601; default now" },
    last: { type: "string", short: "l", description: "a span back from the end, e.g. 12h, 7d (default 1d)" },
    output: { type: "string", short: "o", description: "csv (default) or json" },
  },
  async run({ args, flags, out, client }) {
    const name = args[0];
    if (!name || args.length > 1) throw new CliError(EXIT.USAGE, "efn metrics needs exactly one function name");
    const format = str(flags.output) ?? "csv";
    if (format !== "csv" && format !== "json") throw new CliError(EXIT.USAGE, "--output: csv or json");
    const end = timeFlag(str(flags.end), "end") ?? Date.now();
    const last = str(flags.last);
    const span = last === undefined ? undefined : spanMs(last);
    if (last !== undefined && span === undefined) throw new CliError(EXIT.USAGE, `--last: a span like 12h or 7d: ${last}`);
    const start = timeFlag(str(flags.start), "start") ?? end - (span ?? 86_400_000);
    const range = end - start;
    const bucketSize = range <= 6 * 3_600_000 ? "300" : range <= 7 * 86_400_000 ? "3600" : "86400";
    const api = client();
    const fn = await requireFunction(api, name);
    const { data } = await api.call("get", "/api/account/{accountId}/reports/invocations/{uuid}", {
      params: { uuid: fn.uuid },
      query: { startTimestamp: String(start), endTimestamp: String(end), bucketSize, invocationStates: STATES },
    });
    const buckets = data.invocationStatistics;
    if (out.json || format === "json") {
      out.result(out.json ? { name, uuid: fn.uuid, bucketSize: Number(bucketSize), invocationStatistics: buckets } : buckets);
      return;
    }
    const header = ["from", "to", ...STATES];
    const rows = buckets.map((b) => header.map((k) => {
      const v = /** @type {Record<string, unknown>} */ (b)[k];
      return k === "from" || k === "to" ? new Date(Number(v)).toISOString() : String(v ?? 0);
    }).join(","));
    out.result(buckets, [header.join(","), ...rows]);
  },
};
