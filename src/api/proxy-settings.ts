import { z } from "@hono/zod-openapi";
import { actorName } from "../auth/principal";
import { ALLOW_LIST_MAX_ENTRIES, ALLOW_LIST_RULES } from "../services/allow-list-rules";
import { addProxySetting, deleteProxySetting, listProxySettings } from "../services/proxy-settings";
import { json, jsonBody } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, IdParam } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });
const IdParams = z.object({ accountId: AccountIdParam, id: IdParam });

const DOMAIN_DOC =
  "A host name (RFC 1035), *.host name (any subdomain at any depth, not the host itself), or an IP literal (IPv4, IPv6 bare or in brackets), " +
  "optionally with :port. Without a port only 80 (http:) and 443 (https:) are allowed; with a port exactly that port. " +
  "IP addresses and localhost are reached only when listed exactly. Stored normalised: lower case, no trailing dot, IDNA as punycode.";

const ProxySettingSchema = z
  .object({
    id: z.number().int(),
    domain: z.string().openapi({ example: "*.example.com" }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi("ProxySetting");

// LivePerson's clients post {domain, id: -1}; the id is ignored.
const ProxySettingCreateSchema = z
  .looseObject({
    domain: z.string({ error: ALLOW_LIST_RULES.required }).openapi({ description: DOMAIN_DOC, example: "api.example.com" }),
    id: z.unknown().optional().openapi({ description: "Ignored (LivePerson's clients send -1)" }),
  })
  .openapi("ProxySettingCreate");

export const proxySettingRoutes = newRouter()
  .openapi(
    accountRoute("proxy:read", {
      method: "get",
      path: "/api/account/{accountId}/proxy-settings",
      summary: "The account's outbound allow-list",
      description: `The hosts brand code may reach with fetch(). ${DOMAIN_DOC} Changes apply to the next outbound request.`,
      request: { params: Params },
      responses: { 200: json(z.array(ProxySettingSchema), "Entries, oldest first"), ...errorResponses },
    }),
    async (c) => c.json(await listProxySettings(dbOf(c), c.get("principal").accountId), 200),
  )
  .openapi(
    accountRoute("proxy:write", {
      method: "post",
      path: "/api/account/{accountId}/proxy-settings",
      summary: "Allow brand code to reach a host",
      description: `${DOMAIN_DOC} At most ${ALLOW_LIST_MAX_ENTRIES} entries per account; a duplicate (after normalisation) is 409.`,
      request: { params: Params, body: jsonBody(ProxySettingCreateSchema) },
      responses: { 201: json(ProxySettingSchema, "The stored (normalised) entry"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await addProxySetting(dbOf(c), p.accountId, actorName(p), c.req.valid("json")), 201);
    },
  )
  .openapi(
    accountRoute("proxy:write", {
      method: "delete",
      path: "/api/account/{accountId}/proxy-settings/{id}",
      summary: "Remove a host from the allow-list; the next outbound request is checked without it",
      request: { params: IdParams },
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await deleteProxySetting(dbOf(c), p.accountId, actorName(p), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
