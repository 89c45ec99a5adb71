// A small closed-loop load generator for the bench: `concurrency` workers, each sending its next
// request as soon as the previous answer is read, over keep-alive connections.
import http from "node:http";
import { HOST } from "./net.mjs";

/** One request; resolves with status and body text. Rejects on network errors and after timeoutMs. */
export function send(agent, port, { method = "GET", path, headers = {}, body }, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, method, path, headers, agent, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { text += c; });
      res.on("end", () => resolve({ status: res.statusCode, body: text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Runs `request` (see send) for durationMs with `concurrency` workers. A request counts as ok when
 * isOk(status, body, i) holds. `request` may be a function of the request's number i (0, 1, 2, …
 * over all workers), for a load spread over many functions. Returns { ok, errors, elapsedMs,
 * latencies } (latencies of ok requests, ms). `count`: stop after that many requests, if sooner.
 */
export async function loadFor({ port, request, concurrency, durationMs, isOk = (s) => s === 200, count = Infinity }) {
  const requestOf = typeof request === "function" ? request : () => request;
  let sent = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end && sent < count) {
      const i = sent++;
      const t0 = performance.now();
      try {
        const res = await send(agent, port, requestOf(i));
        if (isOk(res.status, res.body, i)) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return { ok: latencies.length, errors, elapsedMs, latencies };
}

/** Nearest-rank percentile of a list of numbers (p in 0..100). */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
