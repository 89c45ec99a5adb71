import { createDb } from "../db/client";
import type { Env } from "../env";
import { MAX_REDIRECT_HOPS, decide, normalisedHostOf } from "../services/allow-list-rules";
import { allowListOf, type OutboundPolicy } from "../services/proxy-settings";
import { outboundKey, outboundLimiter } from "./outbound-rate";
import type { OutboundCall } from "./sandbox/sandbox";

/** The function whose request this is; set by the platform, never by brand code. */
export interface EgressScope {
  accountId: string;
  lambdaUuid: string;
}

/** Receives each hop of a request as it was sent or refused (for the invocation record). */
export type RecordHop = (call: OutboundCall) => void;

// Sending one outbound request of brand code, wherever it came from: the invocation's channel
// (runtime/invocation-channel.ts, the usual way) or the isolate's globalOutbound (egress.ts).
// Neither carries the redirect mode the brand asked for on the Request itself, so it comes as an
// argument. In "follow" mode redirects are followed here, every hop checked against the allow-list
// and the rate limit before it is sent (so a denied hop never reaches the network), at most
// MAX_REDIRECT_HOPS of them; in "manual" mode the brand gets the 3xx. Every hop is recorded as it
// was sent or refused, under the host that was actually asked (normalised: no trailing dot).

/** Set by the isolate's fetch on requests that reach globalOutbound: the brand's redirect mode. */
export const REDIRECT_MODE_HEADER = "x-edgefn-redirect";

const BLOCKED_HEADERS = { "x-edgefn-egress": "blocked", "content-type": "text/plain" };

/** The refusal the isolate's fetch turns into a thrown EgressBlockedError (isolate/main.js). */
export function blockedResponse(host: string, reason: string): Response {
  return new Response(`Outbound request to ${host} blocked: ${reason}`, { status: 403, headers: BLOCKED_HEADERS });
}

/** Over the rate limit: a plain 429 the function receives as a normal response. */
export function rateLimitedResponse(limit: number): Response {
  return new Response(
    `Too many outbound requests: this function may make at most ${limit} outbound requests per second; retry after 1 second`,
    { status: 429, headers: { "x-edgefn-egress": "rate-limited", "retry-after": "1", "content-type": "text/plain" } },
  );
}

/**
 * An allowed request that failed on the network (DNS, refused, reset): a 502 with the cause, as a
 * proxy answers, instead of the opaque "internal error" an exception here would give the function.
 */
export function failedResponse(host: string, error: unknown): Response {
  const cause = error instanceof Error ? error.message : String(error);
  return new Response(`Outbound request to ${host} failed: ${cause}`, {
    status: 502,
    headers: { "x-edgefn-egress": "failed", "content-type": "text/plain" },
  });
}

/** host[:port] as the messages name it: normalised, the port only when it is not the default. */
export function displayHost(url: URL): string {
  const host = normalisedHostOf(url);
  return url.port === "" ? host : `${host}:${url.port}`;
}

/**
 * The URL as it goes out: the host that was checked (normalised,
 * so what is dialled is exactly what was compared), no credentials, no fragment.
 */
function outgoing(url: URL): URL {
  const out = new URL(url.href);
  out.hostname = normalisedHostOf(url);
  out.username = "";
  out.password = "";
  out.hash = "";
  return out;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** One hop of a request: what is sent, and how the fetch standard changes it on a redirect. */
interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | ReadableStream | null;
}

/** The next hop after a redirect answer, as the fetch standard builds it; null to stop following. */
function nextHop(hop: Hop, status: number, location: string): Hop | null {
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    return null; // an unusable Location: the brand sees the 3xx as it is
  }
  const headers = new Headers(hop.headers);
  let { method, body } = hop;
  if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
    method = "GET";
    body = null;
    for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(name);
  }
  // Credentials meant for one site never travel to another one a redirect points at.
  if (url.origin !== hop.url.origin) for (const name of ["authorization", "cookie", "proxy-authorization"]) headers.delete(name);
  return { url, method, headers, body };
}

