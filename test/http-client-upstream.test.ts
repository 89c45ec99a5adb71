// Toolbelt.HTTPClient against a real local upstream (test/upstream-server.ts) that the account has
// allow-listed: request-promise's options and answers, and the invocation's outbound record.
import { describe, expect, inject, it } from "vitest";
import { call, deployed, json, newAccount, storedInvocation, testInvoke } from "./helpers/api";

const PORT = inject("upstreamPort");
const UP = `http://127.0.0.1:${PORT}`;

/** Runs `body` (an async function body with `client` and `UP` in scope) in a function of an account that allow-lists the upstream. */
async function run(body: string) {
  const a = await newAccount();
  const res = await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain: `127.0.0.1:${PORT}`, id: -1 } });
  expect(res.status).toBe(201);
  const uuid = await deployed(
    a,
    `const { Toolbelt } = require('lp-faas-toolbelt');
     const UP = ${JSON.stringify(UP)};
     async function lambda(input) { const client = Toolbelt.HTTPClient(); ${body} }`,
  );
  const out = await json(await testInvoke(a, uuid));
  return { a, out };
}

const tag = () => `h${crypto.randomUUID().slice(0, 8)}`;

describe("Toolbelt.HTTPClient against an allow-listed upstream", () => {
  it("json: true sends the body as JSON and parses the answer; qs becomes the query", async () => {
    const t = tag();
    const { out } = await run(`return client({ method: 'POST', uri: UP + '/${t}/echo', qs: { a: 1, b: ['x', 'y'] }, json: true, body: { hello: 'crm' }, headers: { 'X-Brand': 'b1' } });`);
    expect(out.result.method).toBe("POST");
    expect(out.result.url).toBe(`/${t}/echo?a=1&b=x&b=y`);
    expect(JSON.parse(out.result.body)).toEqual({ hello: "crm" });
    expect(out.result.headers["content-type"]).toBe("application/json");
    expect(out.result.headers["x-brand"]).toBe("b1");
  });

  it("client(uri, options) without json answers the body as text; resolveWithFullResponse answers {statusCode, headers, body}", async () => {
    const t = tag();
    const { out } = await run(`
      const text = await client(UP + '/${t}/plain');
      const full = await client(UP + '/${t}/full', { resolveWithFullResponse: true, json: true });
      return { textType: typeof text, full: { statusCode: full.statusCode, type: full.headers['content-type'], url: full.body.url } };`);
    expect(out.result).toEqual({ textType: "string", full: { statusCode: 200, type: "application/json", url: `/${t}/full` } });
  });

  it("a non-2xx rejects with StatusCodeError when simple (the default), and resolves when simple: false", async () => {
    const t = tag();
    const { a, out } = await run(`
      let rejected;
      try { await client(UP + '/${t}/status?code=404'); } catch (e) { rejected = { name: e.name, statusCode: e.statusCode, error: e.error, message: e.message }; }
      const lenient = await client({ uri: UP + '/${t}/status?code=503', simple: false, resolveWithFullResponse: true });
      return { rejected, lenient: lenient.statusCode };`);
    expect(out.result.rejected).toEqual({ name: "StatusCodeError", statusCode: 404, error: "status", message: '404 - status' });
    expect(out.result.lenient).toBe(503);
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.outbound.map((c: any) => [c.host, c.method, c.status])).toEqual([
      [`127.0.0.1:${PORT}`, "GET", 404],
      [`127.0.0.1:${PORT}`, "GET", 503],
    ]);
  });

  it("timeout rejects with RequestError whose cause has code ETIMEDOUT", async () => {
    const t = tag();
    const { out } = await run(`
      try { await client({ uri: UP + '/${t}/delay?ms=1000', timeout: 100 }); return 'answered'; }
      catch (e) { return { name: e.name, code: e.cause && e.cause.code }; }`);
    expect(out.result).toEqual({ name: "RequestError", code: "ETIMEDOUT" });
  });

  it("form sends application/x-www-form-urlencoded; client.post and defaults() work", async () => {
    const t = tag();
    const { out } = await run(`
      const withDefaults = client.defaults({ headers: { 'x-default': 'd' }, json: true });
      const a = await withDefaults.post(UP + '/${t}/form', { form: { grant_type: 'refresh_token', token: 'a b' } });
      return { method: a.method, type: a.headers['content-type'], body: a.body, d: a.headers['x-default'] };`);
    expect(out.result).toEqual({ method: "POST", type: "application/x-www-form-urlencoded", body: "grant_type=refresh_token&token=a+b", d: "d" });
  });

  it("a listed host that does not answer rejects with RequestError and is recorded as failed", async () => {
    const a = await newAccount();
    await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain: "down.example.invalid", id: -1 } });
    const uuid = await deployed(
      a,
      `const { Toolbelt } = require('lp-faas-toolbelt');
       async function lambda() { try { await Toolbelt.HTTPClient()('http://down.example.invalid/'); } catch (e) { return { name: e.name, cause: e.cause.name }; } }`,
    );
    const out = await json(await testInvoke(a, uuid));
    expect(out.result).toEqual({ name: "RequestError", cause: "TypeError" });
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.outbound).toEqual([{ host: "down.example.invalid", method: "GET", path: "/", status: "failed", durationMs: expect.any(Number) }]);
  });
});
