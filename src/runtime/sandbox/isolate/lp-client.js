// @ts-check
// `lp-client.js` in the tenant isolate of code that names the toolbelt (CommonJS): Toolbelt.LpClient(), LivePerson V1's
//   lpClient(service: LpServices | string, path, options) → Promise<any>
// with request-promise options (toolbelt-http.js) plus `appKeySecretName`.
//
// 1. The app key: the JSON secret {consumerKey, consumerSecret, token, tokenSecret} named
//    `lp-faas-default-app-key` (or appKeySecretName), read through the platform like
//    SecretClient's reads, so always from the function's own account: no argument names an account.
// 2. The service's host from LivePerson's CSDS (GET {csds}/api/account/{account}/service/
//    baseURI.json?version=1.0), cached in this isolate for 10 minutes as LivePerson does. Where the
//    CSDS is, is platform configuration (CSDS_HOST), asked of the host once per isolate.
// 3. The request, signed with OAuth 1.0a (oauth1.js), sent by HTTPClient.
// Both requests are the isolate's own fetch, so the account's allow-list and the invocation's
// outbound record apply to them as to any other: an un-listed CSDS or service host is refused.
// credentialsFrom and serviceBaseUrl serve V2's LpClient (lp-client-v2.js) and GDPRUtil
// (gdpr-util.js) too, so all of them share one CSDS cache and one way of reading credentials.
"use strict";
const platform = require("./platform.js");
const { authorizationHeader } = require("./oauth1.js");

const DEFAULT_APP_KEY = "lp-faas-default-app-key";
const CSDS_TTL_MS = 10 * 60 * 1000;
const APP_KEY_FIELDS = /** @type {const} */ (["consumerKey", "consumerSecret", "token", "tokenSecret"]);

const LpClientCodes = {
  CsdsDomainNotFound: "com.liveperson.faas.csds.domain.not-found",
  GetCredentialsFailure: "com.liveperson.faas.lp-client.get-credentials-failure",
  CredentialsWrongFormat: "com.liveperson.faas.lp-client.credentials-wrong-format",
};

class LpClientError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "LpClientError";
    this.code = code;
  }
}

/** @typedef {import("./oauth1.js").AppKey} AppKey */

/** @type {Promise<string> | null} where the CSDS is (asked of the host once; a failure is not kept) */
let csdsOriginOnce = null;
/** @type {Map<string, { at: number, hosts: Map<string, string> }>} CSDS answers by "origin account" */
const csdsCache = new Map();

const messageOf = (/** @type {unknown} */ e) => (e && /** @type {{ message?: unknown }} */ (e).message ? String(/** @type {{ message?: unknown }} */ (e).message) : String(e));

async function csdsOrigin() {
  csdsOriginOnce ??= (async () => {
    const answer = /** @type {any} */ (await platform.callToolbelt("lpClientSettings", []));
    if (!answer || answer.ok !== true) throw new Error(answer && answer.message ? answer.message : "no CSDS configured");
    return String(answer.value.csdsOrigin);
  })();
  try {
    return await csdsOriginOnce;
  } catch (error) {
    csdsOriginOnce = null;
    throw new LpClientError(LpClientCodes.CsdsDomainNotFound, "LpClient could not learn where CSDS is: " + messageOf(error));
  }
}

/**
 * A JSON secret of the function's own account holding credentials with the given string fields
 * (LpClient's app key; V2's {client_id, client_secret}). The message names the secret and the
 * fields, never a value; the value is noted for redaction as soon as it is read.
 * @param {string} name
 * @param {readonly string[]} fields
 * @param {string} wrongFormatCode the code for a value that is not JSON with those fields
 * @returns {Promise<Record<string, string>>}
 */
async function credentialsFrom(name, fields, wrongFormatCode) {
  const error = (/** @type {string} */ code, /** @type {string} */ why) => new LpClientError(code, "LpClient could not get its credentials from the secret " + JSON.stringify(name) + ": " + why);
  let answer;
  try {
    answer = /** @type {any} */ (await platform.callToolbelt("readSecret", [name]));
  } catch (e) {
    throw error(LpClientCodes.GetCredentialsFailure, messageOf(e));
  }
  if (!answer || answer.ok !== true) throw error(LpClientCodes.GetCredentialsFailure, answer && answer.message ? answer.message : "the secret could not be read");
  const text = answer.value.value;
  // Noted at once, so the credentials are redacted even if the request below fails.
  platform.noteSecret(name, text);
  let value;
  try {
    value = typeof text === "string" ? JSON.parse(text) : text;
  } catch {
    throw error(wrongFormatCode, "its value is not JSON {" + fields.join(", ") + "}");
  }
  const missing = fields.filter((f) => !value || typeof value[f] !== "string" || value[f] === "");
  if (missing.length) throw error(wrongFormatCode, "its value lacks " + missing.join(", "));
  return Object.fromEntries(fields.map((f) => [f, value[f]]));
}

/**
 * The service's host (or origin) as CSDS names it for the account.
 * @param {string} origin
 * @param {string} accountId
 * @param {string} service
 */