/** Longest path (with query) an outbound record keeps. */
export const OUTBOUND_PATH_MAX = 200;

const pathOf = (url: URL) => {
  const path = url.pathname + url.search;
  return path.length > OUTBOUND_PATH_MAX ? `${path.slice(0, OUTBOUND_PATH_MAX)}…` : path;
};

/**
 * Sends one request of brand code for `scope`, following redirects when `follow`; answers what the
 * function gets (the upstream response, or a marked refusal). Each hop goes to `record`. The
 * allow-list is read from D1 for every request (one statement), so a change applies at once.
 */
export async function sendOutbound(env: Env, scope: EgressScope, request: Request, follow: boolean, record: RecordHop): Promise<Response> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    record({ host: "(invalid URL)", method: request.method, status: "blocked", durationMs: 0 });
    return blockedResponse("(invalid URL)", "the URL cannot be parsed");
  }
  const { accountId, lambdaUuid } = scope;
  let policy: OutboundPolicy;
  try {
    policy = await allowListOf(createDb(env.DB), accountId);
  } catch (error) {
    console.error(JSON.stringify({ msg: "egress: allow-list read failed", accountId, lambdaUuid, error: String(error) }));
    record({ host: displayHost(url), method: request.method, path: pathOf(url), status: "blocked", durationMs: 0 });
    return blockedResponse(displayHost(url), "the platform could not read this account's allow-list; try again");
  }

  const headers = new Headers(request.headers);
  headers.delete(REDIRECT_MODE_HEADER);
  // A followed 307/308 sends the body again, so it is read once here; a stream can be sent once.
  const body = request.body === null ? null : follow ? await request.arrayBuffer() : request.body;
  let hop: Hop = { url, method: request.method, headers, body };
  const fn = outboundKey(accountId, lambdaUuid);
  for (let redirects = 0; ; redirects++) {
    const host = displayHost(hop.url);
    const call = { host: host || hop.url.protocol, method: hop.method, path: pathOf(hop.url) };
    const refusal = refusalOf(hop.url, policy, fn);
    if (refusal) {
      record({ ...call, status: refusal.status === 429 ? 429 : "blocked", durationMs: 0 });
      return refusal;
    }
    const started = Date.now();
    let response: Response;
    try {
      // Method, headers and body only: the brand's `cf` options (resolveOverride and the like)
      // are not passed on, so nothing but the checked URL decides where the request goes.
      response = await fetch(outgoing(hop.url).href, { method: hop.method, headers: hop.headers, body: hop.body, redirect: "manual" });
    } catch (error) {
      record({ ...call, status: "failed", durationMs: Date.now() - started });
      return failedResponse(host, error);
    }
    record({ ...call, status: response.status, durationMs: Date.now() - started });
    const location = follow && REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
    const next = location === null ? null : nextHop(hop, response.status, location);
    if (!next) return response;
    await response.body?.cancel();
    if (redirects === MAX_REDIRECT_HOPS) {
      const refused = displayHost(next.url);
      record({ host: refused, method: next.method, path: pathOf(next.url), status: "blocked", durationMs: 0 });
      return blockedResponse(refused, `the redirect chain from ${displayHost(url)} is longer than ${MAX_REDIRECT_HOPS} redirects`);
    }
    hop = next;
  }
}

/** Why this hop may not be sent (a blocked or rate-limited answer), or null to send it. */
function refusalOf(url: URL, policy: OutboundPolicy, fn: string): Response | null {
  const host = displayHost(url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return blockedResponse(host || url.protocol, `only http: and https: requests are allowed, not ${url.protocol}`);
  }
  const decision = decide(url, policy.allowList);
  if (!decision.allowed) return blockedResponse(host, decision.reason);
  if (!outboundLimiter.take(fn, policy.outboundPerSecond)) return rateLimitedResponse(policy.outboundPerSecond);
  return null;
}
