import { z } from "@hono/zod-openapi";
import { actorName } from "../auth/principal";
import { SECRET_RULES, SECRET_TYPES, SECRET_VALUE_MAX, createSecret, deleteSecret, listSecrets, updateSecret } from "../services/secrets";
import { json, jsonBody } from "./json";
import { accountRoute, conflictResponse, errorResponses, newRouter } from "./route";
import { AccountIdParam } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });
// The key rules are checked by the service (the toolbelt shares them); the schema documents them.
const KeyParam = z
  .string()
  .openapi({ param: { name: "key", in: "path" }, description: SECRET_RULES.key, pattern: "^[A-Za-z0-9_-]{1,100}$", example: "CRM_TOKEN" });
const KeyParams = z.object({ accountId: AccountIdParam, key: KeyParam });

const SecretTypeSchema = z.enum(SECRET_TYPES, { error: SECRET_RULES.type }).openapi({ description: "Only changes validation; values are stored as strings" });
const ValueField = z.unknown().optional().openapi({
  description: `The value (at most ${SECRET_VALUE_MAX} characters). A JSON number or object is stored as its JSON text. Never returned by the API.`,
});

const SecretSchema = z
  .object({
    key: z.string(),
    type: SecretTypeSchema,
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi("Secret");

export const secretRoutes = newRouter()
  .openapi(
    accountRoute("secret:read", {
      method: "get",
      path: "/api/account/{accountId}/secrets",
      summary: "The account's secrets: keys, types and who changed them when; never values",
      request: { params: Params },
      responses: { 200: json(z.array(SecretSchema), "Secrets, by key"), ...errorResponses },
    }),
    async (c) => c.json(await listSecrets(c.env, c.get("principal").accountId), 200),
  )
  .openapi(
    accountRoute("secret:write", {
      method: "post",
      path: "/api/account/{accountId}/secrets",
      summary: "Store a new secret (encrypted); the answer does not contain the value",
      request: {
        params: Params,
        body: jsonBody(z.object({ key: z.string({ error: SECRET_RULES.key }).openapi({ description: SECRET_RULES.key }), value: ValueField, type: SecretTypeSchema.optional() })),
      },
      responses: { 201: json(SecretSchema, "The stored secret, without its value"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await createSecret(c.env, p.accountId, actorName(p), c.req.valid("json")), 201);
    },
  )
  .openapi(
    accountRoute("secret:write", {
      method: "put",
      path: "/api/account/{accountId}/secrets/{key}",
      summary: "Replace a secret's value (and optionally its type); functions read the new value on their next read",
      request: { params: KeyParams, body: jsonBody(z.object({ value: ValueField, type: SecretTypeSchema.optional() })) },
      responses: { 200: json(SecretSchema, "The secret, without its value"), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await updateSecret(c.env, p.accountId, actorName(p), c.req.valid("param").key, c.req.valid("json")), 200);
    },
  )
  .openapi(
    accountRoute("secret:write", {
      method: "delete",
      path: "/api/account/{accountId}/secrets/{key}",
      summary: "Delete a secret; functions no longer read it from their next read on",
      request: { params: KeyParams },
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await deleteSecret(c.env, p.accountId, actorName(p), c.req.valid("param").key);
      return c.body(null, 204);
    },
  );
