// How a command speaks: results on stdout (JSON with --json, else text for people), progress and
// errors on stderr, so `efn ... --json | jq` always reads one JSON document.
import { CliError, EXIT } from "./exit-codes.js";

/**
 * @param {{ json: boolean, quiet?: boolean }} options
 */
export function createOutput({ json, quiet = false }) {
  return {
    json,
    /**
     * The command's result: `value` as JSON with --json, else `text` (a string, or lines).
     * @param {unknown} value
     * @param {string | string[] | (() => string | string[])} [text]
     */
    result(value, text) {
      if (json) {
        process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        return;
      }
      const t = typeof text === "function" ? text() : text ?? JSON.stringify(value, null, 2);
      const lines = Array.isArray(t) ? t.join("\n") : t;
      if (lines !== "") process.stdout.write(`${lines}\n`);
    },
    /** One JSON value per line (logs --follow --json), or a line of text. */
    line(/** @type {unknown} */ value, /** @type {string} */ text) {
      process.stdout.write(`${json ? JSON.stringify(value) : text}\n`);
    },
    /** Progress for people, on stderr. */
    progress(/** @type {string} */ message) {
      if (!quiet) process.stderr.write(`${message}\n`);
    },
    /** Prints an error (--json: on stdout as {error, exitCode, ...}) and returns its exit code. */
    fail(/** @type {unknown} */ err) {
      const e = err instanceof CliError ? err : new CliError(EXIT.FAILED, err instanceof Error ? err.message : String(err));
      if (json) process.stdout.write(`${JSON.stringify({ error: e.message, exitCode: e.code, ...e.details }, null, 2)}\n`);
      process.stderr.write(`efn: ${e.message}\n`);
      return e.code;
    },
  };
}

/** @typedef {ReturnType<typeof createOutput>} Output */

/** A table of rows for people: columns padded to their widest cell. */
export function table(/** @type {string[]} */ header, /** @type {unknown[][]} */ rows) {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === undefined || c === null ? "" : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()).join("\n");
}
