// Toolbelt.SecretClient() from brand code, through the real API: reads always see the latest value
// (API rotation and deletion without a redeploy), SecretError with LivePerson's codes, rotation by
// the function itself with the API's validation and an audit row, and values that never appear in
// errors.
import { describe, expect, it } from "vitest";
import { call, createSecret, deployed, distinctive, env, invoke, invokeOk as run, json, newAccount, wireStatus, type TestAccount } from "./helpers/api";

const secretsPath = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/secrets${rest}`;




// Answers what readSecret / updateSecret gave, or the error's name, code and message.
const SECRET_FN = `
const { Toolbelt } = require("lp-faas-toolbelt");
const secrets = Toolbelt.SecretClient();
async function lambda(input) {
  const p = input.payload;
  try {
    const value = p.op === "update" ? await secrets.updateSecret(p.entry) : await secrets.readSecret(p.key);
    return { ok: true, value };
  } catch (e) {
    return { ok: false, name: e.name, code: e.code, message: e.message, isError: e instanceof Error, isSecretError: e instanceof require("lp-faas-toolbelt").SecretError };
  }
}`;

const NOT_FOUND = "com.liveperson.faas.secret.not-found";
const INVALID = "com.liveperson.faas.secret.invalid-format";

describe("readSecret", () => {
  it("answers {key, value} of the account's secret", async () => {
    const a = await newAccount();
    const value = distinctive("read");
    await createSecret(a, "API_TOKEN", value);
    const uuid = await deployed(a, SECRET_FN);
    expect(await run(a, uuid, { key: "API_TOKEN" })).toEqual({ ok: true, value: { key: "API_TOKEN", value } });
  });

  it("works under the platform's own module name and in callback style", async () => {
    const a = await newAccount();
    const value = distinctive("cb");
    await createSecret(a, "CB_KEY", value);
    const uuid = await deployed(
      a,
      `function lambda(input, callback) {
        require("edgefn-toolbelt").Toolbelt.SecretClient().readSecret("CB_KEY").then((s) => callback(null, s.value), callback);
      }`,
    );
    expect(await run(a, uuid)).toBe(value);
  });

  it("throws a SecretError with code com.liveperson.faas.secret.not-found for a missing key", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SECRET_FN);
    const out = await run(a, uuid, { key: "NO_SUCH_KEY" });
    expect(out).toMatchObject({ ok: false, name: "SecretError", code: NOT_FOUND, isError: true, isSecretError: true });
    expect(out.message).toContain("NO_SUCH_KEY");
  });

  it("rejects a malformed key with invalid-format and names the rule", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SECRET_FN);
    for (const key of ["bad key!", "", "x".repeat(101), 42]) {
      const out = await run(a, uuid, { key });
      expect(out, JSON.stringify(key)).toMatchObject({ ok: false, name: "SecretError", code: INVALID });
      expect(out.message).toMatch(/key/);
    }
  });

  it("an uncaught SecretError fails the invocation with 901 and its message", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, `async function lambda() { return require("lp-faas-toolbelt").Toolbelt.SecretClient().readSecret("MISSING_ONE"); }`);
    const res = await invoke(a, uuid);
    expect(wireStatus(res)).toBe(901);
    const body = await json(res);
    expect(body.errorCode).toBe("com.liveperson.faas.handler.custom-failure");
    expect(body.errorMsg).toContain("MISSING_ONE");
  });

  it("sees a PUT through the API on the next read, without a redeploy", async () => {
    const a = await newAccount();
    const first = distinctive("v1");
    const second = distinctive("v2");
    await createSecret(a, "ROTATED", first);
    const uuid = await deployed(a, SECRET_FN);
    expect((await run(a, uuid, { key: "ROTATED" })).value.value).toBe(first);
    const put = await call(secretsPath(a, "/ROTATED"), { method: "PUT", key: a.admin, body: { value: second } });
    expect(put.status).toBe(200);
    expect((await run(a, uuid, { key: "ROTATED" })).value.value).toBe(second);
  });

  it("sees a DELETE through the API at once", async () => {
    const a = await newAccount();
    await createSecret(a, "GONE", distinctive("gone"));
    const uuid = await deployed(a, SECRET_FN);
    expect((await run(a, uuid, { key: "GONE" })).ok).toBe(true);
    const del = await call(secretsPath(a, "/GONE"), { method: "DELETE", key: a.admin });
    expect(del.status).toBe(204);
    expect(await run(a, uuid, { key: "GONE" })).toMatchObject({ ok: false, code: NOT_FOUND });
  });

  it("reads only its own account's secret when another account has the same key", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const va = distinctive("a");
    const vb = distinctive("b");
    await createSecret(a, "SHARED_NAME", va);
    await createSecret(b, "SHARED_NAME", vb);
    const ua = await deployed(a, SECRET_FN);
    const ub = await deployed(b, SECRET_FN);
    expect((await run(a, ua, { key: "SHARED_NAME" })).value.value).toBe(va);
    expect((await run(b, ub, { key: "SHARED_NAME" })).value.value).toBe(vb);
    const c = await newAccount();
    const uc = await deployed(c, SECRET_FN);
    expect(await run(c, uc, { key: "SHARED_NAME" })).toMatchObject({ ok: false, code: NOT_FOUND });
  });
});

describe("updateSecret", () => {
  it("rotates the account's secret; the next invocation reads the new value; audited as the function", async () => {
    const a = await newAccount();
    const old = distinctive("old");
    const fresh = distinctive("fresh");
    await createSecret(a, "REFRESH_TOKEN", old);
    const uuid = await deployed(a, SECRET_FN);
    expect(await run(a, uuid, { op: "update", entry: { key: "REFRESH_TOKEN", value: fresh } })).toEqual({ ok: true, value: { key: "REFRESH_TOKEN", value: fresh } });
    expect((await run(a, uuid, { key: "REFRESH_TOKEN" })).value.value).toBe(fresh);

    const rows = (await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ? AND action = 'secret.update'").bind(a.accountId).all<any>()).results;
    expect(rows).toHaveLength(1);
    expect(rows[0].actor).toBe(`function:${uuid}`);
    expect(rows[0].target).toBe("REFRESH_TOKEN");
    expect(JSON.stringify(rows)).not.toContain(fresh);
    expect(JSON.stringify(rows)).not.toContain(old);

    const listed = await call(secretsPath(a), { key: a.admin });
    const item = (await json(listed)).find((s: any) => s.key === "REFRESH_TOKEN");
    expect(item.updatedBy).toBe(`function:${uuid}`);
  });

  it("throws not-found for a secret the account does not have (it never creates one)", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SECRET_FN);
    const out = await run(a, uuid, { op: "update", entry: { key: "NEVER_CREATED", value: "some-value" } });
    expect(out).toMatchObject({ ok: false, name: "SecretError", code: NOT_FOUND });
    const listed = await json(await call(secretsPath(a), { key: a.admin }));
    expect(listed).toEqual([]);
  });

  it("applies the API's validation, naming the rule and never the value", async () => {
    const a = await newAccount();
    await createSecret(a, "STR", distinctive("str"));
    await createSecret(a, "CONF", '{"a":1}', "json");
    await createSecret(a, "NUM", "12345", "number");
    const uuid = await deployed(a, SECRET_FN);
    const oversized = "Q".repeat(16_385);
    const cases: [unknown, RegExp][] = [
      [{ key: "STR", value: oversized }, /at most 16384 characters/],
      [{ key: "STR", value: "" }, /must not be empty/],
      [{ key: "STR" }, /value is required/],
      [{ key: "bad key!", value: "whatever-value" }, /key must match/],
      [{ key: "CONF", value: "{not json-SENTINEL" }, /valid JSON/],
      [{ key: "NUM", value: "twelve-SENTINEL" }, /finite number/],
      ["STR", /expects an object \{ key, value \}/],
      [null, /expects an object \{ key, value \}/],
    ];
    for (const [entry, rule] of cases) {
      const out = await run(a, uuid, { op: "update", entry });
      expect(out, JSON.stringify(entry)?.slice(0, 80)).toMatchObject({ ok: false, name: "SecretError", code: INVALID });
      expect(out.message).toMatch(rule);
      expect(out.message).not.toContain("QQQQ");
      expect(out.message).not.toContain("SENTINEL");
    }
    // A 16,384-character value is the largest accepted.
    const largest = "Z".repeat(16_384);
    expect((await run(a, uuid, { op: "update", entry: { key: "STR", value: largest } })).ok).toBe(true);
    expect((await run(a, uuid, { key: "STR" })).value.value).toBe(largest);
  });

  it("keeps the secret's type: a json secret accepts an object and stores its JSON text", async () => {
    const a = await newAccount();
    await createSecret(a, "CREDS", '{"consumerKey":"k"}', "json");
    const uuid = await deployed(a, SECRET_FN);
    const out = await run(a, uuid, { op: "update", entry: { key: "CREDS", value: { consumerKey: "k2", token: "t2" } } });
    expect(out).toEqual({ ok: true, value: { key: "CREDS", value: '{"consumerKey":"k2","token":"t2"}' } });
  });
});
