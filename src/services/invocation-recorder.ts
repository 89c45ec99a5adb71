import type { Db } from "../db/client";
import type { LogEntry } from "../runtime/sandbox/sandbox";
import { writeInvocationRecords, type InvocationRecord, type PendingRecord } from "./invocations";

/**
 * Invocation records are written after the answer, coalesced: every invocation that finishes within
 * the same short window is written by one D1 batch instead of one batch each. Under load that turns
 * N writes into one, which is most of what an invocation costs the platform besides running the code.
 *
 * Each invocation's own waitUntil waits out the window and then writes whatever is pending (its own
 * record, unless another invocation's flush already took it). No promise crosses from one request
 * to another, which workerd does not allow; only the plain data in `pending` is shared.
 */
const pending: PendingRecord[] = [];

export const DEFAULT_RECORD_WINDOW_MS = 50;
const ATTEMPTS = 2;

export async function recordInvocation(db: Db, record: InvocationRecord, logs: LogEntry[], windowMs = DEFAULT_RECORD_WINDOW_MS) {
  pending.push({ record, logs });
  if (windowMs > 0) await new Promise((resolve) => setTimeout(resolve, windowMs));
  const batch = pending.splice(0, pending.length);
  for (let attempt = 1; batch.length > 0; attempt++) {
    try {
      await writeInvocationRecords(db, batch);
      return;
    } catch (error) {
      if (attempt === ATTEMPTS) {
        // Never a secret in here: ids only, so the operator can tell which records are missing.
        console.error(JSON.stringify({ msg: "failed to write invocation records", ids: batch.map((p) => p.record.id), error: String(error) }));
        throw error;
      }
    }
  }
}
