// Closing invocations whose lease expired: they never gave their slot back (the runtime crashed, was
// restarted or died mid-invocation). Each gets its record in the data plane, unless it already has one (it was
// recorded, only the release got lost): then nothing is written.
// - An invocation whose lease carries an outcome (stored by an earlier version of the gate) gets a
//   record with that outcome: a record never contradicts the answer its caller got. One Info log
//   line says the platform completed the record.
// - Any other is PLATFORM_FAILURE with one Error log line saying what happened: the cause of the
//   restart when the local supervisor told it (restart-notices.ts), else a generic "lost" - unless
//   the supervisor's notice says the local front had answered its caller: then that outcome.
import { ErrorCodes } from "../errors";
import type { RecordWithLogs, StoredLog } from "./data-plane/types";
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
  if (o) return { status: o.status, errorCode: o.errorCode, durationMs: o.durationMs, level: "Info" as StoredLog["level"], message: completedMessage(o) };
  const answered = answeredBefore(lease, notices);
  if (answered) {
    const durationMs = Math.max(0, answered.at - lease.startedAt);
    return { status: answered.status, errorCode: answered.errorCode, durationMs, level: "Info" as StoredLog["level"], message: answeredMessage(answered) };
  }
  const restart = restartDuring(lease, notices);
  return {
    status: "PLATFORM_FAILURE" as const,
    errorCode: ErrorCodes.general,
    durationMs: Math.max(0, (restart?.at ?? now) - lease.startedAt),
    level: "Error" as StoredLog["level"],
    message: restart ? restartMessage(restart) : lostMessage(lease),
  };
}

/**
 * The records of expired leases, as the data plane stores them (store.ts keeps a record that
 * already exists as it is: then nothing is added). `notices`: the local supervisor's restarts.
 */
export function lostRecords(leases: Lease[], now = Date.now(), notices: RestartNotice[] = []): RecordWithLogs[] {
  return leases.map((lease) => {
    const c = closingOf(lease, notices, now);
    return {
      record: {
        id: lease.invocationId,
        lambdaUuid: lease.lambdaUuid,
        deploymentId: lease.deploymentId,
        version: lease.version,
        trigger: lease.trigger,
        status: c.status,
        errorCode: c.errorCode,
        startedAt: lease.startedAt,
        durationMs: c.durationMs,
        requestId: lease.requestId,
        outbound: [],
        scheduleId: lease.scheduleId ?? null,
        parentInvocationId: lease.parentInvocationId ?? null,
      },
      logs: [{ level: c.level, message: c.message, extras: [], timestamp: now }],
    };
  });
}

/** Tells the operator which invocations the reclaim closed (ids only), and how. */
export function reportClosed(leases: Lease[], storedIds: string[]) {
  const stored = new Set(storedIds);
  const closed = leases.filter((l) => stored.has(l.invocationId));
  const lost = closed.filter((l) => !l.outcome).map((l) => l.invocationId);
  const completed = closed.filter((l) => l.outcome).map((l) => l.invocationId);
  if (lost.length > 0) console.error(JSON.stringify({ msg: "closed lost invocations as PLATFORM_FAILURE", ids: lost }));
  if (completed.length > 0) console.log(JSON.stringify({ msg: "completed the records of ended invocations after a runtime restart, with their reported outcome", ids: completed }));
}
