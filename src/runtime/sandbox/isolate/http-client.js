// @ts-check
// `toolbelt-http.js` in the tenant isolate of code that names the toolbelt (CommonJS): Toolbelt.HTTPClient(), the request-promise
// style client LivePerson functions call, over the isolate's fetch (so subject to the allow-list,
// the outbound rate limit and the invocation's outbound record). Part of the isolate's code hash
// (worker-code.ts).
//
// Supported request-promise options: method, uri | url, baseUrl, qs, headers, body, json, form,
// simple (default true), resolveWithFullResponse (default false), timeout (ms), followRedirect.
// Errors have request-promise's names: StatusCodeError {statusCode, error, response} for a non-2xx
// answer when simple is on, RequestError {cause} when no answer came (network, timeout, blocked).
"use strict";

/**
 * The options of a request, as brand code passes them (see the list above). Other options are
 * carried along (an error's `options` shows them) and otherwise ignored.
 * @typedef {object} RequestOptions
 * @property {string} [method]
 * @property {string | URL} [uri]
 * @property {string | URL} [url]
 * @property {string | URL} [baseUrl]
 * @property {Record<string, unknown>} [qs]
 * @property {Record<string, unknown>} [headers]
 * @property {any} [body] whatever brand code sends: text, bytes, or (with json) a value to serialise
 * @property {boolean} [json]
 * @property {string | Record<string, string>} [form]
 * @property {boolean} [simple]
 * @property {boolean} [resolveWithFullResponse]
 * @property {number} [timeout]
 * @property {boolean} [followRedirect]
 */

/**
 * What a request resolves with when resolveWithFullResponse is on (and a StatusCodeError's response).
 * @typedef {object} FullResponse
 * @property {number} statusCode
 * @property {string} statusMessage
 * @property {Record<string, string>} headers
 * @property {unknown} body
 * @property {{ uri: string, method: string }} request
 */

/**
 * A request: client(uri, options) or client({ uri, ... }); resolves with the body (parsed when
 * json is on) or, with resolveWithFullResponse, the FullResponse.
 * @callback RequestCall
 * @param {string | URL | RequestOptions} uriOrOptions
 * @param {RequestOptions} [maybeOptions]
 * @returns {Promise<unknown>}
 */

/**
 * What HTTPClient() returns: a request function with one per method, and defaults() for a client
 * with more defaults.
 * @typedef {RequestCall & {
 *   get: RequestCall, head: RequestCall, options: RequestCall, post: RequestCall,
 *   put: RequestCall, patch: RequestCall, delete: RequestCall, del: RequestCall,
 *   defaults: (more?: RequestOptions) => Client
 * }} Client
 */

class RequestError extends Error {
  /**
   * @param {any} cause what the fetch failed with: an Error as a rule, but anything can be thrown
   * @param {RequestOptions} options
   */
  constructor(cause, options) {
    super(String(cause && cause.message ? cause.name + ": " + cause.message : cause));
    this.name = "RequestError";
    this.cause = cause;
    this.error = cause;
    this.options = options;
  }
}

class StatusCodeError extends Error {
  /**
   * @param {number} statusCode
   * @param {unknown} body
   * @param {RequestOptions} options
   * @param {FullResponse} response
   */
  constructor(statusCode, body, options, response) {
    super(statusCode + " - " + (typeof body === "string" ? body : JSON.stringify(body)));
    this.name = "StatusCodeError";
    this.statusCode = statusCode;
    this.error = body;
    this.options = options;
    this.response = response;
  }
}

/**
 * @param {string | URL | RequestOptions} uriOrOptions
 * @param {RequestOptions} [maybeOptions]
 * @returns {RequestOptions}
 */
function optionsOf(uriOrOptions, maybeOptions) {
  if (typeof uriOrOptions === "string" || uriOrOptions instanceof URL) return Object.assign({}, maybeOptions, { uri: String(uriOrOptions) });
  if (uriOrOptions && typeof uriOrOptions === "object") return Object.assign({}, uriOrOptions);
  throw new TypeError("HTTPClient: call it as client(uri, options) or client({ uri, ... })");
}

