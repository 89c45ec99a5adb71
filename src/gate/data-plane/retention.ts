// Retention: records, log entries and metrics older than the account's logRetentionDays are
// deleted by the AccountGate's alarm in bounded steps, so that a step never holds the object long
// enough to delay an invocation's admission noticeably (npm run bench measures invoke p99 while
// a million entries are deleted).
import type { LogWriter } from "./store";
import { KEYS_PER_MS } from "./schema";
import { METRICS_BUCKET_MS } from "./types";

/**
 * Rows deleted per table per step, and the pause before the next step when a table had more. A step
 * holds the account's object for a few milliseconds (admissions wait behind it); the pause lets the
 * admissions that queued meanwhile through. While the account is busy (an invocation admitted in
 * the last second, or one running) the pause is longer: a backlog (a shortened retention) then
 * drains at about 500 entries a second instead of about 7,000, and invocations keep their latency
 * (with 100 ms the bench measured invoke p99 1.18–1.27 × its control while a backlog drained).
 * The full-text index is not deleted row by row (partitions.ts), so a step touches plain tables only.
 */
export const RETENTION_STEP_ROWS = 120;
export const RETENTION_PAUSE_MS = 15;
export const RETENTION_BUSY_PAUSE_MS = 250;

/** After a day's index could not be dropped (a read still open), try again this much later. */
const DROP_RETRY_MS = 60_000;

/**
 * Deletes one step of what is older than `cutoff` (epoch ms). Answers whether more remains (run
 * another step) and otherwise when the oldest remaining row expires (null: nothing stored).
 */
export function deleteExpired(sql: SqlStorage, log: LogWriter, cutoff: number, retentionMs: number): { more: boolean; nextExpiry: number | null } {
  const cutoffKey = cutoff * KEYS_PER_MS;
  const logs = sql.exec<{ key: number }>(
    `DELETE FROM logs WHERE key IN (SELECT key FROM logs WHERE key < ? ORDER BY key LIMIT ${RETENTION_STEP_ROWS}) RETURNING key`,
    cutoffKey,
  ).toArray();
  if (logs.length > 0) log.keys.forgetBelow(logs.reduce((m, r) => Math.max(m, r.key), 0) + 1);
  // The full-text index goes a whole day at a time, once all of the day has expired (partitions.ts);
  // until then a search skips the entries deleted above.
  const drop = logs.length < RETENTION_STEP_ROWS ? log.partitions.dropOneBelow(cutoffKey) : "none";
  const dropped = drop === "dropped";
  const records = sql.exec(
    `DELETE FROM invocations WHERE id IN (SELECT id FROM invocations WHERE started_at < ? ORDER BY started_at LIMIT ${RETENTION_STEP_ROWS})`,
    cutoff,
  ).rowsWritten;
  // A bucket goes when all of it is past the cutoff.
  sql.exec(
    `DELETE FROM metrics WHERE (lambda_uuid, bucket) IN (SELECT lambda_uuid, bucket FROM metrics WHERE bucket <= ? LIMIT ${RETENTION_STEP_ROWS})`,
    cutoff - METRICS_BUCKET_MS,
  );
  const more = logs.length === RETENTION_STEP_ROWS || records >= RETENTION_STEP_ROWS || dropped;
  if (more) return { more, nextExpiry: null };
  if (drop === "locked") return { more, nextExpiry: cutoff + retentionMs + DROP_RETRY_MS }; // now + DROP_RETRY_MS
  const oldest = sql.exec<{ at: number | null }>("SELECT min(started_at) AS at FROM invocations").one().at;
  const oldestLog = sql.exec<{ key: number | null }>("SELECT min(key) AS key FROM logs").one().key;
  const candidates = [oldest, oldestLog === null ? null : Math.floor(oldestLog / KEYS_PER_MS), log.partitions.oldestEnd()].filter((x): x is number => x !== null);
  return { more, nextExpiry: candidates.length ? Math.min(...candidates) + retentionMs : null };
}
