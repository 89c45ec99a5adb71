// What the AccountGate keeps and answers: leases (one per running invocation), admissions, usage,
// and the limits it enforces. Plain data only: these cross the Durable Object RPC boundary.
import { accountLimits } from "../db/schema";
import { effectiveLimit } from "../limit-definitions";
import type { RecordWithLogs } from "./data-plane/types";

/**
 * A slot taken by one invocation. It holds everything needed to write the invocation's record if
 * the invocation never gives it back (the runtime died): see reclaim.ts.
 */
export interface Lease {
  invocationId: string;
  accountId: string;
  lambdaUuid: string;
  deploymentId: string | null;
  version: number | null;
  trigger: "http" | "test" | "schedule" | "event";
  requestId: string;
  scheduleId?: string | null;
  /** The invocation that called this one (OrchestratorClient); absent in leases of older versions. */
  parentInvocationId?: string | null;
  startedAt: number;
  /** When the invocation must have ended (start + its timeout); the lease expires MARGIN later. */
  deadline: number;
  /**
   * How the invocation ended, when the gate heard it without the record (the local supervisor's
   * restart notice). A lease reclaimed with an outcome gets its record with that outcome: a record
   * never contradicts the answer its caller got.
   */
  outcome?: InvocationOutcome | null;
}

/** The summary of an ended invocation that its record needs (and that its caller's answer showed). */
export interface InvocationOutcome {
  status: "SUCCEEDED" | "CODING_FAILURE" | "TIMEOUT" | "PLATFORM_FAILURE";
  errorCode: string | null;
  durationMs: number;
}

/**
 * What a caller reports along with a call: invocations that ended, each with its record (and the
 * logs kept with it). Storing a record ends its lease in the same transaction: no lease is given
 * back without its record, and no record is stored while its lease still holds a slot.
 */
export interface Settled {
  records?: RecordWithLogs[];
}

/** The limits the gate enforces (effective values). */
export interface GateLimits {
  concurrentInvocations: number;
  invocationsPerMonth: number;
  enforceMonthlyQuota: boolean;
  /** How long the account's records, logs and metrics are kept (the gate's alarm deletes older ones). */
  logRetentionDays?: number;
}

export type Admission =
  | { ok: true }
  /** The caller's cached lookup predates a change (see AccountGate.epoch): nothing was taken. */
  | { ok: false; reason: "stale" }
  | {
      ok: false;
      reason: "concurrency" | "quota";
      /** When trying again makes sense (see AccountGate.acquire). */
      retryAfterSeconds: number;
      /** The limit that refused: concurrentInvocations or invocationsPerMonth. */
      limit: number;
      /** Running invocations (concurrency) or invocations this month (quota). */
      inUse: number;
    };

/** An admission and the account's epoch at the time (see AccountGate). */
export type EpochAdmission = Admission & { epoch: number };

export interface GateUsage {
  /** Invocations holding a slot now. */
  inUse: number;
  /** The UTC calendar month counted, "YYYY-MM". */
  month: string;
  /** Invocations admitted this month (all triggers). */
  invocationsThisMonth: number;
}

/**
 * How long after its deadline a lease expires. The runtime ends every invocation at its deadline
 * (TIMEOUT) and then writes its record and releases the slot; the margin covers that write, so a
 * lease only expires when the invocation really was lost.
 */
export const LEASE_MARGIN_MS = 5_000;

/** "YYYY-MM" of a time, in UTC. */
export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** The first millisecond of the UTC month after the one `ms` falls in. */
export function nextMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The first millisecond of the UTC month `n` months before the one `ms` falls in (0: its own). */
export function monthsBefore(ms: number, n: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 1);
}

// --- the limits of the invocation path, read together with the function (one D1 statement) ---

/** The gate's limits plus the account's timeout override (null: the platform's INVOKE_TIMEOUT_MS). */
export interface InvocationLimits extends GateLimits {
  timeoutMs: number | null;
}

/** Columns to select (left-joined to account_limits) for invocationLimits(). */
export const invocationLimitColumns = {
  concurrentInvocations: accountLimits.concurrentInvocations,
  invocationsPerMonth: accountLimits.invocationsPerMonth,
  enforceMonthlyQuota: accountLimits.enforceMonthlyQuota,
  logRetentionDays: accountLimits.logRetentionDays,
  timeoutMs: accountLimits.timeoutMs,
};

type Overrides = { [K in keyof InvocationLimits]?: InvocationLimits[K] | null };

/** Effective limits from a row of overrides (missing row or null column: the default). */
export const invocationLimits = (o: Overrides | null | undefined): InvocationLimits => ({
  concurrentInvocations: effectiveLimit("concurrentInvocations", o?.concurrentInvocations),
  invocationsPerMonth: effectiveLimit("invocationsPerMonth", o?.invocationsPerMonth),
  enforceMonthlyQuota: effectiveLimit("enforceMonthlyQuota", o?.enforceMonthlyQuota),
  logRetentionDays: effectiveLimit("logRetentionDays", o?.logRetentionDays),
  timeoutMs: o?.timeoutMs ?? null,
});
