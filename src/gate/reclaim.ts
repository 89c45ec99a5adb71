// Closing invocations whose lease expired: they never gave their slot back (the runtime crashed, was
// restarted or died mid-invocation). Each gets its record in D1, unless it already has one (it was
// recorded, only the release got lost): then nothing is written.
// - An invocation that had ended and whose outcome reached the gate (endSlot's, carried by the
//   account's next call) gets a record with that outcome: a record never contradicts the answer
//   its caller got. One Info log line says the platform completed the record.
// - Any other is PLATFORM_FAILURE with one Error log line saying what happened: the cause of the
//   restart when the local supervisor told it (restart-notices.ts), else a generic "lost" - unless
//   the supervisor's notice says the local front had answered its caller: then that outcome.
import { sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { invocationLogs, invocations } from "../db/schema";
import { ErrorCodes } from "../errors";
import { LEASE_MARGIN_MS, type InvocationOutcome, type Lease } from "./lease";
import { answeredBefore, restartDuring, restartMessage, type AnsweredOutcome, type RestartNotice } from "./restart-notices";

const lostMessage = (lease: Lease) =>
  `The platform lost this invocation: it had not finished ${LEASE_MARGIN_MS / 1000} s after its deadline ` +
  `(${new Date(lease.deadline).toISOString()}), so the runtime stopped or crashed while it ran. ` +
  "It may have partly run; retry it if it is safe to.";

const completedMessage = (o: InvocationOutcome) =>
  `The platform completed this record after a restart of the runtime: the invocation had ended (${o.status}) and ` +
  "reported its outcome, but the runtime stopped before the record was written. Its logs and outbound calls were not kept.";

const answeredMessage = (a: AnsweredOutcome) =>
  `The platform completed this record after a restart of the local runtime: its caller had been answered (${a.status}) ` +
  "just before, but the runtime stopped before the record was written. Its logs and outbound calls were not kept.";

/** What the record of an expired lease says. */
function closingOf(lease: Lease, notices: RestartNotice[], now: number) {
  const o = lease.outcome;
  if (o) return { status: o.status, errorCode: o.errorCode, durationMs: o.durationMs, level: "Info", message: completedMessage(o) };
  const answered = answeredBefore(lease, notices);
  if (answered) {
    const durationMs = Math.max(0, answered.at - lease.startedAt);
    return { status: answered.status, errorCode: answered.errorCode, durationMs, level: "Info", message: answeredMessage(answered) };
  }
  const restart = restartDuring(lease, notices);
  return {
    status: "PLATFORM_FAILURE" as const,
    errorCode: ErrorCodes.general,
    durationMs: Math.max(0, (restart?.at ?? now) - lease.startedAt),
    level: "Error",
    message: restart ? restartMessage(restart) : lostMessage(lease),
  };
}

/**
 * Writes the records of expired leases in one D1 batch and answers the ids it closed (those that
 * had no record yet). Idempotent: safe to run again. `notices`: the local supervisor's restarts.
 */
export async function recordLostInvocations(d1: D1Database, leases: Lease[], now = Date.now(), notices: RestartNotice[] = []): Promise<string[]> {
  if (leases.length === 0) return [];
  const db = createDb(d1);
  const closings = leases.map((lease) => closingOf(lease, notices, now));
  const statements = leases.flatMap((lease, i) => {
    const c = closings[i]!;
    return [
      // The log line first, and only for an invocation without a record: in the same batch (one
      // transaction), so an existing record never gains a line and a new one always has it.
      db
        .insert(invocationLogs)
        .select(
          sql`SELECT NULL, ${lease.accountId}, ${lease.invocationId}, ${lease.lambdaUuid}, 0, ${c.level}, ${c.message}, '[]', ${now}
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
          status: c.status,
          errorCode: c.errorCode,
          startedAt: lease.startedAt,
          durationMs: c.durationMs,
          requestId: lease.requestId,
          scheduleId: lease.scheduleId ?? null,
          outbound: [],
        })
        .onConflictDoNothing({ target: invocations.id })
        .returning({ id: invocations.id }),
    ];
  });
  const [first, ...rest] = statements;
  const results = await db.batch([first!, ...rest]);
  // Each record insert (every second statement) answers the row it wrote: none for an invocation
  // that had its record.
  const closed = leases.filter((_, i) => ((results[2 * i + 1] as { id: string }[] | undefined) ?? []).length > 0);
  // Ids only: the operator can tell which invocations were closed this way, and how.
  const lost = closed.filter((l) => !l.outcome).map((l) => l.invocationId);
  const completed = closed.filter((l) => l.outcome).map((l) => l.invocationId);
  if (lost.length > 0) console.error(JSON.stringify({ msg: "closed lost invocations as PLATFORM_FAILURE", ids: lost }));
  if (completed.length > 0) console.log(JSON.stringify({ msg: "completed the records of ended invocations after a runtime restart, with their reported outcome", ids: completed }));
  return closed.map((l) => l.invocationId);
}
