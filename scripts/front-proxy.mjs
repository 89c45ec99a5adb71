// The front proxy: the port users talk to locally, in front of `wrangler dev`.
//
// Why it exists: LivePerson's API answers a failed function with HTTP 901, but a Worker cannot build
// a Response with a status outside 200-599. So the Worker answers 422 with `X-Edgefn-Status: 901`
// (src/api/wire-status.ts) and this proxy writes the real status line (Node allows 100-999) and
// drops the header. Everything else passes through untouched and streamed, both ways, except:
//   - An answer that did not come from edgefn's Worker (wrangler's or workerd's own error pages when
//     the runtime died mid-call: a 500 with a stack trace naming paths of this machine) becomes the
//     API's JSON error, 503 with Retry-After, as does "runtime not reachable". Every answer of the
//     Worker carries X-Request-ID (hono's requestId middleware in src/app.ts); a 5xx without it
//     came from the machinery around it.
//   - A request body without Content-Length (Transfer-Encoding: chunked) is collected up to the
//     largest body the Worker accepts + 1 byte and sent on with a Content-Length, the rest of a
//     longer one is dropped. Why: the Worker refuses an oversized body (413) without reading it all,
//     and the local runtime then closes the connection with the unread body still arriving; TCP
//     resets it, and the reset discards the 413 before it is read (seen from 20 MB on; at 100 MB
//     wrangler's dev proxy answers its own 500 instead). Sent with a length over the limit, the
//     body is refused from its length and the 413 arrives, as for a caller that sent Content-Length.
//
// Usage: imported by scripts/start.mjs and scripts/bench.mjs, or on its own:
//   node scripts/front-proxy.mjs --port 8787 --upstream-port 41234
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/**
 * The largest request body the Worker accepts: MAX_BODY_BYTES from the environment, else from
 * wrangler.toml's [vars], else the Worker's default (1 MiB, src/api/invoke.ts).
 */
export function maxBodyBytes(env = process.env) {
  const fromToml = () => {
    try {
      const toml = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "wrangler.toml"), "utf8");
      return toml.match(/^\s*MAX_BODY_BYTES\s*=\s*"?(\d+)"?/m)?.[1];
    } catch {
      return undefined;
    }
  };
  const n = Number(env.MAX_BODY_BYTES ?? fromToml());
  return Number.isInteger(n) && n > 0 ? n : 1024 * 1024;
}

/** An answer of edgefn's Worker (see the file comment); anything else 5xx is the machinery's. */
export const fromWorker = (upRes) => upRes.statusCode < 500 || upRes.headers["x-request-id"] !== undefined;

/** The request id of an answer the front makes: the caller's X-Request-ID under the Worker's rule, else a new one. */
function requestIdOf(req) {
  const given = req.headers["x-request-id"];
  return given && /^[\w\-=]{1,255}$/.test(given) ? given : randomUUID();
}

/** The API's error for "the runtime cannot answer this now" (LivePerson's shape, with a request id). */
function unavailable(req, res, why) {
  const requestId = requestIdOf(req);
  const body = JSON.stringify({
    errorCode: "com.liveperson.faas.es.unavailable",
    errorMsg: `The local runtime ${why}; it may be starting or restarting. Try again shortly.`,
    requestId,
  });
  res.writeHead(503, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-request-id": requestId, "retry-after": "1" });
  res.end(body);
}

/**
 * Collects a body without Content-Length, up to `cap` bytes; calls `done(buffer)` once it ended or
 * passed the cap (the rest is read and dropped, see the file comment), or `failed()` if the
 * client went away first.
 */
function collectBody(req, cap, done, failed) {
  const chunks = [];
  let size = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done(Buffer.concat(chunks, Math.min(size, cap)));
  };
  req.on("data", (chunk) => {
    if (finished) return; // past the cap: dropped
    chunks.push(chunk);
    size += chunk.length;
    if (size >= cap) finish();
  });
  req.on("end", finish);
  req.on("error", () => { if (!finished) { finished = true; failed(); } });
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
 * `answers` (lib/answered.mjs) remembers the invocation answers passed on, for the supervisor.
 */
export function createFrontProxy({ upstream, log = () => {}, bodyCap = maxBodyBytes() + 1, answers = null }) {
  // Keep-alive to the runtime: a fresh TCP connection per request would dominate local latency.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const server = http.createServer((req, res) => {
    const { host, port } = upstream();
    const streamed = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] === undefined;
    const headers = filterRaw(req.rawHeaders, (k) => HOP_BY_HOP.has(k));
    const send = (body) => {
      const up = http.request({
        host, port, agent,
        method: req.method,
        path: req.url,
        headers: body ? [...headers, "content-length", String(body.length)] : headers,
      });
      relay(req, res, up);
      if (body) up.end(body);
      else req.pipe(up);
    };
    if (streamed) return send(null);
    collectBody(req, bodyCap, send, () => res.destroy());
  });

  /** Relays the runtime's answer to `up` (or the API's 503 in its place). */
  const relay = (req, res, up) => {
    let answered = false; // the runtime's whole answer arrived: a later request-side error changes nothing
    up.on("response", (upRes) => {
      if (!fromWorker(upRes)) {
        // wrangler's or workerd's own error page (a stack trace with paths): not for the caller.
        upRes.resume();
        log(`front proxy: the runtime failed while answering ${req.method} ${req.url} (${upRes.statusCode} not from the Worker)`);
        if (!res.headersSent) unavailable(req, res, "failed while answering");
        return;
      }
      answers?.note(upRes.headers); // what this caller is told (lib/answered.mjs)
      const wireValue = upRes.headers[WIRE_STATUS_HEADER];
      const status = wireStatus(upRes.statusCode, wireValue);
      const headers = filterRaw(upRes.rawHeaders, (k) => HOP_BY_HOP.has(k) || k === WIRE_STATUS_HEADER);
      const text = status === upRes.statusCode ? upRes.statusMessage : STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? "Status";
      res.writeHead(status, text, headers);
      upRes.on("end", () => { answered = true; });
      upRes.pipe(res);
      upRes.on("error", () => res.destroy()); // the runtime died mid-body: the client must not see a clean end
    });

    up.on("error", (err) => {
      if (answered) return; // e.g. EPIPE sending the rest of a body the Worker had already refused
      if (res.headersSent || res.destroyed) return res.destroy(); // mid-answer, or the client left
      log(`front proxy: runtime unreachable for ${req.method} ${req.url}: ${err.code ?? err.message}`);
      unavailable(req, res, `is not reachable (${err.code ?? err.message})`);
    });

    // A client that goes away takes its upstream request with it.
    res.on("close", () => { if (!res.writableFinished) up.destroy(); });
  };

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
