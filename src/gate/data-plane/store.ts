// Writing the data plane: records, their log entries (with the full-text index) and the metrics
// buckets, all in the caller's transaction (AccountGate wraps each call in transactionSync, with
// the lease deletions that go with them).
import { durationClass } from "./histogram";
import type { LogPartitions } from "./partitions";
import { HISTOGRAM_COLUMNS, KEYS_PER_MS, STATUS_COLUMN } from "./schema";
import { METRICS_BUCKET_MS, type InvocationRecord, type RecordWithLogs, type StoredLog } from "./types";

/**
 * Hands out log keys: timestamp * KEYS_PER_MS + a counter, unique and in time order. The next free
 * counter of recently used milliseconds is remembered; for another millisecond it is read once.
 */
export class LogKeys {
  private readonly next = new Map<number, number>();
  constructor(private readonly sql: SqlStorage) {}

  take(timestamp: number): number {
    for (let ms = Math.max(0, Math.floor(timestamp)); ; ms++) {
      const base = ms * KEYS_PER_MS;
      let n = this.next.get(ms);
      if (n === undefined) {
        const row = this.sql.exec<{ top: number | null }>("SELECT max(key) AS top FROM logs WHERE key >= ? AND key < ?", base, base + KEYS_PER_MS).one();
        n = row.top === null ? 0 : row.top - base + 1;
      }
      if (n < KEYS_PER_MS) {
        this.next.set(ms, n + 1);
        if (this.next.size > 4096) this.next.delete(this.next.keys().next().value!);
        return base + n;
      }
      this.next.set(ms, n); // full: spill into the next millisecond
    }
  }

  /** Keys below `key` were deleted (retention): forget counters that could refer to them. */
  forgetBelow(key: number) {
    for (const ms of this.next.keys()) if (ms * KEYS_PER_MS < key) this.next.delete(ms);
  }
}

/** Where log entries go: their keys, and the full-text index by day. */
export interface LogWriter {
  keys: LogKeys;
  partitions: LogPartitions;
}

/**
 * Stores records with their logs and counts them into the metrics. A record already stored (a
 * retried call, or one the reclaim wrote) is left as it is, with its logs and its count: answers
 * the ids actually stored.
 */
export function storeRecords(sql: SqlStorage, log: LogWriter, batch: RecordWithLogs[]): string[] {
  const stored: InvocationRecord[] = [];
  for (const { record: r, logs, logsAwaited } of batch) {
    const wrote = sql.exec(
      `INSERT INTO invocations (id, lambda_uuid, deployment_id, version, trigger, status, error_code, started_at, duration_ms, request_id, outbound, schedule_id, logs_awaited, parent_invocation_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      r.id, r.lambdaUuid, r.deploymentId, r.version, r.trigger, r.status, r.errorCode, r.startedAt, r.durationMs, r.requestId, JSON.stringify(r.outbound), r.scheduleId, logsAwaited ?? null, r.parentInvocationId ?? null,
    ).rowsWritten;
    if (wrote === 0) continue;
    stored.push(r);
    insertLogs(sql, log, r, logs, 0);
  }
  countIntoMetrics(sql, stored);
  return stored.map((r) => r.id);
}

function insertLogs(sql: SqlStorage, log: LogWriter, r: Pick<InvocationRecord, "id" | "lambdaUuid" | "requestId" | "status">, logs: StoredLog[], firstSeq: number) {
  logs.forEach((l, i) => {
    const key = log.keys.take(l.timestamp);
    const extras = JSON.stringify(l.extras);
    sql.exec(
      "INSERT INTO logs (key, invocation_id, lambda_uuid, request_id, status, seq, level, message, extras) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      key, r.id, r.lambdaUuid, r.requestId, r.status, firstSeq + i, l.level, l.message, extras,
    );
    log.partitions.index(key, l.message, extras);
  });
}

/**
 * Adds the runtime's log entries to a record stored while they were awaited (logs_awaited holds
 * the trail's token), after the entries it has, once. Answers "added", "ignored" (no such wait:
 * already added, the function delivered its own, or not this invocation's trail) or "no-record"
 * (not stored yet).
 */
export function amendLogs(sql: SqlStorage, log: LogWriter, invocationId: string, token: string, logs: StoredLog[]): "added" | "ignored" | "no-record" {
  const row = sql.exec<{ lambda_uuid: string; request_id: string; status: string; logs_awaited: string | null }>(
    "SELECT lambda_uuid, request_id, status, logs_awaited FROM invocations WHERE id = ?",
    invocationId,
  ).toArray()[0];
  if (!row) return "no-record";
  if (row.logs_awaited === null || row.logs_awaited !== token) return "ignored";
  const next = sql.exec<{ n: number | null }>("SELECT max(seq) + 1 AS n FROM logs WHERE invocation_id = ?", invocationId).one().n ?? 0;
  const r = { id: invocationId, lambdaUuid: row.lambda_uuid, requestId: row.request_id, status: row.status as InvocationRecord["status"] };
  insertLogs(sql, log, r, logs, next);
  sql.exec("UPDATE invocations SET logs_awaited = NULL WHERE id = ?", invocationId);
  return "added";
}

/** Adds records to their (function, 5-minute bucket) rows: one upsert per row touched. */
function countIntoMetrics(sql: SqlStorage, records: InvocationRecord[]) {
  const rows = new Map<string, { lambdaUuid: string; bucket: number; counts: Record<string, number> }>();
  for (const r of records) {
    const bucket = r.startedAt - (r.startedAt % METRICS_BUCKET_MS);
    const id = `${r.lambdaUuid} ${bucket}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { lambdaUuid: r.lambdaUuid, bucket, counts: {} }));
    for (const column of [STATUS_COLUMN[r.status], HISTOGRAM_COLUMNS[durationClass(r.durationMs)]!]) row.counts[column] = (row.counts[column] ?? 0) + 1;
  }
  for (const { lambdaUuid, bucket, counts } of rows.values()) {
    // Column names come from the fixed lists in schema.ts, never from input.
    const columns = Object.keys(counts);
    sql.exec(
      `INSERT INTO metrics (lambda_uuid, bucket, ${columns.join(", ")}) VALUES (?, ?, ${columns.map(() => "?").join(", ")})
       ON CONFLICT (lambda_uuid, bucket) DO UPDATE SET ${columns.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
      lambdaUuid, bucket, ...columns.map((c) => counts[c]!),
    );
  }
}
