// The secrets vault through its API: every validation rule, roles and tenancy, values that never
// leave (answers, listings, errors, audit rows), encryption at rest in the real KV, the toolbelt's
// read/update functions, and the operator's re-wrap endpoint.
import { describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, env, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";
import { ApiError } from "../src/errors";
import { readSecretValue, updateSecretValue } from "../src/services/secrets";

const SECRET_NOT_FOUND = "com.liveperson.faas.secret.not-found";
const GENERAL = "com.liveperson.faas.es.general";

const secretsPath = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/secrets${rest}`;
const create = (a: TestAccount, body: unknown, key = a.admin) => call(secretsPath(a), { key, body });
const put = (a: TestAccount, name: string, body: unknown, key = a.admin) =>
  call(secretsPath(a, `/${encodeURIComponent(name)}`), { method: "PUT", key, body });
const del = (a: TestAccount, name: string, key = a.admin) => call(secretsPath(a, `/${encodeURIComponent(name)}`), { method: "DELETE", key });
const list = async (a: TestAccount, key = a.admin) => {
  const res = await call(secretsPath(a), { key });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { text, items: JSON.parse(text) as any[] };
};
/** Creates a secret through the API; fails the test unless 201. Returns the answer's text and body. */
const created = async (a: TestAccount, body: Record<string, unknown>) => {
  const res = await create(a, body);
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return { text, body: JSON.parse(text) };
};

const kvName = (accountId: string, key: string) => `secret:${accountId}:${key}`;
const rawOf = (accountId: string, key: string) => env.KV.getWithMetadata(kvName(accountId, key), "text");
const read = (a: TestAccount, key: string) => readSecretValue(env, a.accountId, key);
const auditRows = async (a: TestAccount) =>
  (await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ? AND action LIKE 'secret.%' ORDER BY id").bind(a.accountId).all<any>()).results;

/** A value no other text of the test contains by accident. */
const distinctive = (label: string) => `${label}-${crypto.randomUUID()}-TOPSECRET`;

/** Runs fn, expecting an ApiError; returns it. */
async function apiError(fn: () => Promise<unknown>): Promise<ApiError> {
  try {
    const r = await fn();
    throw new Error(`expected an ApiError, got ${JSON.stringify(r)}`);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return e;
  }
}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
const hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");
/** The text, and its base64 (standard and URL-safe, at every byte alignment) and hex. */
function encodingsOf(value: string): string[] {
  const out = [value, hex(value)];
  for (const offset of [0, 1, 2]) {
    const core = b64(value.slice(offset)).replace(/=+$/, "").slice(0, -4); // the tail depends on what follows
    out.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}

describe("creating and listing", () => {
  it("answers 201 with the key, type and who/when, never the value; the list shows the same; the value is stored", async () => {
    const a = await newAccount();
    const value = distinctive("crm");
    const before = Date.now();
    const { text, body } = await created(a, { key: "CRM_TOKEN", value, type: "string" });
    expect(Object.keys(body).sort()).toEqual(["createdAt", "createdBy", "key", "type", "updatedAt", "updatedBy"]);
    expect(body).toMatchObject({ key: "CRM_TOKEN", type: "string" });
    expect(body.createdBy).toMatch(/^key:initial-admin#/);
    expect(body.updatedBy).toBe(body.createdBy);
    expect(Date.parse(body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(body.updatedAt).toBe(body.createdAt);
    expect(text).not.toContain(value);

    for (const key of [a.admin, a.developer]) {
      const { text: listed, items } = await list(a, key);
      expect(items).toEqual([body]);
      expect(listed).not.toContain(value);
    }
    expect(await read(a, "CRM_TOKEN")).toEqual({ key: "CRM_TOKEN", value });
  });

  it("lists every secret of the account by key, with each one's type", async () => {
    const a = await newAccount();
    await created(a, { key: "b-json", value: '{"x":1}', type: "json" });
    await created(a, { key: "a_number", value: "42", type: "number" });
    await created(a, { key: "C", value: "plain" });
    const { items } = await list(a);
    expect(items.map((s) => [s.key, s.type])).toEqual([
      ["C", "string"],
      ["a_number", "number"],
      ["b-json", "json"],
    ]);
    expect((await list(await newAccount())).items).toEqual([]);
  });

  it("stores a JSON number or object given as the value as its JSON text; type only changes validation", async () => {
    const a = await newAccount();
    await created(a, { key: "num", value: 42.5, type: "number" });
    await created(a, { key: "obj", value: { token: "abc", n: [1, 2] }, type: "json" });
    await created(a, { key: "objAsString", value: { a: 1 } });
    await created(a, { key: "numText", value: "-1e3", type: "number" });
    await created(a, { key: "jsonText", value: '["x", {"y": null}]', type: "json" });
    expect((await read(a, "num")).value).toBe("42.5");
    expect((await read(a, "obj")).value).toBe('{"token":"abc","n":[1,2]}');
    expect((await read(a, "objAsString")).value).toBe('{"a":1}');
    expect((await read(a, "numText")).value).toBe("-1e3");
    expect((await read(a, "jsonText")).value).toBe('["x", {"y": null}]');
  });

  it("keeps values exactly, including unicode, a leading BOM and the full 16,384 characters", async () => {
    const a = await newAccount();
    const values = { uni: "päss wörd 🔑 中文 \n\t\"'", bom: "\uFEFFtoken", long: "x".repeat(16_383) + "y" };
    for (const [key, value] of Object.entries(values)) await created(a, { key, value });
    for (const [key, value] of Object.entries(values)) expect((await read(a, key)).value).toBe(value);
  });

  it("answers 409 for a key the account already has, and keeps the stored value", async () => {
    const a = await newAccount();
    const original = distinctive("orig");
    await created(a, { key: "dup", value: original });
    const impostor = distinctive("impostor");
    const body = await expectError(await create(a, { key: "dup", value: impostor }), 409, CODES.conflict, "duplicate");
    expect(body.errorMsg).toContain("dup");
    expect(JSON.stringify(body)).not.toContain(impostor);
    expect((await read(a, "dup")).value).toBe(original);
    expect((await list(a)).items).toHaveLength(1);
  });
});

describe("validation: each rule answers 400 badinput naming the rule, and stores nothing", () => {
  const KEY_RULE = "key must match ^[A-Za-z0-9_-]{1,100}$";

  async function refused(a: TestAccount, body: unknown, rule: string, label: string) {
    const res = await create(a, body);
    const err = await expectError(res, 400, CODES.badInput, label);
    expect(err.errorMsg, label).toContain(rule);
    return err;
  }

  it("keys: letters, digits, _ and -, 1 to 100 characters", async () => {
    const a = await newAccount();
    const bad: unknown[] = ["", "x".repeat(101), "a b", "a.b", "a/b", "a:b", "ä", "key\n", "../etc", "a%2Fb", 42, null];
    for (const key of bad) await refused(a, { key, value: "v" }, KEY_RULE, `key ${JSON.stringify(key)}`);
    await refused(a, { value: "v" }, KEY_RULE, "no key");
    expect((await list(a)).items).toEqual([]);
    // The boundaries are allowed.
    for (const key of ["x".repeat(100), "A", "a-b_C9"]) await created(a, { key, value: "v" });
    expect((await list(a)).items).toHaveLength(3);
  });

  it("values: present, not empty, at most 16,384 characters", async () => {
    const a = await newAccount();
    await refused(a, { key: "k" }, "value is required", "no value");
    await refused(a, { key: "k", value: null }, "value is required", "null value");
    await refused(a, { key: "k", value: "" }, "value must not be empty", "empty value");
    const tooLong = "z".repeat(16_385);
    const err = await refused(a, { key: "k", value: tooLong }, "value has at most 16384 characters", "16,385 characters");
    expect(JSON.stringify(err)).not.toContain("z".repeat(50));
    // A JSON object counts by its JSON text.
    await refused(a, { key: "k", value: { s: "z".repeat(16_380) } }, "value has at most 16384 characters", "long object");
    expect((await list(a)).items).toEqual([]);
    expect(await env.KV.get(kvName(a.accountId, "k"))).toBeNull();
  });

  it("type: one of string, number, json", async () => {
    const a = await newAccount();
    for (const type of ["bool", "String", "", 1, null]) {
      await refused(a, { key: "k", value: "1", type }, "type must be one of string, number, json", `type ${JSON.stringify(type)}`);
    }
    expect((await list(a)).items).toEqual([]);
  });

  it("type number: the value must be a finite number", async () => {
    const a = await newAccount();
    const bad: unknown[] = ["abc", "12abc", " ", "Infinity", "-Infinity", "NaN", "1e400", "0x10", "1,5", { n: 1 }, true, [1]];
    for (const value of bad) await refused(a, { key: "n", value, type: "number" }, "a secret of type number needs a value that is a finite number", `number ${JSON.stringify(value)}`);
    // 1e400 as a JSON number parses to Infinity: refused too.
    const res = await call(secretsPath(a), { key: a.admin, rawBody: '{"key":"n","value":1e400,"type":"number"}', headers: { "content-type": "application/json" } });
    expect((await expectError(res, 400, CODES.badInput, "1e400 literal")).errorMsg).toContain("finite number");
    expect((await list(a)).items).toEqual([]);
    for (const [i, value] of ["0", "-1.5", "1e3", "42", " 7 ", 3.25].entries()) await created(a, { key: `n${i}`, value, type: "number" });
  });

  it("type json: the value must parse; the parser's message (which quotes the value) is not passed on", async () => {
    const a = await newAccount();
    const secretish = distinctive("notjson");
    for (const value of ["{not json", "hello", "tops3cret", `{"a": "${secretish}"`, "[1,]", secretish]) {
      const err = await refused(a, { key: "j", value, type: "json" }, "a secret of type json needs a value that is valid JSON", `json ${value}`);
      // Exactly the rule: V8's parser message would quote (a piece of) the value.
      expect(err.errorMsg).toBe("a secret of type json needs a value that is valid JSON");
      expect(JSON.stringify(err)).not.toContain(value.slice(0, 8));
    }
    expect((await list(a)).items).toEqual([]);
    for (const [i, value] of ['{"a":1}', "[]", "3", '"s"', "null", "true"].entries()) await created(a, { key: `j${i}`, value, type: "json" });
  });

  it("PUT applies the same rules, against the stored type when none is given, and keeps the old value on refusal", async () => {
    const a = await newAccount();
    await created(a, { key: "n", value: "1", type: "number" });
    await created(a, { key: "j", value: "{}", type: "json" });
    const cases: [string, unknown, string][] = [
      ["n", { value: "abc" }, "finite number"],
      ["n", { value: "x", type: "json" }, "valid JSON"],
      ["n", { value: "1", type: "yaml" }, "type must be one of"],
      ["j", { value: "{oops" }, "valid JSON"],
      ["j", { value: "" }, "must not be empty"],
      ["j", {}, "value is required"],
      ["j", { value: "1".repeat(16_385) }, "at most 16384 characters"],
      ["bad key!", { value: "1" }, KEY_RULE],
      ["x".repeat(101), { value: "1" }, KEY_RULE],
    ];
    for (const [key, body, rule] of cases) {
      const err = await expectError(await put(a, key, body), 400, CODES.badInput, `PUT ${key} ${JSON.stringify(body).slice(0, 40)}`);
      expect(err.errorMsg).toContain(rule);
    }
    expect((await read(a, "n")).value).toBe("1");
    expect((await read(a, "j")).value).toBe("{}");
    expect(await auditRows(a)).toHaveLength(2); // the two creates only
  });

  it("a body that is not a JSON object is 400", async () => {
    const a = await newAccount();
    for (const rawBody of ["{key", "[]", '"k"'])
      await expectError(await call(secretsPath(a), { key: a.admin, rawBody, headers: { "content-type": "application/json" } }), 400, CODES.badInput, rawBody);
    expect((await list(a)).items).toEqual([]);
  });
});

describe("updating and deleting", () => {
  it("PUT replaces the value (the next read sees it), keeps created*, moves updated*, may change the type", async () => {
    const a = await newAccount();
    const { body: first } = await created(a, { key: "tok", value: "one" });
    const dev2 = await call(`/api/account/${a.accountId}/api-keys`, { key: a.admin, body: { name: "rotator", role: "FaaS-Admin" } });
    const rotator = (await json(dev2)).key as string;
    await new Promise((r) => setTimeout(r, 5));

    const res = await put(a, "tok", { value: "two" }, rotator);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain('"two"');
    const body = JSON.parse(text);
    expect(Object.keys(body).sort()).toEqual(["createdAt", "createdBy", "key", "type", "updatedAt", "updatedBy"]);
    expect(body).toMatchObject({ key: "tok", type: "string", createdAt: first.createdAt, createdBy: first.createdBy });
    expect(body.updatedBy).toMatch(/^key:rotator#/);
    expect(Date.parse(body.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
    expect((await read(a, "tok")).value).toBe("two");
    expect((await list(a)).items).toEqual([body]);

    const res2 = await put(a, "tok", { value: { refreshed: true }, type: "json" });
    expect(res2.status).toBe(200);
    expect((await json(res2)).type).toBe("json");
    expect((await read(a, "tok")).value).toBe('{"refreshed":true}');
  });

  it("PUT of a missing key is 404 secret.not-found, and creates nothing", async () => {
    const a = await newAccount();
    await expectError(await put(a, "ghost", { value: "v" }), 404, SECRET_NOT_FOUND, "PUT ghost");
    expect((await list(a)).items).toEqual([]);
    expect(await env.KV.get(kvName(a.accountId, "ghost"))).toBeNull();
  });

  it("DELETE answers 204 and takes effect at once; a second DELETE and a PUT are 404; the key can be created again", async () => {
    const a = await newAccount();
    await created(a, { key: "gone", value: "v1" });
    await created(a, { key: "kept", value: "v2" });
    const res = await del(a, "gone");
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect((await list(a)).items.map((s) => s.key)).toEqual(["kept"]);
    expect((await apiError(() => read(a, "gone"))).errorCode).toBe(SECRET_NOT_FOUND);
    expect(await env.KV.get(kvName(a.accountId, "gone"))).toBeNull();
    await expectError(await del(a, "gone"), 404, SECRET_NOT_FOUND, "second delete");
    await expectError(await put(a, "gone", { value: "x" }), 404, SECRET_NOT_FOUND, "put after delete");
    expect((await read(a, "kept")).value).toBe("v2");
    await created(a, { key: "gone", value: "v3" });
    expect((await read(a, "gone")).value).toBe("v3");
  });

  it("every change writes one audit row (secret.create|update|delete) naming the key and actor, never the value", async () => {
    const a = await newAccount();
    const v1 = distinctive("v1");
    const v2 = distinctive("v2");
    await created(a, { key: "audited", value: v1, type: "string" });
    expect((await put(a, "audited", { value: v2 })).status).toBe(200);
    expect((await del(a, "audited")).status).toBe(204);
    // Refused changes write nothing.
    await expectError(await del(a, "audited"), 404);
    await expectError(await create(a, { key: "bad key", value: v1 }), 400);
    const rows = await auditRows(a);
    expect(rows.map((r) => [r.action, r.target])).toEqual([
      ["secret.create", "audited"],
      ["secret.update", "audited"],
      ["secret.delete", "audited"],
    ]);
    for (const r of rows) expect(r.actor).toMatch(/^key:initial-admin#/);
    expect(JSON.parse(rows[0].detail)).toEqual({ type: "string" });
    const everything = JSON.stringify(await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ?").bind(a.accountId).all());
    for (const v of [v1, v2]) expect(everything).not.toContain(v);
  });
});

describe("values never leave", () => {
  it("no answer, listing, error or audit row of any role contains a value", async () => {
    const a = await newAccount();
    const v1 = distinctive("first");
    const v2 = distinctive("second");
    const texts: string[] = [];
    const grab = async (res: Response) => texts.push(`${res.status} ${await res.text()}`);
    await grab(await create(a, { key: "s", value: v1 }));
    await grab(await create(a, { key: "s", value: v1 })); // 409
    await grab(await create(a, { key: "n", value: v1, type: "number" })); // 400
    await grab(await create(a, { key: "j", value: v1, type: "json" })); // 400
    await grab(await create(a, { key: "bad key", value: v1 })); // 400
    await grab(await put(a, "s", { value: v2 }));
    await grab(await put(a, "s", { value: v1, type: "number" })); // 400
    await grab(await put(a, "missing", { value: v1 })); // 404
    for (const key of [a.admin, a.developer, a.invocation]) {
      await grab(await call(secretsPath(a), { key }));
      await grab(await create(a, { key: "other", value: v1 }, key));
      await grab(await put(a, "s", { value: v1 }, key));
    }
    await grab(await call("/api/openapi.json"));
    expect(texts.length).toBeGreaterThan(10);
    const all = texts.join("\n") + JSON.stringify(await auditRows(a));
    for (const v of [v1, v2]) for (const enc of encodingsOf(v)) expect(all).not.toContain(enc);
    // And the values really were there to find (the admin's last PUT in the loop stored v1 again).
    expect((await read(a, "s")).value).toBe(v1);
    expect(texts.filter((t) => t.startsWith("200 ") || t.startsWith("201 ")).length).toBeGreaterThanOrEqual(5);
  });
});

describe("roles and tenancy", () => {
  it("a Developer lists but cannot create, replace or delete; an Invocation key gets 403 for all of it", async () => {
    const a = await newAccount();
    await created(a, { key: "s", value: "orig" });
    expect((await list(a, a.developer)).items.map((s) => s.key)).toEqual(["s"]);
    for (const key of [a.developer, a.invocation]) {
      await expectError(await create(a, { key: "new", value: "v" }, key), 403, CODES.forbidden, "create");
      await expectError(await put(a, "s", { value: "changed" }, key), 403, CODES.forbidden, "put");
      await expectError(await del(a, "s", key), 403, CODES.forbidden, "delete");
    }
    await expectError(await call(secretsPath(a), { key: a.invocation }), 403, CODES.forbidden, "invocation list");
    await expectError(await call(secretsPath(a)), 401, CODES.unauthorized, "no key");
    expect((await list(a)).items.map((s) => s.key)).toEqual(["s"]);
    expect((await read(a, "s")).value).toBe("orig");
    expect(await auditRows(a)).toHaveLength(1);
  });

  it("another account's secrets do not exist: 404 on every route, nothing changes, same names stay separate", async () => {
    const a = await newAccount();
    const b = await newAccount();
    await created(b, { key: "shared", value: "b-value" });
    await created(a, { key: "shared", value: "a-value" });
    const bPath = (rest = "") => `/api/account/${b.accountId}/secrets${rest}`;
    for (const key of [a.admin, a.developer, a.invocation]) {
      await expectError(await call(bPath(), { key }), 404, undefined, "list");
      await expectError(await call(bPath(), { key, body: { key: "planted", value: "x" } }), 404, undefined, "create");
      await expectError(await call(bPath("/shared"), { method: "PUT", key, body: { value: "x" } }), 404, undefined, "put");
      await expectError(await call(bPath("/shared"), { method: "DELETE", key }), 404, undefined, "delete");
    }
    expect((await list(b)).items.map((s) => s.key)).toEqual(["shared"]);
    expect((await read(b, "shared")).value).toBe("b-value");
    expect((await read(a, "shared")).value).toBe("a-value");
    // The toolbelt reads by account: B's-only secret does not exist for A.
    await created(b, { key: "bOnly", value: "x" });
    expect((await apiError(() => read(a, "bOnly"))).status).toBe(404);
    expect((await apiError(() => updateSecretValue(env, a.accountId, "lambda:x", { key: "bOnly", value: "y" }))).status).toBe(404);
    expect((await read(b, "bOnly")).value).toBe("x");
  });
});

describe("encryption at rest", () => {
  it("the raw KV value holds neither the plaintext nor its base64 or hex: an AES-GCM envelope with a 96-bit IV", async () => {
    const a = await newAccount();
    const value = distinctive("raw") + " and some more text to make every encoding long";
    await created(a, { key: "raw", value });
    const { value: raw, metadata } = await rawOf(a.accountId, "raw");
    expect(raw).not.toBeNull();
    const rawBytes = await env.KV.get(kvName(a.accountId, "raw"), "arrayBuffer");
    const latin1 = String.fromCharCode(...new Uint8Array(rawBytes!));
    for (const enc of encodingsOf(value)) {
      expect(raw).not.toContain(enc);
      expect(latin1).not.toContain(enc);
      expect(JSON.stringify(metadata)).not.toContain(enc);
    }
    const record = JSON.parse(raw!);
    expect(Object.keys(record).sort()).toEqual(["ct", "dk", "iv", "v"]);
    const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    expect(bytes(record.iv)).toHaveLength(12);
    expect(bytes(record.ct)).toHaveLength(new TextEncoder().encode(value).length + 16); // + the GCM tag
    expect(metadata).toMatchObject({ type: "string" });
  });

  it("two writes of the same value give different IVs and ciphertexts", async () => {
    const a = await newAccount();
    await created(a, { key: "one", value: "same value" });
    await created(a, { key: "two", value: "same value" });
    const r1 = JSON.parse((await rawOf(a.accountId, "one")).value!);
    const r2 = JSON.parse((await rawOf(a.accountId, "two")).value!);
    expect(r1.dk).toBe(r2.dk); // one data key per account
    expect(r1.iv).not.toBe(r2.iv);
    expect(r1.ct).not.toBe(r2.ct);
    // Rewriting the same key with the same value also re-encrypts with a fresh IV.
    expect((await put(a, "one", { value: "same value" })).status).toBe(200);
    const r3 = JSON.parse((await rawOf(a.accountId, "one")).value!);
    expect(r3.iv).not.toBe(r1.iv);
    expect(r3.ct).not.toBe(r1.ct);
    expect((await read(a, "one")).value).toBe("same value");
  });

  it("the account's data key is stored wrapped, with its KEK version, and differs per account", async () => {
    const a = await newAccount();
    const b = await newAccount();
    await created(a, { key: "k", value: "v" });
    await created(b, { key: "k", value: "v" });
    const dkOf = async (t: TestAccount) => {
      const listed = await env.KV.list({ prefix: `secret-dk:${t.accountId}:` });
      expect(listed.keys).toHaveLength(1);
      const entry = listed.keys[0]!;
      return { entry, record: JSON.parse((await env.KV.get(entry.name))!) };
    };
    const da = await dkOf(a);
    const db = await dkOf(b);
    expect(da.entry.metadata).toEqual({ kek: "v1" });
    expect(da.record).toMatchObject({ v: 1, kek: "v1" });
    expect(atob(da.record.wrapped)).toHaveLength(32 + 16);
    expect(da.record.wrapped).not.toBe(db.record.wrapped);
    expect(JSON.parse((await rawOf(a.accountId, "k")).value!).dk).toBe(da.entry.name.split(":")[2]);
  });

  it("a ciphertext copied to another key of the account fails to decrypt: an error, not the plaintext", async () => {
    const a = await newAccount();
    const value = distinctive("moved");
    await created(a, { key: "src", value });
    await created(a, { key: "dst", value: "decoy" });
    const raw = await rawOf(a.accountId, "src");
    await env.KV.put(kvName(a.accountId, "dst"), raw.value!, { metadata: raw.metadata });
    const err = await apiError(() => read(a, "dst"));
    expect(err.status).toBe(500);
    expect(err.errorCode).toBe(GENERAL);
    expect(err.errorMsg).toContain("dst");
    expect(JSON.stringify(err)).not.toContain(value);
    expect((await read(a, "src")).value).toBe(value);
  });

  it("a ciphertext copied to another account fails to decrypt, even with the data key copied along", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const value = distinctive("stolen");
    await created(a, { key: "tok", value });
    const raw = await rawOf(a.accountId, "tok");
    await env.KV.put(kvName(b.accountId, "tok"), raw.value!, { metadata: raw.metadata });
    // B lists the planted entry, but cannot read it: B has no such data key.
    expect((await list(b)).items.map((s) => s.key)).toEqual(["tok"]);
    let err = await apiError(() => read(b, "tok"));
    expect(err.status).toBe(500);
    expect(JSON.stringify(err)).not.toContain(value);
    // Copy A's wrapped data key into B as well: its wrapping is bound to A, so it does not unwrap.
    const dkId = JSON.parse(raw.value!).dk;
    const dk = await env.KV.getWithMetadata(`secret-dk:${a.accountId}:${dkId}`, "text");
    const plantedDk = `secret-dk:${b.accountId}:${dkId}`;
    await env.KV.put(plantedDk, dk.value!, { metadata: dk.metadata });
    try {
      err = await apiError(() => read(b, "tok"));
      expect(err.status).toBe(500);
      expect(err.errorCode).toBe(GENERAL);
      expect(err.errorMsg).toContain("does not unwrap");
      expect(JSON.stringify(err)).not.toContain(value);
      expect((await read(a, "tok")).value).toBe(value);
    } finally {
      await env.KV.delete(plantedDk); // the re-wrap tests below expect every data key to be sound
    }
  });
});

describe("toolbelt functions", () => {
  it("readSecretValue answers {key, value}; a missing key is 404 com.liveperson.faas.secret.not-found", async () => {
    const a = await newAccount();
    await created(a, { key: "tok", value: "abc" });
    expect(await readSecretValue(env, a.accountId, "tok")).toEqual({ key: "tok", value: "abc" });
    const err = await apiError(() => readSecretValue(env, a.accountId, "nope"));
    expect([err.status, err.errorCode]).toEqual([404, SECRET_NOT_FOUND]);
    expect((await apiError(() => readSecretValue(env, a.accountId, "bad key"))).status).toBe(400);
  });

  it("updateSecretValue validates like the API, keeps the type, audits with the given actor, and returns the stored string", async () => {
    const a = await newAccount();
    await created(a, { key: "n", value: "1", type: "number" });
    await created(a, { key: "j", value: "{}", type: "json" });
    expect(await updateSecretValue(env, a.accountId, "lambda:abc", { key: "n", value: 2 })).toEqual({ key: "n", value: "2" });
    expect(await updateSecretValue(env, a.accountId, "lambda:abc", { key: "j", value: { t: "x" } })).toEqual({ key: "j", value: '{"t":"x"}' });
    for (const [input, rule] of [
      [{ key: "n", value: "abc" }, "finite number"],
      [{ key: "j", value: "{nope" }, "valid JSON"],
      [{ key: "n", value: "9".repeat(16_385) }, "at most 16384"],
      [{ key: "n", value: "" }, "must not be empty"],
      [{ key: "n", value: undefined }, "value is required"],
      [{ key: "no such/key", value: "1" }, "key must match"],
    ] as const) {
      const err = await apiError(() => updateSecretValue(env, a.accountId, "lambda:abc", input as any));
      expect([err.status, err.errorCode]).toEqual([400, CODES.badInput]);
      expect(err.errorMsg).toContain(rule);
    }
    const missing = await apiError(() => updateSecretValue(env, a.accountId, "lambda:abc", { key: "ghost", value: "1" }));
    expect([missing.status, missing.errorCode]).toEqual([404, SECRET_NOT_FOUND]);
    expect((await read(a, "n")).value).toBe("2");
    const items = (await list(a)).items;
    expect(items.find((s) => s.key === "n")).toMatchObject({ type: "number", updatedBy: "lambda:abc" });
    const rows = (await auditRows(a)).filter((r) => r.actor === "lambda:abc");
    expect(rows.map((r) => [r.action, r.target])).toEqual([
      ["secret.update", "n"],
      ["secret.update", "j"],
    ]);
  });
});

describe("POST /admin/secrets/rewrap (the deployment's keyring: v1 only)", () => {
  const rewrap = (query = "", key: string | null = OPERATOR_TOKEN) => call(`/admin/secrets/rewrap${query}`, { method: "POST", key });

  it("needs the operator token", async () => {
    const a = await newAccount();
    await expectError(await rewrap("", null), 401, CODES.unauthorized, "no token");
    await expectError(await rewrap("", "wrong"), 401, CODES.unauthorized, "wrong token");
    await expectError(await rewrap("", a.admin), 401, CODES.unauthorized, "an account key");
  });

  it("pages through every data key with ?cursor=; with everything current it changes nothing, run after run", async () => {
    for (let i = 0; i < 3; i++) await created(await newAccount(), { key: "k", value: `v${i}` });
    const total = (await env.KV.list({ prefix: "secret-dk:" })).keys.length;
    expect(total).toBeGreaterThanOrEqual(3);
    const before = JSON.stringify(await env.KV.list({ prefix: "secret-dk:" }));
    for (let run = 0; run < 2; run++) {
      let cursor: string | null = null;
      let pages = 0;
      let current = 0;
      do {
        const res = await rewrap(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        const body = await json(res);
        expect(res.status, JSON.stringify(body)).toBe(200);
        expect(body).toMatchObject({ kekVersion: "v1", rewrapped: 0, failed: [] });
        expect(body.alreadyCurrent).toBeLessThanOrEqual(2);
        current += body.alreadyCurrent;
        cursor = body.nextCursor;
        pages++;
        expect(pages).toBeLessThan(100);
      } while (cursor);
      expect(current).toBe(total);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(total / 2));
    }
    expect(JSON.stringify(await env.KV.list({ prefix: "secret-dk:" }))).toBe(before);
  });

  it("reports a data key it cannot unwrap as failed, and leaves it alone", async () => {
    const a = await newAccount();
    await created(a, { key: "k", value: "v" });
    const planted = `secret-dk:${a.accountId}:planted`;
    const record = JSON.stringify({ v: 1, kek: "v0", iv: "AAAAAAAAAAAAAAAA", wrapped: "AAAA" });
    await env.KV.put(planted, record, { metadata: { kek: "v0" } });
    const res = await rewrap(`?limit=1000`);
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.failed).toEqual([{ accountId: a.accountId, dataKeyId: "planted", kekVersion: "v0", reason: expect.stringContaining("v0") }]);
    expect(body.nextCursor).toBeNull();
    expect(await env.KV.get(planted)).toBe(record);
    expect((await read(a, "k")).value).toBe("v");
    await env.KV.delete(planted);
  });

  it("refuses a limit outside 1..1000 with 400", async () => {
    for (const q of ["?limit=0", "?limit=1001", "?limit=x"]) await expectError(await rewrap(q), 400, CODES.badInput, q);
  });
});
