import { z } from "@hono/zod-openapi";
import * as lambdas from "../services/lambdas";
import { applyTemplate } from "../services/templates";
import { lambdaVersionRoutes } from "./lambda-versions";
import { json, jsonBody } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, LambdaCreateSchema, LambdaSchema, LambdaUpdateSchema, stateList, statesOf, UuidParam } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });
const UuidParams = z.object({ accountId: AccountIdParam, uuid: UuidParam });

export const lambdaRoutes = newRouter()
  .openapi(
    accountRoute("lambda:read", {
      method: "get",
      path: "/api/account/{accountId}/lambdas",
      summary: "List functions (a trailing slash is accepted)",
      request: {
        params: Params,
        query: z.object({
          name: z.string().optional(),
          eventId: z.string().optional(),
          state: stateList.openapi({ description: "Repeatable: Draft, Productive, Modified" }),
          externalSystem: z.string().optional(),
          userId: z.string().optional(),
          v: z.string().optional(),
        }),
      },
      responses: { 200: json(z.array(LambdaSchema), "Functions of the account"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(await lambdas.listLambdas(dbOf(c), c.get("principal"), { name: q.name, eventId: q.eventId, states: statesOf(q.state) }), 200);
    },
  )
  .openapi(
    accountRoute("lambda:write", {
      method: "post",
      path: "/api/account/{accountId}/lambdas",
      summary: "Create a function (state Draft)",
      request: { params: Params, body: jsonBody(LambdaCreateSchema) },
      responses: { 201: json(LambdaSchema, "The created function"), 409: conflictResponse, ...errorResponses },
    }),
    // A templateId fills in code, event and sample payload (services/templates.ts).
    async (c) => c.json(await lambdas.createLambda(dbOf(c), c.get("principal"), applyTemplate(c.req.valid("json"))), 201),
  )
  .openapi(
    accountRoute("lambda:read", {
      method: "get",
      path: "/api/account/{accountId}/lambdas/{uuid}",
      summary: "Read one function (an array of one, as LivePerson answers)",
      request: { params: UuidParams },
      responses: { 200: json(z.array(LambdaSchema), "The function"), ...errorResponses },
    }),
    async (c) => c.json([await lambdas.getLambda(dbOf(c), c.get("principal"), c.req.valid("param").uuid)], 200),
  )
  .openapi(
    accountRoute("lambda:write", {
      method: "put",
      path: "/api/account/{accountId}/lambdas/{uuid}",
      summary: "Edit a function: Draft stays Draft, a deployed function becomes Modified; 304 when nothing changed",
      request: { params: UuidParams, body: jsonBody(LambdaUpdateSchema) },
      responses: { 200: json(LambdaSchema, "The edited function"), 304: { description: "Nothing changed" }, 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const updated = await lambdas.updateLambda(dbOf(c), c.get("principal"), c.req.valid("param").uuid, c.req.valid("json"));
      return updated ? c.json(updated, 200) : c.body(null, 304);
    },
  )
  .openapi(
    accountRoute("lambda:write", {
      method: "delete",
      path: "/api/account/{accountId}/lambdas/{uuid}",
      summary: "Delete a function that is not deployed",
      request: { params: UuidParams },
      responses: { 204: { description: "Deleted" }, 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      await lambdas.deleteLambda(dbOf(c), c.get("principal"), c.req.valid("param").uuid);
      return c.body(null, 204);
    },
  );

// A function's kept versions and their restore (the console's version history).
lambdaRoutes.route("/", lambdaVersionRoutes);
