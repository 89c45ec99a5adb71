// Invocation records of an account: pages newest first and one record with its logs, from the
// account's data plane (its AccountGate). While the account still has records in D1 from before
// the data plane (the gate moves them over in its alarm), those are read too and merged.
import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { invocationLogs, invocations } from "../db/schema";
import { ApiError, ErrorCodes, badInput } from "../errors";
import { dataPlaneOf } from "../gate/client";
import type { InvocationRecord, InvocationStatus, RecordQuery, StoredLog } from "../gate/data-plane/types";
import { parseTime } from "./time-query";

const dto = (r: InvocationRecord) => ({
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
  parentInvocationId: r.parentInvocationId ?? null,
});

// Cursor = the (startedAt, id) of the last item of the previous page, so pages never overlap even
// when many invocations share one millisecond.
const encodeCursor = (r: InvocationRecord) => btoa(`${r.startedAt}:${r.id}`);
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
  status?: InvocationStatus;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

const newestFirst = (a: InvocationRecord, b: InvocationRecord) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export async function listInvocations(db: Db, p: Principal, f: InvocationFilter) {
  const q: RecordQuery = {
    limit: f.limit ?? 50,
    lambdaUuid: f.lambdaUUID,
    status: f.status,
    from: parseTime(f.from, "from"),
    to: parseTime(f.to, "to"),
    before: f.cursor ? decodeCursor(f.cursor) : undefined,
  };
  const { rows, legacyPending } = await dataPlaneOf(p.accountId).listRecords(p.accountId, q);
  let merged = rows;
  if (legacyPending) {
    const seen = new Set(rows.map((r) => r.id));
    merged = [...rows, ...(await legacyRecords(db, p.accountId, q)).filter((r) => !seen.has(r.id))].sort(newestFirst);
  }
  const page = merged.slice(0, q.limit);
  return { items: page.map(dto), nextCursor: merged.length > q.limit ? encodeCursor(page[page.length - 1]!) : null };
}

export async function getInvocation(db: Db, p: Principal, id: string) {
  // The RPC stub's types cannot express `unknown` (log extras): the answer is the gate's getRecord's.
  const { record, legacyPending } = (await dataPlaneOf(p.accountId).getRecord(p.accountId, id)) as { record: (InvocationRecord & { logs: StoredLog[] }) | null; legacyPending: boolean };
  const found = record ?? (legacyPending ? await legacyRecord(db, p.accountId, id) : null);
  if (!found) throw new ApiError(404, ErrorCodes.notFound, `No invocation with id ${id} in this account`);
  return { ...dto(found), logs: found.logs };
}

// --- records still in D1 (written before the data plane; moved by the account's gate) ---

type D1Row = typeof invocations.$inferSelect;
const fromD1 = (r: D1Row): InvocationRecord => ({ ...r, outbound: r.outbound as InvocationRecord["outbound"] });

async function legacyRecords(db: Db, accountId: string, q: RecordQuery): Promise<InvocationRecord[]> {
  const where: (SQL | undefined)[] = [eq(invocations.accountId, accountId)];
  if (q.lambdaUuid) where.push(eq(invocations.lambdaUuid, q.lambdaUuid));
  if (q.status) where.push(eq(invocations.status, q.status));
  if (q.from !== undefined) where.push(gte(invocations.startedAt, q.from));
  if (q.to !== undefined) where.push(lte(invocations.startedAt, q.to));
  if (q.before) {
    const c = q.before;
    where.push(or(lt(invocations.startedAt, c.startedAt), and(eq(invocations.startedAt, c.startedAt), lt(invocations.id, c.id))));
  }
  const rows = await db.select().from(invocations).where(and(...where)).orderBy(desc(invocations.startedAt), desc(invocations.id)).limit(q.limit + 1).all();
  return rows.map(fromD1);
}

async function legacyRecord(db: Db, accountId: string, id: string): Promise<(InvocationRecord & { logs: StoredLog[] }) | null> {
  const row = await db.select().from(invocations).where(and(eq(invocations.accountId, accountId), eq(invocations.id, id))).get();
  if (!row) return null;
  const logs = await db
    .select()
    .from(invocationLogs)
    .where(and(eq(invocationLogs.accountId, accountId), eq(invocationLogs.invocationId, id)))
    .orderBy(invocationLogs.seq)
    .all();
  return { ...fromD1(row), logs: logs.map((l) => ({ level: l.level as StoredLog["level"], message: l.message, extras: l.extras, timestamp: l.timestamp })) };
}
