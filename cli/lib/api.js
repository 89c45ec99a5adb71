// The typed client: one call(method, path, input) whose path, parameters, body and answer are
// checked by tsc against the generated API description (api-types.d.ts, from /api/openapi.json).
// Errors become CliError with the exit code of their status; the answer body's errorCode and
// errorMsg (LivePerson's V1 shape, which every edgefn error carries) are kept for --json.
import { CliError, EXIT, exitCodeForStatus } from "./exit-codes.js";

/** @typedef {import("./client-types").Paths} Paths */
/** @typedef {import("./client-types").Method} Method */

const USER_AGENT = "efn";

/**
 * @param {{ baseUrl: string, accountId: string, token?: string, timeoutMs?: number }} options
 */
export function createClient({ baseUrl, accountId, token, timeoutMs = 60_000 }) {
  /**
   * @template {keyof Paths} P
   * @template {keyof Paths[P] & Method} M
   * @param {M} method
   * @param {P} path a path of the API document, e.g. "/api/account/{accountId}/lambdas"
   * @param {import("./client-types").Input<import("./client-types").Op<P, M>>} [input]
   * @returns {Promise<import("./client-types").Answer<import("./client-types").Success<import("./client-types").Op<P, M>>>>}
   */
  async function call(method, path, input) {
    const given = /** @type {{ params?: Record<string, unknown>, query?: Record<string, unknown>, body?: unknown, headers?: Record<string, string> }} */ (input ?? {});
    const params = /** @type {Record<string, unknown>} */ ({ accountId, ...given.params });
    const url = new URL(
      String(path).replace(/\{(\w+)\}/g, (_, name) => {
        if (params[name] === undefined) throw new Error(`${String(path)}: no value for {${name}}`);
        return encodeURIComponent(String(params[name]));
      }),
      baseUrl,
    );
    for (const [key, value] of Object.entries(given.query ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== null) url.searchParams.append(key, String(v));
    }
    /** @type {Record<string, string>} */
    const headers = { accept: "application/json", "user-agent": USER_AGENT, ...given.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (given.body !== undefined) headers["content-type"] = "application/json";
    let res;
    try {
      res = await fetch(url, {
        method: method.toUpperCase(),
        headers,
        body: given.body === undefined ? undefined : JSON.stringify(given.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = /** @type {Error} */ (err);
      if (e.name === "TimeoutError") throw new CliError(EXIT.TIMEOUT, `${method.toUpperCase()} ${url.pathname}: no answer within ${timeoutMs / 1000} s`);
      throw new CliError(EXIT.SERVER, `cannot reach ${url.origin}: ${/** @type {any} */ (e).cause?.code ?? e.message}`);
    }
    const text = await res.text();
    const isJson = (res.headers.get("content-type") ?? "").includes("json");
    /** @type {any} */
    let data = text === "" ? null : text;
    if (isJson && text !== "") {
      try {
        data = JSON.parse(text);
      } catch {
        // not JSON after all: keep the text
      }
    }
    if (res.status >= 400) throw httpError(method, url, res.status, data);
    return { status: res.status, data, headers: res.headers };
  }

  return { call, baseUrl, accountId };
}

/** @typedef {ReturnType<typeof createClient>} Client */

/**
 * @param {string} method @param {URL} url @param {number} status @param {any} body
 */
function httpError(method, url, status, body) {
  const errorCode = typeof body?.errorCode === "string" ? body.errorCode : undefined;
  const errorMsg = typeof body?.errorMsg === "string" ? body.errorMsg : typeof body === "string" ? body.slice(0, 500) : undefined;
  const what = `${method.toUpperCase()} ${url.pathname} answered ${status}`;
  const message = status === 401 ? `${what}: not authorized; run efn login` : errorMsg ? `${what}: ${errorMsg}` : what;
  /** @type {Record<string, unknown>} */
  const details = { status };
  if (errorCode) details.errorCode = errorCode;
  if (errorMsg) details.errorMsg = errorMsg;
  if (Array.isArray(body?.errorLogs)) details.errorLogs = body.errorLogs;
  const error = new CliError(exitCodeForStatus(status), message, details);
  error.body = body;
  return error;
}
