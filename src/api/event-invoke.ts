import { z } from "@hono/zod-openapi";
import { ApiError, ErrorCodes } from "../errors";
import { EVENT_FAN_OUT, runInWaves } from "../runtime/fan-out";
import type { InvokeOutcome } from "../runtime/invoke";
import { eventListeners } from "../services/events";
import { failedResponse, failure, limitBody, markSucceeded, refused, run, tooLarge } from "./invoke";
import { json, jsonBody, rawJson } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter, timeoutMsOf } from "./route";
import { AccountIdParam, EventIdParam, InvokeBodySchema, InvokeQuerySchema } from "./schemas";

const succeeded = (o: InvokeOutcome): o is Extract<InvokeOutcome, { status: "SUCCEEDED" }> => o.status === "SUCCEEDED";

export const eventInvokeRoutes = newRouter().openapi(
  accountRoute(
    "lambda:invoke",
    {
      method: "post",
      path: "/api/account/{accountId}/events/{eventId}/invoke",
      summary:
        "Invoke every deployed function bound to the event that serves skillId. One function: answers its result. Several: a JSON array " +
        "of their results, oldest function first (creation time), with their uuids in X-Edgefn-Functions. They run in that order, at most " +
        `${EVENT_FAN_OUT} at a time, within one time budget (the account's invocation timeout, 30 s by default: a function starting late ` +
        "gets what is left of it); the first failure (in that order) stops the chain: functions not started yet do not run, and the answer " +
        "is the failure (901, with lambdaUUID). For events that select by skill, a function without skills serves every skill, and a call " +
        "without skillId reaches only those.",
      request: {
        params: z.object({ accountId: AccountIdParam, eventId: EventIdParam }),
        query: InvokeQuerySchema,
        body: jsonBody(InvokeBodySchema),
      },
      responses: {
        200: json(z.any(), "The function's result, or the results of several in order"),
        413: tooLarge,
        422: failedResponse,
        500: failedResponse,
        ...refused,
        ...errorResponses,
      },
    },
    { after: [limitBody] },
  ),
  async (c) => {
    const { eventId } = c.req.valid("param");
    const { skillId } = c.req.valid("query");
    const listeners = await eventListeners(dbOf(c), c.get("principal").accountId, eventId, skillId);
    if (listeners.length === 0) {
      const forSkill = skillId ? ` for skill ${skillId}` : "";
      throw new ApiError(404, ErrorCodes.missingLambda, `No deployed function of this account answers event ${eventId}${forSkill}`);
    }
    const body = c.req.valid("json");
    // The functions share one time budget, the account's invocation timeout: whoever called the
    // event waits for one answer, and LivePerson's client gives up (and retries) after 35 s.
    const deadline = Date.now() + (listeners[0]!.serving.limits?.timeoutMs ?? timeoutMsOf(c));
    const outcomes = await runInWaves(listeners, EVENT_FAN_OUT, (l) => run(c, l.uuid, body, "event", { serving: l.serving, deadline }), (o) => !succeeded(o));
    // The first stop in the documented order decides the answer.
    for (const o of outcomes) {
      const lambdaUUID = listeners[o.index]!.uuid;
      // Not run: refused by the gate (429/503), gone meanwhile (404) or no time left (901).
      const error = !o.ok ? o.error : succeeded(o.value) ? null : failure(o.value, false);
      if (error instanceof ApiError) throw new ApiError(error.status, error.errorCode, error.errorMsg, { ...error.extra, lambdaUUID }, error.headers);
      if (error) throw error;
    }
    const results = outcomes.map((o) => (o.ok && succeeded(o.value) ? o.value : null)).filter((o) => o !== null);
    c.header("X-Edgefn-Functions", listeners.map((l) => l.uuid).join(","));
    markSucceeded(c, results.map((r) => r.invocationId));
    // Results go out as the functions' isolates wrote them (never parsed and serialised again).
    return rawJson(c, results.length === 1 ? results[0]!.resultJson : `[${results.map((r) => r.resultJson).join(",")}]`, 200);
  },
);
