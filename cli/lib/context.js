// What every command gets: its parsed arguments, the output, and the typed client of the stored
// session (made on first use, so commands that need no login never read it).
import { createClient } from "./api.js";
import { CliError, EXIT } from "./exit-codes.js";
import { requireSession } from "./session.js";

/**
 * @typedef {object} Command
 * @property {string} name
 * @property {string} summary
 * @property {string} usage          e.g. "efn deploy [functions...] [-w]"
 * @property {Record<string, import("node:util").ParseArgsOptionDescriptor & { description?: string }>} options
 * @property {(ctx: Context) => Promise<number | void>} run  resolves to an exit code (default 0)
 */

/**
 * @typedef {object} Context
 * @property {string[]} args
 * @property {Record<string, string | boolean | (string | boolean)[] | undefined>} flags
 * @property {import("./output.js").Output} out
 * @property {() => import("./api.js").Client} client
 */

/**
 * @param {string[]} args
 * @param {Context["flags"]} flags
 * @param {import("./output.js").Output} out
 * @returns {Context}
 */
export function createContext(args, flags, out) {
  /** @type {import("./api.js").Client | undefined} */
  let client;
  return {
    args,
    flags,
    out,
    client() {
      if (!client) {
        const s = requireSession();
        client = createClient({ baseUrl: s.url, accountId: s.accountId, token: s.token });
      }
      return client;
    },
  };
}

/** A string flag's value, or undefined. */
export const str = (/** @type {unknown} */ v) => (typeof v === "string" ? v : undefined);

/** A list flag's values (multiple: true), also accepting comma-separated values. */
export const list = (/** @type {unknown} */ v) =>
  (Array.isArray(v) ? v : typeof v === "string" ? [v] : []).flatMap((x) => String(x).split(",")).map((x) => x.trim()).filter(Boolean);

/** A time flag: epoch ms, ISO-8601, or a span back from now ("15m", "12h", "7d"). */
export function timeFlag(/** @type {string | undefined} */ v, /** @type {string} */ name) {
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const span = spanMs(v);
  if (span !== undefined) return Date.now() - span;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new CliError(EXIT.USAGE, `--${name}: not a time (epoch ms, ISO-8601, or a span like 15m, 12h, 7d): ${v}`);
  return t;
}

/** "30s", "15m", "12h", "7d" in ms, or undefined. */
export function spanMs(/** @type {string} */ v) {
  const m = /^(\d+)\s*([smhd])$/.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[/** @type {"s"|"m"|"h"|"d"} */ (m[2])];
}

/** The first non-zero exit code of several tasks (0 when all passed). */
export const worst = (/** @type {number[]} */ codes) => codes.find((c) => c !== 0) ?? 0;

/**
 * Runs `task` over `items`, at most `limit` at a time; the results keep the items' order (lpf also
 * runs a command's functions side by side).
 * @template T, R
 * @param {T[]} items @param {number} limit @param {(item: T, index: number) => Promise<R>} task
 * @returns {Promise<R[]>}
 */
export async function mapLimit(items, limit, task) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(/** @type {T} */ (items[i]), i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How many functions a command works on at once. */
export const PARALLEL = 4;
