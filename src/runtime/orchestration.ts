// The host's side of Toolbelt.OrchestratorClient(): one attempt of one orchestrated call, made by a
// running invocation (the caller) for a function of its own account (the callee). The isolate's
// client (sandbox/isolate/orchestrator-client.js) owns LivePerson's retries, strategies and
// deadline; everything that must not depend on brand code is decided here: the account (the
// caller's scope, never an argument), the depth along the chain (the host knows the calling
// invocation and its depth), admission through the account's gate (invokeDeployed, like any
// invocation), and how many of one caller's calls run at once.
import { ApiError, ErrorCodes } from "../errors";
import type { InvokeOutcome, InvokeRequest } from "./invoke";

/** LivePerson's largest orchestration deadline (ms); no single call is given more either. */
export const MAX_ORCHESTRATION_MS = 25_000;
/** How deep a chain of orchestrated calls may go (an HTTP/schedule/event invocation is depth 0). */
export const MAX_ORCHESTRATION_DEPTH = 5;
/**
 * At most this many calls of one caller run at once: with the caller itself that is the Worker
 * Loader's 4 dynamic Workers in flight per request (../shared/design/architecture.md).
 */
export const ORCHESTRATION_FAN_OUT = 3;

/** The toolbelt method of one orchestrated call (the isolate's client calls it through platform.js). */
export const ORCHESTRATE_METHOD = "invokeFunction";

export const OrchestratorCodes = {
  general: "com.liveperson.faas.orchestrator-fn-general",
  timeout: "com.liveperson.faas.orchestrator-fn.invoke.timeout",
  statusError: "com.liveperson.faas.orchestrator-fn.invoke.status-code-error",
  depthExceeded: "com.liveperson.faas.orchestrator-fn.depth-exceeded",
} as const;

/** What one attempt answers the isolate: LivePerson's item, the body still as JSON text. */
export interface CallAnswer {
  statusCode: number;
  bodyJson: string;
  headers: Record<string, string>;
  error?: { code: string; message: string };
}

/** The running invocation that makes the calls. */
export interface Caller {
  accountId: string;
  lambdaUuid: string;
  invocationId: string;
  requestId: string;
  depth: number;
}

export type RunCallee = (req: InvokeRequest) => Promise<InvokeOutcome>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A small counting semaphore: the calls of one caller past ORCHESTRATION_FAN_OUT wait their turn. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

const answerJson = (code: string, message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ errorCode: code, errorMsg: message, ...extra });

/** A call that did not produce a function result: LivePerson's status-code error, the platform's detail in the body. */
function statusAnswer(statusCode: number, errorCode: string, message: string, extra: Record<string, unknown> = {}): CallAnswer {
  const code = errorCode === OrchestratorCodes.timeout ? errorCode : OrchestratorCodes.statusError;
  return { statusCode, bodyJson: answerJson(errorCode, message, extra), headers: { "content-type": "application/json" }, error: { code, message } };
}

/** The orchestrated calls of one running invocation (one per InvocationChannel). */
export class Orchestration {
  private readonly slots = new Slots(ORCHESTRATION_FAN_OUT);

  constructor(
    private readonly caller: Caller,
    private readonly run: RunCallee,
  ) {}

  /** One attempt; never throws: every failure is an answer with a status code and an error. */
  async call(item: unknown): Promise<CallAnswer> {
    const given = (item ?? {}) as { uuid?: unknown; payload?: unknown; headers?: unknown; timeoutMs?: unknown };
    const uuid = typeof given.uuid === "string" ? given.uuid : "";
    if (!UUID.test(uuid)) return statusAnswer(400, ErrorCodes.badInput, `An orchestrated invocation needs the uuid of a function of this account; got ${JSON.stringify(String(given.uuid ?? "")).slice(0, 80)}`);
    const depth = this.caller.depth + 1;
    if (depth > MAX_ORCHESTRATION_DEPTH) {
      // LivePerson only warns about loops; here the chain stops with a clear error, not retried by default.
      return statusAnswer(
        508,
        OrchestratorCodes.depthExceeded,
        `Orchestration depth limit reached: invocation ${this.caller.invocationId} is ${this.caller.depth} calls deep, and a chain of orchestrated calls may be at most ${MAX_ORCHESTRATION_DEPTH} deep (a function calling itself, or a loop of functions?)`,
      );
    }
    const timeoutMs = Math.min(MAX_ORCHESTRATION_MS, typeof given.timeoutMs === "number" && given.timeoutMs > 0 ? given.timeoutMs : MAX_ORCHESTRATION_MS);
    // Measured before waiting for a slot: the caller's timeout counts from its request.
    const deadline = Date.now() + timeoutMs;
    const release = await this.slots.take();
    try {
      const outcome = await this.run({
        accountId: this.caller.accountId, // the caller's account, whatever the isolate sent
        lambdaUuid: uuid,
        input: { timestamp: Date.now(), headers: headerList(given.headers), payload: given.payload === undefined ? {} : given.payload },
        trigger: "http",
        requestId: this.caller.requestId,
        deadline,
        parentInvocationId: this.caller.invocationId,
        depth,
      });
      return fromOutcome(outcome, deadline);
    } catch (e) {
      if (e instanceof ApiError) {
        // 404 (unknown here, or another account's: the same answer), 429/503 from the gate, 901 when the time was used up.
        if (e.status === 901) return statusAnswer(504, OrchestratorCodes.timeout, `The orchestrated invocation of ${uuid} had no time left to start`);
        return statusAnswer(e.status, e.errorCode, e.errorMsg);
      }
      console.error(JSON.stringify({ msg: "orchestrated call failed", caller: this.caller.invocationId, callee: uuid, error: String(e) }));
      return statusAnswer(500, ErrorCodes.general, "The platform failed to run the orchestrated invocation");
    } finally {
      release();
    }
  }
}

function fromOutcome(outcome: InvokeOutcome, deadline: number): CallAnswer {
  const headers = { "content-type": "application/json", "x-invocation-id": outcome.invocationId };
  if (outcome.status === "SUCCEEDED") return { statusCode: 200, bodyJson: outcome.resultJson, headers };
  const extra = { invocationId: outcome.invocationId };
  // Cut short by the caller's timeout (rather than by its own): LivePerson's orchestration timeout.
  if (outcome.status === "TIMEOUT" && Date.now() >= deadline - 5) {
    return { ...statusAnswer(504, OrchestratorCodes.timeout, `The orchestrated invocation ${outcome.invocationId} did not answer within its timeout`, extra), headers };
  }
  const status = outcome.status === "PLATFORM_FAILURE" ? 500 : 901;
  return { ...statusAnswer(status, outcome.errorCode, outcome.errorMsg, extra), headers };
}

/** LivePerson's invocation headers are an object; a function's input has them as [{key, value}]. */
function headerList(headers: unknown): { key: string; value: unknown }[] {
  if (Array.isArray(headers)) return headers.filter((h) => h && typeof h === "object" && typeof h.key === "string").map((h) => ({ key: h.key, value: h.value }));
  if (headers && typeof headers === "object") return Object.entries(headers).map(([key, value]) => ({ key, value }));
  return [];
}
