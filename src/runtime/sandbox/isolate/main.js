// @ts-check
// The platform module of every tenant isolate: its main module (ESM), loaded by the Worker Loader
// as text next to the brand code (CommonJS `lambda.js`), the toolbelt modules and platform.js
// (worker-code.ts). What an invocation captures here (its log entries, a failure such as
// process.exit) lives in this module's closure, which brand code cannot reach: it can require
// platform.js and the toolbelt, never these variables. What the function sends out, and which
// secrets the platform served it, the host observes itself through the invocation's channel
// (runtime/invocation-channel.ts), so the invocation record never depends on this isolate's word.
import { WorkerEntrypoint } from "cloudflare:workers";
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import { describe, jsonSafe, textOf } from "./values.js";

// Named apart from `require` so that tsc does not take the brand's lambda.js for a module of ours.
const requireModule = createRequire("/main.js");
/** @type {import("./platform-types").Platform} */
const platform = requireModule("./platform.js");

// The built-ins this module relies on, taken before brand code loads: brand code shares the
// isolate's globals and may replace them (JSON, console, fetch, process.exit).
const { stringify, parse } = JSON;
const platformFetch = globalThis.fetch;
const encoder = new TextEncoder();
const raceOf = Promise.race.bind(Promise);
// The runtime's own console: what it is told reaches the platform's Tail (runtime/log-tail.ts),
// which keeps the logs of an invocation that never answers (a timeout, the CPU or memory limit,
// a crash) with its record. Brand code only ever sees the capturing console below.
const runtimeLog = console.log.bind(console);
/** Marks the runtime's trail lines (log-tail.ts reads them; npm start keeps them off the terminal). */
const TRAIL = "\u0001edgefn-trail ";

/** Set by the isolate's fetch on requests that reach Egress directly: the brand's redirect mode. */
const REDIRECT_MODE_HEADER = "x-edgefn-redirect";
// What one invocation may capture before the host applies LivePerson's log limits; keeps a chatty
// function from growing memory without bound.
const CAPTURE_MAX_ENTRIES = 100;
const CAPTURE_MAX_CHARS = 64 * 1024;
// Secret values noted in this isolate (key -> value), for the host's redaction of later
// invocations that log a value cached in module scope (as LivePerson recommends) without reading it.
const ISOLATE_SECRETS_MAX = 100;
const SECRET_JSON_MAX = 20_000;
/** @type {Map<string, unknown>} */
const isolateSecrets = new Map();

/** What one invocation captured; only this module holds it. */
class Capture {
  /** @param {any} channel the host's InvocationChannel for this invocation */
  /**
   * @param {any} channel the host's InvocationChannel for this invocation
   * @param {string} invocationId the host's id of the invocation, for the runtime's trail
   * @param {string} trailToken the host's secret for this invocation's trail (brand code never sees it)
   */
  constructor(channel, invocationId, trailToken) {
    /** @type {{ level: string; message: string; extras: unknown[]; timestamp: number }[]} */
    this.entries = [];
    this.invocationId = invocationId;
    this.trailToken = trailToken;
    /** Whether the trail of this invocation was opened (only an invocation that logs has one). */
    this.trailing = false;
    this.chars = 0;
    this.dropped = 0;
    this.channel = channel;
    /** @type {{ kind: string; error: unknown } | null} set when the function ended itself */
    this.ended = null;
    /** @type {(failure: { kind: string; error: unknown }) => void} */
    this.abort = () => {};
    /** Rejects when the function ends itself (process.exit): raced with the function's answer. */
    this.aborted = new Promise((_resolve, reject) => {
      this.abort = reject;
    });
  }

  /**
   * @param {string} level
   * @param {unknown} message
   * @param {unknown[]} extras
   */
  push(level, message, extras) {
    let text;
    try {
      text = typeof message === "string" ? message : message instanceof Error ? textOf(message.message) : textOf(stringify(jsonSafe(message)));
    } catch {
      text = "[a value that cannot be logged]";
    }
    const safeExtras = extras.map(jsonSafe);
    const size = text.length + stringify(safeExtras).length;
    if (this.entries.length >= CAPTURE_MAX_ENTRIES || this.chars + size > CAPTURE_MAX_CHARS) {
      this.dropped++;
      return;
    }
    this.chars += size;
    const entry = { level, message: text, extras: safeExtras, timestamp: Date.now() };
    this.entries.push(entry);
    this.trail(entry);
  }

