// `platform-fetch.js` in every tenant isolate (CommonJS): wraps globalThis.fetch once, on load.
// Part of the isolate's code hash (worker-code.ts).
export const FETCH_SOURCE = String.raw`
"use strict";
const { currentSink } = require("./sink.js");

// How many outbound calls one invocation record lists; the rest are counted, not listed.
const OUTBOUND_RECORD_MAX = 50;

function hostOf(input) {
  try {
    const url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url);
    return url.host;
  } catch {
    return "(invalid URL)";
  }
}

function methodOf(input, init) {
  const method = (init && init.method) || (input && typeof input === "object" && !(input instanceof URL) && input.method) || "GET";
  return String(method).toUpperCase();
}

// Bookkeeping only: it records what the function asked for and what came back. The allow-list and
// the rate limit are enforced outside the isolate, by the platform's Egress entrypoint
// (globalOutbound), where brand code cannot reach.
function note(sink, call) {
  if (!sink) return;
  if (sink.outbound.length < OUTBOUND_RECORD_MAX) sink.outbound.push(call);
  else sink.outboundDropped = (sink.outboundDropped || 0) + 1;
}

// A refusal from Egress comes back marked; turn it into an error the function sees and a log
// entry the invocation keeps.
const platformFetch = globalThis.fetch;
globalThis.fetch = async function fetch(input, init) {
  const sink = currentSink.getStore();
  const call = { host: hostOf(input), method: methodOf(input, init), status: 0, durationMs: 0 };
  const started = Date.now();
  let response;
  try {
    response = await platformFetch(input, init);
  } catch (error) {
    call.status = "failed";
    call.durationMs = Date.now() - started;
    note(sink, call);
    throw error;
  }
  call.durationMs = Date.now() - started;
  if (response.headers.get("x-edgefn-egress") === "blocked") {
    call.status = "blocked";
    note(sink, call);
    const error = new Error(await response.text());
    error.name = "EgressBlockedError";
    sink?.push("Error", error.message, []);
    throw error;
  }
  call.status = response.status;
  note(sink, call);
  return response;
};
`;
