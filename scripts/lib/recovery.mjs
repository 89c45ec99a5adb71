// Measuring recovery of the local runtime (npm run bench, scripts/test/runtime-recovery.test.mjs):
// hostile functions that stall or flood it, and how soon another account is served again. All
// traffic goes to 127.0.0.1, bounded in count and time.
import http from "node:http";
import { HOST } from "./net.mjs";

/** A function that holds the CPU forever (locally nothing stops it but the supervisor). */
export const CPU_LOOP_CODE = "function lambda(input, callback) { for (;;) {} }";

/**
 * A function that keeps allocating (touched memory, so it is resident) up to `mib` MiB, then holds
 * it for a minute before answering: a bomb that finished and let go before the supervisor's next
 * look at the runtime's memory would go unnoticed (seen under load), which no real one does.
 */
export const memoryBombCode = (mib) =>
  `function lambda(input, callback) { const keep = []; for (let i = 0; i < ${mib}; i++) keep.push(new Uint8Array(1 << 20).fill(1)); setTimeout(() => callback(null, keep.length), 60000); }`;

/** The gateway invoke of a function (bench-platform's accountWithFunction shape) with an empty payload; the bench's too. */
export const invokeRequest = (fn, uuid = fn.uuid) => ({
  method: "POST",
  path: `${fn.base}/lambdas/${uuid}/invoke`,
  headers: { authorization: `Bearer ${fn.key}`, "content-type": "application/json" },
  body: JSON.stringify({ headers: [], payload: {} }),
});

/** One request; resolves { status, headers, body } or { status: 0, error } (never rejects). */
export function request(port, { method = "GET", path, headers = {}, body }, timeoutMs = 30_000) {
  return new Promise((resolve) => {
    const req = http.request({ host: HOST, port, method, path, headers, agent: false, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { text += c; });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      res.on("error", (error) => resolve({ status: 0, error: error.message }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", (error) => resolve({ status: 0, error: error.message }));
    req.end(body);
  });
}

/**
 * Ms from `since` until `req` answers 200 (each try waits at most 1 s), or null after `giveUpMs`.
 */
export async function msUntilServed(port, req, since, giveUpMs = 30_000) {
  while (Date.now() - since < giveUpMs) {
    if ((await request(port, req, 1000)).status === 200) return Date.now() - since;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}
