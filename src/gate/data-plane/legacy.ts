// Records written to D1 before the data plane existed are moved into it, a batch per alarm step:
// copied (with their logs, counted into the metrics) and then deleted from D1. Until the account's
// D1 rows are gone, readers also read D1 and merge (services/invocations.ts); a record that is in
// both for a moment (copied, not yet deleted) is the same record, and readers drop the duplicate.
import type { LogWriter } from "./store";
import { storeRecords } from "./store";
import type { RecordWithLogs, StoredLog } from "./types";

// D1 binds at most 100 parameters per statement: the ids plus the account id.
export const LEGACY_STEP_RECORDS = 90;

interface D1Record {
  id: string;
  lambda_uuid: string;
  deployment_id: string | null;
  version: number | null;
  trigger: string;
  status: string;
  error_code: string | null;
  started_at: number;
  duration_ms: number;
  request_id: string;
  outbound: string;
  schedule_id: string | null;
}

interface D1Log {
  invocation_id: string;
  level: string;
  message: string;
  extras: string;
  timestamp: number;
}

/** Moves the account's oldest D1 records into the data plane; answers false once none are left. */
export async function moveLegacyStep(d1: D1Database, sql: SqlStorage, log: LogWriter, accountId: string, transaction: <T>(fn: () => T) => T): Promise<boolean> {
  const records = (
    await d1.prepare("SELECT * FROM invocations WHERE account_id = ? ORDER BY started_at LIMIT ?").bind(accountId, LEGACY_STEP_RECORDS).all<D1Record>()
  ).results;
  if (records.length === 0) return false;
  const ids = records.map((r) => r.id);
  const marks = ids.map(() => "?").join(", ");
  const logs = (
    await d1
      .prepare(`SELECT invocation_id, level, message, extras, timestamp FROM invocation_logs WHERE account_id = ? AND invocation_id IN (${marks}) ORDER BY invocation_id, seq`)
      .bind(accountId, ...ids)
      .all<D1Log>()
  ).results;
  const byInvocation = new Map<string, StoredLog[]>();
  for (const l of logs) {
    const list = byInvocation.get(l.invocation_id) ?? [];
    list.push({ level: l.level as StoredLog["level"], message: l.message, extras: JSON.parse(l.extras), timestamp: l.timestamp });
    byInvocation.set(l.invocation_id, list);
  }
  const batch: RecordWithLogs[] = records.map((r) => ({
    record: {
      id: r.id,
      lambdaUuid: r.lambda_uuid,
      deploymentId: r.deployment_id,
      version: r.version,
      trigger: r.trigger as RecordWithLogs["record"]["trigger"],
      status: r.status as RecordWithLogs["record"]["status"],
      errorCode: r.error_code,
      startedAt: r.started_at,
      durationMs: r.duration_ms,
      requestId: r.request_id,
      outbound: JSON.parse(r.outbound),
      scheduleId: r.schedule_id,
    },
    logs: byInvocation.get(r.id) ?? [],
  }));
  transaction(() => storeRecords(sql, log, batch));
  await d1.batch([
    d1.prepare(`DELETE FROM invocation_logs WHERE account_id = ? AND invocation_id IN (${marks})`).bind(accountId, ...ids),
    d1.prepare(`DELETE FROM invocations WHERE account_id = ? AND id IN (${marks})`).bind(accountId, ...ids),
  ]);
  return true;
}
