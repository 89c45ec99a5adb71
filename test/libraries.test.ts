// Issue 15 §1: LivePerson's libraries, required by brand code in a deployed function as in Node.
// Each test deploys a function that uses a library the way brand code typically does and checks
// its answer against values computed outside it (WebCrypto here, published test vectors). Outside
// calls reach the local upstream server (test/upstream-server.ts) through Egress and the allow-list.
import { describe, expect, inject, it } from "vitest";
import pkg from "../package.json";
import { call, deployed, env, invokeOk, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const PORT = inject("upstreamPort");
const UP = `http://127.0.0.1:${PORT}`;

const lambdasPath = (a: TestAccount) => `/api/account/${a.accountId}/lambdas`;

// One account for the tests that only deploy and invoke (each deploy is its own function).
let sharedAccount: Promise<TestAccount> | undefined;
const shared = () => (sharedAccount ??= newAccount());

describe("brand code requires LivePerson's libraries", () => {
  it("luxon: time-zone arithmetic across a daylight-saving change", async () => {
    const a = await shared();
    const uuid = await deployed(a, `const { DateTime } = require("luxon");
function lambda(input, callback) {
  const start = DateTime.fromISO(input.payload.at, { zone: "Europe/Berlin" });
  const next = start.plus({ days: 1 }); // Europe moves its clocks on the night of 29 March 2026
  callback(null, {
    start: start.toISO(), next: next.toISO(), utc: next.toUTC().toISO(),
    newYork: next.setZone("America/New_York").toISO(), hours: next.diff(start, "hours").hours,
  });
}`);
    expect(await invokeOk(a, uuid, { at: "2026-03-28T12:00:00" })).toEqual({
      start: "2026-03-28T12:00:00.000+01:00",
      next: "2026-03-29T12:00:00.000+02:00",
      utc: "2026-03-29T10:00:00.000Z",
      newYork: "2026-03-29T06:00:00.000-04:00",
      hours: 23,
    });
  });

  it("jsonwebtoken: HS256 and RS256 sign and verify (checked with WebCrypto), a wrong key refused", async () => {
    const a = await shared();
    const keys = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const privateKey = pem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", keys.privateKey)) as ArrayBuffer);
    const publicKey = pem("PUBLIC KEY", (await crypto.subtle.exportKey("spki", keys.publicKey)) as ArrayBuffer);
    const secret = `s-${crypto.randomUUID()}`;
    const uuid = await deployed(a, `const jwt = require("jsonwebtoken");
function lambda(input, callback) {
  const { secret, privateKey, publicKey } = input.payload;
  const refused = (token, key) => { try { jwt.verify(token, key); return null; } catch (e) { return e.name + ": " + e.message; } };
  const hs = jwt.sign({ sub: "brand-1", scope: "read" }, secret, { algorithm: "HS256", expiresIn: "5m" });
  const rs = jwt.sign({ sub: "brand-2" }, privateKey, { algorithm: "RS256", keyid: "k1" });
  callback(null, {
    hs, hsClaims: jwt.verify(hs, secret, { algorithms: ["HS256"] }), hsWrongKey: refused(hs, secret + "x"),
    rs, rsClaims: jwt.verify(rs, publicKey, { algorithms: ["RS256"] }), rsHeader: jwt.decode(rs, { complete: true }).header,
    rsTampered: refused(rs.slice(0, -4) + (rs.endsWith("AAAA") ? "BBBB" : "AAAA"), publicKey),
  });
}`);
    const out = await invokeOk(a, uuid, { secret, privateKey, publicKey });
    expect(out.hsClaims).toMatchObject({ sub: "brand-1", scope: "read" });
    expect(out.hsClaims.exp - out.hsClaims.iat).toBe(300);
    expect(out.hsWrongKey).toBe("JsonWebTokenError: invalid signature");
    expect(out.rsClaims).toMatchObject({ sub: "brand-2" });
    expect(out.rsHeader).toEqual({ alg: "RS256", typ: "JWT", kid: "k1" });
    expect(out.rsTampered).toBe("JsonWebTokenError: invalid signature");

    // The tokens are real: WebCrypto verifies both signatures.
    const hmac = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    expect(await verifyJws(out.hs, (sig, data) => crypto.subtle.verify("HMAC", hmac, sig, data))).toBe(true);
    expect(await verifyJws(out.rs, (sig, data) => crypto.subtle.verify("RSASSA-PKCS1-v1_5", keys.publicKey, sig, data))).toBe(true);
  });

  it("oauth-1.0a: the signature of Twitter's published example request", async () => {
    const a = await shared();
    // https://developer.twitter.com/en/docs/authentication/oauth-1-0a/creating-a-signature: these
    // inputs give the signature tnnArxj06cWHq44gCs1OSKk/jLY=.
    const uuid = await deployed(a, `const OAuth = require("oauth-1.0a");
const crypto = require("crypto");
function lambda(input, callback) {
  const { consumer, token, request, nonce, timestamp } = input.payload;
  const oauth = OAuth({
    consumer, signature_method: "HMAC-SHA1",
    hash_function: (base, key) => crypto.createHmac("sha1", key).update(base).digest("base64"),
  });
  oauth.getNonce = () => nonce;
  oauth.getTimeStamp = () => timestamp;
  callback(null, oauth.toHeader(oauth.authorize(request, token)));
}`);
    const header = await invokeOk(a, uuid, {
      consumer: { key: "xvz1evFS4wEEPTGEFPHBog", secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw" },
      token: { key: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE" },
      request: { url: "https://api.twitter.com/1/statuses/update.json?include_entities=true", method: "POST", data: { status: "Hello Ladies + Gentlemen, a signed OAuth request!" } },
      nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
      timestamp: 1318622958,
    });
    expect(header.Authorization).toContain('oauth_signature="tnnArxj06cWHq44gCs1OSKk%2FjLY%3D"');
  });

  it("lodash and es-toolkit", async () => {
    const a = await shared();
    const uuid = await deployed(a, `const _ = require("lodash");
const { chunk, groupBy, uniqBy, pick } = require("es-toolkit");
const compat = require("es-toolkit/compat");
function lambda(input, callback) {
  const items = input.payload.items;
  callback(null, {
    lodash: {
      chunk: _.chunk([1, 2, 3, 4, 5], 2), get: _.get(input.payload, "nested.list[1].id"),
      groupBy: _.groupBy(items, "kind"), merge: _.merge({ a: { b: 1 } }, { a: { c: 2 } }), sum: _.sumBy(items, "n"),
      version: _.VERSION,
    },
    esToolkit: { chunk: chunk([1, 2, 3, 4, 5], 2), groupBy: groupBy(items, (i) => i.kind), uniq: uniqBy(items, (i) => i.kind).length, pick: pick(items[0], ["n"]) },
    compat: { get: compat.get(input.payload, "nested.list[1].id"), groupBy: compat.groupBy(items, "kind") },
  });
}`);
    const items = [{ kind: "a", n: 1 }, { kind: "b", n: 2 }, { kind: "a", n: 3 }];
    const out = await invokeOk(a, uuid, { items, nested: { list: [{ id: 1 }, { id: 2 }] } });
    const grouped = { a: [items[0], items[2]], b: [items[1]] };
    expect(out.lodash).toEqual({ chunk: [[1, 2], [3, 4], [5]], get: 2, groupBy: grouped, merge: { a: { b: 1, c: 2 } }, sum: 6, version: pkg.devDependencies.lodash });
    expect(out.esToolkit).toEqual({ chunk: [[1, 2], [3, 4], [5]], groupBy: grouped, uniq: 2, pick: { n: 1 } });
    expect(out.compat).toEqual({ get: 2, groupBy: grouped });
  });

  for (const name of ["jsforce", "@jsforce/jsforce-node"]) {
    it(`${name}: a SOQL query against a fake Salesforce, through Egress and the allow-list`, async () => {
      const a = await newAccount();
      const tag = `sf${crypto.randomUUID().slice(0, 8)}`;
      const uuid = await deployed(a, `const jsforce = require(${JSON.stringify(name)});
async function lambda(input) {
  const conn = new jsforce.Connection({ instanceUrl: input.payload.instanceUrl, accessToken: "00Dfake!token", version: "59.0" });
  try {
    const result = await conn.query("SELECT Id, Name FROM Account LIMIT 1");
    return { totalSize: result.totalSize, names: result.records.map((r) => r.Name) };
  } catch (e) {
    return { error: e.name + ": " + e.message };
  }
}`);
      const instanceUrl = `${UP}/${tag}`;
      // Not allow-listed yet: Egress refuses, and jsforce reports the failure.
      const refused = await invokeOk(a, uuid, { instanceUrl });
      expect(refused.error).toBeTruthy();
      expect(await hits(tag)).toEqual([]);

      const allowed = await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain: `127.0.0.1:${PORT}`, id: -1 } });
      expect(allowed.status, await allowed.clone().text()).toBe(201);
      expect(await invokeOk(a, uuid, { instanceUrl })).toEqual({ totalSize: 1, names: ["Acme"] });
      const [hit] = await hits(tag);
      expect(hit!.method).toBe("GET");
      expect(decodeURIComponent(hit!.url.replaceAll("+", " "))).toBe(`/${tag}/services/data/v59.0/query?q=SELECT Id, Name FROM Account LIMIT 1`);
      expect(hit!.headers.authorization).toBe("Bearer 00Dfake!token");
    });
  }
});

