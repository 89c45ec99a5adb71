// Closing invocations that were lost: their lease expired, so they never gave their slot back (the
// runtime crashed, was restarted or died mid-invocation). Each gets its record in D1 as
// PLATFORM_FAILURE with one Error log line saying what happened, unless it already has a record
// (it was recorded, only the release got lost): then nothing is written.
import { sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { invocationLogs, invocations } from "../db/schema";
import { ErrorCodes } from "../errors";
import { LEASE_MARGIN_MS, type Lease } from "./lease";

const lostMessage = (lease: Lease) =>
  `The platform lost this invocation: it had not finished ${LEASE_MARGIN_MS / 1000} s after its deadline ` +
  `(${new Date(lease.deadline).toISOString()}), so the runtime stopped or crashed while it ran. ` +
  "It may have partly run; retry it if it is safe to.";

/**
 * Writes the records of lost invocations in one D1 batch and answers the ids it closed (those that
 * had no record yet). Idempotent: safe to run again.
 */
export async function recordLostInvocations(d1: D1Database, leases: Lease[], now = Date.now()): Promise<string[]> {
  if (leases.length === 0) return [];
  const db = createDb(d1);
  const statements = leases.flatMap((lease) => [
    // The log line first, and only for an invocation without a record: in the same batch (one
    // transaction), so an existing record never gains a line and a new one always has it.
    db
      .insert(invocationLogs)
      .select(
        sql`SELECT NULL, ${lease.accountId}, ${lease.invocationId}, ${lease.lambdaUuid}, 0, 'Error', ${lostMessage(lease)}, '[]', ${now}
            WHERE NOT EXISTS (SELECT 1 FROM invocations WHERE id = ${lease.invocationId})`,
      ),
    db
      .insert(invocations)
      .values({
        id: lease.invocationId,
        accountId: lease.accountId,
        lambdaUuid: lease.lambdaUuid,
        deploymentId: lease.deploymentId,
        version: lease.version,
        trigger: lease.trigger,
        status: "PLATFORM_FAILURE",
        errorCode: ErrorCodes.general,
        startedAt: lease.startedAt,
        durationMs: Math.max(0, now - lease.startedAt),
        requestId: lease.requestId,
        scheduleId: lease.scheduleId ?? null,
        outbound: [],
      })
      .onConflictDoNothing({ target: invocations.id })
      .returning({ id: invocations.id }),
  ]);
  const [first, ...rest] = statements;
  const results = await db.batch([first!, ...rest]);
  // Each record insert (every second statement) answers the row it wrote: none for an invocation
  // that had its record.
  const closed = leases.filter((_, i) => ((results[2 * i + 1] as { id: string }[] | undefined) ?? []).length > 0).map((l) => l.invocationId);
  // Ids only: the operator can tell which invocations were closed this way.
  if (closed.length > 0) console.error(JSON.stringify({ msg: "closed lost invocations as PLATFORM_FAILURE", ids: closed }));
  return closed;
}
