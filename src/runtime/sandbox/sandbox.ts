import { buildWorkerCode, cpuLimitMs, isolateId, type HostExports, type SandboxSpec } from "./worker-code";

export interface LogEntry {
  level: "Debug" | "Info" | "Warn" | "Error";
  message: string;
  extras: unknown[];
  timestamp: number;
}

export interface ErrorDescription {
  name: string;
  message: string;
  stack?: string;
}

/**
 * One outbound request of an invocation: the HTTP status that came back, "blocked" (refused by the
 * allow-list) or "failed" (the request threw, e.g. a network error).
 */
export interface OutboundCall {
  host: string;
  method: string;
  status: number | "blocked" | "failed";
  durationMs: number;
}

export type RunResult =
  | { ok: true; result: unknown; logs: LogEntry[]; dropped: number; outbound?: OutboundCall[] }
  | { ok: false; kind: "callback" | "throw" | "result"; error: ErrorDescription; logs: LogEntry[]; dropped: number; outbound?: OutboundCall[] };

interface SandboxEntrypoint {
  validate(): Promise<{ ok: true } | { ok: false; error: ErrorDescription }>;
  run(input: unknown): Promise<RunResult>;
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
