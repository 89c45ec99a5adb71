// One test invocation (POST /lambdas/:uuid/test), answered as a whole whether the function succeeded
// or failed. lib/api's call() keeps only the message of a failure, but a test page needs all of it:
// the function's logs (errorLogs), its invocation id and duration come in the failure's body too.
// So this one route is fetched here, with the same bearer and the same 401 handling as call().
import type { Schemas } from "../../../cli/lib/client-types";
import { signInPath } from "../lib/api";
import { currentPath, navigate } from "../lib/router";
import { getSession, setSession } from "../lib/session";

export type LogEntry = Schemas["LogEntry"];

export interface TestInput {
  headers: { key: string; value: unknown }[];
  payload: unknown;
}

export interface TestRun {
  /** The HTTP status as the browser saw it (901 through the front proxy, 422 from the Worker alone). */
  httpStatus: number;
  /** SUCCEEDED, CODING_FAILURE, PLATFORM_FAILURE, TIMEOUT, or REFUSED when the function did not run. */
  outcome: string;
  ok: boolean;
  result?: unknown;
  errorCode?: string;
  errorMsg?: string;
  logs: LogEntry[];
  invocationId?: string;
  /** The request's id, which the Logs page filters by (/logs?requestId=...). */
  requestId?: string;
  durationMs?: number;
}

// The platform names the real status of a failed function in this header (src/api/invoke.ts).
const OUTCOME_HEADER = "x-edgefn-outcome";

export async function runTest(uuid: string, input: TestInput): Promise<TestRun> {
  const session = getSession();
  const url = `/api/account/${encodeURIComponent(session?.accountId ?? "")}/lambdas/${encodeURIComponent(uuid)}/test`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", authorization: `Bearer ${session?.token ?? ""}` },
      body: JSON.stringify(input),
    });
  } catch {
    return { httpStatus: 0, outcome: "REFUSED", ok: false, errorMsg: "The platform cannot be reached. Check the connection and try again.", logs: [] };
  }
  let body: any = null;
  try {
    body = await res.json();
  } catch {
    // an empty or non-JSON answer: described by its status below
  }
  if (res.status === 401 && getSession()) {
    setSession(null);
    navigate(signInPath(currentPath(), true), { replace: true });
  }
  const requestId = res.headers.get("x-request-id") ?? body?.requestId ?? undefined;
  const outcome = (res.headers.get(OUTCOME_HEADER) ?? "").split(" ")[0] || (res.ok ? "SUCCEEDED" : "REFUSED");
  if (res.ok) {
    return { httpStatus: res.status, outcome, ok: true, result: body?.result, logs: body?.logs ?? [], invocationId: body?.invocationId, requestId, durationMs: body?.durationMs };
  }
  return {
    httpStatus: res.status,
    outcome,
    ok: false,
    errorCode: body?.errorCode,
    errorMsg: body?.errorMsg ?? body?.message ?? `${res.status} ${res.statusText}`,
    logs: Array.isArray(body?.errorLogs) ? body.errorLogs : [],
    invocationId: body?.invocationId,
    requestId,
    durationMs: body?.durationMs,
  };
}
