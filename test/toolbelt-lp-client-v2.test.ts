// V2's fetch-style Toolbelt.LpClient() of `core-functions-toolbelt` (sandbox/isolate/lp-client-v2.js)
// against the fake CSDS, Sentinel and LivePerson API of test/upstream-server.ts: the OAuth 2.0
// client-credentials token (cached, refreshed once on a 401), LivePerson's error codes, the
// secrecy of the client secret and the token. That it reads only the function's own account's
// secret is tested with V1's client, from an attacker's account, in toolbelt-lp-client.test.ts.
import { describe, expect, it } from "vitest";
import { createSecret, deployed, json, newAccount, storedInvocation, testInvoke, type TestAccount } from "./helpers/api";
import { allowFake as allowUpstream, hitsFor, useFakeCsds } from "./helpers/lp-fakes";

const APP_KEY = "lp-faas-default-app-key";

useFakeCsds();

const client = (label: string) => ({ client_id: `cid-${label}-${crypto.randomUUID().slice(0, 8)}`, client_secret: `csec-${crypto.randomUUID()}-TOPSECRET` });

/** Runs `body` in a V2-style function of the account with `lp` (V2's LpClient) and `accountId` in scope. */
async function run(a: TestAccount, body: string) {
  const uuid = await deployed(
    a,
    `const { Toolbelt, LpServices, ErrorCodes } = require('core-functions-toolbelt');
     async function lambda(input) {
       const lp = Toolbelt.LpClient();
       const accountId = process.env.BRAND_ID;
       try { ${body} } catch (e) { console.error('lp failed', e.message); return { failed: true, name: e.name, code: e.code, message: e.message }; }
     }`,
  );
  const out = await json(await testInvoke(a, uuid));
  return { out, result: out.result };
}

const tokenRequests = (a: TestAccount) => hitsFor(`/sentinel/api/v2/account/${a.accountId}/app/token`);

