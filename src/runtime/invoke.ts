import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountLimits, deployments, lambdas } from "../db/schema";
import { ApiError, ErrorCodes, missingLambda } from "../errors";
import { finishInvocation, takeSlot } from "../gate/client";
import type { InvocationRecord } from "../gate/data-plane/types";
import { invocationLimitColumns, invocationLimits, type InvocationLimits } from "../gate/lease";
import { InvocationChannel } from "./invocation-channel";
import { Orchestration } from "./orchestration";
import { awaitTrail } from "./log-tail";
import { limitLogs } from "./logs";
import { Observation, watchInvocation } from "./observation";
import { redactorFor, type Redact } from "./redaction";
import { sandboxFor, warmSandbox, type LogEntry, type OutboundCall, type RunResult } from "./sandbox/sandbox";
import { cpuLimitMs, type HostExports } from "./sandbox/worker-code";
import { env as workerEnv } from "cloudflare:workers";
import type { Env } from "../env";

export type Trigger = "http" | "test" | "schedule" | "event";
export type InvocationStatus = "SUCCEEDED" | "CODING_FAILURE" | "PLATFORM_FAILURE" | "TIMEOUT";

export interface InvokeDeps {
  db: Db;
  loader: WorkerLoader;
  host: HostExports;
  /** The platform's timeout (INVOKE_TIMEOUT_MS); an account's own timeoutMs limit overrides it. */
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
  /** The schedule that fired this invocation (trigger "schedule"). */
  scheduleId?: string;
  /**
   * When the invocation must have ended at the latest (epoch ms), for callers with a time budget of
   * their own (an event's functions share one): the timeout is cut to it.
   */
  deadline?: number;
  /** The invocation that called this one through Toolbelt.OrchestratorClient() (runtime/orchestration.ts). */
  parentInvocationId?: string;
  /** How many orchestrated calls deep this invocation is (0, or unset: not called by a function). */
  depth?: number;
}

/** The largest result a function may return: its JSON, in bytes (docs/limits.md). */
export const MAX_RESULT_BYTES = 5 * 1024 * 1024;

/**
 * `logs` is everything the isolate captured (before limits) with the platform's own entries, secrets
 * redacted; `dropped` what the isolate had to discard; `outbound` the function's outbound requests
 * as the host saw them (also for an invocation that timed out). A result is its JSON text, as the
 * function's isolate produced it (the platform never parses or re-serialises it).
 */