async function serviceHost(origin, accountId, service) {
  const cacheKey = origin + " " + accountId;
  let entry = csdsCache.get(cacheKey);
  if (!entry || Date.now() - entry.at > CSDS_TTL_MS) {
    const notRead = (/** @type {string} */ why) => new LpClientError(LpClientCodes.CsdsDomainNotFound, "LpClient could not read CSDS (" + origin + ") for service " + JSON.stringify(service) + ": " + why);
    let res;
    try {
      res = await fetch(origin + "/api/account/" + encodeURIComponent(accountId) + "/service/baseURI.json?version=1.0", { headers: { accept: "application/json" } });
    } catch (error) {
      throw notRead(messageOf(error));
    }
    const text = await res.text();
    if (!res.ok) throw notRead("HTTP " + res.status + " " + text.slice(0, 300));
    /** @type {any} */
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw notRead("its answer is not JSON");
    }
    const hosts = new Map();
    for (const item of Array.isArray(body && body.baseURIs) ? body.baseURIs : []) {
      if (item && typeof item.service === "string" && typeof item.baseURI === "string") hosts.set(item.service, item.baseURI);
    }
    entry = { at: Date.now(), hosts };
    csdsCache.set(cacheKey, entry);
  }
  // CSDS names are camelCase (msgHist) but LivePerson's own lists spell some differently (faaSGW).
  const host = entry.hosts.get(service) ?? [...entry.hosts].find(([name]) => name.toLowerCase() === service.toLowerCase())?.[1];
  if (!host) throw new LpClientError(LpClientCodes.CsdsDomainNotFound, "CSDS has no domain for service " + JSON.stringify(service) + " on account " + accountId);
  return host;
}

/**
 * The base URL (scheme://host[:port]) of a LivePerson service for the function's own account. A
 * bare host (LivePerson's CSDS answers these) gets the CSDS's own scheme: https in production.
 * @param {string} service
 */
async function serviceBaseUrl(service) {
  const accountId = platform.accountId();
  if (!accountId) throw new LpClientError(LpClientCodes.CsdsDomainNotFound, "LpClient: the function's account is unknown");
  const origin = await csdsOrigin();
  const host = await serviceHost(origin, accountId, service);
  return /^https?:\/\//i.test(host) ? host.replace(/\/+$/, "") : new URL(origin).protocol + "//" + host;
}

/**
 * One signed request. The URL is built here (with qs) so that what is signed is what is sent.
 * @param {unknown} service
 * @param {unknown} path
 * @param {Record<string, any>} [options]
 */
async function lpRequest(service, path, options = {}) {
  if (typeof service !== "string" || !service) throw new TypeError("LpClient: service must be an LpServices value or a CSDS service name");
  if (typeof path !== "string") throw new TypeError("LpClient: path must be a string");
  if (!platform.accountId()) throw new LpClientError(LpClientCodes.GetCredentialsFailure, "LpClient: the function's account is unknown");
  const o = Object.assign({}, options);
  const name = typeof o.appKeySecretName === "string" && o.appKeySecretName ? o.appKeySecretName : DEFAULT_APP_KEY;
  const key = /** @type {AppKey} */ (/** @type {unknown} */ (await credentialsFrom(name, APP_KEY_FIELDS, LpClientCodes.GetCredentialsFailure)));
  delete o.appKeySecretName;
  const base = await serviceBaseUrl(service);
  const url = new URL(base + (path.startsWith("/") ? path : "/" + path));
  if (o.qs && typeof o.qs === "object") {
    for (const [name, value] of Object.entries(o.qs)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
    }
  }
  // A space as %20, never "+": OAuth 1.0a signers disagree on what "+" in a query means (RFC 5849
  // says a space, some libraries keep a plus), and %20 means a space to all of them.
  url.search = url.search.replace(/\+/g, "%20");
  delete o.qs;
  delete o.baseUrl;
  delete o.url;
  o.uri = url.toString();
  const method = String(o.method || "GET").toUpperCase();
  const form = o.form !== undefined && method !== "GET" && method !== "HEAD" ? [...new URLSearchParams(o.form)] : undefined;
  /** @type {Record<string, unknown>} */
  const headers = {};
  for (const [name, value] of Object.entries(o.headers || {})) if (name.toLowerCase() !== "authorization") headers[name] = value;
  headers.Authorization = await authorizationHeader({ method, url, form, key });
  o.headers = headers;
  // @ts-expect-error -- in the isolate http-client.js is the module "toolbelt-http.js" (worker-code.ts); tsc knows only the file
  const { HTTPClient } = /** @type {typeof import("./http-client.js")} */ (require("./toolbelt-http.js"));
  return HTTPClient()(/** @type {any} */ (o));
}

/** Toolbelt.LpClient(): the request function (LivePerson V1's ILpClient). */
function LpClient() {
  return (/** @type {unknown} */ service, /** @type {unknown} */ path, /** @type {Record<string, any> | undefined} */ options) => lpRequest(service, path, options);
}

module.exports = { LpClient, LpClientError, LpClientCodes, DEFAULT_APP_KEY, credentialsFrom, serviceBaseUrl };
