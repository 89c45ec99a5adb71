// Reading the data plane: record pages, one record with its logs, log search and export pages,
// metrics buckets. Every statement is bounded by a LIMIT or a bucket range.
import { keyRangeChunks, type KeyedRow, type LogPartitions } from "./partitions";
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
  parentInvocationId: (r.parent_invocation_id ?? null) as string | null,
});

/** Records newest first, limit + 1 of them (the extra one tells there is more). */
export function listRecords(sql: SqlStorage, q: RecordQuery): InvocationRecord[] {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  if (q.lambdaUuid !== undefined) where.push("lambda_uuid = ?"), args.push(q.lambdaUuid);
  if (q.status !== undefined) where.push("status = ?"), args.push(q.status);
  if (q.from !== undefined) where.push("started_at >= ?"), args.push(q.from);
  if (q.to !== undefined) where.push("started_at <= ?"), args.push(q.to);
  // A row value, which SQLite reads through the index; the same condition spelt with OR read every
  // record before the cursor.
  if (q.before) where.push("(started_at, id) < (?, ?)"), args.push(q.before.startedAt, q.before.id);
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
    .exec<Row>("SELECT level, message, extras, key FROM logs WHERE invocation_id = ? ORDER BY seq", id)
    .toArray()
    .map((l) => ({ level: l.level as StoredLog["level"], message: l.message as string, extras: JSON.parse(l.extras as string), timestamp: Math.floor((l.key as number) / KEYS_PER_MS) }));
  return { ...toRecord(row), logs };
}

/** Entries one search or export call reads at most; past it, the caller gets a cursor to go on from. */
export const LOG_SCAN_MAX = 5_000;

/**
 * Log entries matching the query, newest first (search) or oldest first (export), at most `limit`,
 * and where to go on from (`next`: the last key read, null when nothing is left). Each call reads
 * at most LOG_SCAN_MAX entries, so no search holds the account's object for long, whatever it asks;
 * a page may then hold fewer than `limit` entries and still have a `next`.
 *
 * The entries are read in key order from the narrowest index, which also gives the order (no sort):
 * for `q`, the full-text index day by day (within the request's span when there is a request id),
 * else the request id's, else the function's, else the time span; the other filters are checked as
 * the entries are read. `q` goes to FTS5 as it is; a malformed one throws SQLite's own message
 * ("fts5: syntax error near ..."), which the caller turns into a 400.
 */
export function findLogs(sql: SqlStorage, partitions: LogPartitions, q: LogQuery): { hits: LogHit[]; next: number | null } {
  // The time span and the cursor are a key range: every index below narrows to it.
  let low = q.from !== undefined ? q.from * KEYS_PER_MS : 0;
  let high = q.to !== undefined ? (q.to + 1) * KEYS_PER_MS - 1 : Number.MAX_SAFE_INTEGER;
  if (q.cursor !== undefined) {
    if (q.order === "newest") high = Math.min(high, q.cursor - 1);
    else low = Math.max(low, q.cursor + 1);
  }
  const dir = q.order === "newest" ? "DESC" : "ASC";
  const columns = "l.key, l.level, l.lambda_uuid, l.invocation_id, l.request_id, l.status, l.message, l.extras";
  // Chunks: enough for a page when the filters keep most entries, growing when they do not.
  const first = Math.min(LOG_SCAN_MAX, Math.max(2 * q.limit, 100));
  const inChunks = (statement: string, ...args: SqlStorageValue[]) =>
    keyRangeChunks<KeyedRow>((lo, hi, n) => sql.exec<KeyedRow>(statement, ...args, lo, hi, n).toArray(), low, high, q.order === "newest", first, LOG_SCAN_MAX);
  let rows: Iterable<KeyedRow>;
  if (q.q !== undefined) {
    // Parsed first against an empty index, so a malformed query is refused even if no day is searched.
    sql.exec("SELECT count(*) FROM log_query_check WHERE log_query_check MATCH ?", q.q).toArray();
    if (q.requestId !== undefined) {
      const span = sql.exec<{ lo: number | null; hi: number | null }>("SELECT min(key) AS lo, max(key) AS hi FROM logs INDEXED BY logs_request WHERE request_id = ? AND key BETWEEN ? AND ?", q.requestId, low, high).one();
      if (span.lo === null || span.hi === null) return { hits: [], next: null };
      [low, high] = [span.lo, span.hi];
    }
    rows = partitions.search<KeyedRow>(columns, q.q, low, high, q.order === "newest", first, LOG_SCAN_MAX);
  } else if (q.requestId !== undefined) {
    rows = inChunks(`SELECT ${columns} FROM logs l INDEXED BY logs_request WHERE l.request_id = ? AND l.key BETWEEN ? AND ? ORDER BY l.key ${dir} LIMIT ?`, q.requestId);
  } else if (q.lambdaUuid !== undefined) {
    rows = inChunks(`SELECT ${columns} FROM logs l INDEXED BY logs_lambda WHERE l.lambda_uuid = ? AND l.key BETWEEN ? AND ? ORDER BY l.key ${dir} LIMIT ?`, q.lambdaUuid);
  } else {
    rows = inChunks(`SELECT ${columns} FROM logs l WHERE l.key BETWEEN ? AND ? ORDER BY l.key ${dir} LIMIT ?`);
  }
  const levels = q.levels?.length ? new Set<string>(q.levels) : null;
  const found: KeyedRow[] = [];
  let scanned = 0;
  let last: number | null = null;
  let more = false;
  // Leaving the loop stops the reading (no chunk or day is fetched past it).
  for (const r of rows) {
    if (found.length === q.limit || scanned === LOG_SCAN_MAX) {
      more = true;
      break;
    }
    scanned++;
    last = r.key;
    if (q.requestId !== undefined && r.request_id !== q.requestId) continue;
    if (q.lambdaUuid !== undefined && r.lambda_uuid !== q.lambdaUuid) continue;
    if (q.status !== undefined && r.status !== q.status) continue;
    if (levels && !levels.has(r.level as string)) continue;
    found.push(r);
  }
  const hits = found.map((r) => ({
      key: r.key as number,
      lambdaUuid: r.lambda_uuid as string,
      invocationId: r.invocation_id as string,
      requestId: r.request_id as string,
      level: r.level as StoredLog["level"],
      message: r.message as string,
      extras: JSON.parse(r.extras as string),
      timestamp: Math.floor((r.key as number) / KEYS_PER_MS),
  }));
  return { hits, next: more ? last : null };
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
