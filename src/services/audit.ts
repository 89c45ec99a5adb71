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
