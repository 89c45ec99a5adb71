// The front proxy against a fake runtime on 127.0.0.1. Responses are read with node:http because
// fetch (undici) rejects a 901 status line.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { createFrontProxy, wireStatus } from "../front-proxy.mjs";
import { freePort } from "../lib/net.mjs";

const HOST = "127.0.0.1";
let releaseStream; // lets /stream send its second half only after the client saw the first

function fakeRuntime() {
  return http.createServer((req, res) => {
    const rid = req.headers["x-request-id"];
    const base = rid ? { "x-request-id": rid } : {};
    switch (req.url) {
      case "/fail":
        res.writeHead(422, { ...base, "content-type": "application/json", "X-Edgefn-Status": "901" });
        return res.end(JSON.stringify({ errorCode: "com.liveperson.faas.handler.custom-failure" }));
      case "/invalid":
        res.writeHead(422, { ...base, "content-type": "application/json" });
        return res.end("{}");
      case "/ok":
        res.writeHead(200, { ...base, "content-type": "text/plain", "set-cookie": ["a=1", "b=2"] });
        return res.end("ok");
      case "/not-modified":
        res.writeHead(304, { ...base, etag: '"v1"' });
        return res.end();
      case "/no-content":
        res.writeHead(204, base);
        return res.end();
      case "/too-large":
        res.writeHead(413, { ...base, "content-type": "application/json" });
        return res.end('{"errorCode":"too-large"}');
      case "/stream":
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("first;");
        new Promise((r) => { releaseStream = r; }).then(() => res.end("second"));
        return;
      case "/echo": // streams the request body straight back, with what the runtime saw
        res.writeHead(200, { ...base, "x-seen-method": req.method, "x-seen-type": req.headers["content-type"] ?? "" });
        return req.pipe(res);
      default:
        res.writeHead(404);
        return res.end();
    }
  });
}

/** One request through node:http; resolves with status, headers and the whole body. */
function request(port, path, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path, method, headers, agent: false, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, statusMessage: res.statusMessage, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, HOST, () => resolve(server.address().port)));
}

function close(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("front proxy", { timeout: 20_000 }, () => {
  let runtime, proxy, proxyPort;

  before(async () => {
    runtime = fakeRuntime();
    const runtimePort = await listen(runtime);
    proxy = createFrontProxy({ upstream: () => ({ host: HOST, port: runtimePort }) });
    proxyPort = await listen(proxy);
  });
  after(async () => {
    releaseStream?.();
    await close(proxy);
    await close(runtime);
  });

  test("a 422 naming X-Edgefn-Status: 901 becomes a real 901 without the header", async () => {
    const res = await request(proxyPort, "/fail", { method: "POST", headers: { "X-Request-ID": "req-901" } });
    assert.equal(res.status, 901);
    assert.equal(res.headers["x-edgefn-status"], undefined);
    assert.equal(res.headers["x-request-id"], "req-901");
    assert.equal(JSON.parse(res.body).errorCode, "com.liveperson.faas.handler.custom-failure");
  });

  test("other answers pass through unchanged", async () => {
    const plain422 = await request(proxyPort, "/invalid");
    assert.equal(plain422.status, 422);

    const ok = await request(proxyPort, "/ok");
    assert.equal(ok.status, 200);
    assert.equal(ok.statusMessage, "OK");
    assert.equal(ok.body.toString(), "ok");
    assert.deepEqual(ok.headers["set-cookie"], ["a=1", "b=2"]);

    const notModified = await request(proxyPort, "/not-modified", { headers: { "if-none-match": '"v1"' } });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.etag, '"v1"');
    assert.equal(notModified.body.length, 0);

    assert.equal((await request(proxyPort, "/no-content")).status, 204);
    const tooLarge = await request(proxyPort, "/too-large", { method: "POST", body: "x" });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.toString(), '{"errorCode":"too-large"}');
  });

  test("request bodies and X-Request-ID reach the runtime and come back", async () => {
    const body = randomBytes(256 * 1024);
    const res = await request(proxyPort, "/echo", {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "X-Request-ID": "req-echo" },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers["x-seen-method"], "PUT");
    assert.equal(res.headers["x-seen-type"], "application/octet-stream");
    assert.equal(res.headers["x-request-id"], "req-echo");
    assert.ok(res.body.equals(body), "echoed body differs");
  });

  test("response bodies are streamed, not buffered", async () => {
    const text = await new Promise((resolve, reject) => {
      const req = http.get({ host: HOST, port: proxyPort, path: "/stream", agent: false, timeout: 5000 }, (res) => {
        let got = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          // The runtime only finishes once the first part has reached this client through the proxy.
          if (!got) releaseStream();
          got += chunk;
        });
        res.on("end", () => resolve(got));
      });
      req.on("timeout", () => req.destroy(new Error("stream did not arrive")));
      req.on("error", reject);
    });
    assert.equal(text, "first;second");
  });
});

describe("front proxy without a runtime", { timeout: 10_000 }, () => {
  test("answers 503 in LivePerson's error shape", async () => {
    let deadPort; // chosen after the proxy listens, so it cannot be the proxy's own port
    const proxy = createFrontProxy({ upstream: () => ({ host: HOST, port: deadPort }) });
    const port = await listen(proxy);
    deadPort = await freePort(); // nothing listens there
    try {
      const res = await request(port, "/healthz", { headers: { "X-Request-ID": "req-503" } });
      assert.equal(res.status, 503);
      assert.equal(res.headers["x-request-id"], "req-503");
      const body = JSON.parse(res.body);
      assert.equal(body.errorCode, "com.liveperson.faas.es.unavailable");
      assert.match(body.errorMsg, /not reachable/);
      assert.equal(body.requestId, "req-503");
    } finally {
      await close(proxy);
    }
  });
});

test("wireStatus only rewrites the Worker's 422 stand-in", () => {
  assert.equal(wireStatus(422, "901"), 901);
  assert.equal(wireStatus(422, undefined), 422);
  assert.equal(wireStatus(422, "abc"), 422);
  assert.equal(wireStatus(422, "1000"), 422);
  assert.equal(wireStatus(200, "901"), 200);
});
