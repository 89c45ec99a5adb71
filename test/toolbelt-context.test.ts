// Toolbelt.ContextServiceClient() from brand code: LivePerson's Context Session Store as a
// per-account key-value store in KV (namespaces with TTL, sessions, properties, __default__),
// validation with clear errors, limits, and tenancy.
import { describe, expect, it } from "vitest";
import { deployed, env, invoke, json, newAccount, type TestAccount } from "./helpers/api";
import * as store from "../src/services/context-store";
import { ApiError } from "../src/errors";
import { CONTEXT_LIMITS } from "../src/services/context-store-rules";

/**
 * A function that runs a list of client calls [method, ...args] in order and answers each outcome:
 * {ok: true, value} or {ok: false, name, code, message}. `client` picks how the client is made.
 */
const SCRIPT_FN = `
const { Toolbelt } = require("lp-faas-toolbelt");
async function lambda(input) {
  const { calls, client } = input.payload;
  const ctx = client === "positional" ? Toolbelt.ContextServiceClient("DEV-KEY")
    : client === "v1" ? Toolbelt.ContextServiceClient({ accountId: input.payload.claimedAccount, apiKey: "whatever" })
    : Toolbelt.ContextServiceClient();
  const out = [];
  for (const [method, ...args] of calls) {
    try {
      out.push({ ok: true, value: await ctx[method](...args) });
    } catch (e) {
      out.push({ ok: false, name: e.name, code: e.code, message: e.message });
    }
  }
  return out;
}`;

type Call = [string, ...unknown[]];

async function script(a: TestAccount, uuid: string, calls: Call[], extra: Record<string, unknown> = {}) {
  const res = await invoke(a, uuid, { headers: [], payload: { calls, ...extra } });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as { ok: boolean; value?: any; name?: string; code?: string; message?: string }[];
}

const values = (outs: { ok: boolean; value?: any }[]): any[] =>
  outs.map((o, i) => {
    expect(o.ok, `call ${i}: ${JSON.stringify(o)}`).toBe(true);
    return o.value;
  });

const NOT_FOUND = "com.liveperson.faas.context.namespace.not-found";
const INVALID = "com.liveperson.faas.context.invalid-input";
const LIMIT = "com.liveperson.faas.context.limit-exceeded";

