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
// How the batch that took a record ended, for a caller whose record another invocation's flush
// wrote: recordInvocation resolves only once its own record is written (the AccountGate lease is
// given back after that, so a record is never lost between the two). Entries are removed by the
// caller that waits for them; the cap only guards against callers that vanished.
const settled = new Map<string, "written" | "failed">();
const SETTLED_MAX = 10_000;

export const DEFAULT_RECORD_WINDOW_MS = 50;
const ATTEMPTS = 2;
const WAIT_STEP_MS = 10;
const WAIT_MAX_MS = 30_000;

function settle(batch: PendingRecord[], how: "written" | "failed") {
  for (const p of batch) settled.set(p.record.id, how);
  while (settled.size > SETTLED_MAX) settled.delete(settled.keys().next().value!);
}

/** Writes the record (with others pending in this isolate); resolves once it is written, throws if it could not be. */
export async function recordInvocation(db: Db, record: InvocationRecord, logs: LogEntry[], windowMs = DEFAULT_RECORD_WINDOW_MS) {
  pending.push({ record, logs });
  if (windowMs > 0) await new Promise((resolve) => setTimeout(resolve, windowMs));
  const batch = pending.splice(0, pending.length);
  for (let attempt = 1; batch.length > 0; attempt++) {
    try {
      await writeInvocationRecords(db, batch);
      settle(batch, "written");
      break;
    } catch (error) {
      if (attempt === ATTEMPTS) {
        settle(batch, "failed");
        // Never a secret in here: ids only, so the operator can tell which records are missing.
        console.error(JSON.stringify({ msg: "failed to write invocation records", ids: batch.map((p) => p.record.id), error: String(error) }));
        break;
      }
    }
  }
  // Our record was in our batch, or in one another invocation is writing: wait for its outcome.
  for (let waited = 0; !settled.has(record.id) && waited < WAIT_MAX_MS; waited += WAIT_STEP_MS) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
  const how = settled.get(record.id);
  settled.delete(record.id);
  if (how !== "written") throw new Error(`invocation record ${record.id} was not written (${how ?? "no outcome"})`);
}
