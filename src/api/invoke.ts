import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import { invokeDeployed, visibleLogs, type InvokeOutcome, type ServingLookup, type Trigger } from "../runtime/invoke";
import { authenticateAndLoad } from "./gateway-auth";
import { json, jsonBody, rawJson } from "./json";
import { accountRoute, dbOf, errorResponses, hostExports, newRouter, timeoutMsOf } from "./route";
import { AccountIdParam, ErrorSchema, InvokeBodySchema, InvokeQuerySchema, LogEntrySchema, UuidParam } from "./schemas";
import { FUNCTION_FAILED_WORKER_STATUS } from "./wire-status";

const UuidParams = z.object({ accountId: AccountIdParam, uuid: UuidParam });
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function maxBodyBytes(c: Context<AppEnv>): number {
  const n = Number(c.env.MAX_BODY_BYTES);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_MAX_BODY_BYTES;
}

// Runs before the JSON validator reads the body, so an oversized body is refused unread.
export const limitBody = createMiddleware<AppEnv>(async (c, next) => {
  const max = maxBodyBytes(c);
  return bodyLimit({
    maxSize: max,
    onError: () => {
      throw new ApiError(413, ErrorCodes.payloadTooLarge, `The invocation body is larger than ${max} bytes`);
    },
  })(c, next);
});

export const failedResponse = {
  description: `The function failed (HTTP 901 on the wire; ${FUNCTION_FAILED_WORKER_STATUS} with X-Edgefn-Status: 901 from the Worker itself)`,
  content: { "application/json": { schema: ErrorSchema } },
};
export const tooLarge = { description: "Body too large", content: { "application/json": { schema: ErrorSchema } } };
// The account's gate refused (gate/client): the function did not run and no record was written.
export const refused = {
  429: {
    description:
      "Over a limit of the account, with a Retry-After header: com.liveperson.faas.es.toomanyrequests (concurrentInvocations) " +
      "or com.liveperson.faas.es.quotaexceeded (invocationsPerMonth, when the operator enforces it)",
    headers: { "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "integer" as const } } },
    content: { "application/json": { schema: ErrorSchema } },
  },
  503: { description: "The platform could not admit the invocation now (Retry-After: 1)", content: { "application/json": { schema: ErrorSchema } } },
};

/**
 * Runs one deployed function for the request's principal: by default the one the invoke routes'
 * middleware looked up (serving and freshness on the context); `serving` for a function the caller
 * read itself; `deadline` when the caller has a time budget of its own (an event's functions).
 */
export async function run(
  c: Context<AppEnv>,
  uuid: string,
  body: z.infer<typeof InvokeBodySchema>,
  trigger: Trigger,
  options: { serving?: ServingLookup; deadline?: number } = {},
): Promise<InvokeOutcome> {
  const principal = c.get("principal");
  const fromContext = options.serving === undefined;
  return invokeDeployed(
    { db: dbOf(c), loader: c.env.LOADER, host: hostExports(), timeoutMs: timeoutMsOf(c), waitUntil: (p) => c.executionCtx.waitUntil(p) },
    {
      accountId: principal.accountId,
      lambdaUuid: uuid,
      input: { timestamp: body.timestamp ?? Date.now(), headers: body.headers, payload: body.payload },
      trigger,
      requestId: c.get("requestId"),
      deadline: options.deadline,
    },
    fromContext ? c.get("serving") : options.serving,
    fromContext ? c.get("freshness") : undefined,
  );
}

/**
 * What an invocation's answer says it was, for the local front proxy: it remembers the answers it
 * passed on and hands them to the gate after a restart of the runtime, so that an invocation
 * answered just before the runtime died is recorded as its caller saw it (gate/restart-notices.ts).
 */
export const OUTCOME_HEADER = "X-Edgefn-Outcome";
const outcomeHeaders = (invocationIds: string[], status: string, errorCode?: string) => ({
  "X-Invocation-Id": invocationIds.join(","),
  [OUTCOME_HEADER]: errorCode ? `${status} ${errorCode}` : status,
});

/** Names the invocations of a successful answer (all SUCCEEDED) on it. */
export function markSucceeded(c: Context<AppEnv>, invocationIds: string[]): void {
  for (const [name, value] of Object.entries(outcomeHeaders(invocationIds, "SUCCEEDED"))) c.header(name, value);
}

/** A failed function answers 901 (never 500, which LivePerson's client would retry 3 times). */
export function failure(outcome: Exclude<InvokeOutcome, { status: "SUCCEEDED" }>, includeDebug: boolean): ApiError {
  return new ApiError(
    outcome.status === "PLATFORM_FAILURE" ? 500 : 901,
    outcome.errorCode,
    outcome.errorMsg,
    { errorLogs: visibleLogs(outcome, includeDebug), invocationId: outcome.invocationId },
    outcomeHeaders([outcome.invocationId], outcome.status, outcome.errorCode),
  );
}

export const invokeRoutes = newRouter()
  .openapi(
    accountRoute(
      "lambda:invoke",
      {
        method: "post",
        path: "/api/account/{accountId}/lambdas/{uuid}/invoke",
        summary: "Invoke the deployed function; answers its result as JSON",
        request: { params: UuidParams, query: InvokeQuerySchema, body: jsonBody(InvokeBodySchema) },
        responses: { 200: json(z.any(), "The function's result"), 413: tooLarge, 422: failedResponse, 500: failedResponse, ...refused, ...errorResponses },
      },
      { authenticate: authenticateAndLoad, after: [limitBody] },
    ),
    async (c) => {
      const outcome = await run(c, c.req.valid("param").uuid, c.req.valid("json"), "http");
      if (outcome.status !== "SUCCEEDED") throw failure(outcome, false);
      markSucceeded(c, [outcome.invocationId]);
      return rawJson(c, outcome.resultJson, 200);
    },
  )
  .openapi(
    accountRoute(
      "lambda:test",
      {
        method: "post",
        path: "/api/account/{accountId}/lambdas/{uuid}/test",
        summary: "Test-invoke the deployed version; answers {result, logs, invocationId, durationMs} including Debug logs",
        description:
          "durationMs is how long the invocation took as the API measured it (admission included), for a test page; a failure's error answer carries it too. " +
          "The invocation's record (GET /invocations/{id}) holds the runtime's own figure.",
        request: { params: UuidParams, body: jsonBody(InvokeBodySchema) },
        responses: {
          200: json(z.object({ result: z.any(), logs: z.array(LogEntrySchema), invocationId: z.string(), durationMs: z.number() }), "Result and logs"),
          413: tooLarge,
          422: failedResponse,
          500: failedResponse,
          ...refused,
          ...errorResponses,
        },
      },
      { authenticate: authenticateAndLoad, after: [limitBody] },
    ),
    async (c) => {
      const startedAt = Date.now();
      const outcome = await run(c, c.req.valid("param").uuid, c.req.valid("json"), "test");
      const durationMs = Date.now() - startedAt;
      if (outcome.status !== "SUCCEEDED") {
        const error = failure(outcome, true);
        error.extra.durationMs = durationMs;
        throw error;
      }
      // The result goes out as the function's isolate wrote it (never parsed and serialised again).
      markSucceeded(c, [outcome.invocationId]);
      const body = `{"result":${outcome.resultJson},"logs":${JSON.stringify(visibleLogs(outcome, true))},"invocationId":${JSON.stringify(outcome.invocationId)},"durationMs":${durationMs}}`;
      return rawJson(c, body, 200);
    },
  );
