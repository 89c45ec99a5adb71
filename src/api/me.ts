import { z } from "@hono/zod-openapi";
import { PERMISSIONS, can, type Action } from "../auth/permissions";
import { ROLES } from "../auth/principal";
import { json } from "./json";
import { accountRoute, errorResponses, newRouter } from "./route";
import { AccountIdParam } from "./schemas";

const MeSchema = z
  .object({
    accountId: z.string(),
    kind: z.enum(["key", "token", "user"]).openapi({ description: "An API key, an OAuth2 access token, or a signed-in user's bearer" }),
    id: z.string().openapi({ description: "The key's id, the OAuth client's id, or the user's id" }),
    name: z.string().openapi({ description: 'The key\'s name, "oauth:<client name>", or the user\'s login name' }),
    roles: z.array(z.enum(ROLES)),
    permissions: z.array(z.string()).openapi({ description: "The actions of the permission table these roles allow (e.g. lambda:write), for a console to offer only those" }),
    expiresAt: z.string().nullable().openapi({ description: "When a user's session ends; null for keys and tokens" }),
  })
  .openapi("Me");

/** Who the credential is, for any valid credential of the account (a console's role-aware menus). */
export const meRoutes = newRouter().openapi(
  accountRoute("self:read", {
    method: "get",
    path: "/api/account/{accountId}/me",
    summary: "The caller: kind, name, roles and the actions they allow",
    request: { params: z.object({ accountId: AccountIdParam }) },
    responses: { 200: json(MeSchema, "The caller"), ...errorResponses },
  }),
  (c) => {
    const p = c.get("principal");
    const permissions = (Object.keys(PERMISSIONS) as Action[]).filter((a) => can(p.roles, a));
    const expiresAt = p.expiresAt === undefined ? null : new Date(p.expiresAt).toISOString();
    return c.json({ accountId: p.accountId, kind: p.kind, id: p.id, name: p.name, roles: [...p.roles], permissions, expiresAt }, 200);
  },
);
