// The toolbelt acts for the function's own account and nothing else, whatever a hostile function
// does: extra arguments naming another account, forged props, tampered globals, both module names,
// raw RPC on the stub. And the Toolbelt entrypoint cannot be reached over HTTP.
import { describe, expect, it } from "vitest";
import { call, createSecret, deployed, distinctive, env, invokeOk as run, newAccount } from "./helpers/api";
import { exports } from "cloudflare:workers";
import { readSecretValue } from "../src/services/secrets";
import * as store from "../src/services/context-store";




/** A victim account with secrets and context data, and an attacker account with a same-named secret. */
async function victimAndAttacker() {
  const victim = await newAccount();
  const attacker = await newAccount();
  const victimShared = distinctive("victim-shared");
  const victimOnly = distinctive("victim-only");
  const victimData = distinctive("victim-data");
  const attackerShared = distinctive("attacker-shared");
  await createSecret(victim, "SHARED_KEY", victimShared);
  await createSecret(victim, "VICTIM_ONLY", victimOnly);
  await createSecret(attacker, "SHARED_KEY", attackerShared);
  await store.createNamespace(env, victim.accountId, "vault");
  await store.setProperties(env, victim.accountId, "vault", { data: victimData });
  return { victim, attacker, victimShared, victimOnly, victimData, attackerShared, victimValues: [victimShared, victimOnly, victimData] };
}

// Every trick in one function; answers what each attempt saw (a value or the error it got).
const HOSTILE = String.raw`
async function lambda(input) {
  const other = input.payload.victim;
  const seen = {};
  const attempt = async (label, fn) => {
    try { seen[label] = { value: await fn() }; } catch (e) { seen[label] = { error: String(e && e.name) + ": " + String(e && e.message) }; }
  };
  const workers = await import("cloudflare:workers");
  const { env, WorkerEntrypoint } = workers;
  const stub = env.EDGEFN_TOOLBELT;
  seen.envKeys = Object.keys(env).sort();

  // Raw RPC with the account named in every way an argument can.
  await attempt("extraArg", () => stub.readSecret("SHARED_KEY", { accountId: other }));
  await attempt("extraArgs", () => stub.readSecret("SHARED_KEY", other, { props: { accountId: other, lambdaUuid: "x" } }));
  await attempt("victimOnlyRaw", () => stub.readSecret("VICTIM_ONLY", { accountId: other }));
  await attempt("objectKey", () => stub.readSecret({ key: "SHARED_KEY", accountId: other }));
  await attempt("kvStyleKey", () => stub.readSecret(other + ":SHARED_KEY"));
  await attempt("pathKey", () => stub.readSecret("../" + other + "/SHARED_KEY"));
  await attempt("forgedThis", () => Reflect.apply(stub.readSecret, { ctx: { props: { accountId: other } } }, ["SHARED_KEY"]));
  await attempt("whoami", () => stub.whoami({ accountId: other }));
  await attempt("ctxProperty", () => stub.ctx);
  await attempt("update", () => stub.updateSecret({ key: "SHARED_KEY", value: "attacker-wrote-this", accountId: other }, { accountId: other }));
  await attempt("rawCtx", () => stub.getAllPropertiesInSession("vault", undefined, { accountId: other }));
  await attempt("rawCtxList", () => stub.getListOfNamespaces({ accountId: other }));
  await attempt("stubFetch", async () => { const r = await stub.fetch("http://toolbelt/readSecret?accountId=" + other); return r.status + " " + (await r.text()); });

  // Forged props: a local entrypoint object, a copy of the stub's "props", the isolate's own exports.
  await attempt("forgedEntrypoint", async () => {
    class Forged extends WorkerEntrypoint {}
    const f = new Forged({ props: { accountId: other, lambdaUuid: "x" } }, { ...env });
    return typeof f.readSecret;
  });
  await attempt("definedProps", async () => {
    try { Object.defineProperty(stub, "props", { value: { accountId: other } }); } catch {}
    return stub.readSecret("SHARED_KEY");
  });
  await attempt("ownExports", async () => Object.keys(workers.exports || {}));

  // Tampered globals, then the toolbelt under both names.
  globalThis.EDGEFN_TOOLBELT = { readSecret: async () => ({ ok: true, value: { key: "SHARED_KEY", value: "forged" } }) };
  process.env.BRAND_ID = other;
  process.env.X_LIVEPERSON_BRAND_ID = other;
  globalThis.accountId = other;
  for (const name of ["lp-faas-toolbelt", "edgefn-toolbelt"]) {
    const { Toolbelt } = require(name);
    await attempt(name + ":shared", () => Toolbelt.SecretClient({ accountId: other }).readSecret("SHARED_KEY"));
    await attempt(name + ":victimOnly", () => Toolbelt.SecretClient().readSecret("VICTIM_ONLY"));
    await attempt(name + ":ctxV1", () => Toolbelt.ContextServiceClient({ accountId: other, apiKey: "k" }).getAllPropertiesInSession("vault"));
    await attempt(name + ":ctxLegacy", () => Toolbelt.ContextServiceClient("k").getAllPropertiesInSession(other, "vault"));
    await attempt(name + ":ctxList", () => Toolbelt.ContextServiceClient({ accountId: other }).getListOfNamespaces(other));
  }
  return seen;
}`;

