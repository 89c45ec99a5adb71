import { z } from "@hono/zod-openapi";
import { KEPT_VERSIONS, listVersions } from "../services/lambda-versions";
import { restoreVersion } from "../services/lambdas";
import { json } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, LambdaSchema, UuidParam } from "./schemas";

const UuidParams = z.object({ accountId: AccountIdParam, uuid: UuidParam });
const VersionParams = UuidParams.extend({
  version: z.coerce.number().int().min(1).openapi({ param: { name: "version", in: "path" }, example: 3 }),
});

const VersionSchema = z
  .object({
    version: z.number().openapi({ description: "The function's version this code was saved as" }),
    code: z.string(),
    environmentVariableKeys: z.array(z.string()).openapi({ description: "The names of its environment variables (their values are not answered here)" }),
    savedAt: z.string(),
    savedBy: z.string(),
    isCurrent: z.boolean().openapi({ description: "The function holds this version now" }),
    isDeployed: z.boolean().openapi({ description: "This version is the one deployed (serving)" }),
  })
  .openapi("LambdaVersion");

export const lambdaVersionRoutes = newRouter()
  .openapi(
    accountRoute("lambda:read", {
      method: "get",
      path: "/api/account/{accountId}/lambdas/{uuid}/versions",
      summary: `The function's last ${KEPT_VERSIONS} saved versions of its code, newest first`,
      description:
        "A version is kept whenever a save changes the code or the environment variables (create, edit, restore); " +
        `only the newest ${KEPT_VERSIONS} are kept. Edits of the description, skills or sample payload alone keep no new version.`,
      request: { params: UuidParams },
      responses: { 200: json(z.array(VersionSchema), "The kept versions"), ...errorResponses },
    }),
    async (c) => c.json(await listVersions(dbOf(c), c.get("principal"), c.req.valid("param").uuid), 200),
  )
  .openapi(
    accountRoute("lambda:write", {
      method: "post",
      path: "/api/account/{accountId}/lambdas/{uuid}/versions/{version}/restore",
      summary: "Restore a kept version: its code and environment variables are saved as a new version",
      description:
        "An edit like PUT: a deployed function becomes Modified (deploy to serve it), and the activity stream records lambda.restore. " +
        "Restoring the code the function already holds changes nothing. A version no longer kept answers 404.",
      request: { params: VersionParams },
      responses: { 200: json(LambdaSchema, "The function after the restore"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { uuid, version } = c.req.valid("param");
      return c.json(await restoreVersion(dbOf(c), c.get("principal"), uuid, version), 200);
    },
  );
