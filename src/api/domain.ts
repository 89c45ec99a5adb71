// The domain API (LivePerson's CSDS): which host serves which service of an account. LivePerson's
// clients ask it for "faasGW" (invoke), "faasUI" (management), "sentinel" (OAuth2 tokens) and
// "agentVep" (password sign-in: lpf's login and refresh, api/sign-in.ts); every one of them is this
// deployment. Public, like CSDS: it names hosts, nothing of the account.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { badInput } from "../errors";
import { newRouter } from "./route";

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const DOMAIN_SERVICES = ["agentVep", "faasGW", "faasUI", "sentinel"] as const;

// Loopback names (RFC 6761 .localhost, 127.0.0.0/8, ::1), with an optional port.
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const LOOPBACK_HOST = new RegExp(`^(localhost|[a-z0-9-]+(\\.[a-z0-9-]+)*\\.localhost|127(\\.${OCTET}){3}|\\[::1\\])(:\\d{1,5})?$`, "i");

/**
 * This deployment's host (with :port if any), as baseURI.json and the tokens' `iss` name it.
 * PUBLIC_HOST when set: on Cloudflare it must be (`npm run deploy` refuses without it), since a
 * request's Host is the caller's to choose. Unset (a local run), the request's Host is named only when
 * it is a loopback name; any other Host (`Host: evil.example`) names `localhost` with the port the
 * request reached, so a hostile Host can never make these answers point elsewhere.
 */
export function publicHost(c: Context<AppEnv>): string {
  const configured = c.env.PUBLIC_HOST?.trim();
  if (configured) return configured;
  const requested = c.req.header("host") ?? new URL(c.req.url).host;
  if (LOOPBACK_HOST.test(requested)) return requested;
  const port = new URL(c.req.url).port;
  return port ? `localhost:${port}` : "localhost";
}

/** This deployment's base URL (the tokens' `iss`): https with PUBLIC_HOST, else the request's scheme. */
export function publicBaseUrl(c: Context<AppEnv>): string {
  if (c.env.PUBLIC_HOST?.trim()) return `https://${publicHost(c)}`;
  return `${new URL(c.req.url).protocol}//${publicHost(c)}`;
}

// A plain route, not in the OpenAPI spec: it needs no credentials, and the spec's /api/account
// operations are all authenticated account routes (test/permissions.test.ts walks them).
export const domainRoutes = newRouter().get("/api/account/:accountId/service/baseURI.json", (c) => {
  // Built per request (from PUBLIC_HOST or a loopback Host): a cache in front must never keep one.
  c.header("Cache-Control", "no-store");
  const account = c.req.param("accountId");
  if (!ACCOUNT_ID.test(account)) throw badInput("accountId may contain letters, digits, _ and -, at most 64");
  const baseURI = publicHost(c);
  return c.json({ baseURIs: DOMAIN_SERVICES.map((service) => ({ service, account, baseURI })) }, 200);
});