export type InvokeOutcome = { invocationId: string; logs: LogEntry[]; dropped: number; outbound: OutboundCall[]; trailToken?: string } & (
  | { status: "SUCCEEDED"; resultJson: string }
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
// How workerd reports an isolate whose request can never complete (no I/O or timers pending).
const HUNG_MARKER = "code had hung and would never generate a response";

/**
 * The function, its serving version and the account's invocation limits, as the invocation path
 * needs them (null: no such function). Without `limits` they are read separately.
 */
export type ServingLookup = { name: string; deployment: typeof deployments.$inferSelect | null; limits?: InvocationLimits } | null;

async function lookupServing(db: Db, accountId: string, uuid: string): Promise<ServingLookup> {
  const row = await db
    .select({ name: lambdas.name, deployment: deployments, ...invocationLimitColumns })
    .from(lambdas)
    .leftJoin(deployments, eq(deployments.id, lambdas.deploymentId))
    .leftJoin(accountLimits, eq(accountLimits.accountId, lambdas.accountId))
    .where(and(eq(lambdas.accountId, accountId), eq(lambdas.uuid, uuid)))
    .get();
  return row ? { name: row.name, deployment: row.deployment, limits: invocationLimits(row) } : null;
}

export async function readLimits(db: Db, accountId: string): Promise<InvocationLimits> {
  return invocationLimits(await db.select(invocationLimitColumns).from(accountLimits).where(eq(accountLimits.accountId, accountId)).get());
}

/** The serving version, or the LivePerson 404 that says why there is none. */
function servingDeployment(found: ServingLookup, uuid: string) {
  if (!found) throw missingLambda(uuid);
  if (!found.deployment) {
    throw new ApiError(404, ErrorCodes.notDeployed, `Function ${found.name} (${uuid}) is not deployed; deploy it with POST /deployments/${uuid}`);
  }
  return found.deployment;
}

type Deployment = ReturnType<typeof servingDeployment>;

type RunOutcome = InvokeOutcome extends infer O ? (O extends unknown ? Omit<O, "invocationId"> : never) : never;

/**
 * `trailToken`: the isolate never delivered its capture; its Tail adds the logs to the record
 * later, proving with this token that they are this invocation's trail (log-tail.ts).
 */
type Captured = Pick<RunOutcome, "logs" | "dropped" | "outbound"> & { trailToken?: string };
const NOTHING_CAPTURED: Captured = { logs: [], dropped: 0, outbound: [] };

const failed = (status: Exclude<InvocationStatus, "SUCCEEDED">, errorCode: string, errorMsg: string, captured: Captured = NOTHING_CAPTURED): RunOutcome => ({
  status,
  errorCode,
  errorMsg,
  ...captured,
});

function fromRun(run: RunResult, captured: Captured, redact: Redact): RunOutcome {
  if (run.ok) return { status: "SUCCEEDED", resultJson: run.resultJson, ...captured };
  if (run.kind === "result-size") return failed("CODING_FAILURE", ErrorCodes.resultTooLarge, redact(run.error.message), captured);
  // process.exit is a crash of the function, as it would be in Node.
  const engineError = run.kind === "exit" || (run.kind !== "callback" && ENGINE_ERRORS.has(run.error.name));
  return failed("CODING_FAILURE", engineError ? ErrorCodes.runtimeException : ErrorCodes.customFailure, redact(run.error.message), captured);
}

/**
 * What an exception from the isolate (rather than an answer) means. The function's own doing when
 * its isolate says so (it exited, ran out of CPU or memory, answered too much); otherwise the
 * platform failed to run it.
 */
function fromIsolateFailure(error: unknown, timing: Timing, captured: Captured): RunOutcome {
  const text = String(error);
  if (text.includes(HUNG_MARKER)) {
    // workerd saw that the function has nothing pending and never answered: it would time out.
    return failed("TIMEOUT", ErrorCodes.timeout, "Lambda Execution is taking too long: the function never called back and has nothing pending, so it would never answer", captured);
  }
  if (/process\.exit/.test(text)) {
    return failed("CODING_FAILURE", ErrorCodes.runtimeException, "process.exit() was called: a function cannot end the runtime; return a result or throw an error instead", captured);
  }
  if (/exceeded (its )?CPU|CPU time limit/i.test(text)) {
    return failed("TIMEOUT", ErrorCodes.timeout, `Lambda Execution is taking too long: the function used more than its ${cpuLimitMs(timing.configuredMs)} ms of CPU time`, captured);
  }
  if (/memory limit|out of memory/i.test(text)) {
    return failed("CODING_FAILURE", ErrorCodes.runtimeException, "The function used more memory than an isolate may (128 MB) and was stopped", captured);
  }
  if (/Serialized RPC .* limited to/i.test(text)) {
    return failed("CODING_FAILURE", ErrorCodes.resultTooLarge, `The function's answer is larger than the ${MAX_RESULT_BYTES} bytes a function may return`, captured);
  }
  return failed("PLATFORM_FAILURE", ErrorCodes.general, "The platform failed to run the function; see the invocation record", captured);
}

/**
 * How long an invocation may take: `configuredMs` is the function's timeout (the account's, else the
 * platform's), which also sets its isolate's CPU limit; `allowedMs` is what this call has, shorter
 * when the caller has a budget of its own (InvokeRequest.deadline).
 */
interface Timing {
  configuredMs: number;
  allowedMs: number;
}

/**
 * Runs the sandbox once under the deadline; never throws. The function's outbound requests and the
 * secrets it was served are observed here, by the host, through the invocation's channel; the
 * isolate adds only what it alone can see (its log entries, secrets cached from earlier invocations).
 */
async function runOnce(deps: InvokeDeps, req: InvokeRequest, deployment: Deployment, invocationId: string, timing: Timing): Promise<RunOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const observation = new Observation();
  const unwatch = watchInvocation(req.accountId, req.lambdaUuid, observation);
  const scope = { accountId: req.accountId, lambdaUuid: req.lambdaUuid };
  // What the host saw, redacted with the secrets it knows of so far (more may come with the answer).
  const seen = (redact: Redact, logs: LogEntry[] = [], dropped = 0): Captured => ({
    logs: redact(mergeByTime(logs, observation.notes)),
    dropped,
    outbound: redact(observation.outbound),
  });
  // What the host saw of an invocation whose isolate never answered with its capture: the logs
  // come from the runtime's Tail, after this.
  // A secret of this invocation's trail: only the host and the platform's wrapper in the isolate know it.
  const trailToken = crypto.randomUUID();
  const lost = (): Captured => {
    awaitTrail(invocationId);
    return { ...seen(redactorFor(observation.secrets)), trailToken };
  };
  try {
    const sandbox = sandboxFor(deps.loader, deps.host, specOf(req, deployment), deployment.codeHash, timing.configuredMs);
    // The function's orchestrated calls run through this same path (gate, records), as its children.
    const caller = { ...scope, invocationId, requestId: req.requestId, depth: req.depth ?? 0 };
    const orchestration = new Orchestration(caller, (callee) => invokeDeployed(deps, callee));
    const channel = new InvocationChannel(workerEnv as unknown as Env, scope, observation, orchestration);
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timing.allowedMs);
    });
    let run: RunResult | typeof TIMED_OUT;
    try {
      run = await Promise.race([sandbox.run(JSON.stringify(req.input), channel, { maxResultBytes: MAX_RESULT_BYTES, invocationId, trailToken }), deadline]);
    } catch (error) {
      const outcome = fromIsolateFailure(error, timing, lost());
      if (outcome.status === "PLATFORM_FAILURE") {
        // The isolate could not be loaded or died under us: the platform's failure, not the brand's.
        console.error(JSON.stringify({ msg: "sandbox failure", invocationId, requestId: req.requestId, error: String(error) }));
      }
      return outcome;
    }
    if (run === TIMED_OUT) {
      return failed("TIMEOUT", ErrorCodes.timeout, `Lambda Execution is taking too long: no answer within ${timing.allowedMs} ms`, lost());
    }
    const redact = redactorFor([...observation.secrets, ...(run.secrets ?? [])]);
    return fromRun(run, seen(redact, run.logs, run.dropped), redact);
  } catch (error) {
    console.error(JSON.stringify({ msg: "sandbox failure", invocationId, requestId: req.requestId, error: String(error) }));
    return failed("PLATFORM_FAILURE", ErrorCodes.general, "The platform failed to run the function; see the invocation record");
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    unwatch();
  }
}

