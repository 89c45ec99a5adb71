import { z } from "@hono/zod-openapi";
import { libraryVersions } from "../runtime/libraries/catalog";
import { RUNTIMES } from "../runtime/runtimes";
import { json } from "./json";
import { accountRoute, errorResponses, newRouter } from "./route";
import { AccountIdParam, RuntimeListingSchema } from "./schemas";

export const runtimeRoutes = newRouter().openapi(
  accountRoute("runtime:read", {
    method: "get",
    path: "/api/account/{accountId}/runtimes",
    summary: "Runtimes a function can use",
    request: { params: z.object({ accountId: AccountIdParam }) },
    responses: { 200: json(z.array(RuntimeListingSchema), "Runtimes, each with its libraries"), ...errorResponses },
  }),
  (c) => c.json(RUNTIMES.map((r) => ({ ...r, libraries: libraryVersions() })), 200),
);
