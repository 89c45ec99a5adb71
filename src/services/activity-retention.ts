// Retention of the activity stream: audit rows older than ACTIVITY_RETENTION_DAYS are deleted by the
// Cron Trigger, a bounded number of rows per run (the oldest first, by the audit_at index), so a
// backlog drains over a few minutes and no run holds D1's single writer for long.
import { asc, inArray, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { auditLog } from "../db/schema";
import { ACTIVITY_RETENTION_MS } from "./activities";

export const AUDIT_DELETE_BATCH = 500;
export const AUDIT_DELETE_ROUNDS = 4;

/** Deletes at most AUDIT_DELETE_ROUNDS × AUDIT_DELETE_BATCH expired rows, of every account; answers how many. */
export async function pruneAuditLog(d1: D1Database, now = Date.now()): Promise<number> {
  const db = createDb(d1);
  const cutoff = now - ACTIVITY_RETENTION_MS;
  let deleted = 0;
  for (let round = 0; round < AUDIT_DELETE_ROUNDS; round++) {
    const expired = db.select({ id: auditLog.id }).from(auditLog).where(lt(auditLog.at, cutoff)).orderBy(asc(auditLog.at)).limit(AUDIT_DELETE_BATCH);
    const result = await db.delete(auditLog).where(inArray(auditLog.id, expired)).run();
    const changes = result.meta.changes ?? 0;
    deleted += changes;
    if (changes < AUDIT_DELETE_BATCH) break;
  }
  return deleted;
}

/** For scheduled(): never rejects, so a failure here cannot touch the schedules' firing. */
export async function runActivityRetention(d1: D1Database): Promise<void> {
  try {
    const deleted = await pruneAuditLog(d1);
    if (deleted > 0) console.log(JSON.stringify({ msg: "activity retention", deleted }));
  } catch (e) {
    console.error(JSON.stringify({ msg: "activity retention failed", error: String(e) }));
  }
}