describe("which isolates get which library", () => {
  // A computed name is invisible to the scan: the library is there only if declared.
  const COMPUTED = `function lambda(input, callback) {
  try { callback(null, { version: require(["lod", "ash"].join("")).VERSION }); } catch (e) { callback(null, { error: e.message }); }
}`;

  it("a library required by a computed name needs implementation.dependencies; without it, require fails naming why", async () => {
    const a = await shared();
    const bare = await deployed(a, COMPUTED);
    const declared = await deployed(a, COMPUTED, { implementation: { code: COMPUTED, dependencies: ["lodash"] } });
    const literal = await deployed(a, `function lambda(input, callback) { callback(null, { version: require('lodash').VERSION }); }`);
    expect(await invokeOk(a, bare)).toEqual({ error: expect.stringMatching(/lodash.*implementation\.dependencies/) });
    expect(await invokeOk(a, declared)).toEqual({ version: pkg.devDependencies.lodash });
    expect(await invokeOk(a, literal)).toEqual({ version: pkg.devDependencies.lodash });
  });

  it("the toolbelt is in the isolates of code that names it (issue 16: its modules are most of a cold start's compile); a name built without the word fails saying how to get it", async () => {
    const a = await shared();
    const hidden = await deployed(a, `function lambda(input, callback) {
  try { callback(null, { exports: Object.keys(require(["lp-faas", "tool" + "belt"].join("-"))).length }); } catch (e) { callback(null, { error: e.message }); }
}`);
    const named = await deployed(a, `// uses the toolbelt
function lambda(input, callback) { callback(null, { client: typeof require(["lp-faas", "toolbelt"].join("-")).Toolbelt.SecretClient }); }`);
    expect(await invokeOk(a, hidden)).toEqual({ error: expect.stringMatching(/lp-faas-toolbelt is not loaded for this function.*require\("lp-faas-toolbelt"\)/) });
    expect(await invokeOk(a, named)).toEqual({ client: "function" });
  });

  it("core-functions-toolbelt (V2's name) is lp-faas-toolbelt's toolbelt, but for V2's fetch-style LpClient", async () => {
    const a = await shared();
    const uuid = await deployed(a, `function lambda(input, callback) {
  const v1 = require("lp-faas-toolbelt"), v2 = require("core-functions-toolbelt");
  const shared = Object.keys(v1.Toolbelt).filter((k) => k !== "LpClient");
  callback(null, {
    sameModule: v2 === require("core-functions-toolbelt"),
    sameClients: shared.every((k) => v1.Toolbelt[k] === v2.Toolbelt[k]) && shared.length > 5,
    sameExports: Object.keys(v1).filter((k) => k !== "Toolbelt").every((k) => v1[k] === v2[k]),
    lpClientDiffers: v1.Toolbelt.LpClient !== v2.Toolbelt.LpClient && typeof v2.Toolbelt.LpClient() === "function",
    edgefn: require("edgefn-toolbelt") === v1,
  });
}`);
    expect(await invokeOk(a, uuid)).toEqual({ sameModule: true, sameClients: true, sameExports: true, lpClientDiffers: true, edgefn: true });
  });
});