  /**
   * Tells the runtime's Tail about an entry as it is written (one line; the first names the
   * invocation), so that it survives if the invocation never answers.
   * @param {unknown} entry
   */
  trail(entry) {
    try {
      if (!this.trailing) {
        this.trailing = true;
        runtimeLog(TRAIL + stringify({ invocation: this.invocationId, token: this.trailToken }));
      }
      runtimeLog(TRAIL + stringify({ entry }));
    } catch {
      /* the trail is a safety net; the capture above is what the answer carries */
    }
  }

  /** The invocation answered with its capture: its trail is not needed. */
  closeTrail() {
    if (this.trailing) runtimeLog(TRAIL + stringify({ done: true }));
  }
}

/** @type {AsyncLocalStorage<Capture>} */
const current = new AsyncLocalStorage();

const LEVELS = { debug: "Debug", info: "Info", log: "Info", warn: "Warn", error: "Error" };
for (const [method, level] of Object.entries(LEVELS)) {
  /** @type {any} */ (console)[method] = (/** @type {unknown} */ message, /** @type {unknown[]} */ ...extras) => current.getStore()?.push(level, message, extras);
}

// process.exit would cancel every request of this isolate; here it ends only the invocation that
// called it, as the function's own failure.
if (typeof process === "object" && process) {
  process.exit = /** @type {any} */ (
    (/** @type {unknown} */ code) => {
      const error = new Error(`process.exit(${code === undefined ? "" : textOf(code)}) was called: a function cannot end the runtime; return a result or throw an error instead`);
      error.name = "ProcessExitError";
      const capture = current.getStore();
      if (capture) {
        capture.ended = { kind: "exit", error };
        capture.abort(capture.ended);
      }
      throw error;
    }
  );
}

// Brand code's fetch(): during an invocation it goes to the host through the invocation's channel,
// which applies the allow-list and the rate limit and records the call; outside one (module scope,
// or work left running after the answer) it reaches the Egress entrypoint directly (globalOutbound).
// The redirect mode does not cross either boundary on the Request itself, so it is passed along.
/**
 * @param {RequestInfo | URL} input
 * @param {RequestInit} [init]
 */
const isolateFetch = async function fetch(input, init) {
  const request = new Request(input, init);
  const mode = request.redirect === "manual" ? "manual" : "follow";
  const channel = current.getStore()?.channel;
  /** @type {Response} */
  let response;
  if (channel) {
    const { signal } = request;
    const sent = channel.fetch(new Request(request, { signal: null }), mode);
    response = signal ? await raceOf([sent, abortOf(signal)]) : await sent;
  } else {
    request.headers.set(REDIRECT_MODE_HEADER, mode);
    response = await platformFetch(request);
  }
  const verdict = response.headers.get("x-edgefn-egress");
  if (verdict === "blocked") {
    const error = new Error(await response.text());
    error.name = "EgressBlockedError";
    throw error;
  }
  if (verdict === "failed") throw new TypeError(await response.text());
  return response;
};
// Reflect.set, not an assignment: to tsc (checkJs) an assignment would redeclare the global fetch.
Reflect.set(globalThis, "fetch", isolateFetch);

/**
 * Rejects with the signal's reason when it aborts (an AbortSignal cannot cross the RPC boundary).
 * @param {AbortSignal} signal
 * @returns {Promise<never>}
 */
