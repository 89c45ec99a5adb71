// `platform-fetch.js` in every tenant isolate (CommonJS): wraps globalThis.fetch once, on load.
// Part of the isolate's code hash (worker-code.ts).
export const FETCH_SOURCE = String.raw`
"use strict";
const { currentSink } = require("./sink.js");

// How many outbound calls one invocation record lists; the rest are counted, not listed.
const OUTBOUND_RECORD_MAX = 50;

// Bookkeeping only: it records what the function asked for and what came back. The allow-list and
// the rate limit are enforced outside the isolate, by the platform's Egress entrypoint
// (globalOutbound), where brand code cannot reach.
function note(sink, call) {
  if (!sink) return;
  if (sink.outbound.length < OUTBOUND_RECORD_MAX) sink.outbound.push(call);
  else sink.outboundDropped = (sink.outboundDropped || 0) + 1;
}

// Egress (the platform's globalOutbound) cannot see the redirect mode the function asked for, so
// it travels in a header; Egress follows redirects itself, checking every hop. A refusal comes
// back marked: it becomes an error the function sees and a log entry the invocation keeps. A
// network failure comes back marked too, and is thrown as fetch throws one (a TypeError).
const platformFetch = globalThis.fetch;
globalThis.fetch = async function fetch(input, init) {
  const sink = currentSink.getStore();
  const request = new Request(input, init);
  request.headers.set("x-edgefn-redirect", request.redirect === "manual" ? "manual" : "follow");
  let host = "(invalid URL)";
  try { host = new URL(request.url).host; } catch {}
  const call = { host, method: request.method, status: 0, durationMs: 0 };
  const started = Date.now();
  let response;
  try {
    response = await platformFetch(request);
  } catch (error) {
    call.status = "failed";
    call.durationMs = Date.now() - started;
    note(sink, call);
    throw error;
  }
  call.durationMs = Date.now() - started;
  const egress = response.headers.get("x-edgefn-egress");
  if (egress === "blocked" || egress === "failed") {
    call.status = egress;
    note(sink, call);
    const error = egress === "blocked" ? new Error(await response.text()) : new TypeError(await response.text());
    if (egress === "blocked") {
      error.name = "EgressBlockedError";
      sink?.push("Error", error.message, []);
    }
    throw error;
  }
  call.status = response.status;
  note(sink, call);
  return response;
};
`;