describe("core-functions-toolbelt: Toolbelt.LpClient() (V2, fetch-style)", () => {
  it("gets a Sentinel token once for two calls, sends it to the CSDS host and answers the Response; secret and token stay out of logs and records", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    const creds = client("own");
    await createSecret(a, APP_KEY, JSON.stringify(creds), "json");
    const tag = `v2${crypto.randomUUID().slice(0, 8)}`;
    const { out, result } = await run(a, `
      const first = await lp(LpServices.MSG_HIST, '/${tag}/search?v=2', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'mine' }, body: JSON.stringify({ status: ['CLOSE'] }) });
      const echo = await first.json();
      console.info('the service saw', echo.headers.authorization);
      const second = await lp('msgHist', '/${tag}/again');
      await second.text();
      return { isResponse: first instanceof Response, status: first.status, method: echo.method, body: echo.body, contentType: echo.headers['content-type'], second: second.status };`);
    expect(result).toEqual({ isResponse: true, status: 200, method: "POST", body: JSON.stringify({ status: ["CLOSE"] }), contentType: "application/json", second: 200 });

    const [token] = await tokenRequests(a);
    expect(await tokenRequests(a)).toHaveLength(1); // cached across the two calls
    expect(token!.url).toBe(`/sentinel/api/v2/account/${a.accountId}/app/token?v=2.0`);
    expect(token!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toEqual({ ...creds, grant_type: "client_credentials" });
    const calls = await hitsFor(tag);
    expect(calls.map((h) => [h.method, h.url, h.headers.authorization])).toEqual([
      ["POST", `/${tag}/search?v=2`, `Bearer at-${creds.client_id}-1`],
      ["GET", `/${tag}/again`, `Bearer at-${creds.client_id}-1`],
    ]);
    // The function logged the header it was echoed: the log shows a placeholder, not the token.
    const stored = await storedInvocation(a, out.invocationId);
    const text = JSON.stringify([out, stored]);
    expect(text).toContain("the service saw");
    expect(text).not.toContain(`at-${creds.client_id}`);
    expect(text).not.toContain("TOPSECRET");
  });

  it("on a 401 reads the secret again, gets one new token and retries once", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    const creds = client("fresh");
    await createSecret(a, APP_KEY, JSON.stringify(creds), "json");
    const tag = `v2r${crypto.randomUUID().slice(0, 8)}`;
    const { result } = await run(a, `
      const res = await lp('msgHist', '/${tag}/needs-fresh-token');
      const again = await lp('msgHist', '/${tag}/needs-fresh-token');
      await Promise.all([res.text(), again.text()]);
      return [res.status, again.status];`);
    expect(result).toEqual([200, 200]);
    expect(await tokenRequests(a)).toHaveLength(2);
    expect((await hitsFor(tag)).map((h) => h.headers.authorization)).toEqual([
      `Bearer at-${creds.client_id}-1`, // refused
      `Bearer at-${creds.client_id}-2`,
      `Bearer at-${creds.client_id}-2`, // the new token was cached
    ]);
  });

  it("a token that expires within a minute is not kept; a 401 that persists is answered as it is", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    await createSecret(a, APP_KEY, JSON.stringify(client("short")), "json");
    const tag = `v2s${crypto.randomUUID().slice(0, 8)}`;
    const { result } = await run(a, `
      await (await lp('msgHist', '/${tag}/a')).text();
      await (await lp('msgHist', '/${tag}/b')).text();
      const refused = await lp('msgHist', '/${tag}/status?code=401');
      await refused.text();
      return refused.status;`);
    expect(result).toBe(401);
    // expires_in "30" < the 60-second margin: a token per request, plus one for the retry.
    expect(await tokenRequests(a)).toHaveLength(4);
    expect((await hitsFor(tag)).map((h) => h.url)).toEqual([`/${tag}/a`, `/${tag}/b`, `/${tag}/status?code=401`, `/${tag}/status?code=401`]);
  });

  it("a secret of the wrong shape is credentials-wrong-format, a missing one get-credentials-failure, a refused client too", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    await createSecret(a, "v1-shaped", JSON.stringify({ consumerKey: "ck", consumerSecret: "cs-TOPSECRET", token: "t", tokenSecret: "ts" }), "json");
    await createSecret(a, "refused", JSON.stringify({ client_id: "cid-x", client_secret: "wrong" }), "json");
    const { out, result } = await run(a, `
      const codes = [];
      for (const appKeySecretName of ['v1-shaped', 'absent', 'refused']) {
        try { await lp('msgHist', '/v2e/p', { appKeySecretName }); codes.push('sent'); } catch (e) { codes.push(e.code + ' ' + e.message); }
      }
      return { codes, known: ErrorCodes.LpClient.Creds };`);
    expect(result.codes[0]).toMatch(/^com\.liveperson\.faas\.lp-client\.credentials-wrong-format .*"v1-shaped".*lacks client_id, client_secret/);
    expect(result.codes[1]).toMatch(/^com\.liveperson\.faas\.lp-client\.get-credentials-failure .*"absent"/);
    expect(result.codes[2]).toMatch(/^com\.liveperson\.faas\.lp-client\.get-credentials-failure .*Sentinel.*HTTP 401/);
    expect(result.known).toEqual({ Format: "com.liveperson.faas.lp-client.credentials-wrong-format", Failure: "com.liveperson.faas.lp-client.get-credentials-failure" });
    expect(JSON.stringify(out)).not.toContain("TOPSECRET");
  });

  it("lp-faas-toolbelt's LpClient stays V1's (OAuth 1.0a) next to it", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    await createSecret(a, APP_KEY, JSON.stringify({ consumerKey: "ck-v1", consumerSecret: "cs-v1-secret", token: "tk-v1", tokenSecret: "ts-v1-secret" }), "json");
    const uuid = await deployed(a, `async function lambda() {
      const echo = await require('lp-faas-toolbelt').Toolbelt.LpClient()('msgHist', '/v1-still', { json: true });
      return echo.headers.authorization.startsWith('OAuth ') && echo.headers.authorization.includes('oauth_consumer_key="ck-v1"');
    }`);
    expect((await json(await testInvoke(a, uuid))).result).toBe(true);
  });
});
