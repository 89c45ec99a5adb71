// Toolbelt.LpClient() from brand code, against a fake CSDS and a fake LivePerson API on loopback
// (test/upstream-server.ts): CSDS discovery, OAuth 1.0a signing with the account's own app key,
// LivePerson's error codes, and the allow-list for both hosts (sandbox/isolate/lp-client.js).
import { createHmac } from "node:crypto";
import OAuth from "oauth-1.0a";
import { describe, expect, it } from "vitest";
import { createSecret, deployed, json, newAccount, storedInvocation, testInvoke, type TestAccount } from "./helpers/api";
import { PORT, UP, allowFake as allowUpstream, hitsFor, useFakeCsds } from "./helpers/lp-fakes";

const APP_KEY = "lp-faas-default-app-key";

useFakeCsds();

const appKey = (label: string) => ({
  consumerKey: `ck-${label}-${crypto.randomUUID()}`,
  consumerSecret: `cs-${label}-${crypto.randomUUID()}-TOPSECRET`,
  token: `tk-${label}-${crypto.randomUUID()}`,
  tokenSecret: `ts-${label}-${crypto.randomUUID()}-TOPSECRET`,
});

/** Runs `body` in a function of the account with `lp` (the LpClient), LpServices and `accountId` in scope. */
async function run(a: TestAccount, body: string) {
  const uuid = await deployed(
    a,
    `const { Toolbelt, LpServices } = require('lp-faas-toolbelt');
     async function lambda(input) {
       const lp = Toolbelt.LpClient();
       const accountId = process.env.BRAND_ID;
       try { ${body} } catch (e) { return { failed: true, name: e.name, code: e.code, message: e.message, statusCode: e.statusCode }; }
     }`,
  );
  const out = await json(await testInvoke(a, uuid));
  return { out, result: out.result };
}


// An OAuth 1.0a (RFC 5849) verifier written for the test, independent of the isolate's signer.
const pct = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
async function expectedSignature(method: string, url: string, header: string, key: { consumerSecret: string; tokenSecret: string }) {
  const fields = Object.fromEntries([...header.replace(/^OAuth /, "").matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)]));
  const u = new URL(url);
  const params: [string, string][] = [...Object.entries(fields).filter(([k]) => k !== "oauth_signature"), ...u.searchParams];
  const normalized = params.map(([k, v]) => [pct(k), pct(v)]).sort((x, y) => (x[0] === y[0] ? (x[1]! < y[1]! ? -1 : 1) : x[0]! < y[0]! ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join("&");
  const base = `${method}&${pct(`${u.protocol}//${u.host}${u.pathname}`)}&${pct(normalized)}`;
  const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(`${pct(key.consumerSecret)}&${pct(key.tokenSecret)}`), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(base)));
  return { fields, signature: btoa(String.fromCharCode(...mac)) };
}

