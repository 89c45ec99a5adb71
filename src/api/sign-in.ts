// Sign-in with LivePerson's contract, as lpf uses it (liveperson-clients.md §2.3; issue 13 §2),
// a user's own password change, and the acceptance of an invitation. These routes take no API key: they are how a person gets a
// bearer. They are in the OpenAPI spec with `security: []`.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { refreshSession, signIn, signOut } from "../services/sessions";
import { acceptInvitation } from "../services/users";
import { changeOwnPassword } from "../services/password-change";
import { clientAddress } from "./client-address";
import { json, jsonBody } from "./json";
import { dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, ErrorSchema } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });

const SignedInSchema = z
  .object({
    bearer: z.string().openapi({ description: "Authorization: Bearer <bearer> on every /api/account route and the gateway, with the user's roles" }),
    csrf: z.string().openapi({ description: "The body of POST /refresh and /logout with the session_id cookie" }),
    sessionId: z.string().openapi({ description: "Sent back as Cookie: session_id=<sessionId>" }),
    expiresAt: z.string().openapi({ description: "8 hours after sign-in; refresh does not extend it" }),
    config: z.object({ userId: z.string(), loginName: z.string(), roles: z.array(z.string()) }),
  })
  .openapi("SignedIn");

const lockedResponse = {
  description: "Five failed sign-ins within 15 minutes lock the user name and the client address for 15 minutes (Retry-After)",
  content: { "application/json": { schema: ErrorSchema } },
};

const SessionCookie = z.object({ session_id: z.string().optional().openapi({ description: "The sessionId of POST /login" }) });
const CsrfBody = { required: false, content: { "application/json": { schema: z.object({ csrf: z.string().max(200).optional() }) } } };

// Never cached anywhere: the answers carry credentials.
const noStore = (c: Context<AppEnv>) => c.header("Cache-Control", "no-store");

export const signInRoutes = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/api/account/{accountId}/login",
      summary: "Sign in with a user name and password (LivePerson's agentVep login; lpf login -u -p)",
      security: [],
      request: {
        params: Params,
        query: z.object({ v: z.string().optional().openapi({ example: "1.3" }) }),
        body: jsonBody(z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) })),
      },
      responses: { 200: json(SignedInSchema, "Signed in"), 429: lockedResponse, ...errorResponses },
    }),
    async (c) => {
      noStore(c);
      const { username, password } = c.req.valid("json");
      const signedIn = await signIn(dbOf(c), { accountId: c.req.valid("param").accountId, username, password, address: clientAddress(c) });
      return c.json(signedIn, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api/account/{accountId}/refresh",
      summary: "2xx while the session lives, 401 after (lpf's check before every command); does not extend it",
      security: [],
      request: { params: Params, cookies: SessionCookie, body: CsrfBody },
      responses: { 200: json(z.object({ expiresAt: z.string() }), "The session lives"), ...errorResponses },
    }),
    async (c) => {
      noStore(c);
      const csrf = c.req.valid("json")?.csrf ?? "";
      return c.json(await refreshSession(dbOf(c), c.req.valid("param").accountId, c.req.valid("cookie").session_id ?? "", csrf), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api/account/{accountId}/logout",
      summary: "End the session: Authorization: Bearer <bearer>, or Cookie: session_id with {csrf}",
      security: [],
      request: { params: Params, cookies: SessionCookie, body: CsrfBody },
      responses: { 204: { description: "Ended" }, ...errorResponses },
    }),
    async (c) => {
      const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
      const accountId = c.req.valid("param").accountId;
      await signOut(dbOf(c), accountId, bearer ? { bearer } : { sessionId: c.req.valid("cookie").session_id, csrf: c.req.valid("json")?.csrf });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api/account/{accountId}/password",
      summary: "Change one's own password with the current one (counted by the sign-in lockout); ends every session of the user",
      security: [],
      request: {
        params: Params,
        body: jsonBody(z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024), newPassword: z.string().max(1024) })),
      },
      responses: { 204: { description: "Changed; sign in again" }, 429: lockedResponse, ...errorResponses },
    }),
    async (c) => {
      noStore(c);
      const { username, password, newPassword } = c.req.valid("json");
      await changeOwnPassword(dbOf(c), { accountId: c.req.valid("param").accountId, username, password, newPassword, address: clientAddress(c) });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api/account/{accountId}/invitation",
      summary: "Accept an invitation: set the password with its one-time token",
      security: [],
      request: { params: Params, body: jsonBody(z.object({ token: z.string().min(1).max(200), password: z.string().max(1024) })) },
      responses: { 200: json(z.object({ userId: z.string(), loginName: z.string() }), "The password is set; sign in with it"), ...errorResponses },
    }),
    async (c) => {
      noStore(c);
      const { token, password } = c.req.valid("json");
      return c.json(await acceptInvitation(dbOf(c), c.req.valid("param").accountId, token, password), 200);
    },
  );

