// Errors on the wire use LivePerson's shape: { errorCode, errorMsg, requestId, ... }.
// Services throw ApiError; the app's onError renders it once.

export const ErrorCodes = {
  badInput: "com.liveperson.faas.es.badinput",
  general: "com.liveperson.faas.es.general",
  missingLambda: "com.liveperson.faas.es.missinglambda",
  notDeployed: "com.liveperson.faas.es.notdeployed",
  notFound: "com.liveperson.faas.es.notfound",
  unauthorized: "com.liveperson.faas.es.unauthorized",
  forbidden: "com.liveperson.faas.es.forbidden",
  conflict: "com.liveperson.faas.es.conflict",
  payloadTooLarge: "com.liveperson.faas.es.payloadtoolarge",
  contractError: "com.liveperson.faas.fm.contract-error",
  customFailure: "com.liveperson.faas.handler.custom-failure",
  runtimeException: "com.liveperson.faas.handler.runtime-exception",
  timeout: "com.liveperson.faas.handler.executiontime-exceeded",
  logLimitReached: "com.liveperson.faas.handler.log-limit-reached",
  // edgefn's own: the function's result is larger than MAX_RESULT_BYTES (runtime/invoke.ts).
  resultTooLarge: "com.liveperson.faas.handler.result-too-large",
  secretNotFound: "com.liveperson.faas.secret.not-found",
  secretInvalidFormat: "com.liveperson.faas.secret.invalid-format",
  secretOpFailed: "com.liveperson.faas.secret.op-failed",
  contextInvalidInput: "com.liveperson.faas.context.invalid-input",
  contextNamespaceNotFound: "com.liveperson.faas.context.namespace.not-found",
  contextLimitExceeded: "com.liveperson.faas.context.limit-exceeded",
  contextOpFailed: "com.liveperson.faas.context.op-failed",
  // Limits (issue 4): too many invocations at once, the monthly quota used up (when enforced), and
  // an account that holds as many of something (functions, schedules) as its limit allows.
  tooManyRequests: "com.liveperson.faas.es.toomanyrequests",
  quotaExceeded: "com.liveperson.faas.es.quotaexceeded",
  limitReached: "com.liveperson.faas.es.limitreached",
} as const;

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503 | 901;

export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly errorCode: string,
    readonly errorMsg: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers to send with the error (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(errorMsg);
    this.name = "ApiError";
  }
}

export const badInput = (msg: string, extra?: Record<string, unknown>) =>
  new ApiError(400, ErrorCodes.badInput, msg, extra);
export const notFound = (code: string, msg: string) => new ApiError(404, code, msg);
export const conflict = (msg: string) => new ApiError(409, ErrorCodes.conflict, msg);
/**
 * A refusal the caller may retry later: the status (429 over a limit, 503 unavailable), with
 * `Retry-After` as a header and `retryAfterSeconds` in the body.
 */
export const retryLater = (status: 429 | 503, code: string, msg: string, retryAfterSeconds: number, extra: Record<string, unknown> = {}) =>
  new ApiError(status, code, msg, { ...extra, retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) });
export const missingLambda = (uuid: string) =>
  notFound(ErrorCodes.missingLambda, `No function with uuid ${uuid} exists in this account`);
