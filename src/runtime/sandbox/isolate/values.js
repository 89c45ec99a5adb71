// @ts-check
// Turning whatever brand code hands over (log arguments, thrown values) into plain values the host
// can carry and store, without ever throwing. Stateless: main.js imports it, and a function that
// requires it gains nothing. The built-ins are taken when this module loads, before brand code can
// replace them (ES module imports are evaluated before main.js runs, long before lambda.js loads).
const { stringify, parse } = JSON;
const ObjectKeys = Object.keys;
const defineProperty = Object.defineProperty;
const isArray = Array.isArray;

// Log extras deeper than this are cut (they cross the RPC boundary and are stored as JSON).
const EXTRAS_MAX_DEPTH = 32;
// An error message or stack longer than this is cut.
const ERROR_TEXT_MAX = 10_000;

/** @param {unknown} value */
export const textOf = (value) => {
  try {
    return String(value);
  } catch {
    return "[a value that cannot be shown as text]";
  }
};

/** @param {string} text */
const cut = (text) => (text.length > ERROR_TEXT_MAX ? text.slice(0, ERROR_TEXT_MAX) + "…" : text);

/**
 * A copy of `value` that JSON can carry, at most EXTRAS_MAX_DEPTH deep; never throws.
 * @param {unknown} value
 * @returns {unknown}
 */
export function jsonSafe(value) {
  if (value === undefined) return null;
  try {
    const text = stringify(value, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : typeof v === "bigint" ? String(v) : v));
    return text === undefined ? null : bounded(parse(text), 0);
  } catch {
    return textOf(value);
  }
}

/**
 * @param {unknown} value
 * @param {number} depth
 * @returns {unknown}
 */
function bounded(value, depth) {
  if (value === null || typeof value !== "object") return value;
  if (depth >= EXTRAS_MAX_DEPTH) return `[nested deeper than ${EXTRAS_MAX_DEPTH} levels]`;
  if (isArray(value)) return value.map((v) => bounded(v, depth + 1));
  /** @type {Record<string, unknown>} */
  const out = {};
  const source = /** @type {Record<string, unknown>} */ (value);
  for (const k of ObjectKeys(source)) defineProperty(out, k, { value: bounded(source[k], depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * What a failure looks like to the host; never throws, whatever was thrown.
 * @param {unknown} error
 * @returns {{ name: string; message: string; stack?: string }}
 */
export function describe(error) {
  try {
    if (error instanceof Error) {
      return { name: cut(textOf(error.name)), message: cut(textOf(error.message)), stack: typeof error.stack === "string" ? cut(error.stack) : undefined };
    }
    if (typeof error === "string") return { name: "Error", message: cut(error) };
    return { name: "Error", message: cut(textOf(stringify(jsonSafe(error)))) };
  } catch {
    return { name: "Error", message: "the function failed with a value that cannot be described" };
  }
}