describe("ContextServiceClient round trips", () => {
  it("creates, lists, writes, merges, reads and deletes", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SCRIPT_FN);
    const before = Date.now();
    const [created, again, listed, , , all, merged, selected, one, missing, , afterDelete, sessions, , sessionsAfter, defaultAfter] = values(
      await script(a, uuid, [
        ["createNamespace", "conversations", { ttl: 3600 }],
        ["createNamespace", "conversations"],
        ["getListOfNamespaces"],
        ["setPropertiesInNamespace", "conversations", { step: 1, user: { name: "Ada" }, drop: "me" }],
        ["setPropertiesInNamespace", "conversations", { other: true }, "conv-123"],
        ["getAllPropertiesInSession", "conversations"],
        ["updatePropertiesInNamespace", "conversations", { step: 2, extra: [1, 2] }],
        ["getSelectedPropertiesInSession", "conversations", ["step", "user", "absent"]],
        ["getPropertyInSession", "conversations", "extra"],
        ["getPropertyInSession", "conversations", "absent"],
        ["deletePropertyInSession", "conversations", "drop"],
        ["getAllPropertiesInSession", "conversations", "__default__"],
        ["getListOfSessions", "conversations"],
        ["deleteSession", "conversations", "conv-123"],
        ["getListOfSessions", "conversations"],
        ["getAllPropertiesInSession", "conversations", "conv-123"],
      ]),
    );
    expect(created).toMatchObject({ name: "conversations", ttlSecond: 3600 });
    expect(Date.parse(created.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(again).toEqual(created); // idempotent: same record, same createdAt
    expect(listed).toEqual([created]);
    expect(all).toEqual({ step: 1, user: { name: "Ada" }, drop: "me" });
    expect(merged).toBeUndefined();
    expect(selected).toEqual({ step: 2, user: { name: "Ada" } });
    expect(one).toEqual([1, 2]);
    expect(missing).toBeUndefined();
    expect(afterDelete).toEqual({ step: 2, user: { name: "Ada" }, extra: [1, 2] });
    expect(sessions.sort()).toEqual(["__default__", "conv-123"]);
    expect(sessionsAfter).toEqual(["__default__"]);
    expect(defaultAfter).toEqual({});
  });

  it("setPropertiesInNamespace replaces; values travel as JSON; deletes are idempotent", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SCRIPT_FN);
    await script(a, uuid, [["createNamespace", "ns1"]]);
    const out = values(
      await script(a, uuid, [
        ["setPropertiesInNamespace", "ns1", { a: 1, b: 2 }, "s"],
        ["setPropertiesInNamespace", "ns1", { c: 3 }, "s"],
        ["getAllPropertiesInSession", "ns1", "s"],
        ["deletePropertyInSession", "ns1", "nope", "s"],
        ["deleteSession", "ns1", "never-existed"],
        ["deleteNamespace", "never-existed"],
      ]),
    );
    expect(out[2]).toEqual({ c: 3 });
    const [dates] = values(
      await invoke(a, await deployed(a, `const c = require("lp-faas-toolbelt").Toolbelt.ContextServiceClient();
        async function lambda() {
          await c.setPropertiesInNamespace("ns1", { when: new Date(0), nothing: undefined, nested: { n: null } });
          return [{ ok: true, value: await c.getAllPropertiesInSession("ns1") }];
        }`)).then(json),
    );
    expect(dates).toEqual({ when: "1970-01-01T00:00:00.000Z", nested: { n: null } });
  });

  it("deleteNamespace removes its sessions; a namespace created again starts empty", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SCRIPT_FN);
    values(
      await script(a, uuid, [
        ["createNamespace", "temp"],
        ["setPropertiesInNamespace", "temp", { x: 1 }],
        ["setPropertiesInNamespace", "temp", { y: 2 }, "s2"],
      ]),
    );
    const prefix = `ctx:${a.accountId}:s:temp:`;
    expect((await env.KV.list({ prefix })).keys).toHaveLength(2);
    const [deleted, afterOps, recreated, sessions, props, namespaces] = await script(a, uuid, [
      ["deleteNamespace", "temp"],
      ["getAllPropertiesInSession", "temp"],
      ["createNamespace", "temp"],
      ["getListOfSessions", "temp"],
      ["getAllPropertiesInSession", "temp"],
      ["getListOfNamespaces"],
    ]);
    expect(deleted!.ok).toBe(true);
    expect(afterOps).toMatchObject({ ok: false, name: "ContextServiceError", code: NOT_FOUND });
    expect(afterOps!.message).toContain("Namespace temp does not exist");
    expect(recreated!.ok).toBe(true);
    expect(sessions!.value).toEqual([]);
    expect(props!.value).toEqual({});
    expect(namespaces!.value.map((n: any) => n.name)).toEqual(["temp"]);
    expect((await env.KV.list({ prefix })).keys).toHaveLength(0);
  });

  it("stores the namespace TTL and sets it as the expiry of session entries", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SCRIPT_FN);
    const before = Math.floor(Date.now() / 1000);
    const [ns] = values(
      await script(a, uuid, [
        ["createNamespace", "short", { ttl: 120 }],
        ["setPropertiesInNamespace", "short", { a: 1 }, "s1"],
        ["createNamespace", "forever"],
        ["setPropertiesInNamespace", "forever", { a: 1 }, "s1"],
      ]),
    );
    expect(ns.ttlSecond).toBe(120);
    const nsRecord = await env.KV.get(`ctx:${a.accountId}:ns:short`, "json");
    expect(nsRecord).toMatchObject({ ttlSecond: 120 });
    const [shortEntry] = (await env.KV.list({ prefix: `ctx:${a.accountId}:s:short:` })).keys;
    expect(shortEntry!.expiration).toBeGreaterThanOrEqual(before + 119);
    expect(shortEntry!.expiration).toBeLessThanOrEqual(before + 125);
    const [foreverEntry] = (await env.KV.list({ prefix: `ctx:${a.accountId}:s:forever:` })).keys;
    expect(foreverEntry!.expiration).toBeUndefined();
    // createNamespace again with another ttl changes it for later writes.
    const [changed, listed] = values(await script(a, uuid, [["createNamespace", "forever", { ttl: 600 }], ["getListOfNamespaces"]]));
    expect(changed.ttlSecond).toBe(600);
    expect(listed.find((n: any) => n.name === "forever").ttlSecond).toBe(600);
    expect(listed.find((n: any) => n.name === "short").ttlSecond).toBe(120);
  });

  it("sees its own writes within one invocation", async () => {
    const a = await newAccount();
    const uuid = await deployed(
      a,
      `const c = require("lp-faas-toolbelt").Toolbelt.ContextServiceClient();
      async function lambda() {
        await c.createNamespace("counter");
        for (let i = 1; i <= 3; i++) {
          const n = (await c.getPropertyInSession("counter", "n")) || 0;
          await c.updatePropertiesInNamespace("counter", { n: n + 1 });
        }
        return c.getPropertyInSession("counter", "n");
      }`,
    );
    expect(await json(await invoke(a, uuid))).toBe(3);
    expect(await json(await invoke(a, uuid))).toBe(6);
  });

  it("accepts LivePerson's client configurations, including the positional variant with the account first", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SCRIPT_FN);
    const positional = values(
      await script(
        a,
        uuid,
        [
          ["createNamespace", a.accountId, "legacy"],
          ["setPropertiesInNamespace", a.accountId, "legacy", { v: 1 }],
          ["getPropertyInSession", a.accountId, "legacy", "v"],
          ["getListOfNamespaces", a.accountId],
        ],
        { client: "positional" },
      ),
    );
    expect(positional[2]).toBe(1);
    expect(positional[3].map((n: any) => n.name)).toEqual(["legacy"]);
    const v1 = values(await script(a, uuid, [["getPropertyInSession", "legacy", "v"]], { client: "v1", claimedAccount: a.accountId }));
    expect(v1).toEqual([1]);
  });
});