describe("Toolbelt.LpClient", () => {
  it("discovers the service in CSDS, signs with the account's app key (the signature verifies) and caches CSDS", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    const key = appKey("own");
    await createSecret(a, APP_KEY, JSON.stringify(key), "json");
    const tag = `lp${crypto.randomUUID().slice(0, 8)}`;
    const { out, result } = await run(a, `
      const path = '/${tag}/messaging_history/api/account/' + accountId + '/conversations/search';
      const first = await lp(LpServices.MSG_HIST, path, { method: 'POST', qs: { v: 2, offset: "0 & more" }, json: true, body: { status: ['CLOSE'] } });
      const second = await lp('msgHist', path + '/again', { json: true });
      return { first, second };`);
    expect(result.failed, JSON.stringify(result)).toBeUndefined();
    const first = result.first;
    expect(first.method).toBe("POST");
    expect(first.url).toBe(`/${tag}/messaging_history/api/account/${a.accountId}/conversations/search?v=2&offset=0%20%26%20more`);
    expect(JSON.parse(first.body)).toEqual({ status: ["CLOSE"] });

    const { fields, signature } = await expectedSignature("POST", `${UP}${first.url}`, first.headers.authorization, key);
    expect(fields).toMatchObject({ oauth_consumer_key: key.consumerKey, oauth_token: key.token, oauth_signature_method: "HMAC-SHA1", oauth_version: "1.0" });
    expect(fields.oauth_signature).toBe(signature);
    // The bundled library oauth-1.0a, given the same nonce and timestamp, signs the same.
    const lib = new OAuth({ consumer: { key: key.consumerKey, secret: key.consumerSecret }, signature_method: "HMAC-SHA1", hash_function: (base, k) => createHmac("sha1", k).update(base).digest("base64") });
    lib.getNonce = () => fields.oauth_nonce!;
    lib.getTimeStamp = () => Number(fields.oauth_timestamp);
    expect(lib.authorize({ url: `${UP}${first.url}`, method: "POST" }, { key: key.token, secret: key.tokenSecret }).oauth_signature).toBe(fields.oauth_signature);
    const again = await expectedSignature("GET", `${UP}${result.second.url}`, result.second.headers.authorization, key);
    expect(again.fields.oauth_signature).toBe(again.signature);
    expect(again.fields.oauth_nonce).not.toBe(fields.oauth_nonce);

    // The secrets of the key went nowhere: not in the header, not in the answer or the record.
    for (const text of [first.headers.authorization, JSON.stringify(out)]) {
      expect(text).not.toContain(key.consumerSecret);
      expect(text).not.toContain(key.tokenSecret);
    }
    expect(JSON.stringify(await storedInvocation(a, out.invocationId))).not.toContain("TOPSECRET");
    // One CSDS lookup for two requests (cached for 10 minutes).
    expect((await hitsFor(`/api/account/${a.accountId}/service/baseURI.json`)).map((h) => h.url)).toEqual([`/api/account/${a.accountId}/service/baseURI.json?version=1.0`]);
  });

  it("reads the app key from the function's own account only: another account's secret of that name is never used (V1's and V2's LpClient)", async () => {
    const attacker = await newAccount();
    const victim = await newAccount();
    await Promise.all([allowUpstream(attacker), allowUpstream(victim)]);
    const victimKey = appKey("victim");
    const victimClient = { client_id: `cid-victim-${crypto.randomUUID()}`, client_secret: `csec-${crypto.randomUUID()}-TOPSECRET` };
    await createSecret(victim, APP_KEY, JSON.stringify(victimKey), "json");
    await createSecret(victim, "crm-app-key", JSON.stringify(victimKey), "json");
    await createSecret(victim, "crm-client", JSON.stringify(victimClient), "json");
    // The attacker's function names the victim's secrets and account every way it can, with both
    // toolbelts' clients (core-functions-toolbelt's is V2's, OAuth 2.0 from Sentinel).
    const { result } = await run(attacker, `
      const results = [];
      const v2 = require('core-functions-toolbelt').Toolbelt.LpClient();
      for (const [client, names] of [[lp, [undefined, 'crm-app-key']], [v2, [undefined, 'crm-client']]]) {
        for (const name of names) {
          try { await client('msgHist', '/x/api/account/${victim.accountId}', { appKeySecretName: name, json: true }); results.push('sent'); }
          catch (e) { results.push(e.code + ' ' + e.message); }
        }
      }
      return results;`);
    expect(result).toHaveLength(4);
    expect(result[0]).toMatch(/^com\.liveperson\.faas\.lp-client\.get-credentials-failure .*"lp-faas-default-app-key"/);
    expect(result[1]).toMatch(/^com\.liveperson\.faas\.lp-client\.get-credentials-failure .*"crm-app-key"/);
    expect(result[2]).toMatch(/^com\.liveperson\.faas\.lp-client\.get-credentials-failure .*"lp-faas-default-app-key"/);
    expect(result[3]).toMatch(/^com\.liveperson\.faas\.lp-client\.get-credentials-failure .*"crm-client"/);
    expect(JSON.stringify(result)).not.toContain("TOPSECRET");
    expect(await hitsFor(`/x/api/account/${victim.accountId}`)).toEqual([]);
    expect((await hitsFor("/sentinel/")).filter((h) => h.url.includes(attacker.accountId) || h.body.includes(victimClient.client_id))).toEqual([]);
  });

  it("appKeySecretName picks another secret of the account; a malformed one is get-credentials-failure", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    const key = appKey("named");
    await createSecret(a, "my-app-key", JSON.stringify(key), "json");
    await createSecret(a, "half-key", JSON.stringify({ consumerKey: "only-this" }), "json");
    const { result } = await run(a, `
      const ok = await lp('msgHist', '/named/path', { appKeySecretName: 'my-app-key', json: true });
      let bad; try { await lp('msgHist', '/named/path', { appKeySecretName: 'half-key' }); } catch (e) { bad = { code: e.code, message: e.message }; }
      return { auth: ok.headers.authorization, bad };`);
    expect(result.auth).toContain(`oauth_consumer_key="${key.consumerKey}"`);
    expect(result.bad.code).toBe("com.liveperson.faas.lp-client.get-credentials-failure");
    expect(result.bad.message).toContain("consumerSecret, token, tokenSecret");
  });

  it("an unknown service is csds.domain.not-found", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    await createSecret(a, APP_KEY, JSON.stringify(appKey("u")), "json");
    const { result } = await run(a, `return await lp('noSuchService', '/p');`);
    expect(result).toMatchObject({ failed: true, name: "LpClientError", code: "com.liveperson.faas.csds.domain.not-found" });
    expect(result.message).toContain('"noSuchService"');
  });

  it("an un-allow-listed CSDS or service host is refused and never reached", async () => {
    // No allow-list at all: CSDS itself is refused.
    const closed = await newAccount();
    await createSecret(closed, APP_KEY, JSON.stringify(appKey("c")), "json");
    const refused = await run(closed, `return await lp('msgHist', '/p');`);
    expect(refused.result).toMatchObject({ failed: true, code: "com.liveperson.faas.csds.domain.not-found" });
    expect(refused.result.message).toMatch(/: Outbound request to 127\.0\.0\.1:\d+ blocked/);
    expect(await hitsFor(`/api/account/${closed.accountId}/`)).toEqual([]);

    // CSDS allowed, but agentVep's host (localhost) is not: HTTPClient's RequestError for a blocked request.
    const a = await newAccount();
    await allowUpstream(a);
    await createSecret(a, APP_KEY, JSON.stringify(appKey("v")), "json");
    const tag = `lv${crypto.randomUUID().slice(0, 8)}`;
    const { out, result } = await run(a, `return await lp(LpServices.AGENT_VEP, '/${tag}/vep');`);
    expect(result).toMatchObject({ failed: true, name: "RequestError" });
    expect(result.message).toContain(`localhost:${PORT} blocked`);
    expect(await hitsFor(tag)).toEqual([]);
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.outbound.map((c: any) => [c.host, c.status])).toEqual([
      [`127.0.0.1:${PORT}`, 200],
      [`localhost:${PORT}`, "blocked"],
    ]);
  });
});