const specOf = (req: InvokeRequest, deployment: Deployment) => ({
  accountId: req.accountId,
  lambdaUuid: req.lambdaUuid,
  code: deployment.code,
  environmentVariables: deployment.environmentVariables,
  libraries: deployment.libraries,
});

/** The isolate's entries and the platform's own, in time order (a stable merge). */
function mergeByTime(logs: LogEntry[], notes: LogEntry[]): LogEntry[] {
  if (notes.length === 0) return logs;
  return [...logs, ...notes].map((entry, i) => ({ entry, i })).sort((a, b) => a.entry.timestamp - b.entry.timestamp || a.i - b.i).map((x) => x.entry);
}

/**
 * Runs the deployed version of a function once and records the invocation, whatever happens. Every
 * trigger (http, test, schedule, event) comes through here, so every invocation passes the
 * account's gate: it takes a slot (a lease) first and hands the gate its record when the function
 * ended, which ends the lease; an invocation lost before its record arrived is still recorded by
 * the gate (PLATFORM_FAILURE).
 *
 * Throws ApiError before running anything: 404 (no such function, or not deployed), 901 when
 * `deadline` has passed already (executiontime-exceeded, nothing recorded: nothing ran), 429 when a
 * limit refuses (concurrentInvocations, or invocationsPerMonth when enforced; with Retry-After),
 * 503 when the gate cannot be reached; `isGateRefusal` (gate/client) tells the last two apart.
 * Once the function runs it never throws.
 *
 * `preloaded` is lookupServing's answer when the caller already read it (the gateway does, together
 * with the key, or takes it from its cache); without it the version and limits are read here.
 * `freshness` comes with a cached lookup: the gate checks its epoch, and a stale one is read again.
 */
