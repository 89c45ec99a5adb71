// Small networking helpers for the launcher scripts; everything stays on 127.0.0.1.
import http from "node:http";
import net from "node:net";

export const HOST = "127.0.0.1";

/** A port that was free a moment ago (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** GET a path on 127.0.0.1; resolves to the status code, or 0 if nothing answered in time. */
export function probe(port, path = "/healthz", timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve(0));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
  });
}