describe("ContextServiceClient validation and limits", () => {
  it("answers clear errors for unknown namespaces, bad names, bad TTLs and bad properties", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SCRIPT_FN);
    await script(a, uuid, [["createNamespace", "good"]]);
    const cases: [Call, string, RegExp][] = [
      [["getAllPropertiesInSession", "unknown"], NOT_FOUND, /Namespace unknown does not exist in this account; create it first/],
      [["setPropertiesInNamespace", "unknown", { a: 1 }], NOT_FOUND, /Namespace unknown does not exist/],
      [["getListOfSessions", "unknown"], NOT_FOUND, /Namespace unknown does not exist/],
      [["createNamespace", "bad name!"], INVALID, /namespace must match/],
      [["createNamespace", "x".repeat(101)], INVALID, /namespace must match/],
      [["createNamespace", "ttl", { ttl: 30 }], INVALID, /at least 60 \(the KV minimum\)/],
      [["createNamespace", "ttl", { ttl: 90.5 }], INVALID, /whole number of seconds/],
      [["createNamespace", "ttl", { ttl: "60" }], INVALID, /whole number of seconds/],
      [["createNamespace", "ttl", 60], INVALID, /options must be an object/],
      [["setPropertiesInNamespace", "good", [1, 2]], INVALID, /properties must be an object/],
      [["setPropertiesInNamespace", "good", "text"], INVALID, /properties must be an object/],
      [["setPropertiesInNamespace", "good", { a: 1 }, "bad session/id"], INVALID, /sessionId must match/],
      [["getSelectedPropertiesInSession", "good", "a"], INVALID, /array of strings/],
      [["getPropertyInSession", "good", ""], INVALID, /property name/],
      [["setPropertiesInNamespace", "good", { big: "x".repeat(CONTEXT_LIMITS.maxSessionBytes) }], LIMIT, /at most 65536 bytes/],
    ];
    const outs = await script(a, uuid, cases.map(([c]) => c));
    for (const [i, [c, code, message]] of cases.entries()) {
      expect(outs[i], JSON.stringify(c).slice(0, 80)).toMatchObject({ ok: false, name: "ContextServiceError", code });
      expect(outs[i]!.message).toMatch(message);
    }
    // Nothing was created by the failures.
    const [listed] = values(await script(a, uuid, [["getListOfNamespaces"]]));
    expect(listed.map((n: any) => n.name)).toEqual(["good"]);
  });

  it("limits a session to 64 KiB of JSON, after merging", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, SCRIPT_FN);
    const half = "y".repeat(40 * 1024);
    const [, first, second, after] = await script(a, uuid, [
      ["createNamespace", "sized"],
      ["updatePropertiesInNamespace", "sized", { a: half }],
      ["updatePropertiesInNamespace", "sized", { b: half }],
      ["getSelectedPropertiesInSession", "sized", ["b"]],
    ]);
    expect(first!.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, code: LIMIT });
    expect(after!.value).toEqual({});
  });

  it(`holds at most ${CONTEXT_LIMITS.maxNamespaces} namespaces per account`, async () => {
    const accountId = `ctxlimit${crypto.randomUUID().slice(0, 8)}`;
    for (let i = 0; i < CONTEXT_LIMITS.maxNamespaces; i++) await store.createNamespace(env, accountId, `ns${i}`);
    await expect(store.createNamespace(env, accountId, "one-too-many")).rejects.toMatchObject({ errorCode: LIMIT, errorMsg: expect.stringContaining("at most 100 namespaces") });
    // Re-creating an existing one is still fine (idempotent), and other accounts are unaffected.
    await expect(store.createNamespace(env, accountId, "ns0")).resolves.toMatchObject({ name: "ns0" });
    await expect(store.createNamespace(env, `${accountId}x`, "ns0")).resolves.toMatchObject({ name: "ns0" });
    await store.deleteNamespace(env, accountId, "ns1");
    await expect(store.createNamespace(env, accountId, "one-too-many")).resolves.toMatchObject({ name: "one-too-many" });
    expect(await store.listNamespaces(env, accountId)).toHaveLength(CONTEXT_LIMITS.maxNamespaces);
  });

  it("the service rejects bad input with ApiError 400 (the entrypoint's source of messages)", async () => {
    const e = await store.createNamespace(env, "acct", "bad:name").catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
  });
});

