import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import { FUNCTION_FAILED_STATUS, FUNCTION_FAILED_WORKER_STATUS, WIRE_STATUS_HEADER } from "./wire-status";

/**
 * Functions V2's code for a V1 errorCode: the inverse of the V2→V1 mapping in LivePerson's Node client
 * (../shared/reference/liveperson-functions.md §2.4, liveperson-clients.md §1.4). A V2 client raises
 * FaaSLambdaError only for `com.customer.faas.function.threw-error`, and its v1CompError option maps
 * these codes back to the errorCode. Codes without a V2 counterpart keep their V1 value.
 */
export const V2_CODES: Readonly<Record<string, string>> = {
  [ErrorCodes.general]: "com.liveperson.faas.evg.general",
  [ErrorCodes.badInput]: "com.liveperson.faas.evg.invalid",
  [ErrorCodes.customFailure]: "com.customer.faas.function.threw-error",
  [ErrorCodes.runtimeException]: "com.customer.faas.function.js-runtime-error",
  [ErrorCodes.timeout]: "com.customer.faas.function.execution-exceeded",
  [ErrorCodes.missingLambda]: "com.liveperson.faas.function.not-found",
  [ErrorCodes.logLimitReached]: "com.liveperson.faas.function.runtime.limit-reached",
};

/**
 * Renders an error in both of LivePerson's shapes, V1 `{errorCode, errorMsg}` and V2 `{code, message}`
 * (code per V2_CODES, message = errorMsg), plus the requestId; the one place errors become responses.
 */
export function renderError(c: Context<AppEnv>, status: number, body: { errorCode: string; errorMsg: string } & Record<string, unknown>): Response {
  const payload = { ...body, code: V2_CODES[body.errorCode] ?? body.errorCode, message: body.errorMsg, requestId: c.get("requestId") };
  if (status === FUNCTION_FAILED_STATUS) {
    c.header(WIRE_STATUS_HEADER, String(FUNCTION_FAILED_STATUS));
    return c.json(payload, FUNCTION_FAILED_WORKER_STATUS);
  }
  return c.json(payload, status as 400);
}

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return renderError(c, err.status, { errorCode: err.errorCode, errorMsg: err.errorMsg, ...err.extra });
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own refusals (malformed JSON, wrong Content-Type) are bad input to the caller.
    const code = err.status === 413 ? ErrorCodes.payloadTooLarge : ErrorCodes.badInput;
    return renderError(c, err.status, { errorCode: code, errorMsg: err.message || "Bad request" });
  }
  // Never send internals (they may hold data); log them with the request id instead.
  console.error(JSON.stringify({ msg: "unhandled error", requestId: c.get("requestId"), error: String(err), stack: err.stack }));
  return renderError(c, 500, { errorCode: ErrorCodes.general, errorMsg: "Internal error; quote the requestId when reporting it" });
}
