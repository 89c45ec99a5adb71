// Toolbelt.HTTPClient and the invocation's outbound record, for hosts the allow-list refuses and
// for bad options. (Requests that reach a real upstream are in test/http-client-upstream.test.ts.)
import { describe, expect, it } from "vitest";
import { deployed, json, newAccount, storedInvocation, testInvoke } from "./helpers/api";

const run = async (code: string) => {
  const a = await newAccount();
  const uuid = await deployed(a, code);
  const res = await testInvoke(a, uuid);
  return { a, res, out: await json(res) };
};

describe("Toolbelt.HTTPClient against a host that is not allow-listed", () => {
  it("rejects with request-promise's RequestError whose cause names the blocked host; the record lists the call as blocked", async () => {
    const { a, res, out } = await run(`
      const { Toolbelt } = require('lp-faas-toolbelt');
      async function lambda() {
        const client = Toolbelt.HTTPClient();
        try {
          await client('https://crm.not-listed.example/api', { method: 'POST', json: true, body: { a: 1 } });
          return 'reached';
        } catch (e) {
          return { name: e.name, cause: e.cause && e.cause.name, message: e.message };
        }
      }`);
    expect(res.status).toBe(200);
    expect(out.result.name).toBe("RequestError");
    expect(out.result.cause).toBe("EgressBlockedError");
    expect(out.result.message).toContain("crm.not-listed.example");
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.outbound).toEqual([{ host: "crm.not-listed.example", method: "POST", path: "/api", status: "blocked", durationMs: expect.any(Number) }]);
  });

  it("accepts client(options) with url, client.get(uri) and the request-promise names", async () => {
    const { a, out } = await run(`
      const { Toolbelt } = require('lp-faas-toolbelt');
      async function lambda() {
        const client = Toolbelt.HTTPClient();
        const names = [];
        for (const call of [() => client({ url: 'http://a.not-listed.example/x', qs: { q: 1 } }), () => client.get('http://b.not-listed.example/'), () => client.delete({ uri: 'http://c.not-listed.example/' })]) {
          try { await call(); } catch (e) { names.push(e.name); }
        }
        return names;
      }`);
    expect(out.result).toEqual(["RequestError", "RequestError", "RequestError"]);
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.outbound.map((c: any) => [c.host, c.method, c.status])).toEqual([
      ["a.not-listed.example", "GET", "blocked"],
      ["b.not-listed.example", "GET", "blocked"],
      ["c.not-listed.example", "DELETE", "blocked"],
    ]);
  });

  it("answers a clear TypeError for a call without a URL, and sends nothing", async () => {
    const { a, out } = await run(`
      const { Toolbelt } = require('lp-faas-toolbelt');
      async function lambda() {
        try { await Toolbelt.HTTPClient()({ method: 'GET' }); } catch (e) { return e.name + ': ' + e.message; }
      }`);
    expect(out.result).toBe("TypeError: HTTPClient: options.uri (or options.url) is required");
    expect((await storedInvocation(a, out.invocationId)).outbound).toEqual([]);
  });
});

describe("outbound record", () => {
  it("lists plain fetch calls in order, and an uncaught block fails the invocation with the reason", async () => {
    const { a, res, out } = await run(`
      async function lambda() {
        try { await fetch('https://first.not-listed.example/'); } catch (e) {}
        await fetch(new Request('https://second.not-listed.example/', { method: 'PUT', body: 'x' }));
      }`);
    expect(Number(res.headers.get("x-edgefn-status") ?? res.status)).toBe(901);
    expect(out.errorMsg).toContain("second.not-listed.example");
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.status).toBe("CODING_FAILURE");
    expect(stored.outbound.map((c: any) => [c.host, c.method, c.status])).toEqual([
      ["first.not-listed.example", "GET", "blocked"],
      ["second.not-listed.example", "PUT", "blocked"],
    ]);
    expect(stored.logs.filter((l: any) => l.level === "Error").map((l: any) => l.message)).toHaveLength(2);
  });

  it("lists at most 50 calls", async () => {
    const { a, out } = await run(`
      async function lambda() {
        for (let i = 0; i < 55; i++) { try { await fetch('https://h' + i + '.not-listed.example/'); } catch (e) {} }
        return 'done';
      }`);
    expect(out.result).toBe("done");
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.outbound).toHaveLength(50);
    expect(stored.outbound[49].host).toBe("h49.not-listed.example");
  });
});
