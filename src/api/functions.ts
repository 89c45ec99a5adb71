import { z } from "@hono/zod-openapi";
import * as lambdas from "../services/lambdas";
import { json } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, LambdaSchema } from "./schemas";

// LivePerson's client sends `state=` / `functionName=` (empty) for "any"; anything else must be a real state.
const stateValue = z.enum(["Draft", "Productive", "Modified", ""], { error: "state must be Draft, Productive or Modified" });
const stateList = z.union([stateValue, z.array(stateValue)], { error: "state must be Draft, Productive or Modified" }).optional();

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
    const states = q.state === undefined ? [] : Array.isArray(q.state) ? q.state : [q.state];
    return c.json(await lambdas.listLambdas(dbOf(c), c.get("principal"), { name: q.functionName, eventId: q.eventId, states }), 200);
  },
);
