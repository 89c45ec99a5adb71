// The vault's cryptography: the SECRETS_KEK keyring format and its errors, the envelope (AES-256-GCM,
// fresh IVs, AAD binding account and key), and KEK rotation end to end — through the service
// functions and the operator endpoint with keyrings of the test's own choosing.
import { describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, env, json, newAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";
import { createApp } from "../src/app";
import { toBase64 } from "../src/crypto/base64";
import {
  DecryptError,
  MissingKekError,
  newDataKey,
  openSecret,
  rewrapDataKey,
  sealSecret,
  unwrapDataKey,
  wrapDataKey,
  type WrappedDataKey,
} from "../src/crypto/envelope";
import { KeyringError, keyringOf, parseKeyring } from "../src/crypto/keyring";
import { ApiError } from "../src/errors";
import { createSecret, listSecrets, readSecretValue } from "../src/services/secrets";
import { rewrapDataKeys, type RewrapResult } from "../src/services/secrets-rotation";

const GENERAL = "com.liveperson.faas.es.general";
const randomKek = (bytes = 32) => toBase64(crypto.getRandomValues(new Uint8Array(bytes)));
const urlSafe = (b64: string) => b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

/** No piece of any key's text (8 characters or more) appears in `text`. */
function expectNoKeyMaterial(text: string, keys: string[]) {
  for (const k of keys) for (let i = 0; i + 8 <= k.length; i += 4) expect(text).not.toContain(k.slice(i, i + 8));
}

describe("SECRETS_KEK keyring", () => {
  it("one base64 key is version v1; a list is current-first; whitespace, URL-safe and unpadded base64 are accepted", async () => {
    const [a, b] = [randomKek(), randomKek()];
    const single = await parseKeyring(a);
    expect([single.current, single.versions]).toEqual(["v1", ["v1"]]);
    expect(single.key("v1")).toBeInstanceOf(CryptoKey);
    expect(single.key("v2")).toBeUndefined();

    const ring = await parseKeyring(` v2 : ${urlSafe(b)} ,v1:${a}\n`);
    expect([ring.current, ring.versions]).toEqual(["v2", ["v2", "v1"]]);
    const one = await parseKeyring(`2026-06_x:${a}`);
    expect([one.current, one.versions]).toEqual(["2026-06_x", ["2026-06_x"]]);
  });

  it("the single-key form and `v1:<same key>` are the same KEK: what one wraps the other unwraps", async () => {
    const a = randomKek();
    const ctx = { accountId: "acct", dataKeyId: "dk1" };
    const wrapped = await wrapDataKey(await parseKeyring(a), await newDataKey(), ctx);
    expect(wrapped.kek).toBe("v1");
    await expect(unwrapDataKey(await parseKeyring(`v2:${randomKek()},v1:${a}`), wrapped, ctx)).resolves.toBeInstanceOf(CryptoKey);
  });

  it("refuses a missing or malformed SECRETS_KEK with a KeyringError that names the problem, never the key", async () => {
    const [a, b] = [randomKek(), randomKek()];
    const short = randomKek(31);
    const long = randomKek(33);
    const cases: [string | undefined, RegExp][] = [
      [undefined, /not configured/],
      ["", /not configured/],
      ["   ", /not configured/],
      ["not base64!!", /entry 1 \(version v1\) is not the base64 encoding of 32 bytes/],
      [short, /not the base64 encoding of 32 bytes/],
      [long, /not the base64 encoding of 32 bytes/],
      [`v2:${b},${a}`, /entry 2 of 2 has no version/],
      [`v2:${b},`, /entry 2 of 2 has no version/],
      [`v1:${a},v1:${b}`, /names version v1 twice/],
      [`bad version!:${a}`, /a version is 1 to 32 letters/],
      [`:${a}`, /a version is 1 to 32 letters/],
      [`v2:,v1:${a}`, /entry 1 \(version v2\) is not the base64/],
      [`v2:${short},v1:${a}`, /entry 1 \(version v2\)/],
      [`v2:${b},v1:${a}x`, /entry 2 \(version v1\)/],
    ];
    for (const [raw, message] of cases) {
      const e = await rejection(parseKeyring(raw));
      expect(e, String(raw)).toBeInstanceOf(KeyringError);
      expect((e as Error).message, String(raw)).toMatch(message);
      expectNoKeyMaterial((e as Error).message, [a, b, short, long]);
    }
  });

  it("keyringOf turns a bad SECRETS_KEK into a 500 com.liveperson.faas.es.general naming SECRETS_KEK, without key material", async () => {
    const a = randomKek(31);
    for (const raw of [undefined, `v2:${a}`]) {
      const e = (await rejection(keyringOf({ SECRETS_KEK: raw }))) as ApiError;
      expect(e).toBeInstanceOf(ApiError);
      expect([e.status, e.errorCode]).toEqual([500, GENERAL]);
      expect(e.errorMsg).toContain("SECRETS_KEK");
      expectNoKeyMaterial(JSON.stringify(e) + e.errorMsg, [a]);
    }
    // A good one works (and the deployment's own parses).
    expect((await keyringOf({ SECRETS_KEK: randomKek() })).current).toBe("v1");
    expect((await keyringOf(env as unknown as { SECRETS_KEK: string })).current).toBe("v1");
  });
});

describe("envelope", () => {
  const ctx = { accountId: "acct1", key: "TOKEN" };

  it("round-trips values exactly; the ciphertext is the plaintext's length plus the 16-byte tag", async () => {
    const dk = await newDataKey();
    for (const value of ["x", "päss 🔑", "\uFEFFbom", "y".repeat(16_384)]) {
      const sealed = await sealSecret(dk, "dk1", ctx, value);
      expect(sealed).toMatchObject({ v: 1, dk: "dk1" });
      expect(atob(sealed.iv)).toHaveLength(12);
      expect(atob(sealed.ct)).toHaveLength(new TextEncoder().encode(value).length + 16);
      expect(await openSecret(dk, ctx, sealed)).toBe(value);
    }
  });

  it("a fresh IV on every seal: the same value never gives the same IV or ciphertext", async () => {
    const dk = await newDataKey();
    const sealed = await Promise.all(Array.from({ length: 50 }, () => sealSecret(dk, "dk1", ctx, "same")));
    expect(new Set(sealed.map((s) => s.iv)).size).toBe(50);
    expect(new Set(sealed.map((s) => s.ct)).size).toBe(50);
  });

  it("the AAD binds account and key: any other account, key, split of the two, data key or a flipped bit fails", async () => {
    const dk = await newDataKey();
    const sealed = await sealSecret(dk, "dk1", ctx, "plaintext-value");
    const flip = (b64: string) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      bytes[0]! ^= 1;
      return toBase64(bytes);
    };
    const attempts: [string, () => Promise<string>][] = [
      ["other account", () => openSecret(dk, { accountId: "acct2", key: "TOKEN" }, sealed)],
      ["other key", () => openSecret(dk, { accountId: "acct1", key: "TOKEN2" }, sealed)],
      ["key case", () => openSecret(dk, { accountId: "acct1", key: "token" }, sealed)],
      ["shifted split", () => openSecret(dk, { accountId: "acct", key: "1TOKEN" }, sealed)],
      ["other data key", async () => openSecret(await newDataKey(), ctx, sealed)],
      ["flipped ciphertext", () => openSecret(dk, ctx, { ...sealed, ct: flip(sealed.ct) })],
      ["flipped iv", () => openSecret(dk, ctx, { ...sealed, iv: flip(sealed.iv) })],
      ["not base64", () => openSecret(dk, ctx, { ...sealed, ct: "!!" })],
    ];
    for (const [label, attempt] of attempts) {
      const e = await rejection(attempt());
      expect(e, label).toBeInstanceOf(DecryptError);
      expect(String((e as Error).message), label).not.toContain("plaintext-value");
    }
    expect(await openSecret(dk, ctx, sealed)).toBe("plaintext-value");
  });

  it("a wrapped data key unwraps only for its account and id, and only with its KEK version's key", async () => {
    const [a, b] = [randomKek(), randomKek()];
    const ring = await parseKeyring(`v1:${a}`);
    const dk = await newDataKey();
    const dctx = { accountId: "acct1", dataKeyId: "dk1" };
    const wrapped = await wrapDataKey(ring, dk, dctx);
    expect(wrapped).toMatchObject({ v: 1, kek: "v1" });
    expect(atob(wrapped.wrapped)).toHaveLength(48);
    const sealed = await sealSecret(dk, "dk1", { accountId: "acct1", key: "k" }, "v");
    const unwrapped = await unwrapDataKey(ring, wrapped, dctx);
    expect(unwrapped.extractable).toBe(false);
    expect(await openSecret(unwrapped, { accountId: "acct1", key: "k" }, sealed)).toBe("v");

    expect(await rejection(unwrapDataKey(ring, wrapped, { accountId: "acct2", dataKeyId: "dk1" }))).toBeInstanceOf(DecryptError);
    expect(await rejection(unwrapDataKey(ring, wrapped, { accountId: "acct1", dataKeyId: "dk2" }))).toBeInstanceOf(DecryptError);
    // Same version name, other key material: does not unwrap.
    expect(await rejection(unwrapDataKey(await parseKeyring(`v1:${b}`), wrapped, dctx))).toBeInstanceOf(DecryptError);
    // A keyring without the version: MissingKekError naming it.
    const missing = await rejection(unwrapDataKey(await parseKeyring(`v2:${b}`), wrapped, dctx));
    expect(missing).toBeInstanceOf(MissingKekError);
    expect((missing as MissingKekError).version).toBe("v1");
  });

  it("rewrapDataKey moves a data key to the current version with the same key material, and leaves current ones alone", async () => {
    const [old, fresh] = [randomKek(), randomKek()];
    const dctx = { accountId: "acct1", dataKeyId: "dk1" };
    const dk = await newDataKey();
    const wrapped = await wrapDataKey(await parseKeyring(old), dk, dctx);
    const sealed = await sealSecret(dk, "dk1", { accountId: "acct1", key: "k" }, "survives");
    const both = await parseKeyring(`v2:${fresh},v1:${old}`);
    const moved = (await rewrapDataKey(both, wrapped, dctx)) as WrappedDataKey;
    expect(moved.kek).toBe("v2");
    expect(moved.wrapped).not.toBe(wrapped.wrapped);
    expect(await rewrapDataKey(both, moved, dctx)).toBeNull();
    const onlyNew = await parseKeyring(`v2:${fresh}`);
    expect(await openSecret(await unwrapDataKey(onlyNew, moved, dctx), { accountId: "acct1", key: "k" }, sealed)).toBe("survives");
    expect(await rejection(unwrapDataKey(await parseKeyring(old), moved, dctx))).toBeInstanceOf(MissingKekError);
  });
});

