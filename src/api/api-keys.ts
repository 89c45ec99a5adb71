import { z } from "@hono/zod-openapi";
import { createApiKey, listApiKeys, revokeApiKey } from "../services/api-keys";
import { json, jsonBody } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, ApiKeySchema, IdParam, RoleSchema, RolesSchema } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });

// One role (`role`, as keys always had) or several (`roles`); exactly one of the two.
const NewKeySchema = z
  .object({ name: z.string().min(1).max(100), role: RoleSchema.optional(), roles: RolesSchema.optional() })
  .refine((b) => (b.role === undefined) !== (b.roles === undefined), { message: "give role (one) or roles (a list), not both and not neither", path: ["role"] });

export const apiKeyRoutes = newRouter()
  .openapi(
    accountRoute("apikey:manage", {
      method: "post",
      path: "/api/account/{accountId}/api-keys",
      summary: "Create an API key; the key is shown only in this answer",
      request: { params: Params, body: jsonBody(NewKeySchema) },
      responses: { 201: json(ApiKeySchema.extend({ key: z.string() }), "The new key, with its secret"), ...errorResponses },
    }),
    async (c) => {
      const { name, role, roles } = c.req.valid("json");
      return c.json(await createApiKey(dbOf(c), c.get("principal"), { name, roles: roles ?? [role!] }), 201);
    },
  )
  .openapi(
    accountRoute("apikey:manage", {
      method: "get",
      path: "/api/account/{accountId}/api-keys",
      summary: "Active API keys (never their secrets)",
      request: { params: Params },
      responses: { 200: json(z.array(ApiKeySchema), "Keys"), ...errorResponses },
    }),
    async (c) => c.json(await listApiKeys(dbOf(c), c.get("principal")), 200),
  )
  .openapi(
    accountRoute("apikey:manage", {
      method: "delete",
      path: "/api/account/{accountId}/api-keys/{id}",
      summary: "Revoke an API key; it stops working at once",
      request: { params: z.object({ accountId: AccountIdParam, id: IdParam }) },
      responses: { 204: { description: "Revoked" }, 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      await revokeApiKey(dbOf(c), c.get("principal"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
