// The domain API (LivePerson's CSDS): which host serves which service of an account. LivePerson's
// clients ask it for "faasGW" (invoke), "faasUI" (management) and "sentinel" (OAuth2 tokens); every
// one of them is this deployment. Public, like CSDS: it names hosts, nothing of the account.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { badInput } from "../errors";
import { newRouter } from "./route";

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const DOMAIN_SERVICES = ["faasGW", "faasUI", "sentinel"] as const;

/** This deployment's host (with :port if any): PUBLIC_HOST when set, else the request's Host. */
export function publicHost(c: Context<AppEnv>): string {
  return c.env.PUBLIC_HOST?.trim() || c.req.header("host") || new URL(c.req.url).host;
}

/** This deployment's base URL (the tokens' `iss`): https with PUBLIC_HOST, else the request's scheme. */
export function publicBaseUrl(c: Context<AppEnv>): string {
  if (c.env.PUBLIC_HOST?.trim()) return `https://${publicHost(c)}`;
  return `${new URL(c.req.url).protocol}//${publicHost(c)}`;
}

// A plain route, not in the OpenAPI spec: it needs no credentials, and the spec's /api/account
// operations are all authenticated account routes (test/permissions.test.ts walks them).
export const domainRoutes = newRouter().get("/api/account/:accountId/service/baseURI.json", (c) => {
  const account = c.req.param("accountId");
  if (!ACCOUNT_ID.test(account)) throw badInput("accountId may contain letters, digits, _ and -, at most 64");
  const baseURI = publicHost(c);
  return c.json({ baseURIs: DOMAIN_SERVICES.map((service) => ({ service, account, baseURI })) }, 200);
});
