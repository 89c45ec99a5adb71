import { WorkerEntrypoint } from "cloudflare:workers";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { MAX_REDIRECT_HOPS, decide, normalisedHostOf } from "../services/allow-list-rules";
import { allowListOf, type OutboundPolicy } from "../services/proxy-settings";
import { outboundKey, outboundLimiter } from "./outbound-rate";

interface EgressProps {
  accountId: string;
  lambdaUuid: string;
}

// How workerd routes a tenant isolate's network access here (checked with workerd 2026-11):
// - Every fetch() of brand code arrives at fetch() below with `redirect: "manual"`, whatever mode
//   the brand asked for (the mode does not cross the binding), so the isolate's fetch wrapper
//   (sandbox/fetch-source.ts) sends the mode in REDIRECT_MODE_HEADER. In "follow" mode Egress
//   follows redirects itself, checking every hop against the allow-list and the rate limit before
//   it is sent (so a denied hop never reaches the network), at most MAX_REDIRECT_HOPS of them; in
//   "manual" mode the brand gets the 3xx. (workerd refuses redirect "error" before anything is sent.)
// - connect() from `cloudflare:sockets` (and node:net) arrives at connect() below with the
//   socket's target in `(await socket.opened).localAddress`. The allow-list admits http: and
//   https: only (as LivePerson's), so raw sockets are always refused and never reach the network.

/** Set by the isolate's fetch wrapper: the brand's redirect mode ("follow" or "manual"). */
export const REDIRECT_MODE_HEADER = "x-edgefn-redirect";

const BLOCKED_HEADERS = { "x-edgefn-egress": "blocked", "content-type": "text/plain" };

/** The refusal the isolate's fetch wrapper turns into a thrown EgressBlockedError (fetch-source.ts). */
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
function displayHost(url: URL): string {
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

/**
 * The outbound gateway of tenant isolates (their globalOutbound). The account and function come
 * from props, set by the platform when it builds the isolate; nothing brand code sends changes them.
 * The allow-list is read from D1 for every request (one statement), so a change applies at once.
 */
export class Egress extends WorkerEntrypoint<Env, EgressProps> {
  override async fetch(request: Request): Promise<Response> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return blockedResponse("(invalid URL)", "the URL cannot be parsed");
    }
    const { accountId, lambdaUuid } = this.ctx.props;
    let policy: OutboundPolicy;
    try {
      policy = await allowListOf(createDb(this.env.DB), accountId);
    } catch (error) {
      console.error(JSON.stringify({ msg: "egress: allow-list read failed", accountId, lambdaUuid, error: String(error) }));
      return blockedResponse(displayHost(url), "the platform could not read this account's allow-list; try again");
    }

    const follow = request.headers.get(REDIRECT_MODE_HEADER) !== "manual";
    const headers = new Headers(request.headers);
    headers.delete(REDIRECT_MODE_HEADER);
    // A followed 307/308 sends the body again, so it is read once here; a stream can be sent once.
    const body = request.body === null ? null : follow ? await request.arrayBuffer() : request.body;
    let hop: Hop = { url, method: request.method, headers, body };
    const fn = outboundKey(accountId, lambdaUuid);
    for (let redirects = 0; ; redirects++) {
      const refusal = this.refusal(hop.url, policy, fn);
      if (refusal) return refusal;
      const host = displayHost(hop.url);
      let response: Response;
      try {
        // Method, headers and body only: the brand's `cf` options (resolveOverride and the like)
        // are not passed on, so nothing but the checked URL decides where the request goes.
        response = await fetch(outgoing(hop.url).href, { method: hop.method, headers: hop.headers, body: hop.body, redirect: "manual" });
      } catch (error) {
        return failedResponse(host, error);
      }
      const location = follow && REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
      const next = location === null ? null : nextHop(hop, response.status, location);
      if (!next) return response;
      await response.body?.cancel();
      if (redirects === MAX_REDIRECT_HOPS) {
        return blockedResponse(displayHost(next.url), `the redirect chain from ${displayHost(url)} is longer than ${MAX_REDIRECT_HOPS} redirects`);
      }
      hop = next;
    }
  }

  /** Why this hop may not be sent (a blocked or rate-limited answer), or null to send it. */
  private refusal(url: URL, policy: OutboundPolicy, fn: string): Response | null {
    const host = displayHost(url);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return blockedResponse(host || url.protocol, `only http: and https: requests are allowed, not ${url.protocol}`);
    }
    const decision = decide(url, policy.allowList);
    if (!decision.allowed) return blockedResponse(host, decision.reason);
    if (!outboundLimiter.take(fn, policy.outboundPerSecond)) return rateLimitedResponse(policy.outboundPerSecond);
    return null;
  }

  /** Raw sockets: always refused with a one-line reason, then closed; nothing is dialled. */
  override async connect(socket: Socket): Promise<void> {
    let target = "(unknown)";
    try {
      target = (await socket.opened).localAddress ?? target;
    } catch {
      /* keep the placeholder */
    }
    const { accountId, lambdaUuid } = this.ctx.props;
    console.log(JSON.stringify({ msg: "egress: raw socket refused", accountId, lambdaUuid, target }));
    const reason = `Outbound connection to ${target} blocked: raw TCP sockets are not allowed; only http: and https: requests through fetch() are\r\n`;
    const writer = socket.writable.getWriter();
    // The reason is written for a function that reads the socket; one that never reads must not
    // keep this handler waiting on back-pressure.
    const written = writer
      .write(new TextEncoder().encode(reason))
      .then(() => writer.close())
      .catch(() => {});
    await Promise.race([written, new Promise((resolve) => setTimeout(resolve, 250))]);
    await socket.close().catch(() => {});
  }
}
