// The outbound allow-list through its API (LivePerson's proxy-settings): CRUD, every validation
// rule, duplicates after normalisation, the entry limit, roles, tenancy and audit rows. (The
// operator's per-account limits endpoint is tested in limits.test.ts.)
import { describe, expect, it } from "vitest";
import { call, env, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";
import { ALLOW_LIST_MAX_ENTRIES, ALLOW_LIST_RULES as RULES } from "../src/services/allow-list-rules";

const path = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/proxy-settings${rest}`;
const add = (a: TestAccount, body: unknown, key = a.admin) => call(path(a), { key, body });
const del = (a: TestAccount, id: number | string, key = a.admin) => call(path(a, `/${id}`), { method: "DELETE", key });
const list = async (a: TestAccount, key = a.admin) => {
  const res = await call(path(a), { key });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as { id: number; domain: string; createdAt: string; createdBy: string }[];
};
const added = async (a: TestAccount, domain: string) => {
  const res = await add(a, { domain, id: -1 });
  const text = await res.text();
  expect(res.status, `${domain}: ${text}`).toBe(201);
  return JSON.parse(text);
};
const auditRows = async (a: TestAccount) =>
  (await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ? AND action LIKE 'proxy.%' ORDER BY id").bind(a.accountId).all<any>()).results;

describe("proxy-settings CRUD", () => {
  it("lists, adds (LivePerson's {domain, id: -1}), and deletes entries; an empty list is []", async () => {
    const a = await newAccount();
    expect(await list(a)).toEqual([]);
    const before = Date.now();
    const entry = await added(a, "Api.Example.COM.");
    expect(entry).toEqual({ id: expect.any(Number), domain: "api.example.com", createdAt: expect.any(String), createdBy: expect.stringContaining("key:") });
    expect(entry.id).toBeGreaterThan(0);
    expect(Date.parse(entry.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    const wildcard = await added(a, "*.crm.example");
    expect(await list(a)).toEqual([entry, wildcard]);

    expect((await del(a, entry.id)).status).toBe(204);
    expect(await list(a)).toEqual([wildcard]);
    await expectError(await del(a, entry.id), 404, undefined, "deleting twice");
    await expectError(await del(a, "not-a-number"), 404, undefined, "non-numeric id");
    await expectError(await del(a, 999999999), 404, undefined, "unknown id");
  });

  it("ignores the client's id and any unknown field", async () => {
    const a = await newAccount();
    const entry = await added(a, "example.com");
    const res = await add(a, { domain: "other.example.com", id: entry.id, extra: true });
    expect(res.status).toBe(201);
    expect((await json(res)).id).not.toBe(entry.id);
  });

  it("writes an audit row per change, naming the entry and the actor", async () => {
    const a = await newAccount();
    const entry = await added(a, "audit.example.com");
    await del(a, entry.id);
    await add(a, { domain: "audit.example.com." }); // re-added: a second add
    await add(a, { domain: "AUDIT.example.com" }); // duplicate: no row
    await add(a, { domain: "bad_host" }); // rejected: no row
    const rows = await auditRows(a);
    expect(rows.map((r: any) => [r.action, r.target])).toEqual([
      ["proxy.add", "audit.example.com"],
      ["proxy.delete", "audit.example.com"],
      ["proxy.add", "audit.example.com"],
    ]);
    expect(rows.every((r: any) => r.actor.startsWith("key:"))).toBe(true);
  });
});

describe("validation: each rule answers 400 with a message naming it", () => {
  const cases: [unknown, string][] = [
    [{}, RULES.required],
    [{ domain: "" }, RULES.required],
    [{ domain: 7 }, RULES.required],
    [{ domain: "https://example.com/" }, RULES.form],
    [{ domain: "example.com/path" }, RULES.form],
    [{ domain: "user@example.com" }, RULES.form],
    [{ domain: "under_score.example.com" }, RULES.form],
    [{ domain: "-lead.example.com" }, RULES.label],
    [{ domain: `${"a".repeat(64)}.example.com` }, RULES.label],
    [{ domain: `${"abcdefghi.".repeat(26)}com` }, RULES.length],
    [{ domain: "*.*.example.com" }, RULES.wildcard],
    [{ domain: "api*.example.com" }, RULES.wildcard],
    [{ domain: "*.com" }, RULES.wildcardBase],
    [{ domain: "*.10.0.0.1" }, RULES.wildcardBase],
    [{ domain: "example.com:0" }, RULES.port],
    [{ domain: "example.com:70000" }, RULES.port],
    [{ domain: "999.1.1.1" }, RULES.ipv4],
    [{ domain: "2130706433" }, RULES.ipv4],
    [{ domain: "[::1" }, RULES.ipv6],
    [{ domain: "bü|cher.example" }, RULES.idna],
  ];
  it.each(cases)("%j", async (body, rule) => {
    const a = await newAccount();
    const err = await expectError(await add(a, body), 400, CODES.badInput, JSON.stringify(body));
    expect(err.errorMsg).toContain(rule);
    expect(await list(a)).toEqual([]);
  });
});

describe("duplicates after normalisation are 409", () => {
  it.each([
    ["example.com", "EXAMPLE.com."],
    ["*.example.com", "*.Example.Com"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["example.com:8080", "Example.com.:8080"],
    ["::1", "[0:0:0:0:0:0:0:1]"],
    ["127.0.0.1:9000", " 127.0.0.1:9000 "],
  ])("%s then %s", async (first, second) => {
    const a = await newAccount();
    await added(a, first);
    await expectError(await add(a, { domain: second, id: -1 }), 409, CODES.conflict, second);
    expect(await list(a)).toHaveLength(1);
  });

  it("different entries for the same host are not duplicates (apex, wildcard, port)", async () => {
    const a = await newAccount();
    for (const d of ["example.com", "*.example.com", "example.com:443", "www.example.com"]) await added(a, d);
    expect((await list(a)).map((e) => e.domain)).toEqual(["example.com", "*.example.com", "example.com:443", "www.example.com"]);
  });
});

describe("the entry limit", () => {
  it(`allows ${ALLOW_LIST_MAX_ENTRIES} entries per account and answers 400 naming the limit beyond`, async () => {
    const a = await newAccount();
    const now = Date.now();
    const stmt = env.DB.prepare("INSERT INTO allowed_domains (account_id, domain, created_at, created_by) VALUES (?, ?, ?, 'test')");
    await env.DB.batch(Array.from({ length: ALLOW_LIST_MAX_ENTRIES - 1 }, (_, i) => stmt.bind(a.accountId, `h${i}.example.com`, now)));
    await added(a, "last.example.com");
    const err = await expectError(await add(a, { domain: "one-too-many.example.com" }), 400, CODES.badInput);
    expect(err.errorMsg).toBe(RULES.max);
    expect(await list(a)).toHaveLength(ALLOW_LIST_MAX_ENTRIES);
    // Another account is not affected.
    const b = await newAccount();
    await added(b, "one-too-many.example.com");
  });
});

describe("roles and tenancy", () => {
  it("Admin writes, Developer reads, Invocation does neither", async () => {
    const a = await newAccount();
    const entry = await added(a, "roles.example.com");
    expect(await list(a, a.developer)).toEqual([entry]);
    await expectError(await add(a, { domain: "dev.example.com" }, a.developer), 403, CODES.forbidden);
    await expectError(await del(a, entry.id, a.developer), 403, CODES.forbidden);
    await expectError(await call(path(a), { key: a.invocation }), 403, CODES.forbidden);
    await expectError(await add(a, { domain: "inv.example.com" }, a.invocation), 403, CODES.forbidden);
    await expectError(await del(a, entry.id, a.invocation), 403, CODES.forbidden);
    await expectError(await call(path(a)), 401, CODES.unauthorized);
    expect(await list(a)).toEqual([entry]);
  });

  it("another account's entry is 404, never 403, and stays; lists never mix", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const mine = await added(a, "mine.example.com");
    const theirs = await added(b, "theirs.example.com");
    // A's key, A's path, B's id.
    await expectError(await del(a, theirs.id), 404, undefined, "foreign id on own path");
    // A's key on B's path.
    await expectError(await call(path(b, `/${theirs.id}`), { method: "DELETE", key: a.admin }), 404, undefined, "foreign path");
    await expectError(await call(path(b), { key: a.admin }), 404, undefined, "foreign list");
    await expectError(await call(path(b), { key: a.admin, body: { domain: "evil.example.com" } }), 404, undefined, "foreign add");
    expect(await list(a)).toEqual([mine]);
    expect(await list(b)).toEqual([theirs]);
    // The same domain in two accounts is two entries.
    await added(a, "theirs.example.com");
  });
});