// ---------------------------------------------------------------------------------------------
// Rotation with real KV. This file's storage is its own, and each test deletes the data keys it
// made, so every test sees exactly the data keys it created.

const dataKeys = async () => (await env.KV.list<{ kek: string }>({ prefix: "secret-dk:" })).keys;
async function dropDataKeys() {
  for (const k of await dataKeys()) await env.KV.delete(k.name);
}
const acctId = () => `rot${crypto.randomUUID().slice(0, 8)}`;

/** Runs rewrap pages until nextCursor is null; returns the pages. */
async function rewrapAll(run: (cursor: string | undefined) => Promise<RewrapResult>): Promise<RewrapResult[]> {
  const pages: RewrapResult[] = [];
  let cursor: string | undefined;
  do {
    const page = await run(cursor);
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}
const sum = (pages: RewrapResult[], f: "rewrapped" | "alreadyCurrent") => pages.reduce((n, p) => n + p[f], 0);

describe("KEK rotation through the service", () => {
  it("secrets written under v1 survive: re-wrap under v2 (paged), then a keyring of v2 alone reads them and one of v1 alone does not", async () => {
    const [oldKek, newKek] = [randomKek(), randomKek()];
    const envV1 = { ...env, SECRETS_KEK: oldKek }; // the single-key form: version v1
    const envBoth = { ...env, SECRETS_KEK: `v2:${newKek},v1:${oldKek}` };
    const envV2 = { ...env, SECRETS_KEK: `v2:${newKek}` };
    const envOnlyV1 = { ...env, SECRETS_KEK: `v1:${oldKek}` };
    try {
      const accounts = [acctId(), acctId(), acctId()];
      const values = new Map<string, string>();
      for (const [i, accountId] of accounts.entries()) {
        for (const key of ["a", "b"]) {
          const value = `value-${i}-${key}-${crypto.randomUUID()}`;
          values.set(`${accountId}/${key}`, value);
          await createSecret(envV1, accountId, "test", { key, value });
        }
      }
      expect((await dataKeys()).map((k) => k.metadata)).toEqual([{ kek: "v1" }, { kek: "v1" }, { kek: "v1" }]);
      const readAll = async (e: typeof env) => {
        for (const [path, value] of values) {
          const [accountId, key] = path.split("/") as [string, string];
          expect(await readSecretValue(e, accountId, key)).toEqual({ key, value });
        }
      };
      const refusedBy = async (e: typeof env, version: string) => {
        for (const path of values.keys()) {
          const [accountId, key] = path.split("/") as [string, string];
          const err = (await rejection(readSecretValue(e, accountId, key))) as ApiError;
          expect(err).toBeInstanceOf(ApiError);
          expect([err.status, err.errorCode]).toEqual([500, GENERAL]);
          expect(err.errorMsg).toContain(`KEK version ${version}`);
          expect(err.errorMsg).not.toContain(values.get(path)!);
        }
      };

      // Step 1: SECRETS_KEK = v2:new,v1:old. Everything still reads; v2 alone cannot yet.
      await readAll(envBoth);
      await refusedBy(envV2, "v1");
      // A secret written during the rotation gets a data key under v2.
      const late = acctId();
      await createSecret(envBoth, late, "test", { key: "late", value: "written-mid-rotation" });
      values.set(`${late}/late`, "written-mid-rotation");

      // Step 2: re-wrap, two data keys per page, until nextCursor is null.
      const secretsBefore = JSON.stringify(await Promise.all([...values.keys()].map((p) => env.KV.get(`secret:${p.replace("/", ":")}`))));
      const pages = await rewrapAll((cursor) => rewrapDataKeys(envBoth, { cursor, limit: 2 }));
      expect(pages.length).toBeGreaterThanOrEqual(2);
      for (const p of pages) {
        expect(p.kekVersion).toBe("v2");
        expect(p.failed).toEqual([]);
        expect(p.rewrapped + p.alreadyCurrent).toBeLessThanOrEqual(2);
      }
      expect([sum(pages, "rewrapped"), sum(pages, "alreadyCurrent")]).toEqual([3, 1]);
      expect((await dataKeys()).map((k) => k.metadata)).toEqual([{ kek: "v2" }, { kek: "v2" }, { kek: "v2" }, { kek: "v2" }]);
      for (const k of await dataKeys()) expect(JSON.parse((await env.KV.get(k.name))!).kek).toBe("v2");
      // No secret was touched.
      expect(JSON.stringify(await Promise.all([...values.keys()].map((p) => env.KV.get(`secret:${p.replace("/", ":")}`))))).toBe(secretsBefore);
      // Each re-wrap is audited, under its account, without any value.
      const audit = await env.DB.prepare("SELECT * FROM audit_log WHERE action = 'secret.rewrap' AND account_id IN (?, ?, ?)")
        .bind(...accounts)
        .all<any>();
      expect(audit.results.map((r) => r.account_id).sort()).toEqual([...accounts].sort());
      expect(audit.results.map((r) => JSON.parse(r.detail))).toEqual([
        { from: "v1", to: "v2" },
        { from: "v1", to: "v2" },
        { from: "v1", to: "v2" },
      ]);

      // Step 3: drop v1. v2 alone reads everything; v1 alone reads nothing.
      await readAll(envV2);
      await readAll(envBoth);
      await refusedBy(envOnlyV1, "v2");
      await refusedBy(envV1, "v2");

      // Running it again changes nothing.
      const again = await rewrapAll((cursor) => rewrapDataKeys(envV2, { cursor, limit: 3 }));
      expect([sum(again, "rewrapped"), sum(again, "alreadyCurrent")]).toEqual([0, 4]);
      await readAll(envV2);
      expect((await listSecrets(envV2, accounts[0]!)).map((s) => s.key)).toEqual(["a", "b"]);
    } finally {
      await dropDataKeys();
    }
  });

  it("dropping v1 before the re-wrap has run loses nothing: the data keys are reported as failed and stay as they were", async () => {
    const [oldKek, newKek] = [randomKek(), randomKek()];
    try {
      const accountId = acctId();
      await createSecret({ ...env, SECRETS_KEK: `v1:${oldKek}` }, accountId, "test", { key: "k", value: "kept" });
      const before = JSON.stringify(await Promise.all((await dataKeys()).map((k) => env.KV.get(k.name))));
      const pages = await rewrapAll((cursor) => rewrapDataKeys({ ...env, SECRETS_KEK: `v2:${newKek}` }, { cursor }));
      expect(pages).toHaveLength(1);
      expect(pages[0]).toMatchObject({ rewrapped: 0, alreadyCurrent: 0, nextCursor: null });
      expect(pages[0]!.failed).toEqual([{ accountId, dataKeyId: expect.any(String), kekVersion: "v1", reason: "SECRETS_KEK does not hold key version v1" }]);
      expect(JSON.stringify(await Promise.all((await dataKeys()).map((k) => env.KV.get(k.name))))).toBe(before);
      // Putting v1 back (as the older entry) recovers everything.
      const ring = { ...env, SECRETS_KEK: `v2:${newKek},v1:${oldKek}` };
      expect(sum(await rewrapAll((cursor) => rewrapDataKeys(ring, { cursor })), "rewrapped")).toBe(1);
      expect((await readSecretValue({ ...env, SECRETS_KEK: `v2:${newKek}` }, accountId, "k")).value).toBe("kept");
    } finally {
      await dropDataKeys();
    }
  });
});

describe("through the app with another SECRETS_KEK", () => {
  const app = createApp();
  const request = (path: string, init: RequestInit & { body?: string }, bindings: Record<string, unknown>) =>
    app.request(`http://edgefn.test${path}`, init, { ...env, ...bindings });
  const operator = { authorization: `Bearer ${OPERATOR_TOKEN}` };

  it("POST /admin/secrets/rewrap re-wraps page by page and is idempotent", async () => {
    const [oldKek, newKek] = [randomKek(), randomKek()];
    try {
      const a = await newAccount();
      const b = await newAccount();
      for (const t of [a, b]) {
        const res = await request(
          `/api/account/${t.accountId}/secrets`,
          { method: "POST", headers: { authorization: `Bearer ${t.admin}`, "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: `v-${t.accountId}` }) },
          { SECRETS_KEK: oldKek },
        );
        expect(res.status, await res.clone().text()).toBe(201);
      }
      const both = { SECRETS_KEK: `k2:${newKek},v1:${oldKek}` };
      const pageOf = async (cursor: string | undefined) => {
        const res = await request(`/admin/secrets/rewrap?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { method: "POST", headers: operator }, both);
        const body = await json(res);
        expect(res.status, JSON.stringify(body)).toBe(200);
        expect(Object.keys(body).sort()).toEqual(["alreadyCurrent", "failed", "kekVersion", "nextCursor", "rewrapped"]);
        return body as RewrapResult;
      };
      const first = await rewrapAll(pageOf);
      expect(first.map((p) => p.rewrapped)).toEqual(first.length === 2 ? [1, 1] : [1, 1, 0]);
      const second = await rewrapAll(pageOf);
      expect([sum(second, "rewrapped"), sum(second, "alreadyCurrent")]).toEqual([0, 2]);
      for (const t of [a, b]) expect((await readSecretValue({ ...env, SECRETS_KEK: `k2:${newKek}` }, t.accountId, "k")).value).toBe(`v-${t.accountId}`);
      // Without the operator token nothing happens.
      await expectError(await request("/admin/secrets/rewrap", { method: "POST" }, both), 401, CODES.unauthorized, "no token");
    } finally {
      await dropDataKeys();
    }
  });

  it("a missing or malformed SECRETS_KEK answers 500 general with a clear message and stores nothing; listing still works", async () => {
    const a = await newAccount();
    const bad = randomKek(16);
    for (const SECRETS_KEK of [undefined, bad, `v2:${bad}`]) {
      const res = await request(
        `/api/account/${a.accountId}/secrets`,
        { method: "POST", headers: { authorization: `Bearer ${a.admin}`, "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: "the-value" }) },
        { SECRETS_KEK },
      );
      const body = await expectError(res, 500, GENERAL, String(SECRETS_KEK));
      expect(body.errorMsg).toMatch(/^Secrets are unavailable on this deployment: SECRETS_KEK /);
      expectNoKeyMaterial(JSON.stringify(body), [bad]);
      expect(JSON.stringify(body)).not.toContain("the-value");
      const rewrap = await request("/admin/secrets/rewrap", { method: "POST", headers: operator }, { SECRETS_KEK });
      expectNoKeyMaterial(JSON.stringify(await expectError(rewrap, 500, GENERAL, "rewrap")), [bad]);
    }
    expect(await env.KV.get(`secret:${a.accountId}:k`)).toBeNull();
    const listed = await request(`/api/account/${a.accountId}/secrets`, { headers: { authorization: `Bearer ${a.admin}` } }, { SECRETS_KEK: undefined });
    expect(listed.status).toBe(200);
    expect(await json(listed)).toEqual([]);
  });
});
