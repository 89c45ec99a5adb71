// What the host itself observes of one invocation while it runs: the outbound requests Egress
// handled for it, the log entries the platform adds (a refused request), and the secret values the
// toolbelt served it. The invocation record is built from this, not from anything the tenant
// isolate reports, so brand code cannot forge or hide what it sent out.
import type { LogEntry, OutboundCall } from "./sandbox/sandbox";

/** How many outbound calls one invocation record lists; the rest are not listed. */
export const OUTBOUND_RECORD_MAX = 50;

/** A secret the toolbelt served (read or written): its key and its value as stored (string or JSON). */
export type NotedSecret = [key: string, value: unknown];

export class Observation {
  readonly outbound: OutboundCall[] = [];
  readonly notes: LogEntry[] = [];
  readonly secrets = new Map<string, unknown>();

  call(call: OutboundCall): void {
    if (this.outbound.length < OUTBOUND_RECORD_MAX) this.outbound.push(call);
  }

  note(level: LogEntry["level"], message: string): void {
    this.notes.push({ level, message, extras: [], timestamp: Date.now() });
  }

  secret(key: string, value: unknown): void {
    this.secrets.set(key, value);
  }
}

// The invocations running in this host isolate, per function: Egress requests that arrive without
// an invocation's channel (a raw socket, or a request made outside the wrapper's fetch) are listed
// in every invocation of that function running at the time, so a request is never hidden, and
// marked as not tied to one invocation.
const running = new Map<string, Set<Observation>>();
const functionKey = (accountId: string, lambdaUuid: string) => `${accountId}/${lambdaUuid}`;

/** Registers a running invocation; the answer unregisters it. */
export function watchInvocation(accountId: string, lambdaUuid: string, observation: Observation): () => void {
  const key = functionKey(accountId, lambdaUuid);
  let set = running.get(key);
  if (!set) running.set(key, (set = new Set()));
  set.add(observation);
  return () => {
    set.delete(observation);
    if (set.size === 0 && running.get(key) === set) running.delete(key);
  };
}

/** The invocations of a function running now in this isolate (possibly none). */
export function runningInvocations(accountId: string, lambdaUuid: string): Observation[] {
  return [...(running.get(functionKey(accountId, lambdaUuid)) ?? [])];
}