describe("a hostile function reaches only its own account", () => {
  it("never sees another account's secrets or context data, however it asks", async () => {
    const { victim, attacker, victimShared, victimValues, attackerShared } = await victimAndAttacker();
    const uuid = await deployed(attacker, HOSTILE);
    const seen = await run(attacker, uuid, { victim: victim.accountId });
    const text = JSON.stringify(seen);
    for (const v of victimValues) expect(text).not.toContain(v);

    // Only strings and the scoped toolbelt stub in the isolate's env: no platform binding.
    expect(seen.envKeys).toEqual(["BRAND_ID", "EDGEFN_TOOLBELT", "X_LIVEPERSON_BRAND_ID", "X_LIVEPERSON_FUNCTION_UUID"]);

    const own = { ok: true, value: { key: "SHARED_KEY", value: attackerShared } };
    for (const label of ["extraArg", "extraArgs", "forgedThis"]) expect(seen[label], label).toEqual({ value: own });
    // (after its own rotation below)
    expect(seen.definedProps).toEqual({ value: { ok: true, value: { key: "SHARED_KEY", value: "attacker-wrote-this" } } });
    expect(seen.victimOnlyRaw.value).toMatchObject({ ok: false, code: "com.liveperson.faas.secret.not-found" });
    for (const label of ["objectKey", "kvStyleKey", "pathKey"]) {
      expect(seen[label].value, label).toMatchObject({ ok: false, code: "com.liveperson.faas.secret.invalid-format" });
    }
    expect(seen.whoami).toEqual({ value: { accountId: attacker.accountId, lambdaUuid: uuid } });
    expect(seen.ctxProperty.error).toMatch(/does not implement/);
    expect(seen.stubFetch).toEqual({ value: "404 The toolbelt serves RPC only" });
    expect(seen.rawCtx.value).toMatchObject({ ok: false, code: "com.liveperson.faas.context.namespace.not-found" });
    expect(seen.rawCtxList).toEqual({ value: { ok: true, value: [] } });
    expect(seen.ownExports.value).toEqual(["default"]);

    for (const name of ["lp-faas-toolbelt", "edgefn-toolbelt"]) {
      expect(seen[`${name}:shared`], name).toEqual({ value: { key: "SHARED_KEY", value: "attacker-wrote-this" } });
      expect(seen[`${name}:victimOnly`].error).toMatch(/^SecretError: No secret with key VICTIM_ONLY/);
      expect(seen[`${name}:ctxV1`].error).toMatch(/^ContextServiceError: Namespace vault does not exist/);
      expect(seen[`${name}:ctxLegacy`].error).toMatch(/^ContextServiceError: Namespace .* does not exist/);
      expect(seen[`${name}:ctxList`]).toEqual({ value: [] });
    }

    // The rotation changed the attacker's own secret only.
    expect(seen.update.value).toEqual({ ok: true, value: { key: "SHARED_KEY", value: "attacker-wrote-this" } });
    expect((await readSecretValue(env, attacker.accountId, "SHARED_KEY")).value).toBe("attacker-wrote-this");
    expect((await readSecretValue(env, victim.accountId, "SHARED_KEY")).value).toBe(victimShared);
    expect(await store.getAllProperties(env, victim.accountId, "vault")).toEqual({ data: victimValues[2] });
    const audit = (await env.DB.prepare("SELECT account_id, actor FROM audit_log WHERE action = 'secret.update' AND account_id IN (?, ?)").bind(victim.accountId, attacker.accountId).all<any>()).results;
    expect(audit).toEqual([{ account_id: attacker.accountId, actor: `function:${uuid}` }]);
  });

  it("identical code in two accounts runs in separate isolates with separate state", async () => {
    const { victim, attacker, victimShared, attackerShared } = await victimAndAttacker();
    const code = `let cached;
      async function lambda() {
        cached = cached || (await require("lp-faas-toolbelt").Toolbelt.SecretClient().readSecret("SHARED_KEY")).value;
        return cached;
      }`;
    const uv = await deployed(victim, code);
    const ua = await deployed(attacker, code);
    expect(await run(victim, uv)).toBe(victimShared);
    expect(await run(attacker, ua)).toBe(attackerShared);
    expect(await run(attacker, ua)).toBe(attackerShared);
    expect(await run(victim, uv)).toBe(victimShared);
  });

  it("a function that replaces the toolbelt's platform link only hurts itself, and only for that run", async () => {
    const { attacker, attackerShared } = await victimAndAttacker();
    const uuid = await deployed(
      attacker,
      `const secrets = () => require("lp-faas-toolbelt").Toolbelt.SecretClient();
      async function lambda(input) {
        if (!input.payload.swap) return { read: (await secrets().readSecret("SHARED_KEY")).value };
        const platform = require("./platform.js");
        const real = platform.callToolbelt;
        platform.callToolbelt = async () => ({ ok: true, value: { key: "SHARED_KEY", value: "fake" } });
        const faked = await secrets().readSecret("SHARED_KEY");
        return { faked: faked.value, real: (await real("readSecret", ["SHARED_KEY"])).value.value };
      }`,
    );
    expect(await run(attacker, uuid, { swap: true })).toEqual({ faked: "fake", real: attackerShared });
    // The next run of the same isolate gets the real link back from the platform.
    expect(await run(attacker, uuid)).toEqual({ read: attackerShared });
  });
});

