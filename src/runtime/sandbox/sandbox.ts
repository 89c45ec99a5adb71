import { env as workerEnv } from "cloudflare:workers";
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
 *
 * The loader keeps the isolate for later requests (LOADER.get) while this Worker holds fewer than
 * `budget` of them; beyond that, the isolate serves this request only and is released after it
 * (LOADER.load): a cold start each time, but memory that stays bounded. Locally workerd never
 * releases a kept isolate, and with about 1,500 of them the runtime died (V8: "JavaScript heap out of
 * memory"; npm run bench, scale), so the local launchers set ISOLATE_BUDGET (1,000). On Cloudflare,
 * which evicts idle isolates itself, it is unset: no budget.
 */
export function sandboxFor(loader: WorkerLoader, host: HostExports, spec: SandboxSpec, hash: string, configuredTimeoutMs: number, budget = isolateBudget()): SandboxEntrypoint {
  const cpuMs = cpuLimitMs(configuredTimeoutMs);
  const id = isolateId(spec, hash, cpuMs);
  const code = () => buildWorkerCode(spec, host, cpuMs);
  if (keepsIsolate(knownIsolates.has(id), knownIsolates.size, budget)) {
    noteKnown(id);
    return loader.get(id, code).getEntrypoint() as unknown as SandboxEntrypoint;
  }
  return loader.load(code()).getEntrypoint() as unknown as SandboxEntrypoint;
}

/** Whether an isolate is kept by the loader: one already kept, or a new one while fewer than `budget` are. */
export const keepsIsolate = (known: boolean, kept: number, budget: number) => known || kept < budget;

/** OVERLAP_COLD_BUILDS: anything but "0" (unset too) builds a cold isolate while the gate admits. */
const overlapsColdBuilds = () => (workerEnv as { OVERLAP_COLD_BUILDS?: string }).OVERLAP_COLD_BUILDS !== "0";

/** ISOLATE_BUDGET, the most isolates this Worker has the loader keep (unset or not a positive integer: no limit). */
function isolateBudget(): number {
  const n = Number((workerEnv as { ISOLATE_BUDGET?: string }).ISOLATE_BUDGET);
  return Number.isInteger(n) && n > 0 ? n : Infinity;
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
 *
 * Unless `overlap` is off (OVERLAP_COLD_BUILDS=0, set by the local launchers): the local runtime
 * runs the gate and the build on one thread, so nothing overlaps, and the warm-up call (and the
 * Tail event it makes) only added to every cold start — p50 19.8 ms with it against 17.9 ms without,
 * four runs each of 150 cold starts after a restart. On Cloudflare the gate is elsewhere, and the
 * build can go on while its answer travels.
 */
export function warmSandbox(loader: WorkerLoader, host: HostExports, spec: SandboxSpec, hash: string, configuredTimeoutMs: number, overlap = overlapsColdBuilds()): void {
  // Known: warm already. Over the budget: its isolate would serve only the warm-up call.
  if (!overlap || knownIsolates.has(isolateId(spec, hash, cpuLimitMs(configuredTimeoutMs))) || !keepsIsolate(false, knownIsolates.size, isolateBudget())) return;
  try {
    sandboxFor(loader, host, spec, hash, configuredTimeoutMs).warm().catch(() => undefined);
  } catch {
    /* never throws: run() meets the same failure and reports it */
  }
}

/**
 * How many isolates this Worker isolate has built or called since it started. Locally that is the
 * number the runtime holds (workerd keeps every one for the life of the process), which npm start's
 * supervisor allows memory for (GET /admin/runtime).
 */
export const loadedIsolateCount = () => knownIsolates.size;

/** Whether this Worker has the loader keep the isolate of this version (for tests and diagnostics). */
export const isKept = (spec: SandboxSpec, hash: string, configuredTimeoutMs: number) => knownIsolates.has(isolateId(spec, hash, cpuLimitMs(configuredTimeoutMs)));

function noteKnown(id: string) {
  knownIsolates.delete(id);
  knownIsolates.add(id);
  if (knownIsolates.size > KNOWN_MAX) knownIsolates.delete(knownIsolates.values().next().value!);
}