describe("ContextServiceClient tenancy", () => {
  it("keeps each account's namespaces and sessions apart, whatever the client is told", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const ua = await deployed(a, SCRIPT_FN);
    const ub = await deployed(b, SCRIPT_FN);
    values(await script(a, ua, [["createNamespace", "shared", { ttl: 300 }], ["setPropertiesInNamespace", "shared", { owner: "a" }]]));
    // b uses the same names, and tells the client it is account a in every way LivePerson allows.
    const bOut = await script(
      b,
      ub,
      [
        ["getAllPropertiesInSession", "shared"],
        ["getListOfNamespaces"],
        ["createNamespace", "shared"],
        ["getAllPropertiesInSession", "shared"],
        ["setPropertiesInNamespace", "shared", { owner: "b" }],
        ["getAllPropertiesInSession", a.accountId, "shared"],
      ],
      { client: "v1", claimedAccount: a.accountId },
    );
    expect(bOut[0]).toMatchObject({ ok: false, code: NOT_FOUND });
    expect(bOut[1]).toEqual({ ok: true, value: [] });
    expect(bOut[2]!.value).not.toHaveProperty("ttlSecond");
    expect(bOut[3]).toEqual({ ok: true, value: {} });
    // a's id is not b's own: it is taken as a namespace name (of b's, which does not exist).
    expect(bOut[5]).toMatchObject({ ok: false, code: NOT_FOUND, message: expect.stringContaining(`Namespace ${a.accountId} does not exist`) });
    const positional = await script(b, ub, [["getAllPropertiesInSession", a.accountId, "shared"]], { client: "positional" });
    expect(positional[0]).toMatchObject({ ok: false, code: NOT_FOUND });

    const [aProps, aSessions] = values(await script(a, ua, [["getAllPropertiesInSession", "shared"], ["getListOfSessions", "shared"]]));
    expect(aProps).toEqual({ owner: "a" });
    expect(aSessions).toEqual(["__default__"]);
    const [bProps] = values(await script(b, ub, [["getAllPropertiesInSession", "shared"]]));
    expect(bProps).toEqual({ owner: "b" });
  });
});