describe("the Toolbelt entrypoint is not reachable from outside", () => {
  it("no HTTP path of the Worker leads to it", async () => {
    const { victim, victimValues } = await victimAndAttacker();
    const paths = [
      "/Toolbelt",
      "/toolbelt/readSecret",
      `/Toolbelt/readSecret?key=SHARED_KEY&accountId=${victim.accountId}`,
      `/api/account/${victim.accountId}/toolbelt/readSecret`,
      `/api/account/${victim.accountId}/secrets/SHARED_KEY`,
    ];
    for (const path of paths) {
      for (const method of ["GET", "POST"]) {
        const res = await call(path, { method, body: method === "POST" ? { key: "SHARED_KEY", accountId: victim.accountId } : undefined });
        const text = await res.text();
        expect([401, 404, 405], `${method} ${path}: ${res.status}`).toContain(res.status);
        for (const v of victimValues) expect(text).not.toContain(v);
      }
    }
    // With the victim's own admin key the API still never answers a value.
    const single = await (await call(`/api/account/${victim.accountId}/secrets/SHARED_KEY`, { key: victim.admin })).text();
    const listed = await (await call(`/api/account/${victim.accountId}/secrets`, { key: victim.admin })).text();
    expect(listed).toContain("SHARED_KEY");
    for (const v of victimValues) expect(single + listed).not.toContain(v);
  });

  it("a stub made without props fails closed, and its fetch() answers 404", async () => {
    const toolbelt = (exports as any).Toolbelt;
    const bare = toolbelt({ props: {} });
    expect(await bare.readSecret("SHARED_KEY")).toMatchObject({ ok: false, code: "com.liveperson.faas.secret.op-failed" });
    expect(await bare.getListOfNamespaces()).toMatchObject({ ok: false, code: "com.liveperson.faas.context.op-failed" });
    const res = await bare.fetch("http://toolbelt/readSecret");
    expect(res.status).toBe(404);
  });
});
