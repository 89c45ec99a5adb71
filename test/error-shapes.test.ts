// Issue 5: every error body carries both LivePerson shapes, V1 {errorCode, errorMsg} and V2
// {code, message}, so both modes of LivePerson's client recognise it (a failed function raises
// FaaSLambdaError in either mode).
import { describe, expect, it } from "vitest";
import { call, deployed, invoke, json, newAccount, wireStatus } from "./helpers/api";

const THREW = "com.customer.faas.function.threw-error";
const CUSTOM = "com.liveperson.faas.handler.custom-failure";

describe("error bodies in V1 and V2 shape", () => {
  it("a failed function: 901 with errorCode custom-failure and code threw-error, same message, errorLogs kept", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(i, cb) { console.info('before'); cb(new Error('no stock')); }");
    for (const headers of [undefined, { "LP-EventSource": "demoSystem" }]) {
      const res = await invoke(a, uuid, { headers: [], payload: {} }, a.invocation, headers);
      expect(wireStatus(res)).toBe(901);
      const body = await json(res);
      expect(body).toMatchObject({ errorCode: CUSTOM, errorMsg: "no stock", code: THREW, message: "no stock" });
      expect(typeof body.requestId).toBe("string");
      expect(body.errorLogs).toEqual([expect.objectContaining({ level: "Info", message: "before" })]);
      // What the client checks before raising FaaSLambdaError, V1 and V2.
      expect(body.errorCode.startsWith("com.liveperson.faas.handler")).toBe(true);
      expect(body.code.startsWith(THREW)).toBe(true);
    }
  });

  it("the other function failures follow the client's V2→V1 mapping", async () => {
    const a = await newAccount();
    const crash = await deployed(a, "function lambda(input, cb) { cb(null, input.payload.missing.deeper); }");
    const body = await json(await invoke(a, crash));
    expect(body).toMatchObject({ errorCode: "com.liveperson.faas.handler.runtime-exception", code: "com.customer.faas.function.js-runtime-error" });
    expect(body.message).toBe(body.errorMsg);
  });

  it("a missing function: 404 missinglambda with V2 code function.not-found", async () => {
    const a = await newAccount();
    const res = await invoke(a, "00000000-0000-0000-0000-000000000000");
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body).toMatchObject({ errorCode: "com.liveperson.faas.es.missinglambda", code: "com.liveperson.faas.function.not-found" });
    expect(body.message).toBe(body.errorMsg);
  });

  it("bad input maps to evg.invalid; codes without a V2 counterpart are repeated as they are", async () => {
    const a = await newAccount();
    const bad = await call(`/api/account/${a.accountId}/lambdas`, { key: a.developer, body: { name: "has space", implementation: { code: "x" } } });
    expect(bad.status).toBe(400);
    const b1 = await json(bad);
    expect(b1).toMatchObject({ errorCode: "com.liveperson.faas.es.badinput", code: "com.liveperson.faas.evg.invalid" });
    expect(b1.message).toBe(b1.errorMsg);

    const forbidden = await json(await call(`/api/account/${a.accountId}/api-keys`, { key: a.invocation }));
    expect(forbidden).toEqual({
      errorCode: "com.liveperson.faas.es.forbidden",
      errorMsg: forbidden.errorMsg,
      code: "com.liveperson.faas.es.forbidden",
      message: forbidden.errorMsg,
      requestId: forbidden.requestId,
    });
    expect(forbidden.errorMsg.length).toBeGreaterThan(0);

    const unauth = await json(await call(`/api/account/${a.accountId}/lambdas`));
    expect(unauth.code).toBe(unauth.errorCode);
    expect(unauth.message).toBe(unauth.errorMsg);

    const noRoute = await json(await call("/no/such/route"));
    expect(noRoute).toMatchObject({ errorCode: "com.liveperson.faas.es.notfound", code: "com.liveperson.faas.es.notfound" });
  });
});
