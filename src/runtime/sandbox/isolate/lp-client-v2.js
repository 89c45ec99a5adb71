// @ts-check
// `lp-client-v2.js` in the tenant isolate of code that names the toolbelt (CommonJS): Toolbelt.LpClient() as LivePerson Functions
// V2 (`core-functions-toolbelt`) has it, fetch-style:
//   lpClient(service: LpServices | string, path, { appKeySecretName?, ...RequestInit }) → Promise<Response>
// 1. The app's OAuth 2.0 client credentials: the JSON secret {client_id, client_secret} named
//    `lp-faas-default-app-key` (or appKeySecretName), read from the function's own account.
// 2. An access token from LivePerson's Sentinel (CSDS service "sentinel"), client-credentials grant,
//    cached in this isolate per account, secret and client until 60 s before it expires.
// 3. The request to the service's CSDS host with `authorization: {token_type} {access_token}`; on a
//    401 the secret is read again and a new token got, once, and the request is sent again.
// The Response is returned as it is (a 4xx or 5xx is the caller's to handle, like fetch). CSDS and
// credentials are V1's (lp-client.js); every request is the isolate's fetch, so the allow-list
// applies. The client secret and the token are noted for redaction as soon as they are known.
"use strict";
const platform = require("./platform.js");
const { LpClientError, LpClientCodes, DEFAULT_APP_KEY, credentialsFrom, serviceBaseUrl } = require("./lp-client.js");

const CLIENT_FIELDS = /** @type {const} */ (["client_id", "client_secret"]);
const EXPIRY_MARGIN_MS = 60 * 1000;

/** @typedef {{ authorization: string, until: number }} CachedToken */
/** @type {Map<string, CachedToken>} tokens by "secret name, client id" (the isolate is one account's) */
const tokens = new Map();

const messageOf = (/** @type {unknown} */ e) => (e && /** @type {{ message?: unknown }} */ (e).message ? String(/** @type {{ message?: unknown }} */ (e).message) : String(e));

/**
 * A new access token from Sentinel.
 * @param {string} secretName whose client it is (names the token for redaction)
 * @param {{ client_id: string, client_secret: string }} client
 * @returns {Promise<CachedToken>}
 */
async function newToken(secretName, client) {
  const fail = (/** @type {string} */ why) => new LpClientError(LpClientCodes.GetCredentialsFailure, "LpClient could not get an access token from Sentinel: " + why);
  const base = await serviceBaseUrl("sentinel");
  const url = base + "/sentinel/api/v2/account/" + encodeURIComponent(String(platform.accountId())) + "/app/token?v=2.0";
  let res;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, grant_type: "client_credentials" }),
    });
  } catch (error) {
    throw fail(messageOf(error));
  }
  const text = await res.text();
  /** @type {any} */
  let answer = null;
  try {
    answer = JSON.parse(text);
  } catch {
    /* not JSON: refused below */
  }
  if (answer && typeof answer.access_token === "string") platform.noteSecret("lp-client:access-token:" + secretName, answer.access_token);
  if (!res.ok || !answer || typeof answer.access_token !== "string" || !answer.access_token) {
    throw fail("HTTP " + res.status + " " + text.slice(0, 300));
  }
  // expires_in is text in Sentinel's answer ("3600"); a token without it is used for this call only.
  const seconds = Number(answer.expires_in);
  const until = Number.isFinite(seconds) ? Date.now() + seconds * 1000 - EXPIRY_MARGIN_MS : 0;
  return { authorization: (typeof answer.token_type === "string" && answer.token_type ? answer.token_type : "Bearer") + " " + answer.access_token, until };
}

/**
 * The authorization header for the secret's client: cached, or new when asked to or expired.
 * @param {string} secretName
 * @param {boolean} fresh read the secret again and get a new token
 */
async function authorization(secretName, fresh) {
  // The secret is read every time (cheap, and a rotated client secret is seen at once); the token
  // is what is cached.
  const client = /** @type {{ client_id: string, client_secret: string }} */ (await credentialsFrom(secretName, CLIENT_FIELDS, LpClientCodes.CredentialsWrongFormat));
  const cacheKey = secretName + "\n" + client.client_id;
  const cached = tokens.get(cacheKey);
  if (!fresh && cached && cached.until > Date.now()) return cached.authorization;
  const token = await newToken(secretName, client);
  if (token.until > Date.now()) tokens.set(cacheKey, token);
  else tokens.delete(cacheKey);
  return token.authorization;
}

/**
 * @param {unknown} service
 * @param {unknown} path
 * @param {RequestInit & { appKeySecretName?: string }} [options]
 * @returns {Promise<Response>}
 */
async function lpFetch(service, path, options = {}) {
  if (typeof service !== "string" || !service) throw new TypeError("LpClient: service must be an LpServices value or a CSDS service name");
  if (typeof path !== "string") throw new TypeError("LpClient: path must be a string");
  const { appKeySecretName, ...init } = options || {};
  const secretName = typeof appKeySecretName === "string" && appKeySecretName ? appKeySecretName : DEFAULT_APP_KEY;
  let auth = await authorization(secretName, false);
  const url = (await serviceBaseUrl(service)) + (path.startsWith("/") ? path : "/" + path);
  const send = (/** @type {string} */ value) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", value);
    return fetch(url, { ...init, method: init.method || "GET", headers });
  };
  let res = await send(auth);
  // A token Sentinel revoked or the service no longer accepts: once more with a new one.
  if (res.status === 401) {
    await res.arrayBuffer().catch(() => undefined);
    auth = await authorization(secretName, true);
    res = await send(auth);
  }
  return res;
}

/** Toolbelt.LpClient() of `core-functions-toolbelt`: the fetch-style request function. */
function LpClient() {
  return (/** @type {unknown} */ service, /** @type {unknown} */ path, /** @type {any} */ options) => lpFetch(service, path, options);
}

module.exports = { LpClient };
