// `platform-fetch.js` in every tenant isolate (CommonJS): wraps globalThis.fetch once, on load.
// Part of WRAPPER_VERSION (bump it when this changes).
export const FETCH_SOURCE = String.raw`
"use strict";
const { currentSink } = require("./sink.js");

// Outbound requests go to the platform's Egress entrypoint (globalOutbound). A refusal comes back
// marked; turn it into an error the function sees and a log entry the invocation keeps.
const platformFetch = globalThis.fetch;
globalThis.fetch = async function fetch(input, init) {
  const response = await platformFetch(input, init);
  if (response.headers.get("x-edgefn-egress") === "blocked") {
    const error = new Error(await response.text());
    error.name = "EgressBlockedError";
    currentSink.getStore()?.push("Error", error.message, []);
    throw error;
  }
  return response;
};

`;
