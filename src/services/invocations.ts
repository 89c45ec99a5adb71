import { and, desc, eq, getTableColumns, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { invocationLogs, invocations } from "../db/schema";
import { ApiError, ErrorCodes, badInput } from "../errors";
import type { LogEntry } from "../runtime/sandbox/sandbox";

type InvocationRow = typeof invocations.$inferSelect;
export type InvocationRecord = typeof invocations.$inferInsert;

export interface PendingRecord {
  record: InvocationRecord;
  logs: LogEntry[];
}

// D1 binds at most 100 parameters per statement: rows per multi-row INSERT, by column count.
const D1_MAX_PARAMS = 100;
export const chunkForD1 = <T>(rows: T[], columns: number) => {
  const size = Math.max(1, Math.floor(D1_MAX_PARAMS / columns));
  return Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
};

/** Writes invocation records and their stored logs in one batch (multi-row inserts). */
export async function writeInvocationRecords(db: Db, pending: PendingRecord[]) {
  if (pending.length === 0) return;
  const logRows = pending.flatMap(({ record, logs }) =>
    logs.map((l, seq) => ({
      accountId: record.accountId,
      invocationId: record.id,
      lambdaUuid: record.lambdaUuid,
      seq,
      level: l.level,
      message: l.message,
      extras: l.extras,
      timestamp: l.timestamp,
    })),
  );
  const records = pending.map((p) => p.record);
  const [first, ...rest] = [
    // A record the AccountGate already wrote (it closes leases that outlived their deadline as
    // PLATFORM_FAILURE) stays as it is; the rest of the batch is still written.
    ...chunkForD1(records, Object.keys(getTableColumns(invocations)).length).map((rows) => db.insert(invocations).values(rows).onConflictDoNothing()),
    ...chunkForD1(logRows, Object.keys(getTableColumns(invocationLogs)).length).map((rows) => db.insert(invocationLogs).values(rows)),
  ];
  await db.batch([first!, ...rest]);
}

const dto = (r: InvocationRow) => ({
  id: r.id,
  lambdaUUID: r.lambdaUuid,
  version: r.version,
  trigger: r.trigger,
  status: r.status,
  errorCode: r.errorCode,
  startedAt: new Date(r.startedAt).toISOString(),
  durationMs: r.durationMs,
  requestId: r.requestId,
  outbound: r.outbound,
  scheduleId: r.scheduleId,
});

function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw badInput(`${field} must be an ISO-8601 time or epoch milliseconds`);
  return ms;
}

// Cursor = the (startedAt, id) of the last item of the previous page, so pages never overlap even
// when many invocations share one millisecond.
const encodeCursor = (r: InvocationRow) => btoa(`${r.startedAt}:${r.id}`);
function decodeCursor(cursor: string): { startedAt: number; id: string } {
  try {
    const [ms, id] = atob(cursor).split(":");
    if (!ms || !id || !/^\d+$/.test(ms)) throw new Error();
    return { startedAt: Number(ms), id };
  } catch {
    throw badInput("cursor is not a cursor this API returned");
  }
}

export interface InvocationFilter {
  lambdaUUID?: string;
  status?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export async function listInvocations(db: Db, p: Principal, f: InvocationFilter) {
  const limit = f.limit ?? 50;
  const where: (SQL | undefined)[] = [eq(invocations.accountId, p.accountId)];
  if (f.lambdaUUID) where.push(eq(invocations.lambdaUuid, f.lambdaUUID));
  if (f.status) where.push(eq(invocations.status, f.status as InvocationRow["status"]));
  const from = parseTime(f.from, "from");
  const to = parseTime(f.to, "to");
  if (from !== undefined) where.push(gte(invocations.startedAt, from));
  if (to !== undefined) where.push(lte(invocations.startedAt, to));
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    where.push(or(lt(invocations.startedAt, c.startedAt), and(eq(invocations.startedAt, c.startedAt), lt(invocations.id, c.id))));
  }
  const rows = await db
    .select()
    .from(invocations)
    .where(and(...where))
    .orderBy(desc(invocations.startedAt), desc(invocations.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  return { items: page.map(dto), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

export async function getInvocation(db: Db, p: Principal, id: string) {
  const row = await db
    .select()
    .from(invocations)
    .where(and(eq(invocations.accountId, p.accountId), eq(invocations.id, id)))
    .get();
  if (!row) throw new ApiError(404, ErrorCodes.notFound, `No invocation with id ${id} in this account`);
  const logs = await db
    .select()
    .from(invocationLogs)
    .where(and(eq(invocationLogs.accountId, p.accountId), eq(invocationLogs.invocationId, id)))
    .orderBy(invocationLogs.seq)
    .all();
  return {
    ...dto(row),
    logs: logs.map((l) => ({ level: l.level as LogEntry["level"], message: l.message, extras: l.extras, timestamp: l.timestamp })),
  };
}
