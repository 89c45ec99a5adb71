// @ts-check
// `oauth1.js` in the tenant isolate of code that names the toolbelt (CommonJS): OAuth 1.0a request signing (RFC 5849, HMAC-SHA1),
// for LpClient (lp-client.js). Platform code, so it does not lean on the brand library oauth-1.0a
// (whose version a function may pin differently); WebCrypto does the HMAC.
//
// Signed: the method, the URL without query, the oauth_* parameters, the query's parameters and,
// for an application/x-www-form-urlencoded body, the form's. The consumer secret and token secret
// are only the HMAC key: they never appear in the header this returns.
"use strict";

/**
 * The app key LivePerson stores as a JSON secret (lp-faas-default-app-key).
 * @typedef {{ consumerKey: string, consumerSecret: string, token: string, tokenSecret: string }} AppKey
 */

/** RFC 3986 percent-encoding, as OAuth 1.0a requires (encodeURIComponent leaves !'()* alone). */
const encode = (/** @type {string} */ s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

/**
 * The base string URI: scheme and host in lower case, the port only when not the scheme's default,
 * the path, no query or fragment (URL already normalises all of this).
 * @param {URL} url
 */
const baseUri = (url) => url.protocol + "//" + url.host + url.pathname;

/** @param {string} base @param {string} key */
async function hmacSha1Base64(base, key) {
  const cryptoKey = await crypto.subtle.importKey("raw", new TextEncoder().encode(key), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(base)));
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The Authorization header value for one request.
 * @param {{ method: string, url: URL, form?: [string, string][], key: AppKey, nonce?: string, timestamp?: number }} request
 * @returns {Promise<string>}
 */
async function authorizationHeader(request) {
  const { key } = request;
  /** @type {Record<string, string>} */
  const oauth = {
    oauth_consumer_key: key.consumerKey,
    oauth_nonce: request.nonce ?? crypto.randomUUID().replace(/-/g, ""),
    oauth_signature_method: "HMAC-SHA1",
    oauth_timestamp: String(request.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_token: key.token,
    oauth_version: "1.0",
  };
  /** @type {[string, string][]} */
  const pairs = [...Object.entries(oauth), ...request.url.searchParams, ...(request.form ?? [])].map(([k, v]) => [encode(k), encode(v)]);
  // Sorted by encoded name, then encoded value (RFC 5849 §3.4.1.3.2).
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const parameters = pairs.map(([k, v]) => k + "=" + v).join("&");
  const base = [request.method.toUpperCase(), encode(baseUri(request.url)), encode(parameters)].join("&");
  const signature = await hmacSha1Base64(base, encode(key.consumerSecret) + "&" + encode(key.tokenSecret));
  const fields = { ...oauth, oauth_signature: signature };
  return "OAuth " + Object.entries(fields).map(([k, v]) => encode(k) + '="' + encode(v) + '"').join(", ");
}

module.exports = { authorizationHeader, percentEncode: encode };