describe("implementation.dependencies is validated; GET /runtimes lists the libraries", () => {
  it("an unknown name is 400 badinput naming it and what is available, on create and on update", async () => {
    const a = await shared();
    const create = await call(lambdasPath(a), { key: a.developer, body: { name: `deps_${Date.now()}`, implementation: { code: "function lambda(i, cb) { cb(null, 1); }", dependencies: ["lodash", "left-pad"] } } });
    const body = await expectError(create, 400, CODES.badInput);
    expect(body.errorMsg).toContain("implementation.dependencies.1");
    expect(body.errorMsg).toContain('"left-pad" is not a library edgefn provides');
    for (const known of ["lodash", "luxon", "oauth-1.0a", "jsonwebtoken", "es-toolkit", "es-toolkit/compat", "jsforce", "@jsforce/jsforce-node", "lp-faas-toolbelt", "core-functions-toolbelt"]) {
      expect(body.errorMsg).toContain(known);
    }
    const uuid = await deployed(a, "function lambda(i, cb) { cb(null, 1); }", { implementation: { code: "function lambda(i, cb) { cb(null, 1); }", dependencies: ["luxon", "lp-faas-toolbelt"] } });
    const update = await call(`${lambdasPath(a)}/${uuid}`, { method: "PUT", key: a.developer, body: { implementation: { dependencies: [{ name: "lodash" }] } } });
    expect((await expectError(update, 400, CODES.badInput)).errorMsg).toContain("a value of type object is not a library");
  });

  it("a function stored with other values before the check still loads and deploys", async () => {
    const a = await shared();
    const uuid = await deployed(a, "function lambda(i, cb) { cb(null, 'old'); }");
    await env.DB.prepare("UPDATE lambdas SET dependencies = ? WHERE account_id = ? AND uuid = ?").bind(JSON.stringify(["left-pad", { v: 1 }]), a.accountId, uuid).run();
    const got = await call(`${lambdasPath(a)}/${uuid}`, { key: a.developer });
    expect(got.status).toBe(200);
    expect((await json(got))[0].implementation.dependencies).toEqual(["left-pad", { v: 1 }]);
    const redeploy = await call(`/api/account/${a.accountId}/deployments/${uuid}`, { method: "POST", key: a.developer });
    expect(redeploy.status, await redeploy.clone().text()).toBe(201);
    expect(await invokeOk(a, uuid)).toBe("old");
  });

  it("GET /runtimes lists each library with the version package.json pins", async () => {
    const a = await shared();
    const res = await call(`/api/account/${a.accountId}/runtimes`, { key: a.developer });
    expect(res.status).toBe(200);
    const [runtime] = await json(res);
    const pinned = pkg.devDependencies as Record<string, string>;
    const packageOf = (name: string) => name.split("/").slice(0, name.startsWith("@") ? 2 : 1).join("/");
    expect(runtime.libraries).toEqual(
      ["@jsforce/jsforce-node", "es-toolkit", "es-toolkit/compat", "jsforce", "jsonwebtoken", "lodash", "luxon", "oauth-1.0a"].map((name) => ({ name, version: pinned[packageOf(name)] })),
    );
  });
});

/** A DER key as PEM text, as brand code usually holds keys. */
function pem(label: string, der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

const base64url = (text: string) => Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

/** Checks a compact JWS's signature over its header and payload. */
function verifyJws(token: string, verify: (signature: Uint8Array, data: Uint8Array) => Promise<boolean>) {
  const [header, payload, signature] = token.split(".");
  return verify(base64url(signature!), new TextEncoder().encode(`${header}.${payload}`));
}

/** The requests the upstream server received whose URL contains `text`. */
async function hits(text: string): Promise<{ method: string; url: string; headers: Record<string, string> }[]> {
  const res = await fetch(`${UP}/_hits?tag=${encodeURIComponent(text)}`);
  return res.json();
}
