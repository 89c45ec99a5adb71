// `toolbelt-http.js` in every tenant isolate (CommonJS): Toolbelt.HTTPClient(), the request-promise
// style client LivePerson functions call, over the isolate's fetch (so subject to the allow-list).
// Part of the isolate's code hash (worker-code.ts).
export const HTTP_CLIENT_SOURCE = String.raw`
"use strict";
function HTTPClient() {
  return async function client() {
    const error = new Error("Toolbelt.HTTPClient is not available on this edgefn version yet");
    error.name = "ToolbeltUnavailableError";
    throw error;
  };
}
module.exports = { HTTPClient };
`;
