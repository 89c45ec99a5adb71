// Reading the data plane: record pages, one record with its logs, log search and export pages,
// metrics buckets. Every statement is bounded by a LIMIT or a bucket range.
import { HISTOGRAM_COLUMNS, KEYS_PER_MS, STATUS_COLUMN } from "./schema";
import { INVOCATION_STATUSES, type InvocationRecord, type LogHit, type LogQuery, type MetricsBucket, type RecordQuery, type StoredLog } from "./types";

type Row = Record<string, SqlStorageValue>;

const toRecord = (r: Row): InvocationRecord => ({
  id: r.id as string,
  lambdaUuid: r.lambda_uuid as string,
  deploymentId: r.deployment_id as string | null,
  version: r.version as number | null,
  trigger: r.trigger as InvocationRecord["trigger"],
  status: r.status as InvocationRecord["status"],
  errorCode: r.error_code as string | null,
  startedAt: r.started_at as number,
  durationMs: r.duration_ms as number,
  requestId: r.request_id as string,
  outbound: JSON.parse(r.outbound as string),
  scheduleId: r.schedule_id as string | null,
});

/** Records newest first, limit + 1 of them (the extra one tells there is more). */
export function listRecords(sql: SqlStorage, q: RecordQuery): InvocationRecord[] {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  if (q.lambdaUuid !== undefined) where.push("lambda_uuid = ?"), args.push(q.lambdaUuid);
  if (q.status !== undefined) where.push("status = ?"), args.push(q.status);
  if (q.from !== undefined) where.push("started_at >= ?"), args.push(q.from);
  if (q.to !== undefined) where.push("started_at <= ?"), args.push(q.to);
  if (q.before) where.push("(started_at < ? OR (started_at = ? AND id < ?))"), args.push(q.before.startedAt, q.before.startedAt, q.before.id);
  const rows = sql.exec<Row>(
    `SELECT * FROM invocations ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, id DESC LIMIT ?`,
    ...args,
    q.limit + 1,
  );
  return rows.toArray().map(toRecord);
}

export function getRecord(sql: SqlStorage, id: string): (InvocationRecord & { logs: StoredLog[] }) | null {
  const row = sql.exec<Row>("SELECT * FROM invocations WHERE id = ?", id).toArray()[0];
  if (!row) return null;
  const logs = sql
    .exec<Row>("SELECT l.level, t.message, t.extras, l.key FROM logs l JOIN log_text t ON t.rowid = l.key WHERE l.invocation_id = ? ORDER BY l.seq", id)
    .toArray()
    .map((l) => ({ level: l.level as StoredLog["level"], message: l.message as string, extras: JSON.parse(l.extras as string), timestamp: Math.floor((l.key as number) / KEYS_PER_MS) }));
  return { ...toRecord(row), logs };
}

/**
 * Log entries matching the query, limit + 1 of them, newest first (search) or oldest first
 * (export). `q` goes to FTS5 as it is; a malformed one throws SQLite's own message
 * ("fts5: syntax error near ..."), which the caller turns into a 400.
 */
