import { z } from "@hono/zod-openapi";
import { deployLambda, undeployLambda } from "../services/deployments";
import { json } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, hostExports, newRouter, timeoutMsOf } from "./route";
import { AccountIdParam, DeploymentSchema, LambdaSchema, UuidParam } from "./schemas";

const UuidParams = z.object({ accountId: AccountIdParam, uuid: UuidParam });

export const deploymentRoutes = newRouter()
  .openapi(
    accountRoute("lambda:deploy", {
      method: "post",
      path: "/api/account/{accountId}/deployments/{uuid}",
      summary: "Deploy the function's current code as a new immutable version",
      description:
        "Loads the code and checks the contract first. A syntax error or a missing `lambda` function answers 400 with an errorCode containing `contract-error`, and the previously deployed version keeps serving.",
      request: { params: UuidParams },
      responses: { 201: json(DeploymentSchema, "The new deployment"), 409: conflictResponse, ...errorResponses },
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
      responses: { 200: json(LambdaSchema, "The undeployed function"), ...errorResponses },
    }),
    async (c) => c.json(await undeployLambda(dbOf(c), c.get("principal"), c.req.valid("param").uuid), 200),
  );
