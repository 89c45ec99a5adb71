// The account's outbound allow-list ("proxy settings" in LivePerson's API): list, add, delete, and
// the read the Egress entrypoint does for every outbound request. Every query filters on the
// account; every change writes an audit row in the same batch. Rules: ./allow-list-rules.ts.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountLimits, accounts, allowedDomains } from "../db/schema";
import { ApiError, ErrorCodes, badInput, conflict } from "../errors";
import { ALLOW_LIST_MAX_ENTRIES, ALLOW_LIST_RULES, parseEntry } from "./allow-list-rules";
import { auditIfChanged } from "./audit";
import { effectiveLimit } from "./limits";

export interface ProxySetting {
  id: number;
  domain: string;
  createdAt: string;
  createdBy: string;
}

type Row = typeof allowedDomains.$inferSelect;

const toDto = (r: Pick<Row, "id" | "domain" | "createdAt" | "createdBy">): ProxySetting => ({
  id: r.id,
  domain: r.domain,
  createdAt: new Date(r.createdAt).toISOString(),
  createdBy: r.createdBy,
});

const notFound = (id: string) => new ApiError(404, ErrorCodes.notFound, `No allow-list entry with id ${id} in this account`);

export async function listProxySettings(db: Db, accountId: string): Promise<ProxySetting[]> {
  const rows = await db
    .select()
    .from(allowedDomains)
    .where(eq(allowedDomains.accountId, accountId))
    .orderBy(asc(allowedDomains.id))
    .all();
  return rows.map(toDto);
}

/** Adds one entry (normalised first, so duplicates meet the unique index); 409 on a duplicate. */
export async function addProxySetting(db: Db, accountId: string, actor: string, input: { domain?: unknown }): Promise<ProxySetting> {
  const parsed = parseEntry(input.domain);
  if (!parsed.ok) throw badInput(parsed.rule);
  const domain = parsed.domain;
  const now = Date.now();
  // The entry limit sits in the INSERT itself, so two admins adding at once cannot pass it.
  // drizzle lists every column in schema order; NULL lets SQLite number the row.
  const insert = db
    .insert(allowedDomains)
    .select(
      sql`SELECT NULL, ${accountId}, ${domain}, ${now}, ${actor}
          WHERE (SELECT count(*) FROM allowed_domains WHERE account_id = ${accountId}) < ${ALLOW_LIST_MAX_ENTRIES}`,
    )
    .returning();
  let inserted: Row[];
  try {
    [inserted] = await db.batch([insert, auditIfChanged(db, { accountId, actor, action: "proxy.add", target: domain }, now)]);
  } catch (e) {
    if (String(e).includes("UNIQUE")) throw conflict(`${domain} is already on this account's allow-list`);
    throw e;
  }
  const row = inserted[0];
  if (!row) throw badInput(ALLOW_LIST_RULES.max);
  return toDto(row);
}

/** Deletes one entry of the account; another account's id is 404 like a missing one. */
export async function deleteProxySetting(db: Db, accountId: string, actor: string, idText: string): Promise<void> {
  const id = /^[1-9]\d{0,15}$/.test(idText) ? Number(idText) : NaN;
  if (!Number.isSafeInteger(id)) throw notFound(idText);
  const where = and(eq(allowedDomains.accountId, accountId), eq(allowedDomains.id, id));
  const target = await db.select({ domain: allowedDomains.domain }).from(allowedDomains).where(where).get();
  if (!target) throw notFound(idText);
  const [deleted] = await db.batch([
    db.delete(allowedDomains).where(where),
    auditIfChanged(db, { accountId, actor, action: "proxy.delete", target: target.domain, detail: { id } }),
  ]);
  if (deleted.meta.changes === 0) throw notFound(idText);
}

export interface OutboundPolicy {
  /** Normalised entries, as stored. */
  allowList: string[];
  /** Outbound requests per second per function (the account's override or the default). */
  outboundPerSecond: number;
}

/**
 * The allow-list and the outbound limit of an account, in one D1 statement (the account row,
 * left-joined to its entries and its limits). Read per outbound request, so a change applies to the
 * next request; an unknown account gets an empty list.
 */
export async function allowListOf(db: Db, accountId: string): Promise<OutboundPolicy> {
  const rows = await db
    .select({ domain: allowedDomains.domain, outboundPerSecond: accountLimits.outboundPerSecond })
    .from(accounts)
    .leftJoin(allowedDomains, eq(allowedDomains.accountId, accounts.id))
    .leftJoin(accountLimits, eq(accountLimits.accountId, accounts.id))
    .where(eq(accounts.id, accountId))
    .all();
  return {
    allowList: rows.flatMap((r) => (r.domain === null ? [] : [r.domain])),
    outboundPerSecond: effectiveLimit("outboundPerSecond", rows[0]?.outboundPerSecond),
  };
}
