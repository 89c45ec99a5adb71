// OAuth2 for external systems (LivePerson's Sentinel): Admins manage an account's clients, and
// `POST /sentinel/api/account/{accountId}/app/token` trades a client's credentials for an access
// token (client_credentials grant) that the gateway accepts as the account's FaaS-Invocation role
// (api/invoke.ts). Errors of the token endpoint use OAuth2's shape ({error, error_description},
// RFC 6749 §5.2), not LivePerson's, because OAuth2 clients read that one.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { INVOKE_SCOPE, authenticateClient, createOAuthClient, listOAuthClients, revokeOAuthClient } from "../services/oauth-clients";
import { TOKEN_TTL_SECONDS, issueToken } from "../services/tokens";
import { publicBaseUrl } from "./domain";
import { json, jsonBody } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, IdParam } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });

const OAuthClientSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    clientId: z.string(),
    scope: z.string().openapi({ example: INVOKE_SCOPE }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi("OAuthClient");

const TokenForm = z.object({
  grant_type: z.string().optional().openapi({ example: "client_credentials" }),
  scope: z.string().optional().openapi({ description: `Empty or ${INVOKE_SCOPE}` }),
  client_id: z.string().optional().openapi({ description: "Or HTTP Basic client credentials" }),
  client_secret: z.string().optional(),
});

const TokenSchema = z
  .object({
    access_token: z.string().openapi({ description: `An HS256 JWT: aud (account), azp (client id), scope, iss, iat, exp, jti` }),
    token_type: z.literal("Bearer"),
    expires_in: z.number().openapi({ example: TOKEN_TTL_SECONDS }),
  })
  .openapi("AccessToken");

const OAuthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() }).openapi("OAuthError");
const oauthError = (description: string) => json(OAuthErrorSchema, description);

type OAuthErrorCode = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope" | "server_error";

function oauthFail<S extends 400 | 401 | 500>(c: Context<AppEnv>, status: S, error: OAuthErrorCode, description: string) {
  c.header("Cache-Control", "no-store");
  if (status === 401) c.header("WWW-Authenticate", 'Basic realm="sentinel"');
  const body: { error: string; error_description: string } = { error, error_description: description };
  return c.json(body, status);
}

/** Client credentials from an `Authorization: Basic` header (RFC 6749 §2.3.1), or undefined without one; null if malformed. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null | undefined {
  if (!header) return undefined;
  const m = header.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m) return null;
  try {
    const decoded = atob(m[1]!);
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    // The parts are form-urlencoded before encoding (§2.3.1); plain values decode to themselves.
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

// Before the validators: any other body type is an OAuth2 invalid_request, not Hono's 415.
const formOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header("content-type") ?? "")) {
    return oauthFail(c, 400, "invalid_request", "send the parameters as application/x-www-form-urlencoded");
  }
  await next();
});

const tokenRoute = createRoute({
  method: "post",
  middleware: [formOnly] as const,
  path: "/sentinel/api/account/{accountId}/app/token",
  summary: "OAuth2 token endpoint (client_credentials): an access token for invoking the account's functions",
  description:
    "Form body `grant_type=client_credentials&scope=&client_id=…&client_secret=…` (or the client credentials as HTTP Basic). " +
    "The token acts as the FaaS-Invocation role of this account on every /api/account route that role may use (invoke by uuid or event, isImplemented, the function lists) until it expires or its client is revoked.",
  request: {
    params: Params,
    query: z.object({ v: z.string().optional().openapi({ example: "2.0" }) }),
    body: { required: false, content: { "application/x-www-form-urlencoded": { schema: TokenForm } } },
  },
  responses: {
    200: json(TokenSchema, "The access token"),
    400: oauthError("invalid_request, unsupported_grant_type or invalid_scope"),
    401: oauthError("invalid_client: unknown, revoked or another account's client, or a wrong secret"),
    500: oauthError("server_error: the deployment has no JWT_SIGNING_KEY"),
  },
});

export const oauthRoutes = newRouter()
  .openapi(
    accountRoute("oauth:manage", {
      method: "post",
      path: "/api/account/{accountId}/oauth-clients",
      summary: "Create an OAuth2 client; its clientSecret is shown only in this answer",
      request: { params: Params, body: jsonBody(z.object({ name: z.string().min(1).max(100) })) },
      responses: { 201: json(OAuthClientSchema.extend({ clientSecret: z.string() }), "The new client, with its secret"), ...errorResponses },
    }),
    async (c) => c.json(await createOAuthClient(dbOf(c), c.get("principal"), c.req.valid("json")), 201),
  )
  .openapi(
    accountRoute("oauth:manage", {
      method: "get",
      path: "/api/account/{accountId}/oauth-clients",
      summary: "Active OAuth2 clients (never their secrets)",
      request: { params: Params },
      responses: { 200: json(z.array(OAuthClientSchema), "Clients, oldest first"), ...errorResponses },
    }),
    async (c) => c.json(await listOAuthClients(dbOf(c), c.get("principal")), 200),
  )
  .openapi(
    accountRoute("oauth:manage", {
      method: "delete",
      path: "/api/account/{accountId}/oauth-clients/{id}",
      summary: "Revoke an OAuth2 client: no new tokens, and its tokens stop working at once",
      request: { params: z.object({ accountId: AccountIdParam, id: IdParam }) },
      responses: { 204: { description: "Revoked" }, ...errorResponses },
    }),
    async (c) => {
      await revokeOAuthClient(dbOf(c), c.get("principal"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  )
  .openapi(
    tokenRoute,
    async (c) => {
      const form = c.req.valid("form");
      if (form.grant_type === undefined) return oauthFail(c, 400, "invalid_request", "grant_type is required");
      if (form.grant_type !== "client_credentials") return oauthFail(c, 400, "unsupported_grant_type", "only client_credentials is supported");
      if (form.scope && !form.scope.split(" ").every((s) => s === INVOKE_SCOPE)) {
        return oauthFail(c, 400, "invalid_scope", `the only scope is ${INVOKE_SCOPE}`);
      }
      const basic = basicCredentials(c.req.header("authorization"));
      if (basic === null) return oauthFail(c, 401, "invalid_client", "malformed Basic credentials");
      const inBody = form.client_id !== undefined || form.client_secret !== undefined;
      if (basic && inBody) return oauthFail(c, 400, "invalid_request", "send the client credentials either as Basic or in the body, not both");
      const id = basic?.id ?? form.client_id;
      const secret = basic?.secret ?? form.client_secret;
      if (!id || !secret) return oauthFail(c, 401, "invalid_client", "client_id and client_secret are required");

      const signingKey = c.env.JWT_SIGNING_KEY;
      if (!signingKey) return oauthFail(c, 500, "server_error", "this deployment has no JWT_SIGNING_KEY");
      const accountId = c.req.valid("param").accountId;
      const client = await authenticateClient(dbOf(c), accountId, id, secret);
      if (!client) return oauthFail(c, 401, "invalid_client", "unknown or revoked client, or a wrong secret");

      const { accessToken } = await issueToken(signingKey, { accountId, clientId: client.clientId, issuer: publicBaseUrl(c) });
      c.header("Cache-Control", "no-store");
      c.header("Pragma", "no-cache");
      return c.json({ access_token: accessToken, token_type: "Bearer" as const, expires_in: TOKEN_TTL_SECONDS }, 200);
    },
    // Bad parameters get OAuth2's error shape too, not LivePerson's.
    (result, c) => {
      if (!result.success) return oauthFail(c as Context<AppEnv>, 400, "invalid_request", result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "));
    },
  );
