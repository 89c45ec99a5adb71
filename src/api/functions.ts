import { z } from "@hono/zod-openapi";
import * as lambdas from "../services/lambdas";
import { json } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, LambdaSchema, stateList, statesOf } from "./schemas";

/** Functions V2's list (the client's getFunctions, and getLambdas in V2 mode): the same array as V1's GET /lambdas. */
export const functionRoutes = newRouter().openapi(
  accountRoute("lambda:read", {
    method: "get",
    path: "/api/account/{accountId}/functions",
    summary: "List functions, V2 style (filters eventId, repeated state, functionName); the same items as GET /lambdas",
    request: {
      params: z.object({ accountId: AccountIdParam }),
      query: z.object({
        eventId: z.string().optional(),
        state: stateList.openapi({ description: "Repeatable: Draft, Productive, Modified" }),
        functionName: z.string().optional(),
        userId: z.string().optional(),
      }),
    },
    responses: { 200: json(z.array(LambdaSchema), "Functions of the account"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(await lambdas.listLambdas(dbOf(c), c.get("principal"), { name: q.functionName, eventId: q.eventId, states: statesOf(q.state) }), 200);
  },
);
