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
  warm(): Promise<boolean>;
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
  const id = isolateId(spec, hash, cpuMs);
  noteKnown(id);
  const stub = loader.get(id, () => buildWorkerCode(spec, host, cpuMs));
  return stub.getEntrypoint() as unknown as SandboxEntrypoint;
}

// The isolates this Worker isolate has called, most recent last (a bounded memory, not the loader's
// truth: an isolate the runtime dropped, or one another Worker isolate built, counts as unknown).
const KNOWN_MAX = 10_000;
const knownIsolates = new Set<string>();

/**
 * Starts building the isolate of an invocation that is about to be admitted, when this Worker has
 * not called it yet (after a restart, or a deploy elsewhere): a cold start then overlaps the gate's
 * admission instead of following it. Never throws; a failure shows again when the invocation runs.
 * A known isolate costs nothing (no call).
 */
export function warmSandbox(loader: WorkerLoader, host: HostExports, spec: SandboxSpec, hash: string, configuredTimeoutMs: number): void {
  if (knownIsolates.has(isolateId(spec, hash, cpuLimitMs(configuredTimeoutMs)))) return;
  sandboxFor(loader, host, spec, hash, configuredTimeoutMs).warm().catch(() => undefined);
}

/**
 * How many isolates this Worker isolate has built or called since it started. Locally that is the
 * number the runtime holds (workerd keeps every one for the life of the process), which npm start's
 * supervisor allows memory for (GET /admin/runtime).
 */
export const loadedIsolateCount = () => knownIsolates.size;

function noteKnown(id: string) {
  knownIsolates.delete(id);
  knownIsolates.add(id);
  if (knownIsolates.size > KNOWN_MAX) knownIsolates.delete(knownIsolates.values().next().value!);
}