export function findLogs(sql: SqlStorage, q: LogQuery): LogHit[] {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  // The time span and the cursor are a key range: FTS5 and the primary key both narrow to it.
  let low = q.from !== undefined ? q.from * KEYS_PER_MS : 0;
  let high = q.to !== undefined ? (q.to + 1) * KEYS_PER_MS - 1 : Number.MAX_SAFE_INTEGER;
  if (q.cursor !== undefined) {
    if (q.order === "newest") high = Math.min(high, q.cursor - 1);
    else low = Math.max(low, q.cursor + 1);
  }
  where.push("t.rowid BETWEEN ? AND ?"), args.push(low, high);
  if (q.q !== undefined) where.push("log_text MATCH ?"), args.push(q.q);
  if (q.lambdaUuid !== undefined) where.push("l.lambda_uuid = ?"), args.push(q.lambdaUuid);
  if (q.requestId !== undefined) where.push("l.request_id = ?"), args.push(q.requestId);
  if (q.status !== undefined) where.push("l.status = ?"), args.push(q.status);
  if (q.levels?.length) where.push(`l.level IN (${q.levels.map(() => "?").join(", ")})`), args.push(...q.levels);
  const rows = sql.exec<Row>(
    `SELECT t.rowid AS key, t.message, t.extras, l.level, l.lambda_uuid, l.invocation_id, l.request_id
     FROM log_text t JOIN logs l ON l.key = t.rowid
     WHERE ${where.join(" AND ")}
     ORDER BY t.rowid ${q.order === "newest" ? "DESC" : "ASC"} LIMIT ?`,
    ...args,
    q.limit + 1,
  );
  return rows.toArray().map((r) => ({
    key: r.key as number,
    lambdaUuid: r.lambda_uuid as string,
    invocationId: r.invocation_id as string,
    requestId: r.request_id as string,
    level: r.level as StoredLog["level"],
    message: r.message as string,
    extras: JSON.parse(r.extras as string),
    timestamp: Math.floor((r.key as number) / KEYS_PER_MS),
  }));
}

const SUMS = [...Object.values(STATUS_COLUMN), ...HISTOGRAM_COLUMNS].map((c) => `sum(${c}) AS ${c}`).join(", ");

/**
 * Buckets of `size` ms (a multiple of 5 minutes, aligned to the epoch) over [from, to), summed over
 * every function or one: one row per non-empty bucket, however many functions there are.
 */
export function metricsSeries(sql: SqlStorage, from: number, to: number, size: number, lambdaUuid?: string): MetricsBucket[] {
  const rows = sql.exec<Row>(
    `SELECT bucket - (bucket % ?) AS start, ${SUMS} FROM metrics
     WHERE bucket >= ? AND bucket < ? ${lambdaUuid !== undefined ? "AND lambda_uuid = ?" : ""}
     GROUP BY start ORDER BY start`,
    size,
    from,
    to,
    ...(lambdaUuid !== undefined ? [lambdaUuid] : []),
  );
  return rows.toArray().map((r) => ({
    lambdaUuid: lambdaUuid ?? "*",
    bucket: r.start as number,
    counts: Object.fromEntries(INVOCATION_STATUSES.map((s) => [s, r[STATUS_COLUMN[s]] as number])) as MetricsBucket["counts"],
    histogram: HISTOGRAM_COLUMNS.map((c) => r[c] as number),
  }));
}

/** Counts per function over the buckets of [from, to): one row per function that ran. */
export function metricsByFunction(sql: SqlStorage, from: number, to: number): { lambdaUuid: string; counts: MetricsBucket["counts"] }[] {
  const sums = Object.values(STATUS_COLUMN).map((c) => `sum(${c}) AS ${c}`).join(", ");
  const rows = sql.exec<Row>(`SELECT lambda_uuid, ${sums} FROM metrics WHERE bucket >= ? AND bucket < ? GROUP BY lambda_uuid`, from, to);
  return rows.toArray().map((r) => ({
    lambdaUuid: r.lambda_uuid as string,
    counts: Object.fromEntries(INVOCATION_STATUSES.map((s) => [s, r[STATUS_COLUMN[s]] as number])) as MetricsBucket["counts"],
  }));
}

/** Records started within [from, to] counted by status (for the partial buckets at a span's edges). */
export function countRecords(sql: SqlStorage, from: number, to: number): Record<InvocationRecord["status"], number> {
  const counts = Object.fromEntries(INVOCATION_STATUSES.map((s) => [s, 0])) as Record<InvocationRecord["status"], number>;
  if (to < from) return counts;
  for (const r of sql.exec<{ status: string; n: number }>("SELECT status, count(*) AS n FROM invocations WHERE started_at BETWEEN ? AND ? GROUP BY status", from, to)) {
    counts[r.status as InvocationRecord["status"]] = r.n;
  }
  return counts;
}
