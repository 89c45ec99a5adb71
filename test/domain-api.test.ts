// The domain API (LivePerson's CSDS, issue 5): baseURI.json names this deployment for agentVep
// (sign-in, issue 13), faasGW, faasUI and sentinel; public; PUBLIC_HOST wins over the request's Host, and without it only a
// loopback Host is named (test/hostile-input.test.ts attacks it).
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { call, env, json, newAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const path = (accountId: string) => `/api/account/${accountId}/service/baseURI.json?version=1.0`;

describe("GET /api/account/{accountId}/service/baseURI.json", () => {
  it("names this deployment's host for agentVep, faasGW, faasUI and sentinel, without credentials", async () => {
    const a = await newAccount();
    const res = await call(path(a.accountId), { headers: { host: "edgefn.localhost" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = await json(res);
    expect(body).toEqual({
      baseURIs: [
        { service: "agentVep", account: a.accountId, baseURI: "edgefn.localhost" },
        { service: "faasGW", account: a.accountId, baseURI: "edgefn.localhost" },
        { service: "faasUI", account: a.accountId, baseURI: "edgefn.localhost" },
        { service: "sentinel", account: a.accountId, baseURI: "edgefn.localhost" },
      ],
    });
  });

  it("answers for any well-formed account id (like CSDS) and without the version parameter", async () => {
    const body = await json(await call("/api/account/12345678/service/baseURI.json"));
    expect(body.baseURIs.map((e: any) => e.service)).toEqual(["agentVep", "faasGW", "faasUI", "sentinel"]);
    expect(body.baseURIs.every((e: any) => e.account === "12345678")).toBe(true);
  });

  it("without PUBLIC_HOST, uses the request's Host header when it is a loopback name, port included; any other Host names localhost", async () => {
    for (const host of ["localhost:8443", "127.0.0.1:8787", "[::1]:8787", "functions.localhost"]) {
      const body = await json(await call(path("12345678"), { headers: { host } }));
      expect(body.baseURIs.map((e: any) => e.baseURI)).toEqual([host, host, host, host]);
    }
    const body = await json(await call(path("12345678"), { headers: { host: "functions.local.test:8443" } }));
    expect(body.baseURIs.map((e: any) => e.baseURI)).toEqual(Array(4).fill("localhost"));
  });

  it("PUBLIC_HOST, when set, wins over the request's host", async () => {
    const res = await createApp().request(path("12345678"), {}, { ...env, PUBLIC_HOST: "functions.example.com" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.baseURIs.map((e: any) => e.baseURI)).toEqual(Array(4).fill("functions.example.com"));
  });

  it("refuses a malformed account id with 400 in LivePerson's error shape", async () => {
    await expectError(await call(`/api/account/${"x".repeat(65)}/service/baseURI.json?version=1.0`), 400, CODES.badInput);
    await expectError(await call(`/api/account/a%20b/service/baseURI.json?version=1.0`), 400, CODES.badInput);
  });

  it("is not part of the authenticated spec (like /healthz)", async () => {
    const spec = await json(await call("/api/openapi.json"));
    expect(Object.keys(spec.paths).filter((p) => p.includes("baseURI"))).toEqual([]);
  });
});
