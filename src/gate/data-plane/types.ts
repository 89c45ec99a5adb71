// What the per-account data plane (the AccountGate's SQLite storage) keeps and answers: invocation
// records, their log entries and metrics buckets. Plain data only: these cross the Durable Object
// RPC boundary.

export type InvocationStatus = "SUCCEEDED" | "CODING_FAILURE" | "PLATFORM_FAILURE" | "TIMEOUT";
export const INVOCATION_STATUSES: readonly InvocationStatus[] = ["SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"];
export type Trigger = "http" | "test" | "schedule" | "event";
export type LogLevel = "Debug" | "Info" | "Warn" | "Error";
export const LOG_LEVELS: readonly LogLevel[] = ["Debug", "Info", "Warn", "Error"];

/**
 * One outbound request of an invocation, as Egress saw it (one entry per hop of a followed
 * redirect): the HTTP status that came back, "blocked" (refused: allow-list, raw socket, redirect
 * chain) or "failed" (a network error). `path` is the path and query, secrets redacted, cut at
 * OUTBOUND_PATH_MAX characters. `unattributed` marks a request that did not come through the
 * invocation's own channel (a raw socket, or fetch() used outside the platform's wrapper): it is
 * listed in every invocation of the function that was running at the time.
 */
export interface StoredOutbound {
  host: string;
  method: string;
  path?: string;
  status: number | "blocked" | "failed";
  durationMs: number;
  unattributed?: true;
}

export interface InvocationRecord {
  id: string;
  lambdaUuid: string;
  deploymentId: string | null;
  version: number | null;
  trigger: Trigger;
  status: InvocationStatus;
  errorCode: string | null;
  startedAt: number;
  durationMs: number;
  requestId: string;
  outbound: StoredOutbound[];
  scheduleId: string | null;
  /**
   * The invocation that called this one through Toolbelt.OrchestratorClient(); null otherwise.
   * Optional: records written before it existed (and the bench's seed) leave it out.
   */
  parentInvocationId?: string | null;
}

export interface StoredLog {
  level: LogLevel;
  message: string;
  extras: unknown[];
  timestamp: number;
}

/** An invocation's record and the log entries kept with it (LivePerson's limits already applied). */
export interface RecordWithLogs {
  record: InvocationRecord;
  logs: StoredLog[];
  /**
   * The isolate never answered with its capture: the runtime's Tail adds its logs later
   * (amendLogs), proving with this token (the host's secret of the invocation's trail) whose they are.
   */
  logsAwaited?: string;
}

/** A page of records, newest first; `after` = the (startedAt, id) of the last one when there is more. */
export interface RecordPage {
  items: InvocationRecord[];
  more: { startedAt: number; id: string } | null;
  /** Records of this account may still be in D1 (written before the data plane): read them too. */
  legacyPending: boolean;
}

export interface RecordQuery {
  lambdaUuid?: string;
  status?: InvocationStatus;
  from?: number;
  to?: number;
  /** Only records strictly before this (startedAt, id) in newest-first order. */
  before?: { startedAt: number; id: string };
  limit: number;
}

/** One log entry as search and export answer it. `key` orders entries by time (and is the cursor). */
export interface LogHit extends StoredLog {
  key: number;
  lambdaUuid: string;
  invocationId: string;
  requestId: string;
}

export interface LogQuery {
  q?: string;
  lambdaUuid?: string;
  levels?: LogLevel[];
  requestId?: string;
  status?: InvocationStatus;
  from?: number;
  to?: number;
  /** Search (newest first): entries with a key below it. Export (oldest first): above it. */
  cursor?: number;
  limit: number;
  order: "newest" | "oldest";
}

/** Counts and a duration histogram of one function in one 5-minute bucket. */
export interface MetricsBucket {
  lambdaUuid: string;
  /** Start of the bucket, epoch ms (a multiple of METRICS_BUCKET_MS). */
  bucket: number;
  counts: Record<InvocationStatus, number>;
  /** Invocations per duration class (see histogram.ts DURATION_BOUNDS_MS). */
  histogram: number[];
}

export const METRICS_BUCKET_MS = 5 * 60 * 1000;

/** A day: the unit of logRetentionDays, and of the full-text index's partitions. */
export const DAY_MS = 24 * 60 * 60 * 1000;
