import { z } from "@hono/zod-openapi";
import { deployLambda, undeployLambda } from "../services/deployments";
import { json } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, hostExports, newRouter, timeoutMsOf } from "./route";
import { AccountIdParam, DeploymentSchema, LambdaSchema, UuidParam } from "./schemas";

const UuidParams = z.object({ accountId: AccountIdParam, uuid: UuidParam });

// No top-level `uuid` in either answer: lpf 1.31.13 takes one for its own error object and reports
// the deploy or undeploy skipped (services/deployments.ts).
const DeployAnswerSchema = DeploymentSchema.omit({ uuid: true })
  .extend({ deploymentId: z.string().openapi({ description: "The new deployment's id (`lastDeployment.uuid` of the function)" }) })
  .openapi("DeployAnswer");
const UndeployAnswerSchema = LambdaSchema.omit({ uuid: true })
  .extend({ lambdaUUID: z.string().openapi({ description: "The function's uuid" }) })
  .openapi("UndeployAnswer");

export const deploymentRoutes = newRouter()
  .openapi(
    accountRoute("lambda:deploy", {
      method: "post",
      path: "/api/account/{accountId}/deployments/{uuid}",
      summary: "Deploy the function's current code as a new immutable version",
      description:
        "Loads the code and checks the contract first. A syntax error or a missing `lambda` function answers 400 with an errorCode containing `contract-error`, and the previously deployed version keeps serving.",
      request: { params: UuidParams },
      responses: { 201: json(DeployAnswerSchema, "The new deployment, its id as `deploymentId` (no top-level `uuid`, which lpf reads as an error)"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const deps = { db: dbOf(c), loader: c.env.LOADER, host: hostExports(), timeoutMs: timeoutMsOf(c) };
      return c.json(await deployLambda(deps, c.get("principal"), c.req.valid("param").uuid), 201);
    },
  )
  .openapi(
    accountRoute("lambda:deploy", {
      method: "delete",
      path: "/api/account/{accountId}/deployments/{uuid}",
      summary: "Undeploy: the function stops serving and returns to Draft",
      request: { params: UuidParams },
      responses: { 200: json(UndeployAnswerSchema, "The function, its uuid as `lambdaUUID` (no top-level `uuid`, which lpf reads as an error)"), ...errorResponses },
    }),
    async (c) => c.json(await undeployLambda(dbOf(c), c.get("principal"), c.req.valid("param").uuid), 200),
  );
