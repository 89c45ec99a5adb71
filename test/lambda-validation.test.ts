// POST /lambdas input rules (LivePerson Functions' documented limits). Every limit is tested on
// both sides: the largest allowed value is accepted, one more is refused with 400 badinput and an
// errorMsg that names the rule.
import { describe, expect, it } from "vitest";
import { HELLO, call, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";

const BAD_INPUT = "com.liveperson.faas.es.badinput";

type Body = Record<string, unknown>;

const validBody = (over: Body = {}, impl: Body = {}): Body => ({
  name: uniqueName(),
  description: "a function",
  implementation: { code: HELLO, dependencies: [], environmentVariables: [], ...impl },
  ...over,
});

const create = (a: TestAccount, body: unknown) => call(`/api/account/${a.accountId}/lambdas`, { key: a.developer, body });

const createRaw = (a: TestAccount, rawBody: string) =>
  call(`/api/account/${a.accountId}/lambdas`, { method: "POST", key: a.developer, rawBody, headers: { "content-type": "application/json" } });

async function expectCreated(res: Response, what: string) {
  expect(res.status, `${what}: ${res.status === 201 ? "" : await res.clone().text()}`).toBe(201);
}

async function expectBadInput(res: Response, rule: RegExp, what: string) {
  const text = await res.text();
  expect(res.status, `${what}: ${text}`).toBe(400);
  const body = JSON.parse(text);
  expect(body.errorCode, what).toBe(BAD_INPUT);
  expect(body.errorMsg, what).toMatch(rule);
}

const envVars = (n: number, value = "v") => Array.from({ length: n }, (_, i) => ({ key: `VAR_${i}`, value }));

describe("POST /lambdas: name", () => {
  it("accepts letters, digits and underscores", async () => {
    const a = await newAccount();
    for (const name of ["hello", "Hello_World_2", "_x", "123"]) {
      await expectCreated(await create(a, validBody({ name })), name);
    }
  });

  it("rejects names that are not ^\\w+$ (spaces, dashes, dots, non-ASCII, empty)", async () => {
    const a = await newAccount();
    for (const name of ["my function", "my-function", "my.function", "caf\u00e9", "", " padded "]) {
      await expectBadInput(await create(a, validBody({ name })), /name/, JSON.stringify(name));
    }
  });

  it("requires a name", async () => {
    const a = await newAccount();
    const { name: _omitted, ...body } = validBody();
    await expectBadInput(await create(a, body), /name/, "no name");
  });

  it("allows 50 characters and refuses 51", async () => {
    const a = await newAccount();
    await expectCreated(await create(a, validBody({ name: "n".repeat(50) })), "50 chars");
    await expectBadInput(await create(a, validBody({ name: "m".repeat(51) })), /name.*50/, "51 chars");
  });

  it("is unique per account: the same name again answers 409", async () => {
    const a = await newAccount();
    const name = uniqueName();
    await expectCreated(await create(a, validBody({ name })), "first");
    const again = await create(a, validBody({ name, description: "another" }));
    expect(again.status).toBe(409);
    expect((await json(again)).errorMsg).toContain(name);
    const list = await json(await call(`/api/account/${a.accountId}/lambdas?name=${name}`, { key: a.developer }));
    expect(list).toHaveLength(1);
    expect(list[0].description).toBe("a function");
  });
});

describe("POST /lambdas: description", () => {
  it("allows 100 characters and refuses 101", async () => {
    const a = await newAccount();
    await expectCreated(await create(a, validBody({ description: "d".repeat(100) })), "100 chars");
    await expectBadInput(await create(a, validBody({ description: "d".repeat(101) })), /description.*100/, "101 chars");
  });
});

describe("POST /lambdas: code", () => {
  it("allows exactly 100,000 characters and refuses 100,001", async () => {
    const a = await newAccount();
    const base = "function lambda(input, callback) { callback(null, 1); }\n//";
    const exact = base + "x".repeat(100_000 - base.length);
    expect(exact).toHaveLength(100_000);
    const ok = await create(a, validBody({}, { code: exact }));
    await expectCreated(ok, "100000 chars");
    expect((await json(ok)).implementation.code).toHaveLength(100_000);
    await expectBadInput(await create(a, validBody({}, { code: exact + "x" })), /code.*100,?000/, "100001 chars");
  });

  it("requires non-empty code", async () => {
    const a = await newAccount();
    await expectBadInput(await create(a, validBody({}, { code: "" })), /code/, "empty code");
    await expectBadInput(await create(a, { name: uniqueName(), description: "", implementation: {} }), /code/, "no code");
    await expectBadInput(await create(a, { name: uniqueName(), description: "" }), /implementation/, "no implementation");
    await expectBadInput(await create(a, validBody({}, { code: 42 })), /code/, "code not a string");
  });
});

describe("POST /lambdas: environment variables", () => {
  it("accepts POSIX names", async () => {
    const a = await newAccount();
    const vars = [
      { key: "_X", value: "1" },
      { key: "a1", value: "2" },
      { key: "API_URL", value: "https://example.com" },
      { key: "x", value: "" },
    ];
    const res = await create(a, validBody({}, { environmentVariables: vars }));
    await expectCreated(res, "POSIX names");
    expect((await json(res)).implementation.environmentVariables).toEqual(vars);
  });

  it("refuses names that are not POSIX", async () => {
    const a = await newAccount();
    for (const key of ["1ABC", "A-B", "A B", "A.B", "", "\u00c4RGER"]) {
      await expectBadInput(await create(a, validBody({}, { environmentVariables: [{ key, value: "v" }] })), /POSIX/, JSON.stringify(key));
    }
  });

  it("allows values of 1024 characters and refuses 1025", async () => {
    const a = await newAccount();
    await expectCreated(await create(a, validBody({}, { environmentVariables: [{ key: "V", value: "v".repeat(1024) }] })), "1024");
    await expectBadInput(await create(a, validBody({}, { environmentVariables: [{ key: "V", value: "v".repeat(1025) }] })), /1024/, "1025");
  });

  it("allows 512 variables and refuses 513", async () => {
    const a = await newAccount();
    const ok = await create(a, validBody({}, { environmentVariables: envVars(512) }));
    await expectCreated(ok, "512 vars");
    expect((await json(ok)).implementation.environmentVariables).toHaveLength(512);
    await expectBadInput(await create(a, validBody({}, { environmentVariables: envVars(513) })), /512/, "513 vars");
  });

  it("refuses duplicate names", async () => {
    const a = await newAccount();
    const vars = [
      { key: "DUP", value: "1" },
      { key: "OTHER", value: "2" },
      { key: "DUP", value: "3" },
    ];
    await expectBadInput(await create(a, validBody({}, { environmentVariables: vars })), /unique|duplicate/i, "duplicates");
  });

  it("refuses the platform's reserved names", async () => {
    const a = await newAccount();
    for (const key of ["BRAND_ID", "EDGEFN_TOOLBELT", "EDGEFN_ANYTHING", "EDGEFN_"]) {
      await expectBadInput(await create(a, validBody({}, { environmentVariables: [{ key, value: "v" }] })), /reserved/i, key);
    }
    // Only the exact names and the prefix are reserved.
    await expectCreated(await create(a, validBody({}, { environmentVariables: [{ key: "MY_BRAND_ID", value: "v" }, { key: "XEDGEFN_", value: "v" }] })), "look-alikes");
  });

  it("refuses values that are not strings", async () => {
    const a = await newAccount();
    await expectBadInput(await create(a, validBody({}, { environmentVariables: [{ key: "N", value: 5 }] })), /value/, "number value");
  });
});

describe("POST /lambdas: runtime", () => {
  it("accepts a runtime from GET /runtimes, or none (the default)", async () => {
    const a = await newAccount();
    const [listed] = await json(await call(`/api/account/${a.accountId}/runtimes`, { key: a.developer }));
    // As LivePerson's CLI pushes it: the listing's object, libraries included; answered without them.
    const { libraries, ...runtime } = listed;
    const chosen = await create(a, validBody({ runtime: listed }));
    await expectCreated(chosen, "listed runtime");
    expect((await json(chosen)).runtime).toEqual(runtime);
    const none = await create(a, validBody());
    await expectCreated(none, "no runtime");
    expect((await json(none)).runtime).toEqual(runtime);
  });

  it("refuses an unknown runtime uuid", async () => {
    const a = await newAccount();
    const res = await create(a, validBody({ runtime: { uuid: "00000000-0000-0000-0000-000000000000", name: "Node.js 8", baseImageName: "x" } }));
    await expectBadInput(res, /runtime/i, "unknown runtime");
  });
});

describe("POST /lambdas: the body itself", () => {
  it("answers 400 badinput to malformed JSON", async () => {
    const a = await newAccount();
    for (const raw of ['{"name": "x", ', "not json", '{"name": "x"}}']) {
      const res = await createRaw(a, raw);
      const text = await res.text();
      expect(res.status, `${raw}: ${text}`).toBe(400);
      expect(JSON.parse(text).errorCode, raw).toBe(BAD_INPUT);
    }
  });

  it("answers 400 badinput to a body that is not an object", async () => {
    const a = await newAccount();
    for (const body of [[], [validBody()], "a string", 42, null]) {
      const res = await createRaw(a, JSON.stringify(body));
      const text = await res.text();
      expect(res.status, `${JSON.stringify(body)}: ${text}`).toBe(400);
      expect(JSON.parse(text).errorCode).toBe(BAD_INPUT);
    }
  });

  it("creates nothing when the input is refused", async () => {
    const a = await newAccount();
    const name = uniqueName();
    await expectBadInput(await create(a, validBody({ name, description: "d".repeat(101) })), /description/, "refused");
    const list = await json(await call(`/api/account/${a.accountId}/lambdas`, { key: a.developer }));
    expect(list).toEqual([]);
  });
});

describe("PUT /lambdas/{uuid}: the same rules apply to edits", () => {
  it("refuses an edit that breaks a limit and keeps the function as it was", async () => {
    const a = await newAccount();
    const created = await json(await create(a, validBody()));
    const put = (impl: Body, over: Body = {}) =>
      call(`/api/account/${a.accountId}/lambdas/${created.uuid}`, {
        method: "PUT",
        key: a.developer,
        body: { ...created, ...over, implementation: { ...created.implementation, ...impl } },
      });
    await expectBadInput(await put({ code: "x".repeat(100_001) }), /code/, "code too long");
    await expectBadInput(await put({ code: "" }), /code/, "empty code");
    await expectBadInput(await put({ environmentVariables: [{ key: "1ABC", value: "v" }] }), /POSIX/, "bad env name");
    await expectBadInput(await put({ environmentVariables: [{ key: "EDGEFN_X", value: "v" }] }), /reserved/i, "reserved env name");
    await expectBadInput(await put({ environmentVariables: envVars(513) }), /512/, "too many vars");
    await expectBadInput(await put({}, { description: "d".repeat(101) }), /description/, "description too long");
    const [now] = await json(await call(`/api/account/${a.accountId}/lambdas/${created.uuid}`, { key: a.developer }));
    expect(now.version).toBe(created.version);
    expect(now.implementation).toEqual(created.implementation);
    expect(now.description).toBe(created.description);
  });
});
