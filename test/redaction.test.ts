// Secret values never leave an invocation in clear text by accident: every value the function read
// or wrote is replaced by [secret:<key>] in its log entries (answer and stored record) and in the
// error of a failed invocation.
import { describe, expect, it } from "vitest";
import { createSecret, deployed, distinctive, invoke, json, newAccount, storedInvocation as record, testInvoke, wireStatus } from "./helpers/api";

const PRELUDE = `const secrets = require("lp-faas-toolbelt").Toolbelt.SecretClient();\n`;

describe("redaction of log entries", () => {
  it("replaces a value read in messages and extras at any depth, in the answer and the stored record", async () => {
    const a = await newAccount();
    const value = distinctive("tok");
    await createSecret(a, "API_TOKEN", value);
    const uuid = await deployed(
      a,
      PRELUDE +
        `async function lambda() {
          const { value } = await secrets.readSecret("API_TOKEN");
          console.info("token is " + value + "!", { deep: { deeper: [value, "Bearer " + value] } }, [value]);
          console.warn({ [value]: "as a key" });
          console.error(new Error("failed with " + value));
          console.info("harmless line", 42, { ok: true });
          return "done";
        }`,
    );
    const out = await json(await testInvoke(a, uuid));
    expect(out.result).toBe("done");
    const text = JSON.stringify(out.logs);
    expect(text).not.toContain(value);
    expect(out.logs[0]).toMatchObject({
      level: "Info",
      message: "token is [secret:API_TOKEN]!",
      extras: [{ deep: { deeper: ["[secret:API_TOKEN]", "Bearer [secret:API_TOKEN]"] } }, ["[secret:API_TOKEN]"]],
    });
    expect(JSON.parse(out.logs[1].message)).toEqual({ "[secret:API_TOKEN]": "as a key" });
    expect(out.logs[2].message).toBe("failed with [secret:API_TOKEN]");
    expect(out.logs[3]).toMatchObject({ message: "harmless line", extras: [42, { ok: true }] });

    const res = await invoke(a, uuid);
    expect(res.status).toBe(200);
    const stored = await record(a, res.headers.get("x-invocation-id")!);
    expect(stored.logs.length).toBe(4);
    expect(JSON.stringify(stored)).not.toContain(value);
    expect(stored.logs[0].message).toBe("token is [secret:API_TOKEN]!");
  });

  it("replaces a value the function wrote with updateSecret, even one it logged before writing", async () => {
    const a = await newAccount();
    await createSecret(a, "REFRESH", distinctive("old"));
    const fresh = distinctive("fresh");
    const uuid = await deployed(
      a,
      PRELUDE +
        `async function lambda(input) {
          const token = input.payload.token;
          console.info("got a new token " + token);
          await secrets.updateSecret({ key: "REFRESH", value: token });
          console.info("stored " + token);
          return "ok";
        }`,
    );
    const out = await json(await testInvoke(a, uuid, { token: fresh }));
    expect(out.logs.map((l: any) => l.message)).toEqual(["got a new token [secret:REFRESH]", "stored [secret:REFRESH]"]);
  });

  it("replaces a value a failed updateSecret was given", async () => {
    const a = await newAccount();
    const attempted = distinctive("attempted");
    const uuid = await deployed(
      a,
      PRELUDE +
        `async function lambda(input) {
          try { await secrets.updateSecret({ key: "DELETED_ONE", value: input.payload.token }); }
          catch (e) { console.error("could not store " + input.payload.token + ": " + e.code); }
          return "ok";
        }`,
    );
    const out = await json(await testInvoke(a, uuid, { token: attempted }));
    expect(out.logs[0].message).toBe("could not store [secret:DELETED_ONE]: com.liveperson.faas.secret.not-found");
  });

  it("replaces the longest value first, scans once, and leaves values shorter than 4 characters alone", async () => {
    const a = await newAccount();
    await createSecret(a, "SHORT", "abc");
    await createSecret(a, "INNER", "ecre");
    await createSecret(a, "OUTER", "XXecreYYZZ");
    const uuid = await deployed(
      a,
      PRELUDE +
        `async function lambda() {
          const [s, i, o] = await Promise.all(["SHORT", "INNER", "OUTER"].map((k) => secrets.readSecret(k)));
          console.info("short " + s.value);
          console.info("outer " + o.value + " inner " + i.value);
          return "ok";
        }`,
    );
    const out = await json(await testInvoke(a, uuid));
    expect(out.logs.map((l: any) => l.message)).toEqual([
      "short abc",
      // One pass: the placeholder "[secret:OUTER]" contains "ecre" but is not redacted again.
      "outer [secret:OUTER] inner [secret:INNER]",
    ]);
  });

  it("replaces a number secret logged as a number", async () => {
    const a = await newAccount();
    await createSecret(a, "PIN", "98765432", "number");
    const uuid = await deployed(
      a,
      PRELUDE + `async function lambda() { const { value } = await secrets.readSecret("PIN"); console.info("pin", Number(value), { pin: Number(value) }); return "ok"; }`,
    );
    const out = await json(await testInvoke(a, uuid));
    expect(out.logs[0].extras).toEqual(["[secret:PIN]", { pin: "[secret:PIN]" }]);
  });

  it("treats regular-expression characters in a value literally", async () => {
    const a = await newAccount();
    const value = "a.b*c+d?(e)[f]{g}|h^i$j\\k/l-m";
    await createSecret(a, "REGEXY", value);
    const uuid = await deployed(
      a,
      PRELUDE + `async function lambda() { const { value } = await secrets.readSecret("REGEXY"); console.info("v=" + value + " and axbxc"); return "ok"; }`,
    );
    const out = await json(await testInvoke(a, uuid));
    expect(out.logs[0].message).toBe("v=[secret:REGEXY] and axbxc");
  });

  it("still replaces a value cached in module scope by an earlier invocation", async () => {
    const a = await newAccount();
    const value = distinctive("cached");
    await createSecret(a, "CACHED", value);
    const uuid = await deployed(
      a,
      PRELUDE +
        `let cached;
        async function lambda() {
          const fromCache = cached !== undefined;
          if (!fromCache) cached = (await secrets.readSecret("CACHED")).value;
          console.info("using " + cached);
          return fromCache;
        }`,
    );
    const first = await json(await testInvoke(a, uuid));
    const second = await json(await testInvoke(a, uuid));
    expect([first.result, second.result]).toEqual([false, true]); // the second one did not read
    for (const out of [first, second]) expect(out.logs[0].message).toBe("using [secret:CACHED]");
  });

  it("does not touch the function's result", async () => {
    const a = await newAccount();
    const value = distinctive("result");
    await createSecret(a, "RESULT", value);
    const uuid = await deployed(a, PRELUDE + `async function lambda() { return (await secrets.readSecret("RESULT")).value; }`);
    expect(await json(await invoke(a, uuid))).toBe(value);
  });
});