export async function invokeDeployed(deps: InvokeDeps, req: InvokeRequest, preloaded?: ServingLookup, freshness?: Freshness): Promise<InvokeOutcome> {
  let found = preloaded === undefined ? await lookupServing(deps.db, req.accountId, req.lambdaUuid) : preloaded;
  let expectEpoch = freshness?.epoch;
  const invocationId = crypto.randomUUID();
  for (let attempt = 1; ; attempt++) {
    const deployment = servingDeployment(found, req.lambdaUuid);
    const limits = found?.limits ?? (await readLimits(deps.db, req.accountId));
    const startedAt = Date.now();
    const configuredMs = limits.timeoutMs ?? deps.timeoutMs;
    const timing: Timing = { configuredMs, allowedMs: Math.min(configuredMs, (req.deadline ?? Infinity) - startedAt) };
    if (timing.allowedMs <= 0) {
      throw new ApiError(901, ErrorCodes.timeout, `Lambda Execution is taking too long: the time budget was used up before function ${req.lambdaUuid} could start`);
    }
    const lease = {
      invocationId,
      accountId: req.accountId,
      lambdaUuid: req.lambdaUuid,
      deploymentId: deployment.id,
      version: deployment.lambdaVersion,
      trigger: req.trigger,
      requestId: req.requestId,
      scheduleId: req.scheduleId ?? null,
      ...(req.parentInvocationId && { parentInvocationId: req.parentInvocationId }),
      startedAt,
      deadline: startedAt + timing.allowedMs,
    };
    // A cold isolate is built while the gate admits, where that overlaps (if admission refuses, it is ready for later).
    if (attempt === 1) warmSandbox(deps.loader, deps.host, specOf(req, deployment), deployment.codeHash, configuredMs);
    // After a few changes in a row, admit without the check: the last read is as fresh as any.
    const slot = await takeSlot(lease, limits, attempt <= MAX_FRESHNESS_ATTEMPTS ? expectEpoch : undefined);
    if (slot.stale) {
      found = await freshness!.refresh(slot.epoch);
      expectEpoch = slot.epoch;
      continue;
    }
    freshness?.admitted(slot.epoch);
    return runAdmitted(deps, req, deployment, timing, invocationId, startedAt);
  }
}

/** How often a stale cached lookup is read again before the invocation is admitted without the check. */
const MAX_FRESHNESS_ATTEMPTS = 3;

/** What the gateway's cache (services/gateway-cache) needs from the invocation path. */
export interface Freshness {
  /** The gate epoch the preloaded lookup was read at (undefined: not known, so not checked). */
  epoch: number | undefined;
  /** The lookup was stale: the account changed and the gate is at `epoch` now. Read it again (may throw 401/404). */
  refresh(epoch: number): Promise<ServingLookup>;
  /** The invocation was admitted at `epoch`, with the lookup last given. */
  admitted(epoch: number): void;
}

async function runAdmitted(deps: InvokeDeps, req: InvokeRequest, deployment: Deployment, timing: Timing, invocationId: string, startedAt: number): Promise<InvokeOutcome> {
  const outcome = { invocationId, ...(await runOnce(deps, req, deployment, invocationId, timing)) } as InvokeOutcome;
  const record: InvocationRecord = {
    id: invocationId,
    lambdaUuid: req.lambdaUuid,
    deploymentId: deployment.id,
    version: deployment.lambdaVersion,
    trigger: req.trigger,
    status: outcome.status,
    errorCode: outcome.status === "SUCCEEDED" ? null : outcome.errorCode,
    startedAt,
    durationMs: Date.now() - startedAt,
    requestId: req.requestId,
    outbound: outcome.outbound,
    scheduleId: req.scheduleId ?? null,
    parentInvocationId: req.parentInvocationId ?? null,
  };
  // The record goes to the account's gate, which stores it and ends the lease in one step (with the
  // account's next call, or by itself shortly after the answer).
  deps.waitUntil(finishInvocation(req.accountId, { record, logs: visibleLogs(outcome, false), ...(outcome.trailToken && { logsAwaited: outcome.trailToken }) }));
  return outcome;
}
