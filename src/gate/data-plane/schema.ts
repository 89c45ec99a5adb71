// The data plane's tables, in the SQLite storage of the account's AccountGate (one database per
// account, so no table has an account column: tenancy is the object itself).
//
// - invocations: one record per invocation, as GET /invocations answers it.
// - logs: the log entries kept with each record, with their text. `key` is the entry's timestamp
//   (ms) times KEYS_PER_MS plus a counter, so key order is time order: search pages newest first
//   and export oldest first by key alone, and a time span is a key range.
// - log_text_<day> (listed in log_days): the full-text index, one contentless FTS5 table per UTC
//   day of entries, rowid = key (partitions.ts says why).
// - metrics: per function and 5-minute bucket, counts per status and a duration histogram,
//   updated as records are stored (records are never scanned for metrics).
import { HISTOGRAM_CLASSES } from "./histogram";

export const KEYS_PER_MS = 1024;
export const HISTOGRAM_COLUMNS = Array.from({ length: HISTOGRAM_CLASSES }, (_, i) => `h${i}`);

/** Bump when the statements below change; they must be safe to run again (see upgradeFromV1, upgradeToV3). */
export const DATA_PLANE_SCHEMA_VERSION = 4;

export const DATA_PLANE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS invocations (
     id TEXT PRIMARY KEY,
     lambda_uuid TEXT NOT NULL,
     deployment_id TEXT,
     version INTEGER,
     trigger TEXT NOT NULL,
     status TEXT NOT NULL,
     error_code TEXT,
     started_at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     request_id TEXT NOT NULL,
     outbound TEXT NOT NULL,
     schedule_id TEXT,
     logs_awaited TEXT,
     parent_invocation_id TEXT
   )`,
  `CREATE INDEX IF NOT EXISTS invocations_time ON invocations (started_at, id)`,
  `CREATE INDEX IF NOT EXISTS invocations_lambda_time ON invocations (lambda_uuid, started_at, id)`,
  // Version 4: records of one status, newest first, without walking every record of the account
  // (a rare status among a million records read them all; test/helpers/query-plans.ts).
  `CREATE INDEX IF NOT EXISTS invocations_status_time ON invocations (status, started_at, id)`,
  `CREATE TABLE IF NOT EXISTS logs (
     key INTEGER PRIMARY KEY,
     invocation_id TEXT NOT NULL,
     lambda_uuid TEXT NOT NULL,
     request_id TEXT NOT NULL,
     status TEXT NOT NULL,
     seq INTEGER NOT NULL,
     level TEXT NOT NULL,
     message TEXT NOT NULL DEFAULT '',
     extras TEXT NOT NULL DEFAULT '[]'
   )`,
  `CREATE INDEX IF NOT EXISTS logs_invocation ON logs (invocation_id, seq)`,
  `CREATE INDEX IF NOT EXISTS logs_lambda ON logs (lambda_uuid, key)`,
  `CREATE INDEX IF NOT EXISTS logs_request ON logs (request_id, key)`,
  `CREATE TABLE IF NOT EXISTS log_days (day INTEGER PRIMARY KEY)`,
  // Always empty: a search's query is parsed against it, so a malformed one is refused even when
  // no day is searched.
  `CREATE VIRTUAL TABLE IF NOT EXISTS log_query_check USING fts5 (message, extras, content = '', tokenize = 'unicode61')`,
  `CREATE TABLE IF NOT EXISTS metrics (
     lambda_uuid TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     succeeded INTEGER NOT NULL DEFAULT 0,
     coding_failure INTEGER NOT NULL DEFAULT 0,
     platform_failure INTEGER NOT NULL DEFAULT 0,
     timeout INTEGER NOT NULL DEFAULT 0,
     ${HISTOGRAM_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(",\n     ")},
     PRIMARY KEY (lambda_uuid, bucket)
   ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS metrics_bucket ON metrics (bucket)`,
];

/**
 * Version 1 (never released; development states only) kept the text in one FTS5 table, log_text:
 * the text moves into logs, and the index is rebuilt by day.
 */
export function upgradeFromV1(sql: SqlStorage, indexEntry: (key: number, message: string, extras: string) => void) {
  const hasLogText = sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'log_text'").toArray().length > 0;
  if (!hasLogText) return;
  const columns = sql.exec<{ name: string }>("PRAGMA table_info(logs)").toArray().map((c) => c.name);
  if (!columns.includes("message")) sql.exec("ALTER TABLE logs ADD COLUMN message TEXT NOT NULL DEFAULT ''");
  if (!columns.includes("extras")) sql.exec("ALTER TABLE logs ADD COLUMN extras TEXT NOT NULL DEFAULT '[]'");
  for (const r of sql.exec<{ key: number; message: string; extras: string }>("SELECT rowid AS key, message, extras FROM log_text").toArray()) {
    sql.exec("UPDATE logs SET message = ?, extras = ? WHERE key = ?", r.message, r.extras, r.key);
    indexEntry(r.key, r.message, r.extras);
  }
  sql.exec("DROP TABLE log_text");
}

/**
 * Version 3 added parent_invocation_id (the calling invocation of an orchestrated call). A table
 * made by an earlier version gets the column, null in its existing records; CREATE TABLE IF NOT
 * EXISTS above leaves such a table as it was, so this runs after it.
 */
export function upgradeToV3(sql: SqlStorage) {
  const columns = sql.exec<{ name: string }>("PRAGMA table_info(invocations)").toArray().map((c) => c.name);
  if (!columns.includes("parent_invocation_id")) sql.exec("ALTER TABLE invocations ADD COLUMN parent_invocation_id TEXT");
}

/** The metrics column of each status. */
export const STATUS_COLUMN = {
  SUCCEEDED: "succeeded",
  CODING_FAILURE: "coding_failure",
  PLATFORM_FAILURE: "platform_failure",
  TIMEOUT: "timeout",
} as const;
