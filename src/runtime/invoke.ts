import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { deployments, lambdas } from "../db/schema";
import { ApiError, ErrorCodes, missingLambda } from "../errors";
import { recordInvocation, type InvocationRecord } from "../services/invocations";
import { limitLogs } from "./logs";
import { sandboxFor, type LogEntry, type RunResult } from "./sandbox/sandbox";
import type { HostExports } from "./sandbox/worker-code";

export type Trigger = "http" | "test" | "schedule" | "event";
export type InvocationStatus = "SUCCEEDED" | "CODING_FAILURE" | "PLATFORM_FAILURE" | "TIMEOUT";

export interface InvokeDeps {
  db: Db;
  loader: WorkerLoader;
  host: HostExports;
  timeoutMs: number;
  /** Keeps the record write alive after the response is sent. */
  waitUntil(p: Promise<unknown>): void;
}

export interface InvokeRequest {
  accountId: string;
  lambdaUuid: string;
  input: { timestamp: number; headers: { key: string; value: unknown }[]; payload: unknown };
  trigger: Trigger;
  requestId: string;
}

/** `logs` is everything the isolate captured (before limits); `dropped` what it had to discard. */
export type InvokeOutcome = { invocationId: string; logs: LogEntry[]; dropped: number } & (
  | { status: "SUCCEEDED"; result: unknown }
  | { status: Exclude<InvocationStatus, "SUCCEEDED">; errorCode: string; errorMsg: string }
);

/** The log entries a caller sees or the record keeps: LivePerson's limits applied. */
export function visibleLogs(outcome: Pick<InvokeOutcome, "logs" | "dropped">, includeDebug: boolean): LogEntry[] {
  const logs = includeDebug ? outcome.logs : outcome.logs.filter((l) => l.level !== "Debug");
  return limitLogs(logs, outcome.dropped).entries;
}

// Errors the JavaScript engine raises for broken code, as opposed to errors the function raises on
// purpose: LivePerson tells them apart as runtime-exception and custom-failure.
const ENGINE_ERRORS = new Set(["TypeError", "ReferenceError", "SyntaxError", "RangeError", "EvalError", "URIError"]);

const TIMED_OUT = Symbol("timed out");

async function loadDeployed(db: Db, accountId: string, uuid: string) {
  const row = await db
    .select({ lambda: lambdas, deployment: deployments })
    .from(lambdas)
    .leftJoin(deployments, eq(deployments.id, lambdas.deploymentId))
    .where(and(eq(lambdas.accountId, accountId), eq(lambdas.uuid, uuid)))
    .get();
  if (!row) throw missingLambda(uuid);
  if (!row.deployment) {
    throw new ApiError(404, ErrorCodes.notDeployed, `Function ${row.lambda.name} (${uuid}) is not deployed; deploy it with POST /deployments/${uuid}`);
  }
  return row.deployment;
}

function classify(run: Extract<RunResult, { ok: false }>): { errorCode: string } {
  if (run.kind === "callback") return { errorCode: ErrorCodes.customFailure };
  return { errorCode: ENGINE_ERRORS.has(run.error.name) ? ErrorCodes.runtimeException : ErrorCodes.customFailure };
}

/** Runs the deployed version of a function once and records the invocation, whatever happens. */
export async function invokeDeployed(deps: InvokeDeps, req: InvokeRequest): Promise<InvokeOutcome> {
  const deployment = await loadDeployed(deps.db, req.accountId, req.lambdaUuid);
  const invocationId = crypto.randomUUID();
  const startedAt = Date.now();
  let outcome: InvokeOutcome;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const sandbox = sandboxFor(
      deps.loader,
      deps.host,
      { accountId: req.accountId, lambdaUuid: req.lambdaUuid, code: deployment.code, environmentVariables: deployment.environmentVariables },
      deployment.codeHash,
      deps.timeoutMs,
    );
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), deps.timeoutMs);
    });
    const run = await Promise.race([sandbox.run(req.input), timeout]);
    if (run === TIMED_OUT) {
      outcome = {
        invocationId,
        status: "TIMEOUT",
        errorCode: ErrorCodes.timeout,
        errorMsg: `Lambda Execution is taking too long: no answer within ${deps.timeoutMs} ms`,
        logs: [],
        dropped: 0,
      };
    } else if (run.ok) {
      outcome = { invocationId, status: "SUCCEEDED", result: run.result, logs: run.logs, dropped: run.dropped };
    } else {
      outcome = {
        invocationId,
        status: "CODING_FAILURE",
        ...classify(run),
        errorMsg: run.error.message,
        logs: run.logs,
        dropped: run.dropped,
      };
    }
  } catch (error) {
    // The isolate could not be loaded or died under us: the platform's failure, not the brand's.
    console.error(JSON.stringify({ msg: "sandbox failure", invocationId, requestId: req.requestId, error: String(error) }));
    outcome = { invocationId, status: "PLATFORM_FAILURE", errorCode: ErrorCodes.general, errorMsg: "The platform failed to run the function; see the invocation record", logs: [], dropped: 0 };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  const record: InvocationRecord = {
    id: invocationId,
    accountId: req.accountId,
    lambdaUuid: req.lambdaUuid,
    deploymentId: deployment.id,
    version: deployment.lambdaVersion,
    trigger: req.trigger,
    status: outcome.status,
    errorCode: outcome.status === "SUCCEEDED" ? null : outcome.errorCode,
    startedAt,
    durationMs: Date.now() - startedAt,
    requestId: req.requestId,
  };
  deps.waitUntil(
    recordInvocation(deps.db, record, visibleLogs(outcome, false)).catch((error) =>
      console.error(JSON.stringify({ msg: "failed to record invocation", invocationId, error: String(error) })),
    ),
  );
  return outcome;
}
