import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";

export interface AuditEntry {
  accountId: string;
  actor: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/** The audit insert for one change; callers put it in the same db.batch as the change itself. */
export function auditInsert(db: Db, e: AuditEntry, at = Date.now()) {
  return db.insert(auditLog).values({ ...e, detail: e.detail ?? {}, at });
}

/**
 * The audit insert for a conditional change: put it in the db.batch right after the conditional
 * UPDATE/DELETE it records. It writes a row only if that statement changed something (SQLite's
 * changes() still refers to it, as a batch runs its statements in order on one connection), so a
 * lost race or a no-op leaves no audit row claiming a change that never happened.
 */
export function auditIfChanged(db: Db, e: AuditEntry, at = Date.now()) {
  const detail = JSON.stringify(e.detail ?? {});
  // drizzle lists every column of the table, in schema order; NULL lets SQLite number the row.
  return db
    .insert(auditLog)
    .select(sql`SELECT NULL, ${e.accountId}, ${e.actor}, ${e.action}, ${e.target}, ${detail}, ${at} WHERE changes() > 0`);
}
