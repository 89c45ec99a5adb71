// @ts-check
// `orchestrator-client.js` in the tenant isolate of code that names the toolbelt (CommonJS): Toolbelt.OrchestratorClient(), which
// invokes other functions of the function's own account with LivePerson's signature:
// invoke(invocations, deadline, {timeout, invokeParallel, errorStrategy}) →
// [{uuid, body, headers, statusCode, error?}].
//
// This module keeps what LivePerson's client does on the caller's side: the deadline (at most
// 25,000 ms), the per-invocation timeout, retries (3 by default, on 429, 500, 502, 504 and network
// errors, or as retryFunction says) and the error strategies. Each attempt is one call to the host
// through the invocation's channel (platform.js → runtime/orchestration.ts), which alone decides
// what a function may not change: the account, the depth of the chain and the gate's admission.
"use strict";
const platform = require("./platform.js");

const MAX_DEADLINE_MS = 25000;
const DEFAULT_RETRIES = 3;
// LivePerson retries these statuses (and network errors, which reach here as 502). A function's
// own failure (901) is never retried: running it again would repeat whatever it did before failing.
const RETRY_STATUSES = new Set([429, 500, 502, 504]);
const FUNCTION_FAILED = 901;
const BACKOFF_MS = 100;

const Codes = {
  General: "com.liveperson.faas.orchestrator-fn-general",
  Timeout: "com.liveperson.faas.orchestrator-fn.invoke.timeout",
  Invocation: { StatusError: "com.liveperson.faas.orchestrator-fn.invoke.status-code-error" },
};

const ErrorStrategy = { EXIT_ON_ERROR: "ExitOnError", CONTINUE_ON_ERROR: "ContinueOnError" };

class OrchestratorError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{ uuid?: string, statusCode?: number, body?: unknown }} [detail]
   */
  constructor(code, message, detail = {}) {
    super(message);
    this.name = "OrchestratorError";
    this.code = code;
    if (detail.uuid !== undefined) this.uuid = detail.uuid;
    if (detail.statusCode !== undefined) this.statusCode = detail.statusCode;
    if (detail.body !== undefined) this.body = detail.body;
  }
}

