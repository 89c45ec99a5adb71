import { describe, expect, it } from "vitest";
import { call, deployed, invoke, json, newAccount, wireStatus } from "./helpers/api";

describe("smoke", () => {
  it("creates, deploys and invokes a function", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    const res = await invoke(a, uuid, { headers: [], payload: { name: "Ada" } });
    expect(res.status).toBe(200);
    expect(await json(res)).toBe("Hello Ada");
    const fail = await invoke(a, await deployed(a, "function lambda(i, cb) { cb(new Error('nope')) }"));
    expect(wireStatus(fail)).toBe(901);
    console.log(await fail.text());
    const spec = await json(await call("/api/openapi.json"));
    console.log(Object.keys(spec.paths));
  });
});
