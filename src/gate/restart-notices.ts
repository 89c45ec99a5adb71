// Why the local runtime was restarted, as told by its supervisor (scripts/lib/supervised-runtime.mjs,
// through POST /admin/runtime/restarts), so that the invocations lost in a restart are recorded with
// the real cause (reclaim.ts) instead of a generic "lost". Only `npm start` has a supervisor; on
// Cloudflare nothing writes notices and the reclaim's generic message stays.
//
// Kept in KV under one key, a short list (the supervisor is the only writer, a restart is rare).
import { LEASE_MARGIN_MS, type InvocationOutcome, type Lease } from "./lease";

export type RestartCause = "cpu-stall" | "memory-ceiling" | "exit";

export interface RestartNotice {
  cause: RestartCause;
  /** When the supervisor ended the runtime (ms since the epoch). */
  at: number;
  /** memory-ceiling: the ceiling the runtime passed. */
  ceilingMiB?: number;
  /** cpu-stall: how long the runtime had not answered. */
  stalledMs?: number;
  /**
   * The invocations the local front proxy had answered shortly before the restart (by invocation
   * id): what their callers were told, and when. Their records may not have been written yet.
   */
  answered?: Record<string, AnsweredOutcome>;
}

/** An answer the front proxy passed on (from the Worker's X-Edgefn-Outcome header, api/invoke.ts). */
export interface AnsweredOutcome {
  status: InvocationOutcome["status"];
  errorCode: string | null;
  /** When the answer was passed on (ms since the epoch). */
  at: number;
}

/** What the caller of a lease's invocation was answered, if a restart notice says so. */
export function answeredBefore(lease: Lease, notices: RestartNotice[]): AnsweredOutcome | undefined {
  for (const n of notices) {
    const a = n.answered?.[lease.invocationId];
    if (a) return a;
  }
  return undefined;
}

export const RESTART_NOTICES_KEY = "runtime:restart-notices";
/**
 * The supervisor tells why a moment after the restart; under it, a lost lease is closed this much
 * later than elsewhere (account-gate.ts), so its record can name the cause even when the lease
 * expired during the restart.
 */
export const RESTART_NOTICE_GRACE_MS = 15_000;
const NOTICES_KEPT = 50;
// A lease expires at most its timeout (≤ 300 s) + margin after its start: older notices never match.
const NOTICE_MAX_AGE_MS = 24 * 3600_000;

/** The stored notices, newest last; none when KV cannot be read (the generic message is used then). */
export async function readRestartNotices(kv: KVNamespace): Promise<RestartNotice[]> {
  try {
    return (await kv.get<RestartNotice[]>(RESTART_NOTICES_KEY, "json")) ?? [];
  } catch {
    return [];
  }
}

/** Adds a notice (dropping old ones). */
export async function recordRestartNotice(kv: KVNamespace, notice: RestartNotice, now = Date.now()): Promise<void> {
  const kept = (await readRestartNotices(kv)).filter((n) => n.at > now - NOTICE_MAX_AGE_MS);
  kept.push(notice);
  await kv.put(RESTART_NOTICES_KEY, JSON.stringify(kept.slice(-NOTICES_KEPT)));
}

/**
 * The restart that ended a lease's invocation: the first one between its start and the time its
 * lease is closed under the supervisor (a function in a CPU loop runs past its deadline locally).
 */
export function restartDuring(lease: Lease, notices: RestartNotice[]): RestartNotice | undefined {
  return notices
    .filter((n) => n.at >= lease.startedAt && n.at <= lease.deadline + LEASE_MARGIN_MS + RESTART_NOTICE_GRACE_MS)
    .sort((a, b) => a.at - b.at)[0];
}

const RETRY = "It may have partly run; retry it if it is safe to.";

/** The record's log line for an invocation lost in a restart, naming the cause honestly. */
export function restartMessage(n: RestartNotice): string {
  const when = new Date(n.at).toISOString();
  switch (n.cause) {
    case "memory-ceiling":
      return (
        `The local runtime passed its memory ceiling of ${n.ceilingMiB} MiB and was restarted at ${when} while this invocation ran; ` +
        `this invocation or another one running at the same time used that memory (on Cloudflare an isolate may use 128 MB). ${RETRY}`
      );
    case "cpu-stall":
      return (
        `The local runtime stopped answering for ${((n.stalledMs ?? 0) / 1000).toFixed(1)} s, held by a function using the CPU without pause ` +
        `(the local runtime enforces no CPU limit), and was restarted at ${when} while this invocation ran; this invocation or another one ` +
        `running at the same time held the CPU. ${RETRY}`
      );
    default:
      return `The local runtime exited unexpectedly and was restarted at ${when} while this invocation ran. ${RETRY}`;
  }
}
