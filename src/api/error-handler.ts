import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import { FUNCTION_FAILED_STATUS, FUNCTION_FAILED_WORKER_STATUS, WIRE_STATUS_HEADER } from "./wire-status";

/** Renders an error in LivePerson's shape; the one place errors become responses. */
export function renderError(c: Context<AppEnv>, status: number, body: Record<string, unknown>): Response {
  const payload = { ...body, requestId: c.get("requestId") };
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
