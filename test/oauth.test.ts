// OAuth2 (issue 5): Admin-managed clients (secret shown once, stored hashed, revocable, audited),
// the client_credentials token endpoint (LivePerson Sentinel's path and form body, OAuth2 error
// shapes), and the gateway accepting its tokens as the FaaS-Invocation role of that account only.
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { HELLO, call, deployed, env, invoke, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, ROLES, expectError, sha256Hex } from "./helpers/spec";

const clientsPath = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/oauth-clients${rest}`;
const tokenPath = (accountId: string) => `/sentinel/api/account/${accountId}/app/token?v=2.0`;
const FORM = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };

async function newClient(a: TestAccount, name = "crm") {
  const res = await call(clientsPath(a), { key: a.admin, body: { name } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res) as Promise<{ id: string; name: string; clientId: string; clientSecret: string; scope: string; createdAt: string; createdBy: string }>;
}

/** The client's form body, in the order LivePerson's client sends it. */
const form = (clientId: string, clientSecret: string, grant = "client_credentials") =>
  `grant_type=${encodeURIComponent(grant)}&scope=&client_id=${encodeURIComponent(clientId)}&client_secret=${encodeURIComponent(clientSecret)}`;

const requestToken = (accountId: string, body: string, headers: Record<string, string> = {}) =>
  call(tokenPath(accountId), { method: "POST", rawBody: body, headers: { ...FORM, ...headers } });

async function tokenFor(a: TestAccount, client: { clientId: string; clientSecret: string }) {
  const res = await requestToken(a.accountId, form(client.clientId, client.clientSecret));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json(res)).access_token as string;
}

const decodePart = (part: string) => JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
const claimsOf = (jwt: string) => decodePart(jwt.split(".")[1]!);

async function expectOAuthError(res: Response, status: number, error: string, context = "") {
  const text = await res.text();
  expect(res.status, `${context} → ${text}`).toBe(status);
  expect(res.headers.get("content-type"), context).toMatch(/application\/json/);
  expect(JSON.parse(text).error, `${context} → ${text}`).toBe(error);
}

const auditRows = async (a: TestAccount) =>
  (await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ? ORDER BY id").bind(a.accountId).all<any>()).results;

describe("OAuth clients", () => {
  it("an Admin creates one: 201 with clientId and clientSecret once; the secret is stored only as its hash; audited", async () => {
    const a = await newAccount();
    const c = await newClient(a, "crm export");
    expect(c).toMatchObject({ name: "crm export", scope: "faas.lambda.invoke" });
    expect(typeof c.id).toBe("string");
    expect(c.clientId.length).toBeGreaterThan(10);
    expect(c.clientSecret.length).toBeGreaterThan(30);
    expect(c.createdBy).toMatch(/^key:/);
    expect(new Date(c.createdAt).toISOString()).toBe(c.createdAt);

    const row = await env.DB.prepare("SELECT * FROM oauth_clients WHERE id = ?").bind(c.id).first<any>();
    expect(row.account_id).toBe(a.accountId);
    expect(row.secret_hash).toBe(await sha256Hex(c.clientSecret));
    expect(JSON.stringify(row)).not.toContain(c.clientSecret);

    const audit = await auditRows(a);
    expect(audit.some((r: any) => r.action === "oauthclient.create" && r.target === c.id)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(c.clientSecret);
  });

  it("GET lists the account's active clients without secrets", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const c1 = await newClient(a, "one");
    const c2 = await newClient(a, "two");
    await newClient(b, "other account");
    const res = await call(clientsPath(a), { key: a.admin });
    expect(res.status).toBe(200);
    const text = await res.clone().text();
    const items = await json<any[]>(res);
    expect(items.map((i) => i.id)).toEqual([c1.id, c2.id]);
    expect(items[0]).toEqual({ id: c1.id, name: "one", clientId: c1.clientId, scope: "faas.lambda.invoke", createdAt: c1.createdAt, createdBy: c1.createdBy });
    expect(text).not.toContain(c1.clientSecret);
    expect(text).not.toContain("secret");
  });

  it("DELETE revokes (204), drops it from the list, audits; again or another account's id is 404", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const c = await newClient(a);
    const foreign = await newClient(b);
    await expectError(await call(clientsPath(a, `/${foreign.id}`), { method: "DELETE", key: a.admin }), 404, "com.liveperson.faas.es.notfound");
    // B's client is untouched: it still gets tokens.
    await tokenFor(b, foreign);

    expect((await call(clientsPath(a, `/${c.id}`), { method: "DELETE", key: a.admin })).status).toBe(204);
    expect(await json(await call(clientsPath(a), { key: a.admin }))).toEqual([]);
    await expectError(await call(clientsPath(a, `/${c.id}`), { method: "DELETE", key: a.admin }), 404);
    await expectError(await call(clientsPath(a, "/nosuchid"), { method: "DELETE", key: a.admin }), 404);
    const audit = await auditRows(a);
    expect(audit.filter((r: any) => r.action === "oauthclient.revoke").map((r: any) => r.target)).toEqual([c.id]);
  });

  it("only FaaS-Admin manages clients: the other roles get 403, a foreign Admin 404", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const c = await newClient(a);
    for (const role of ROLES.filter((r) => r !== "FaaS-Admin")) {
      await expectError(await call(clientsPath(a), { key: a.keyOf(role), body: { name: "x" } }), 403, CODES.forbidden, role);
      await expectError(await call(clientsPath(a), { key: a.keyOf(role) }), 403, CODES.forbidden, role);
      await expectError(await call(clientsPath(a, `/${c.id}`), { method: "DELETE", key: a.keyOf(role) }), 403, CODES.forbidden, role);
    }
    await expectError(await call(clientsPath(a), { key: b.admin }), 404);
    await expectError(await call(clientsPath(a), { key: b.admin, body: { name: "x" } }), 404);
    await expectError(await call(clientsPath(a, `/${c.id}`), { method: "DELETE", key: b.admin }), 404);
    await expectError(await call(clientsPath(a)), 401, CODES.unauthorized);
  });

  it("validates the name", async () => {
    const a = await newAccount();
    for (const body of [{}, { name: "" }, { name: 42 }, { name: "x".repeat(101) }]) {
      await expectError(await call(clientsPath(a), { key: a.admin, body }), 400, CODES.badInput, JSON.stringify(body));
    }
  });
});

describe("token endpoint", () => {
  it("client_credentials in the form body → application/json {access_token (HS256 JWT), token_type, expires_in: 3600}", async () => {
    const a = await newAccount();
    const c = await newClient(a);
    const before = Math.floor(Date.now() / 1000);
    const res = await requestToken(a.accountId, form(c.clientId, c.clientSecret));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await json(res);
    expect(body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600 });
    const [header] = body.access_token.split(".");
    expect(decodePart(header)).toMatchObject({ alg: "HS256", typ: "JWT" });
    const claims = claimsOf(body.access_token);
    expect(claims).toMatchObject({ aud: a.accountId, azp: c.clientId, scope: "faas.lambda.invoke", iss: "http://localhost" });
    expect(claims.iat).toBeGreaterThanOrEqual(before - 1);
    expect(claims.exp).toBe(claims.iat + 3600);
    expect(typeof claims.jti).toBe("string");
    // Every token is new.
    expect(claimsOf(await tokenFor(a, c)).jti).not.toBe(claims.jti);
  });

  it("iss is https://PUBLIC_HOST when the deployment names its public host", async () => {
    const a = await newAccount();
    const c = await newClient(a);
    const res = await createApp().request(tokenPath(a.accountId), { method: "POST", headers: FORM, body: form(c.clientId, c.clientSecret) }, { ...env, PUBLIC_HOST: "functions.example.com" });
    expect(res.status).toBe(200);
    expect(claimsOf((await json(res)).access_token).iss).toBe("https://functions.example.com");
  });

  it("accepts HTTP Basic client credentials and the invoke scope; refuses both Basic and body at once", async () => {
    const a = await newAccount();
    const c = await newClient(a);
    const basic = { authorization: `Basic ${btoa(`${c.clientId}:${c.clientSecret}`)}` };
    const res = await requestToken(a.accountId, "grant_type=client_credentials", basic);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(claimsOf((await json(res)).access_token).azp).toBe(c.clientId);
    expect((await requestToken(a.accountId, `${form(c.clientId, c.clientSecret)}`.replace("scope=", "scope=faas.lambda.invoke"))).status).toBe(200);
    await expectOAuthError(await requestToken(a.accountId, form(c.clientId, c.clientSecret), basic), 400, "invalid_request");
    const wrongBasic = { authorization: `Basic ${btoa(`${c.clientId}:nope`)}` };
    const refused = await requestToken(a.accountId, "grant_type=client_credentials", wrongBasic);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Basic/);
    await expectOAuthError(refused, 401, "invalid_client");
  });

  it("wrong, unknown, revoked, missing or another account's credentials → 401 {error: invalid_client}", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const c = await newClient(a);
    const revoked = await newClient(a, "revoked");
    expect((await call(clientsPath(a, `/${revoked.id}`), { method: "DELETE", key: a.admin })).status).toBe(204);
    const cases: [string, string, string][] = [
      ["wrong secret", a.accountId, form(c.clientId, `${c.clientSecret}x`)],
      ["secret of another client", a.accountId, form(c.clientId, revoked.clientSecret)],
      ["unknown client", a.accountId, form(crypto.randomUUID(), c.clientSecret)],
      ["revoked client", a.accountId, form(revoked.clientId, revoked.clientSecret)],
      ["another account's client", b.accountId, form(c.clientId, c.clientSecret)],
      ["unknown account", "nosuchaccount", form(c.clientId, c.clientSecret)],
      ["no secret", a.accountId, `grant_type=client_credentials&scope=&client_id=${c.clientId}`],
      ["no credentials", a.accountId, "grant_type=client_credentials&scope="],
      ["an API key as secret", a.accountId, form(c.clientId, a.admin)],
    ];
    for (const [label, account, body] of cases) {
      await expectOAuthError(await requestToken(account, body), 401, "invalid_client", label);
    }
  });

  it("a grant other than client_credentials → 400 unsupported_grant_type; malformed requests → 400 invalid_request", async () => {
    const a = await newAccount();
    const c = await newClient(a);
    for (const grant of ["password", "authorization_code", "refresh_token", ""]) {
      await expectOAuthError(await requestToken(a.accountId, form(c.clientId, c.clientSecret, grant)), 400, "unsupported_grant_type", grant);
    }
    await expectOAuthError(await requestToken(a.accountId, `scope=&client_id=${c.clientId}&client_secret=${c.clientSecret}`), 400, "invalid_request", "no grant_type");
    await expectOAuthError(
      await call(tokenPath(a.accountId), { body: { grant_type: "client_credentials", client_id: c.clientId, client_secret: c.clientSecret } }),
      400,
      "invalid_request",
      "JSON body",
    );
    await expectOAuthError(await requestToken(a.accountId, form(c.clientId, c.clientSecret).replace("scope=", "scope=admin")), 400, "invalid_scope");
    await expectOAuthError(await requestToken("bad%20account", form(c.clientId, c.clientSecret)), 400, "invalid_request", "bad account id");
  });
});

describe("the gateway with access tokens", () => {
  it("full flow: create client → token → invoke a deployed function with it, as the account's FaaS-Invocation role", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, HELLO);
    const c = await newClient(a);
    const token = await tokenFor(a, c);
    const res = await invoke(a, uuid, { headers: [], payload: { name: "OAuth" } }, token);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toBe("Hello OAuth");
    expect(res.headers.get("x-invocation-id")).toBeTruthy();
    // V2 style (no query) works the same.
    const v2 = await call(`/api/account/${a.accountId}/lambdas/${uuid}/invoke`, { key: token, body: { headers: [], payload: { name: "V2" } } });
    expect(await json(v2)).toBe("Hello V2");
    // API keys are unaffected.
    expect(await json(await invoke(a, uuid, { headers: [], payload: { name: "key" } }))).toBe("Hello key");
  });

  it("a token works for its own account only: another account's path is 404, like a foreign API key", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const uuidB = await deployed(b, HELLO);
    const uuidA = await deployed(a, HELLO);
    const tokenA = await tokenFor(a, await newClient(a));
    await expectError(await call(`/api/account/${b.accountId}/lambdas/${uuidB}/invoke`, { key: tokenA, body: { headers: [], payload: {} } }), 404);
    // B's function under A's path does not exist for A.
    await expectError(await call(`/api/account/${a.accountId}/lambdas/${uuidB}/invoke`, { key: tokenA, body: { headers: [], payload: {} } }), 404, CODES.missingLambda);
    // The foreign API key behaves the same.
    await expectError(await call(`/api/account/${b.accountId}/lambdas/${uuidB}/invoke`, { key: a.invocation, body: { headers: [], payload: {} } }), 404);
    expect((await invoke(a, uuidA, { headers: [], payload: { name: "x" } }, tokenA)).status).toBe(200);
  });

  it("the token is the FaaS-Invocation role on every account route: reads and invokes what that role may, 403 for the rest", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, HELLO, { eventId: "conversational_command" });
    const token = await tokenFor(a, await newClient(a));
    const A = `/api/account/${a.accountId}`;
    // What LivePerson's client does with the token: the lists (V1 with its trailing slash, V2), isImplemented, invoke by event.
    const v1 = await call(`${A}/lambdas/?eventId=&state=&externalSystem=&userId=&v=1`, { key: token });
    expect(v1.status, await v1.clone().text()).toBe(200);
    expect((await json<any[]>(v1)).map((l) => l.uuid)).toEqual([uuid]);
    expect((await json<any[]>(await call(`${A}/functions?eventId=&userId=&functionName=`, { key: token }))).map((l) => l.uuid)).toEqual([uuid]);
    expect(await json(await call(`${A}/events/conversational_command/isImplemented?v=1&skillId=&externalSystem=x`, { key: token }))).toEqual({ implemented: true });
    const byEvent = await call(`${A}/events/conversational_command/invoke?v=1&skillId=&externalSystem=x`, { key: token, body: { headers: [], payload: { name: "ev" } } });
    expect(await json(byEvent)).toBe("Hello ev");
    // Not the Invocation role's: test-invoke, writes, deploys, secrets, clients, keys.
    await expectError(await call(`${A}/lambdas/${uuid}/test`, { key: token, body: { headers: [], payload: {} } }), 403, CODES.forbidden);
    await expectError(await call(`${A}/lambdas`, { key: token, body: { name: "nope", implementation: { code: HELLO } } }), 403, CODES.forbidden);
    await expectError(await call(`${A}/deployments/${uuid}`, { method: "DELETE", key: token }), 403, CODES.forbidden);
    await expectError(await call(`${A}/secrets`, { key: token }), 403, CODES.forbidden);
    await expectError(await call(`${A}/oauth-clients`, { key: token }), 403, CODES.forbidden);
    await expectError(await call(`${A}/api-keys`, { key: token }), 403, CODES.forbidden);
    // Another account's routes do not exist for it.
    const b = await newAccount();
    await expectError(await call(`/api/account/${b.accountId}/lambdas`, { key: token }), 404);
  });

  it("expired, tampered, wrongly signed, wrong-alg, unscoped or revoked-client tokens are 401", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, HELLO);
    const c = await newClient(a);
    const token = await tokenFor(a, c);
    const key = env.JWT_SIGNING_KEY as string;
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: a.accountId, azp: c.clientId, scope: "faas.lambda.invoke", iss: "http://edgefn.test", iat: now, exp: now + 3600, jti: "t" };
    const [h, p, s] = token.split(".");
    const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

    // The control: a token we sign the same way works.
    expect((await invoke(a, uuid, undefined, await sign(claims, key, "HS256"))).status).toBe(200);

    const bad: [string, string][] = [
      ["expired", await sign({ ...claims, iat: now - 7200, exp: now - 3600 }, key, "HS256")],
      ["no exp", await sign({ ...claims, exp: undefined }, key, "HS256")],
      ["issued in the future", await sign({ ...claims, iat: now + 600, exp: now + 4200 }, key, "HS256")],
      ["other signing key", await sign(claims, "another-key", "HS256")],
      ["HS512 with the right key", await sign(claims, key, "HS512")],
      ["alg none", `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`],
      ["alg none with a signature", `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.${s}`],
      ["tampered payload", `${h}.${b64({ ...claimsOf(token), scope: "faas.lambda.invoke faas.admin" })}.${s}`],
      ["tampered signature", `${h}.${p}.${s!.slice(0, -2)}${s!.endsWith("AA") ? "BB" : "AA"}`],
      ["without the invoke scope", await sign({ ...claims, scope: "other" }, key, "HS256")],
      ["unknown client", await sign({ ...claims, azp: crypto.randomUUID() }, key, "HS256")],
      ["garbage", "a.b.c"],
    ];
    const list = (t: string) => call(`/api/account/${a.accountId}/lambdas`, { key: t });
    expect((await list(token)).status).toBe(200);
    for (const [label, t] of bad) {
      await expectError(await invoke(a, uuid, undefined, t), 401, CODES.unauthorized, label);
      await expectError(await list(t), 401, CODES.unauthorized, `${label} (list)`);
    }

    // Revoking the client stops its tokens at the next call.
    expect((await invoke(a, uuid, undefined, token)).status).toBe(200);
    expect((await call(clientsPath(a, `/${c.id}`), { method: "DELETE", key: a.admin })).status).toBe(204);
    await expectError(await invoke(a, uuid, undefined, token), 401, CODES.unauthorized, "revoked client");
    await expectError(await list(token), 401, CODES.unauthorized, "revoked client (list)");
  });
});
