import type { StoredLog, StoredOutbound } from "../../gate/data-plane/types";
import { buildWorkerCode, cpuLimitMs, isolateId, type HostExports, type SandboxSpec } from "./worker-code";

/** A log entry as the isolate captures it and a record keeps it (defined with the records, a floor down). */
export type LogEntry = StoredLog;

export interface ErrorDescription {
  name: string;
  message: string;
  stack?: string;
}

/** One outbound request of an invocation, as Egress saw it (see gate/data-plane/types.ts). */
export type OutboundCall = StoredOutbound;

/** A secret the isolate noted (its key, the value as the toolbelt gave it). */
export type IsolateSecret = [key: string, value: unknown];

/** What the isolate's run() answers (isolate/main.js). The result travels as JSON text. */
export type RunResult = { logs: LogEntry[]; dropped: number; secrets: IsolateSecret[] } & (
  | { ok: true; resultJson: string }
  | { ok: false; kind: "callback" | "throw" | "exit" | "result" | "result-size"; error: ErrorDescription }
);

/** The host's side of one invocation, handed to the isolate's run() (runtime/invocation-channel.ts). */
export interface ChannelForIsolate {
  fetch(request: Request, redirect: "follow" | "manual"): Promise<Response>;
  toolbelt(method: string, args: unknown[]): Promise<unknown>;
}

interface SandboxEntrypoint {
  validate(): Promise<{ ok: true } | { ok: false; error: ErrorDescription }>;
  run(inputJson: string, channel: ChannelForIsolate, options: { maxResultBytes: number; invocationId: string; trailToken: string }): Promise<RunResult>;
}

/**
 * The tenant isolate of one deployed version, with the CPU limit of the function's configured
 * timeout (the account's, else the platform's; never a shortened per-call budget, which would stay
 * with the cached isolate). Call per request: a loader stub is bound to the
 * request that created it (see architecture, Worker Loader facts).
 */
export function sandboxFor(loader: WorkerLoader, host: HostExports, spec: SandboxSpec, hash: string, configuredTimeoutMs: number): SandboxEntrypoint {
  const cpuMs = cpuLimitMs(configuredTimeoutMs);
  const stub = loader.get(isolateId(spec, hash, cpuMs), () => buildWorkerCode(spec, host, cpuMs));
  return stub.getEntrypoint() as unknown as SandboxEntrypoint;
}