function abortOf(signal) {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** @type {any} */
let toolbeltStub = null;

/** @type {import("./platform-types").Platform["callToolbelt"]} */
const callToolbelt = async (method, args) => {
  const channel = current.getStore()?.channel;
  if (channel) return channel.toolbelt(method, args);
  if (!toolbeltStub) throw new Error("no toolbelt binding in this isolate");
  return toolbeltStub[method](...args);
};
/** @type {import("./platform-types").Platform["noteSecret"]} */
const noteSecret = (key, value) => {
  if (typeof key !== "string") return;
  try {
    if (value === undefined || stringify(value).length > SECRET_JSON_MAX) return;
  } catch {
    return;
  }
  isolateSecrets.delete(key);
  isolateSecrets.set(key, value);
  if (isolateSecrets.size > ISOLATE_SECRETS_MAX) isolateSecrets.delete(/** @type {string} */ (isolateSecrets.keys().next().value));
};

function loadLambda() {
  const lambda = requireModule("./lambda.js");
  if (typeof lambda !== "function") {
    throw Object.assign(new Error("The code does not declare a function named lambda: write function lambda(input, callback) { ... } or async function lambda(input) { ... }"), { contract: true });
  }
  return lambda;
}

/**
 * Runs lambda(input, callback) or async lambda(input). A function that declares the callback
 * parameter answers through it; otherwise its return value (or promise) is the answer.
 * @param {Function} lambda
 * @param {unknown} input
 * @returns {Promise<unknown>}
 */
function callLambda(lambda, input) {
  return new Promise((resolve, reject) => {
    let settled = false;
    /** @type {(fn: (v: any) => void, value: unknown) => void} */
    const settle = (fn, value) => {
      if (!settled) {
        settled = true;
        fn(value);
      }
    };
    const callback = (/** @type {unknown} */ error, /** @type {unknown} */ result) => {
      if (error !== null && error !== undefined) settle(reject, { kind: "callback", error });
      else settle(resolve, result);
    };
    let returned;
    try {
      returned = lambda(input, callback);
    } catch (error) {
      return settle(reject, { kind: "throw", error });
    }
    const usesCallback = lambda.length >= 2;
    if (returned && typeof returned.then === "function") {
      returned.then(
        (/** @type {unknown} */ value) => {
          if (!usesCallback) settle(resolve, value);
        },
        (/** @type {unknown} */ error) => settle(reject, { kind: "throw", error }),
      );
    } else if (!usesCallback) {
      settle(resolve, returned);
    }
  });
}

/**
 * The function's answer as JSON text (carried as text, so its depth never breaks the RPC boundary),
 * or why it cannot be returned.
 * @param {unknown} result
 * @param {number} maxResultBytes
 */
function serialise(result, maxResultBytes) {
  let json;
  try {
    json = result === undefined ? "null" : (stringify(result) ?? "null");
  } catch (error) {
    return { ok: false, kind: "result", error: { name: "TypeError", message: "The function's result is not JSON-serialisable: " + describe(error).message } };
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so most answers need no encoding to be measured.
  const bytes = json.length * 3 <= maxResultBytes ? json.length : json.length > maxResultBytes ? json.length : encoder.encode(json).byteLength;
  if (bytes > maxResultBytes) {
    return {
      ok: false,
      kind: "result-size",
      error: { name: "ResultTooLargeError", message: `The function's result is ${bytes > json.length ? bytes : "at least " + bytes} bytes of JSON, more than the ${maxResultBytes} bytes a function may return` },
    };
  }
  return { ok: true, resultJson: json };
}

/**
 * @param {Capture} capture
 * @param {string} inputJson
 * @param {{ maxResultBytes: number; invocationId?: string; trailToken?: string }} options
 */
async function execute(capture, inputJson, options) {
  let result;
  try {
    result = await raceOf([callLambda(loadLambda(), parse(inputJson)), capture.aborted]);
  } catch (thrown) {
    // process.exit throws where it is called too: what the function's code then sees is not the cause.
    const f = /** @type {any} */ (capture.ended ?? thrown);
    const kind = f && typeof f === "object" && typeof f.kind === "string" ? f.kind : "throw";
    return { ok: false, kind, error: describe(f && typeof f === "object" && "kind" in f ? f.error : f) };
  }
  return serialise(result, options.maxResultBytes);
}

export default class extends WorkerEntrypoint {
  // Every call sets platform.js up again: a function that rewrote it hurts only its own call.
  setUp() {
    const env = /** @type {any} */ (this.env);
    toolbeltStub = env.EDGEFN_TOOLBELT;
    const accountId = env.BRAND_ID;
    platform.accountId = () => accountId;
    platform.callToolbelt = callToolbelt;
    platform.noteSecret = noteSecret;
  }

  /**
   * Nothing: the call builds the isolate (a cold start), so that the host can have it built while
   * the account's gate admits the invocation. Brand code is not loaded here; run() does that.
   */
  async warm() {
    return true;
  }

  async validate() {
    this.setUp();
    try {
      loadLambda();
      return { ok: true };
    } catch (error) {
      return { ok: false, error: describe(error) };
    }
  }

  /**
   * One invocation. `channel` is the host's InvocationChannel (fetch and toolbelt, observed by the
   * host); the answer carries the result as JSON text, the captured logs, and the secrets noted in
   * this isolate for the host's redaction.
   * @param {string} inputJson
   * @param {any} channel
   * @param {{ maxResultBytes: number; invocationId?: string; trailToken?: string }} options
   */
  async run(inputJson, channel, options) {
    this.setUp();
    const capture = new Capture(channel, options.invocationId ?? "", options.trailToken ?? "");
    capture.aborted.catch(() => {});
    const answer = await current.run(capture, () => execute(capture, inputJson, options));
    capture.closeTrail();
    // Work the function left running uses the direct paths from now on: the channel ends with this call.
    capture.channel = null;
    return { ...answer, logs: capture.entries, dropped: capture.dropped, secrets: [...isolateSecrets] };
  }
}
