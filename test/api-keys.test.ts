// API keys: created by a FaaS-Admin with one role, shown once, stored only as a SHA-256 hash,
// never listed, revoked at once, the last admin key protected, every change audited.
import { describe, expect, it } from "vitest";
import { call, env, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, ROLES, expectError, mintKey, sha256Hex } from "./helpers/spec";
import { createDb } from "../src/db/client";
import { revokeApiKey } from "../src/services/api-keys";

const keysPath = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/api-keys${rest}`;
const create = (a: TestAccount, body: unknown, key = a.admin) => call(keysPath(a), { key, body });
const revoke = (a: TestAccount, id: string, key = a.admin) => call(keysPath(a, `/${id}`), { method: "DELETE", key });
const list = async (a: TestAccount, key = a.admin) => {
  const res = await call(keysPath(a), { key });
  expect(res.status).toBe(200);
  return { text: await res.clone().text(), items: await json<any[]>(res) };
};
/** A request any role may make: 200 when the key works. */
const probe = (a: TestAccount, key: string) => call(`/api/account/${a.accountId}/runtimes`, { key });

const auditRows = async (a: TestAccount) =>
  (await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ? ORDER BY id").bind(a.accountId).all<any>()).results;
const keyRows = async (a: TestAccount) =>
  (await env.DB.prepare("SELECT * FROM api_keys WHERE account_id = ?").bind(a.accountId).all<any>()).results;

describe("creating keys", () => {
  it("answers 201 {id, name, role, key} for every role, and the key works with that role", async () => {
    const a = await newAccount();
    const seen = new Set<string>();
    for (const role of ROLES) {
      const res = await create(a, { name: `ci ${role}`, role });
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(body).toMatchObject({ name: `ci ${role}`, role });
      expect(typeof body.id).toBe("string");
      expect(typeof body.key).toBe("string");
      expect(body.key.length).toBeGreaterThanOrEqual(32);
      expect(seen.has(body.key)).toBe(false);
      seen.add(body.key);
      expect((await probe(a, body.key)).status).toBe(200);
      // The role is the one asked for: only an admin key may list keys.
      expect((await call(keysPath(a), { key: body.key })).status).toBe(role === "FaaS-Admin" ? 200 : 403);
    }
  });

  it("stores only the SHA-256 hex hash of the key, never the key itself", async () => {
    const a = await newAccount();
    const { id, key } = await mintKey(a, "FaaS-Developer", "hashed");
    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(id).first<any>();
    expect(row).not.toBeNull();
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).toBe(await sha256Hex(key));
    // No column of any key row (nor any audit row) holds a plaintext key, or a piece of it.
    const everything = JSON.stringify([await keyRows(a), await auditRows(a)]);
    for (const k of [key, a.admin, a.developer, a.invocation]) {
      expect(everything).not.toContain(k);
      expect(everything).not.toContain(k.slice(-20));
    }
  });

  it("lists keys without their secrets or hashes", async () => {
    const a = await newAccount();
    const created = await mintKey(a, "FaaS-Invocation", "listed");
    const { text, items } = await list(a);
    expect(items.map((k) => k.role).sort()).toEqual(["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation", "FaaS-Invocation"]);
    expect(items.find((k) => k.id === created.id)).toMatchObject({ id: created.id, name: "listed", role: "FaaS-Invocation" });
    for (const item of items) {
      expect(item).not.toHaveProperty("key");
      expect(item).not.toHaveProperty("keyHash");
      expect(item).not.toHaveProperty("key_hash");
    }
    for (const k of [created.key, a.admin, a.developer, a.invocation]) expect(text).not.toContain(k);
    for (const row of await keyRows(a)) expect(text).not.toContain(row.key_hash);
  });

  it("refuses a bad role, a missing or empty name, and a body that is not JSON with 400 badinput", async () => {
    const a = await newAccount();
    const before = (await keyRows(a)).length;
    const bad: unknown[] = [
      { name: "x", role: "FaaS-Root" },
      { name: "x", role: "faas-admin" },
      { name: "x" },
      { role: "FaaS-Developer" },
      { name: "", role: "FaaS-Developer" },
      { name: 42, role: "FaaS-Developer" },
      [],
    ];
    for (const body of bad) await expectError(await create(a, body), 400, CODES.badInput, JSON.stringify(body));
    await expectError(
      await call(keysPath(a), { key: a.admin, rawBody: "{name", headers: { "content-type": "application/json" } }),
      400,
      CODES.badInput,
      "malformed JSON",
    );
    expect((await keyRows(a)).length).toBe(before);
  });
});

describe("revoking keys", () => {
  it("a revoked key stops working on the very next request, and leaves the list", async () => {
    const a = await newAccount();
    const { id, key } = await mintKey(a, "FaaS-Developer", "to-revoke");
    expect((await probe(a, key)).status).toBe(200);
    const res = await revoke(a, id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await expectError(await probe(a, key), 401, CODES.unauthorized, "revoked key");
    await expectError(await call(`/api/account/${a.accountId}/lambdas`, { key }), 401, CODES.unauthorized, "revoked key");
    expect((await list(a)).items.map((k) => k.id)).not.toContain(id);
    // The other keys are unaffected.
    for (const role of ROLES) expect((await probe(a, a.keyOf(role))).status).toBe(200);
  });

  it("an admin key may revoke itself while another admin key remains; it is dead right after", async () => {
    const a = await newAccount();
    const second = await mintKey(a, "FaaS-Admin", "second-admin");
    const self = (await list(a)).items.find((k) => k.name === "initial-admin")!;
    expect((await revoke(a, self.id, a.admin)).status).toBe(204);
    await expectError(await call(keysPath(a), { key: a.admin }), 401, CODES.unauthorized, "self-revoked admin key");
    expect((await call(keysPath(a), { key: second.key })).status).toBe(200);
  });

  it("revoking an unknown, already revoked or other account's key is 404", async () => {
    const a = await newAccount();
    const b = await newAccount();
    await expectError(await revoke(a, "no-such-key"), 404, undefined, "unknown id");
    await expectError(await revoke(a, crypto.randomUUID()), 404, undefined, "unknown uuid");

    const gone = await mintKey(a, "FaaS-Invocation", "twice");
    expect((await revoke(a, gone.id)).status).toBe(204);
    await expectError(await revoke(a, gone.id), 404, undefined, "already revoked");

    const theirs = await mintKey(b, "FaaS-Developer", "theirs");
    await expectError(await revoke(a, theirs.id), 404, undefined, "b's key on a's path");
    expect((await probe(b, theirs.key)).status).toBe(200);
  });

  it("refuses to revoke the account's last FaaS-Admin key with 409, and the key keeps working", async () => {
    const a = await newAccount();
    const [adminKey] = (await list(a)).items.filter((k) => k.role === "FaaS-Admin");
    await expectError(await revoke(a, adminKey.id), 409, CODES.conflict, "last admin");
    expect((await call(keysPath(a), { key: a.admin })).status).toBe(200);

    // With a second admin the first may go; then the second is the last one.
    const second = await mintKey(a, "FaaS-Admin", "second-admin");
    expect((await revoke(a, adminKey.id, second.key)).status).toBe(204);
    await expectError(await revoke(a, second.id, second.key), 409, CODES.conflict, "new last admin");
    expect((await call(keysPath(a), { key: second.key })).status).toBe(200);
    // Revoked admin keys do not count as admins.
    expect((await list(a, second.key)).items.filter((k) => k.role === "FaaS-Admin").map((k) => k.id)).toEqual([second.id]);
  });
});

describe("races", () => {
  it("two admins revoking each other at once: one wins, the account keeps exactly one admin, one audit row", async () => {
    const a = await newAccount();
    const [first] = (await list(a)).items.filter((k) => k.role === "FaaS-Admin");
    const second = await mintKey(a, "FaaS-Admin", "second-admin");
    const start = (await auditRows(a)).length;

    // Straight to the service, so both requests read "two admins" before either writes: the
    // interleaving a check-then-update would lose. Over HTTP the loser's key would already be dead.
    const db = createDb(env.DB);
    const as = (keyId: string) => ({ accountId: a.accountId, kind: "key" as const, id: keyId, name: "admin", roles: ["FaaS-Admin" as const] });
    const outcomes = await Promise.allSettled([revokeApiKey(db, as(first.id), second.id), revokeApiKey(db, as(second.id), first.id)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const loser = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ status: 409 });

    const admins = (await keyRows(a)).filter((k) => k.role === "FaaS-Admin" && k.revoked_at === null);
    expect(admins).toHaveLength(1);
    expect((await auditRows(a)).slice(start).map((r) => r.action)).toEqual(["apikey.revoke"]);
  });
});

describe("actors", () => {
  it("names the acting key by name and id, so two keys with one name are told apart", async () => {
    const a = await newAccount();
    const one = await mintKey(a, "FaaS-Admin", "ci");
    const two = await mintKey(a, "FaaS-Admin", "ci");
    await create(a, { name: "by-one", role: "FaaS-Invocation" }, one.key);
    await create(a, { name: "by-two", role: "FaaS-Invocation" }, two.key);
    const created = (await list(a)).items;
    const byOne = created.find((k) => k.name === "by-one");
    const byTwo = created.find((k) => k.name === "by-two");
    expect(byOne.createdBy).toContain(one.id);
    expect(byTwo.createdBy).toContain(two.id);
  });
});

describe("audit", () => {
  it("each create and revoke writes one audit row naming the actor and the key; refused changes write none", async () => {
    const a = await newAccount();
    const start = (await auditRows(a)).length;
    const { id } = await mintKey(a, "FaaS-Developer", "audited");
    let rows = (await auditRows(a)).slice(start);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ account_id: a.accountId, target: id });
    expect(rows[0].action).toMatch(/create/);
    expect(rows[0].actor).toMatch(/initial-admin/);
    expect(JSON.parse(rows[0].detail)).toMatchObject({ name: "audited", role: "FaaS-Developer" });

    expect((await revoke(a, id)).status).toBe(204);
    rows = (await auditRows(a)).slice(start);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ account_id: a.accountId, target: id });
    expect(rows[1].action).toMatch(/revoke/);
    expect(rows[1].actor).toMatch(/initial-admin/);
    expect(rows[1].at).toBeGreaterThanOrEqual(rows[0].at);

    // Refused: unknown id (404), last admin (409), bad input (400), forbidden role (403).
    const adminId = (await list(a)).items.find((k) => k.role === "FaaS-Admin")!.id;
    expect((await revoke(a, "nope")).status).toBe(404);
    expect((await revoke(a, adminId)).status).toBe(409);
    expect((await create(a, { name: "x", role: "nope" })).status).toBe(400);
    expect((await create(a, { name: "x", role: "FaaS-Admin" }, a.developer)).status).toBe(403);
    expect((await auditRows(a)).slice(start)).toHaveLength(2);
  });
});
