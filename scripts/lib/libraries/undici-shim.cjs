// What jsforce takes from undici, over the isolate's own fetch. undici opens its own sockets with
// node:net / node:tls and HTTP/2, which a Workers isolate does not have (and which would bypass
// Egress, the allow-list and the invocation's record); the isolate's fetch goes through all three.
// jsforce (lib/request.js) uses: fetch(url, { ...request, body, duplex, redirect, signal, dispatcher }),
// `instanceof Response`, Agent and ProxyAgent (as dispatchers) and errors.SocketError.
"use strict";

/** jsforce's dispatchers have no meaning here: the isolate has one way out, Egress. */
class Agent {
  constructor(options) {
    this.options = options;
  }
}
class ProxyAgent extends Agent {}
class SocketError extends Error {}

/** jsforce hands its request body over as a Node stream; the isolate's fetch takes bytes. */
async function bytesOf(body) {
  if (body == null || typeof body.pipe !== "function") return body;
  const chunks = [];
  for await (const chunk of body) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return chunks.length ? Buffer.concat(chunks) : undefined;
}

async function fetch(url, options = {}) {
  const { dispatcher, duplex, body, ...init } = options;
  const bytes = await bytesOf(body);
  return globalThis.fetch(url, bytes === undefined ? init : { ...init, body: bytes });
}

module.exports = { fetch, Agent, ProxyAgent, Response: globalThis.Response, Headers: globalThis.Headers, Request: globalThis.Request, errors: { SocketError } };
