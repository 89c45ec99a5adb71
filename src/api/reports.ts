import { z } from "@hono/zod-openapi";
import { LIMITS, LIMIT_NAMES, type LimitName } from "../services/limits";
import { invocationCounts, lambdaCounts, limitCounts } from "../services/reports";
import { json } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter, timeoutMsOf } from "./route";
import { AccountIdParam } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });
// LivePerson's client adds ?v=1 (and sometimes more) to every call.
const ClientQuery = { v: z.string().optional() };

const limitValue = (name: LimitName): z.ZodNumber | z.ZodBoolean => (LIMITS[name].kind === "bool" ? z.boolean() : z.number().int()).openapi({ description: LIMITS[name].description });

const LimitCountsSchema = z
  .object({
    limitTotalLambdas: z.number().int().openapi({ description: "Functions the account may hold (limit functions)" }),
    limitDeployedLambdas: z.number().int().openapi({ description: "Functions the account may have deployed (edgefn: also limit functions)" }),
    invocationLimitPerMonth: z.number().int().openapi({ description: "Fair-use invocations per UTC calendar month (limit invocationsPerMonth)" }),
    limits: z
      .object(Object.fromEntries(LIMIT_NAMES.map((n) => [n, limitValue(n)])) as Record<LimitName, z.ZodNumber | z.ZodBoolean>)
      .openapi({ description: "Every limit as it applies now (set by the operator; defaults otherwise). timeoutMs is the account's or the platform's" }),
    usage: z.object({
      concurrentInvocations: z.number().int().openapi({ description: "Invocations running now" }),
      month: z.string().openapi({ description: "The UTC month counted, YYYY-MM", example: "2026-11" }),
      invocationsThisMonth: z.number().int().openapi({ description: "Invocations admitted this month (all triggers)" }),
    }),
  })
  .openapi("LimitCounts");

const LambdaCountsSchema = z
  .object({
    total: z.number().int().openapi({ description: "Functions of the account" }),
    deployed: z.number().int().openapi({ description: "Of which deployed (Productive or Modified)" }),
  })
  .openapi("LambdaCounts");

const InvocationCountsSchema = z
  .object({
    successfulInvocations: z.number().int().openapi({ description: "SUCCEEDED invocations in the window" }),
    unsuccessfulInvocations: z.number().int().openapi({ description: "CODING_FAILURE, PLATFORM_FAILURE and TIMEOUT invocations in the window" }),
    startTimestamp: z.number().int().openapi({ description: "Start of the window counted (epoch ms, inclusive)" }),
    endTimestamp: z.number().int().openapi({ description: "End of the window counted (epoch ms, inclusive)" }),
  })
  .openapi("InvocationCounts");

const timestamp = (what: string) =>
  z.string().optional().openapi({ description: `${what}, epoch ms (as faas-cli sends) or ISO-8601; inclusive`, example: "1793491200000" });

export const reportRoutes = newRouter()
  .openapi(
    accountRoute("report:read", {
      method: "get",
      path: "/api/account/{accountId}/reports/limitCounts",
      summary: "The account's limits (LivePerson's fields plus all of edgefn's) and current usage",
      request: { params: Params, query: z.object(ClientQuery) },
      responses: { 200: json(LimitCountsSchema, "Limits and usage"), ...errorResponses },
    }),
    async (c) => c.json(await limitCounts(dbOf(c), c.get("principal").accountId, timeoutMsOf(c)), 200),
  )
  .openapi(
    accountRoute("report:read", {
      method: "get",
      path: "/api/account/{accountId}/reports/lambdaCounts",
      summary: "How many functions the account holds, and how many are deployed",
      request: { params: Params, query: z.object(ClientQuery) },
      responses: { 200: json(LambdaCountsSchema, "Function counts"), ...errorResponses },
    }),
    async (c) => c.json(await lambdaCounts(dbOf(c), c.get("principal").accountId), 200),
  )
  .openapi(
    accountRoute("report:read", {
      method: "get",
      path: "/api/account/{accountId}/reports/invocationCounts",
      summary: "Successful and unsuccessful invocations in a window (default: this UTC month so far)",
      request: {
        params: Params,
        query: z.object({ ...ClientQuery, startTimestamp: timestamp("Start (default: the first of this UTC month)"), endTimestamp: timestamp("End (default: now)") }),
      },
      responses: { 200: json(InvocationCountsSchema, "Invocation counts"), ...errorResponses },
    }),
    async (c) => c.json(await invocationCounts(c.get("principal").accountId, c.req.valid("query")), 200),
  );
