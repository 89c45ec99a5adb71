// The activity stream: the account's audit rows as {who, what, when, a one-line summary}, newest
// first, one keyset page at a time. Rows older than the retention are never shown, whether or not
// the Cron Trigger has deleted them yet (./activity-retention.ts).
import { and, desc, eq, gte, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { apiKeys, auditLog, lambdas, oauthClients } from "../db/schema";
import { badInput } from "../errors";
import { entityOf, entitySql, referencedIds, summarize, type Names } from "./activity-summaries";

export const ACTIVITY_RETENTION_DAYS = 60;
export const ACTIVITY_RETENTION_MS = ACTIVITY_RETENTION_DAYS * 86_400_000;

type AuditRow = typeof auditLog.$inferSelect;

export interface Activity {
  id: string;
  at: string;
  actor: string;
  action: string;
  entity: string;
  target: string;
  summary: string;
}

export interface ActivityFilter {
  entity?: string;
  actor?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export interface ActivityPage {
  items: Activity[];
  nextCursor: string | null;
}

function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw badInput(`${field} must be an ISO-8601 time or epoch milliseconds`);
  return ms;
}

// Cursor = (at, id) of the previous page's last row, base64url: pages never overlap or skip rows
// even when many rows share one millisecond (id breaks the tie, and is unique).
const encodeCursor = (r: AuditRow) => btoa(`${r.at}:${r.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
function decodeCursor(cursor: string): { at: number; id: number } {
  let plain = "";
  try {
    plain = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    // not base64: reported below
  }
  const m = /^(\d{1,15}):(\d{1,15})$/.exec(plain);
  if (!m) throw badInput("cursor is not a cursor this API returned");
  return { at: Number(m[1]), id: Number(m[2]) };
}

/** The WHERE of a filter, for one account; checks from, to and cursor (400 when malformed). */
function whereOf(accountId: string, f: ActivityFilter, now: number): SQL | undefined {
  const from = parseTime(f.from, "from");
  const to = parseTime(f.to, "to");
  const where: (SQL | undefined)[] = [eq(auditLog.accountId, accountId), gte(auditLog.at, Math.max(from ?? 0, now - ACTIVITY_RETENTION_MS))];
  if (to !== undefined) where.push(lte(auditLog.at, to));
  if (f.actor) where.push(eq(auditLog.actor, f.actor));
  if (f.entity) where.push(eq(entitySql(), f.entity));
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    where.push(or(lt(auditLog.at, c.at), and(eq(auditLog.at, c.at), lt(auditLog.id, c.id))));
  }
  return and(...where);
}

// D1 binds at most 100 parameters a statement; one is the account id.
const ID_CHUNK = 90;

async function namesOf(ids: string[], query: (chunk: string[]) => Promise<{ id: string; name: string }[]>) {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    for (const r of await query(ids.slice(i, i + ID_CHUNK))) out.set(r.id, r.name);
  }
  return out;
}

/** The current names of the functions, keys and clients a page refers to, in this account only. */
async function lookUpNames(db: Db, accountId: string, rows: AuditRow[]): Promise<Names> {
  const ids = referencedIds(rows);
  const [fns, keys, clients] = await Promise.all([
    namesOf(ids.lambdas, (chunk) =>
      db.select({ id: lambdas.uuid, name: lambdas.name }).from(lambdas).where(and(eq(lambdas.accountId, accountId), inArray(lambdas.uuid, chunk))).all(),
    ),
    namesOf(ids.apiKeys, (chunk) =>
      db.select({ id: apiKeys.id, name: apiKeys.name }).from(apiKeys).where(and(eq(apiKeys.accountId, accountId), inArray(apiKeys.id, chunk))).all(),
    ),
    namesOf(ids.oauthClients, (chunk) =>
      db
        .select({ id: oauthClients.id, name: oauthClients.name })
        .from(oauthClients)
        .where(and(eq(oauthClients.accountId, accountId), inArray(oauthClients.id, chunk)))
        .all(),
    ),
  ]);
  return { lambda: (id) => fns.get(id), apiKey: (id) => keys.get(id), oauthClient: (id) => clients.get(id) };
}

const toActivity = (r: AuditRow, names: Names): Activity => ({
  id: String(r.id),
  at: new Date(r.at).toISOString(),
  actor: r.actor,
  action: r.action,
  entity: entityOf(r.action),
  target: r.target,
  summary: summarize({ action: r.action, target: r.target, detail: r.detail ?? {} }, names),
});

export async function listActivities(db: Db, p: Principal, f: ActivityFilter, now = Date.now()): Promise<ActivityPage> {
  const limit = f.limit ?? 50;
  const rows = await db
    .select()
    .from(auditLog)
    .where(whereOf(p.accountId, f, now))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  const names = await lookUpNames(db, p.accountId, page);
  return { items: page.map((r) => toActivity(r, names)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}
