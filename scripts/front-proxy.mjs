// The front proxy: the port users talk to locally, in front of `wrangler dev`.
//
// Why it exists: LivePerson's API answers a failed function with HTTP 901, but a Worker cannot build
// a Response with a status outside 200-599. So the Worker answers 422 with `X-Edgefn-Status: 901`
// (src/api/wire-status.ts) and this proxy writes the real status line (Node allows 100-999) and
// drops the header. Everything else passes through untouched and streamed, both ways.
//
// Usage: imported by scripts/start.mjs and scripts/bench.mjs, or on its own:
//   node scripts/front-proxy.mjs --port 8787 --upstream-port 41234
import { randomUUID } from "node:crypto";
import http from "node:http";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export const WIRE_STATUS_HEADER = "x-edgefn-status";
const WORKER_STATUS_FOR_WIRE = 422; // FUNCTION_FAILED_WORKER_STATUS in src/api/wire-status.ts
const STATUS_TEXT = { 901: "Function Failed" };

// Hop-by-hop headers belong to one connection, not to the message (RFC 9110 §7.6.1); Node frames
// each side itself. `expect` too: Node's server already answered 100-continue to the client.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
  "trailer", "upgrade", "expect"]);

/** Raw header list ([k, v, k, v, ...], as Node gives it) without the names in `drop`. */
function filterRaw(raw, drop) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) if (!drop(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

/** The status the client should see: the Worker's stand-in 422 becomes the status it names. */
export function wireStatus(status, headerValue) {
  const named = Number(headerValue);
  if (status === WORKER_STATUS_FOR_WIRE && Number.isInteger(named) && named >= 100 && named <= 999) return named;
  return status;
}

/**
 * Creates (does not start) the proxy server. `upstream` is a function returning {host, port} of the
 * runtime for each request, so a supervisor can move the runtime to another port after a restart.
 */
export function createFrontProxy({ upstream, log = () => {} }) {
  // Keep-alive to the runtime: a fresh TCP connection per request would dominate local latency.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const server = http.createServer((req, res) => {
    const { host, port } = upstream();
    const up = http.request({
      host, port, agent,
      method: req.method,
      path: req.url,
      headers: filterRaw(req.rawHeaders, (k) => HOP_BY_HOP.has(k)),
    });

    up.on("response", (upRes) => {
      const wireValue = upRes.headers[WIRE_STATUS_HEADER];
      const status = wireStatus(upRes.statusCode, wireValue);
      const headers = filterRaw(upRes.rawHeaders, (k) => HOP_BY_HOP.has(k) || k === WIRE_STATUS_HEADER);
      const text = status === upRes.statusCode ? upRes.statusMessage : STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? "Status";
      res.writeHead(status, text, headers);
      upRes.pipe(res);
      upRes.on("error", () => res.destroy()); // the runtime died mid-body: the client must not see a clean end
    });

    up.on("error", (err) => {
      if (res.headersSent || res.destroyed) return res.destroy(); // mid-answer, or the client left
      log(`front proxy: runtime unreachable for ${req.method} ${req.url}: ${err.code ?? err.message}`);
      // The LivePerson error shape, with a request id like every other answer of the platform (a
      // caller's X-Request-ID is echoed under the same rule the Worker applies).
      const given = req.headers["x-request-id"];
      const requestId = given && /^[\w\-=]{1,255}$/.test(given) ? given : randomUUID();
      const body = JSON.stringify({
        errorCode: "com.liveperson.faas.es.unavailable",
        errorMsg: `The local runtime is not reachable (${err.code ?? err.message}); it may be starting or restarting. Try again shortly.`,
        requestId,
      });
      res.writeHead(503, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-request-id": requestId, "retry-after": "1" });
      res.end(body);
    });

    // A client that goes away takes its upstream request with it.
    res.on("close", () => { if (!res.writableFinished) up.destroy(); });
    req.pipe(up);
  });

  server.on("close", () => agent.destroy());
  return server;
}

// Run on its own (the bench runs it as a separate process so its load generator does not share an
// event loop with the proxy).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { port: { type: "string" }, "upstream-port": { type: "string" } } });
  const port = Number(values.port ?? process.env.PORT ?? 8787);
  const upstreamPort = Number(values["upstream-port"]);
  if (!upstreamPort) {
    console.error("usage: node scripts/front-proxy.mjs --port <port> --upstream-port <wrangler dev port>");
    process.exit(2);
  }
  const server = createFrontProxy({ upstream: () => ({ host: "127.0.0.1", port: upstreamPort }), log: console.error });
  server.listen(port, "127.0.0.1", () => console.log(`front proxy on http://127.0.0.1:${port} -> 127.0.0.1:${upstreamPort}`));
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { server.close(); server.closeAllConnections(); });
}