/**
 * @param {RequestOptions} o
 * @returns {URL}
 */
function urlOf(o) {
  const target = o.uri !== undefined ? o.uri : o.url;
  if (target === undefined || target === null || target === "") throw new TypeError("HTTPClient: options.uri (or options.url) is required");
  const url = o.baseUrl ? new URL(String(target).replace(/^\//, ""), String(o.baseUrl).replace(/\/?$/, "/")) : new URL(String(target));
  if (o.qs && typeof o.qs === "object") {
    for (const [key, value] of Object.entries(o.qs)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
    }
  }
  return url;
}

/**
 * @param {RequestOptions} o
 * @returns {Headers}
 */
function headersOf(o) {
  const headers = new Headers();
  for (const [key, value] of Object.entries(o.headers || {})) if (value !== undefined) headers.set(key, String(value));
  return headers;
}

/**
 * @param {RequestOptions} o
 * @param {Headers} headers
 * @returns {BodyInit | undefined}
 */
function bodyOf(o, headers) {
  if (o.form !== undefined) {
    if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
    return typeof o.form === "string" ? o.form : new URLSearchParams(o.form).toString();
  }
  if (o.body === undefined) return undefined;
  if (o.json && typeof o.body !== "string" && !(o.body instanceof ArrayBuffer) && !ArrayBuffer.isView(o.body)) {
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return JSON.stringify(o.body);
  }
  return o.body;
}

/**
 * @param {string} text
 * @param {boolean | undefined} json
 * @returns {unknown}
 */
function parseBody(text, json) {
  if (!json || text === "") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * @param {RequestOptions} o
 * @returns {Promise<unknown>}
 */
async function send(o) {
  const url = urlOf(o);
  const headers = headersOf(o);
  if (o.json && !headers.has("accept")) headers.set("accept", "application/json");
  const method = String(o.method || "GET").toUpperCase();
  /** @type {RequestInit} */
  const init = { method, headers, body: method === "GET" || method === "HEAD" ? undefined : bodyOf(o, headers) };
  if (o.followRedirect === false) init.redirect = "manual";
  if (o.timeout) init.signal = AbortSignal.timeout(Number(o.timeout));
  let res;
  try {
    res = await fetch(url, init);
  } catch (error) {
    if (error && /** @type {{ name?: unknown }} */ (error).name === "TimeoutError") {
      const timeout = /** @type {Error & { code?: string }} */ (new Error("ETIMEDOUT"));
      timeout.code = "ETIMEDOUT";
      throw new RequestError(timeout, o);
    }
    throw new RequestError(error, o);
  }
  const body = parseBody(await res.text(), o.json);
  const response = { statusCode: res.status, statusMessage: res.statusText, headers: Object.fromEntries(res.headers), body, request: { uri: url.toString(), method } };
  const simple = o.simple !== false;
  if (simple && (res.status < 200 || res.status >= 300)) throw new StatusCodeError(res.status, body, o, response);
  return o.resolveWithFullResponse ? response : body;
}

/**
 * @param {RequestOptions} [defaults]
 * @returns {Client}
 */
function HTTPClient(defaults) {
  const client = /** @type {Client} */ ((uriOrOptions, maybeOptions) => send(Object.assign({}, defaults, optionsOf(uriOrOptions, maybeOptions))));
  for (const method of /** @type {const} */ (["get", "head", "options", "post", "put", "patch", "delete"])) {
    client[method] = (uriOrOptions, maybeOptions) => client(Object.assign(optionsOf(uriOrOptions, maybeOptions), { method: method.toUpperCase() }));
  }
  client.del = client.delete;
  client.defaults = (more) => HTTPClient(Object.assign({}, defaults, more));
  return client;
}

module.exports = { HTTPClient, RequestError, StatusCodeError };
