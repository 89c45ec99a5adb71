// The data plane's tables, in the SQLite storage of the account's AccountGate (one database per
// account, so no table has an account column: tenancy is the object itself).
//
// - invocations: one record per invocation, as GET /invocations answers it.
// - logs + log_text: the log entries kept with each record. `key` is the entry's timestamp (ms)
//   times KEYS_PER_MS plus a counter, so key order is time order: search pages newest first and
//   export oldest first by key alone, and a time span is a key range (which FTS5 narrows to
//   without reading other rows). log_text is the FTS5 index and holds the text; its rowid is the key.
// - metrics: per function and 5-minute bucket, counts per status and a duration histogram,
//   updated as records are stored (records are never scanned for metrics).
import { HISTOGRAM_CLASSES } from "./histogram";

export const KEYS_PER_MS = 1024;
export const HISTOGRAM_COLUMNS = Array.from({ length: HISTOGRAM_CLASSES }, (_, i) => `h${i}`);

/** Bump when the statements below change; each version's statements must be safe to run again. */
export const DATA_PLANE_SCHEMA_VERSION = 1;

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
     logs_awaited TEXT
   )`,
  `CREATE INDEX IF NOT EXISTS invocations_time ON invocations (started_at, id)`,
  `CREATE INDEX IF NOT EXISTS invocations_lambda_time ON invocations (lambda_uuid, started_at, id)`,
  `CREATE TABLE IF NOT EXISTS logs (
     key INTEGER PRIMARY KEY,
     invocation_id TEXT NOT NULL,
     lambda_uuid TEXT NOT NULL,
     request_id TEXT NOT NULL,
     status TEXT NOT NULL,
     seq INTEGER NOT NULL,
     level TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS logs_invocation ON logs (invocation_id, seq)`,
  `CREATE INDEX IF NOT EXISTS logs_lambda ON logs (lambda_uuid, key)`,
  `CREATE INDEX IF NOT EXISTS logs_request ON logs (request_id, key)`,
  `CREATE VIRTUAL TABLE IF NOT EXISTS log_text USING fts5 (message, extras, tokenize = 'unicode61')`,
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

/** The metrics column of each status. */
export const STATUS_COLUMN = {
  SUCCEEDED: "succeeded",
  CODING_FAILURE: "coding_failure",
  PLATFORM_FAILURE: "platform_failure",
  TIMEOUT: "timeout",
} as const;
