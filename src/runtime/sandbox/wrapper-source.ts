// The platform module that runs inside every tenant isolate (loaded by the Worker Loader as the
// main module, next to the brand code as CommonJS `lambda.js`, the capture sink `sink.js`
// (sink-source.ts) and the fetch wrapper `platform-fetch.js` (fetch-source.ts)). It is JavaScript kept as a string
// because it is shipped to the loader as source. Bump WRAPPER_VERSION when this text changes: the
// isolate id includes it, so a changed wrapper never reuses a cached isolate.
export const WRAPPER_VERSION = "3";

export const WRAPPER_SOURCE = String.raw`
import { WorkerEntrypoint } from "cloudflare:workers";
import { createRequire } from "node:module";
import sinkModule from "./sink.js";
import "./platform-fetch.js";

const require = createRequire("/main.js");
const { currentSink, Sink, jsonSafe, platform, redactorFor } = sinkModule;
const LEVELS = { debug: "Debug", info: "Info", log: "Info", warn: "Warn", error: "Error" };

for (const [method, level] of Object.entries(LEVELS)) {
  console[method] = (message, ...extras) => currentSink.getStore()?.push(level, message, extras);
}

function describe(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  if (typeof error === "string") return { name: "Error", message: error };
  return { name: "Error", message: JSON.stringify(jsonSafe(error)) };
}

function loadLambda() {
  const lambda = require("./lambda.js");
  if (typeof lambda !== "function") {
    throw Object.assign(new Error("The code does not declare a function named lambda: write function lambda(input, callback) { ... } or async function lambda(input) { ... }"), { contract: true });
  }
  return lambda;
}

// Runs lambda(input, callback) or async lambda(input). A function that declares the callback
// parameter answers through it; otherwise its return value (or promise) is the answer.
function callLambda(lambda, input) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn, value) => { if (!settled) { settled = true; fn(value); } };
    const callback = (error, result) => {
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
      returned.then((value) => { if (!usesCallback) settle(resolve, value); }, (error) => settle(reject, { kind: "throw", error }));
    } else if (!usesCallback) {
      settle(resolve, returned);
    }
  });
}

export default class extends WorkerEntrypoint {
  async validate() {
    platform.toolbelt = this.env.EDGEFN_TOOLBELT;
    platform.accountId = this.env.BRAND_ID;
    try {
      loadLambda();
      return { ok: true };
    } catch (error) {
      return { ok: false, error: describe(error) };
    }
  }

  async run(input) {
    platform.toolbelt = this.env.EDGEFN_TOOLBELT;
    platform.accountId = this.env.BRAND_ID;
    const sink = new Sink();
    // Secret values the function read or wrote never leave in logs or errors (sink.js, redaction).
    // The result is the function's own answer and is not touched.
    const finish = (answer) => {
      const redact = redactorFor(sink);
      answer.logs = redact(sink.entries);
      if (answer.error) answer.error = redact(answer.error);
      return answer;
    };
    return currentSink.run(sink, async () => {
      try {
        const result = await callLambda(loadLambda(), input);
        let json;
        try {
          json = result === undefined ? null : JSON.parse(JSON.stringify(result));
        } catch (error) {
          return finish({ ok: false, kind: "result", error: { name: "TypeError", message: "The function's result is not JSON-serialisable: " + error.message }, dropped: sink.dropped, outbound: sink.outbound });
        }
        return finish({ ok: true, result: json, dropped: sink.dropped, outbound: sink.outbound });
      } catch (failure) {
        const kind = failure && failure.kind ? failure.kind : "throw";
        const error = failure && failure.kind ? failure.error : failure;
        return finish({ ok: false, kind, error: describe(error), dropped: sink.dropped, outbound: sink.outbound });
      }
    });
  }
}
`;