describe("redaction of a failed invocation's error", () => {
  it("replaces the value in the error message the caller sees, and keeps it out of the stored record", async () => {
    const a = await newAccount();
    const value = distinctive("err");
    await createSecret(a, "DB_PASSWORD", value);
    const uuid = await deployed(
      a,
      PRELUDE +
        `async function lambda() {
          const { value } = await secrets.readSecret("DB_PASSWORD");
          console.info("connecting with " + value);
          throw new Error("login refused for password " + value);
        }`,
    );
    const res = await invoke(a, uuid);
    expect(wireStatus(res)).toBe(901);
    const body = await json(res);
    expect(body.errorMsg).toBe("login refused for password [secret:DB_PASSWORD]");
    expect(JSON.stringify(body)).not.toContain(value);
    const stored = await record(a, body.invocationId);
    expect(stored.status).toBe("CODING_FAILURE");
    expect(JSON.stringify(stored)).not.toContain(value);
    expect(stored.logs[0].message).toBe("connecting with [secret:DB_PASSWORD]");
  });

  it("replaces the value in a callback error and a non-Error rejection", async () => {
    const a = await newAccount();
    const value = distinctive("cb");
    await createSecret(a, "CB_SECRET", value);
    const viaCallback = await deployed(
      a,
      `function lambda(input, callback) {
        require("lp-faas-toolbelt").Toolbelt.SecretClient().readSecret("CB_SECRET").then((s) => callback(new Error("bad " + s.value)));
      }`,
    );
    const viaObject = await deployed(a, PRELUDE + `async function lambda() { const s = await secrets.readSecret("CB_SECRET"); throw { reason: "bad", token: s.value }; }`);
    const cb = await json(await invoke(a, viaCallback));
    expect(cb.errorMsg).toBe("bad [secret:CB_SECRET]");
    const obj = await json(await invoke(a, viaObject));
    expect(obj.errorMsg).not.toContain(value);
    expect(obj.errorMsg).toContain("[secret:CB_SECRET]");
  });
});