/**
 * @typedef {{ uuid: string, payload?: unknown, headers?: Record<string, string>, retries?: number,
 *   retryFunction?: (statusCode?: number, error?: unknown) => boolean }} Invocation
 * @typedef {{ statusCode: number, bodyJson: string, headers: Record<string, string>, error?: { code: string, message: string } }} CallAnswer
 * @typedef {{ uuid: string, body: unknown, headers: Record<string, string>, statusCode: number, error?: { code: string, message: string } }} Outcome
 */

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {string} text */
function parseBody(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * One attempt through the host. A refusal of the call itself (ok: false: no invocation to call
 * from) is thrown; a broken channel is a network error, which LivePerson retries.
 * @param {Invocation} inv
 * @param {number} timeoutMs
 * @returns {Promise<CallAnswer>}
 */
async function attempt(inv, timeoutMs) {
  let answer;
  try {
    answer = /** @type {any} */ (await platform.callToolbelt("invokeFunction", [{ uuid: inv.uuid, payload: inv.payload, headers: inv.headers, timeoutMs }]));
  } catch (error) {
    const message = "The orchestrated invocation could not reach the platform: " + (error && /** @type {any} */ (error).message ? /** @type {any} */ (error).message : String(error));
    return { statusCode: 502, bodyJson: JSON.stringify({ errorMsg: message }), headers: {}, error: { code: Codes.General, message } };
  }
  if (!answer || answer.ok !== true) throw new OrchestratorError(answer && answer.code ? answer.code : Codes.General, answer && answer.message ? answer.message : "The platform refused the orchestrated invocation");
  return answer.value;
}

/**
 * @param {Invocation} inv
 * @param {CallAnswer} answer
 * @param {number} attempts
 * @returns {Outcome}
 */
function outcomeOf(inv, answer, attempts) {
  /** @type {Outcome} */
  const out = { uuid: inv.uuid, body: parseBody(answer.bodyJson), headers: answer.headers || {}, statusCode: answer.statusCode };
  if (answer.error) out.error = { code: answer.error.code, message: answer.error.message + (attempts > 1 ? " (after " + attempts + " attempts)" : "") };
  return out;
}

/**
 * One invocation with its retries, within its timeout per attempt and the call's deadline.
 * @param {Invocation} inv
 * @param {number} timeoutMs
 * @param {number} endAt
 * @returns {Promise<Outcome>}
 */
async function invokeOne(inv, timeoutMs, endAt) {
  const retries = Number.isInteger(inv.retries) && /** @type {number} */ (inv.retries) >= 0 ? /** @type {number} */ (inv.retries) : DEFAULT_RETRIES;
  /** @type {CallAnswer | null} */
  let last = null;
  for (let n = 1; ; n++) {
    const left = endAt - Date.now();
    if (left <= 0) {
      const message = "The orchestration deadline passed before function " + inv.uuid + " answered";
      return outcomeOf(inv, last && last.statusCode === 504 ? last : { statusCode: 504, bodyJson: JSON.stringify({ errorCode: Codes.Timeout, errorMsg: message }), headers: {}, error: { code: Codes.Timeout, message } }, n - 1);
    }
    last = await attempt(inv, Math.min(timeoutMs, left));
    if (!last.error || n > retries || last.statusCode === FUNCTION_FAILED) return outcomeOf(inv, last, n);
    const again = typeof inv.retryFunction === "function" ? Boolean(inv.retryFunction(last.statusCode, last.error)) : RETRY_STATUSES.has(last.statusCode);
    if (!again) return outcomeOf(inv, last, n);
    await sleep(Math.max(0, Math.min(BACKOFF_MS * 2 ** (n - 1), endAt - Date.now())));
  }
}

/** @param {Outcome} out */
const failure = (out) =>
  new OrchestratorError(/** @type {{ code: string }} */ (out.error).code, "Invocation of function " + out.uuid + " failed (" + out.statusCode + "): " + /** @type {{ message: string }} */ (out.error).message, {
    uuid: out.uuid,
    statusCode: out.statusCode,
    body: out.body,
  });

/**
 * @param {unknown} invocations
 * @param {unknown} deadline
 * @param {{ timeout?: number, invokeParallel?: boolean, errorStrategy?: string }} [options]
 * @returns {Promise<Outcome[]>}
 */
async function invoke(invocations, deadline, options = {}) {
  if (typeof deadline !== "number" || !Number.isFinite(deadline) || deadline <= 0 || deadline > MAX_DEADLINE_MS) {
    throw new OrchestratorError(Codes.General, "The deadline must be a number of milliseconds, at most " + MAX_DEADLINE_MS + "; got " + String(deadline));
  }
  if (!Array.isArray(invocations)) throw new OrchestratorError(Codes.General, "invocations must be an array of { uuid, payload, headers?, retries?, retryFunction? }");
  /** @type {Invocation[]} */
  const list = invocations.map((inv, i) => {
    if (!inv || typeof inv !== "object" || typeof inv.uuid !== "string") throw new OrchestratorError(Codes.General, "invocation " + i + " has no uuid");
    let payload;
    try {
      // As over HTTP: the callee gets the payload's JSON.
      payload = JSON.parse(JSON.stringify(inv.payload === undefined ? {} : inv.payload) ?? "null");
    } catch {
      throw new OrchestratorError(Codes.General, "the payload of invocation " + i + " is not JSON-serialisable");
    }
    return { ...inv, payload };
  });
  const opts = options && typeof options === "object" ? options : {};
  const strategy = opts.errorStrategy === undefined ? ErrorStrategy.EXIT_ON_ERROR : opts.errorStrategy;
  if (strategy !== ErrorStrategy.EXIT_ON_ERROR && strategy !== ErrorStrategy.CONTINUE_ON_ERROR) {
    throw new OrchestratorError(Codes.General, "errorStrategy must be 'ExitOnError' or 'ContinueOnError'; got " + String(strategy));
  }
  if (list.length === 0) return [];
  const endAt = Date.now() + deadline;
  const timeoutMs = typeof opts.timeout === "number" && opts.timeout > 0 ? opts.timeout : Math.floor(deadline / list.length);
  const exitOnError = strategy === ErrorStrategy.EXIT_ON_ERROR;

  if (!opts.invokeParallel) {
    /** @type {Outcome[]} */
    const results = [];
    for (const inv of list) {
      const out = await invokeOne(inv, timeoutMs, endAt);
      if (exitOnError && out.error) throw failure(out); // the ones after it are never started
      results.push(out);
    }
    return results;
  }
  if (!exitOnError) return Promise.all(list.map((inv) => invokeOne(inv, timeoutMs, endAt)));
  // ExitOnError in parallel: the first failure answers at once; the others' outcomes are dropped.
  return new Promise((resolve, reject) => {
    /** @type {Outcome[]} */
    const results = new Array(list.length);
    let left = list.length;
    list.forEach((inv, i) => {
      invokeOne(inv, timeoutMs, endAt).then((out) => {
        if (out.error) return reject(failure(out));
        results[i] = out;
        if (--left === 0) resolve(results);
      }, reject);
    });
  });
}

function OrchestratorClient() {
  return { invoke };
}

module.exports = { OrchestratorClient, OrchestratorError, ErrorStrategy, OrchestratorCodes: Codes };
