// An account's email report settings: the frequency (None, Daily, Weekly) and the recipients (at
// most MAX_RECIPIENTS). Every query filters on the account; every change writes its audit row in the
// same batch, and only when something changed. Sending: ./email-reports.ts.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { emailReportRecipients, emailReportSettings } from "../db/schema";
import { ApiError, ErrorCodes, badInput, conflict } from "../errors";
import { auditIfChanged } from "./audit";
import { MAX_RECIPIENTS, RECIPIENT_RULES, normaliseEmail, type Frequency } from "./email-report-rules";

export interface ReportSettings {
  frequency: Frequency;
  /** When and by whom the frequency was last set (null: never, i.e. "None"). */
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface Recipient {
  email: string;
  createdAt: string;
  createdBy: string;
}

export async function getReportSettings(db: Db, accountId: string): Promise<ReportSettings> {
  const row = await db.select().from(emailReportSettings).where(eq(emailReportSettings.accountId, accountId)).get();
  if (!row) return { frequency: "None", updatedAt: null, updatedBy: null };
  return { frequency: row.frequency, updatedAt: new Date(row.updatedAt).toISOString(), updatedBy: row.updatedBy };
}

/** Sets the frequency; the same frequency again changes nothing (and writes no audit row). */
export async function setReportFrequency(db: Db, accountId: string, actor: string, frequency: Frequency): Promise<ReportSettings> {
  const before = await getReportSettings(db, accountId);
  if (before.frequency === frequency) return before;
  const now = Date.now();
  // The WHERE makes a concurrent identical change a no-op, so changes() (and the audit row) follow it.
  const upsert = db
    .insert(emailReportSettings)
    .values({ accountId, frequency, updatedAt: now, updatedBy: actor })
    .onConflictDoUpdate({
      target: emailReportSettings.accountId,
      set: { frequency, updatedAt: now, updatedBy: actor },
      setWhere: sql`${emailReportSettings.frequency} <> ${frequency}`,
    });
  await db.batch([upsert, auditIfChanged(db, { accountId, actor, action: "emailreport.update", target: "email-report", detail: { from: before.frequency, to: frequency } }, now)]);
  return getReportSettings(db, accountId);
}

const toRecipient = (r: typeof emailReportRecipients.$inferSelect): Recipient => ({
  email: r.email,
  createdAt: new Date(r.createdAt).toISOString(),
  createdBy: r.createdBy,
});

export async function listRecipients(db: Db, accountId: string): Promise<Recipient[]> {
  const rows = await db.select().from(emailReportRecipients).where(eq(emailReportRecipients.accountId, accountId)).orderBy(asc(emailReportRecipients.id)).all();
  return rows.map(toRecipient);
}

/** Adds one address: 400 when it is not one, 409 when it is there already or the account has MAX_RECIPIENTS. */
export async function addRecipient(db: Db, accountId: string, actor: string, input: string): Promise<Recipient> {
  const email = normaliseEmail(input);
  if (!email) throw badInput(RECIPIENT_RULES.email);
  const now = Date.now();
  // The limit sits in the INSERT itself, so two additions at once cannot pass it. drizzle lists every
  // column in schema order; NULL lets SQLite number the row.
  const insert = db
    .insert(emailReportRecipients)
    .select(
      sql`SELECT NULL, ${accountId}, ${email}, ${now}, ${actor}
          WHERE (SELECT count(*) FROM email_report_recipients WHERE account_id = ${accountId}) < ${MAX_RECIPIENTS}`,
    )
    .returning();
  let inserted: (typeof emailReportRecipients.$inferSelect)[];
  try {
    [inserted] = await db.batch([insert, auditIfChanged(db, { accountId, actor, action: "reportrecipient.add", target: email }, now)]);
  } catch (e) {
    if (String(e).includes("UNIQUE")) throw conflict(`${email} already receives this account's email reports`);
    throw e;
  }
  const row = inserted[0];
  if (!row) throw new ApiError(409, ErrorCodes.limitReached, RECIPIENT_RULES.max, { limitName: "emailReportRecipients", limit: MAX_RECIPIENTS });
  return toRecipient(row);
}

/** Removes one address of the account; one it does not have is 404. */
export async function removeRecipient(db: Db, accountId: string, actor: string, input: string): Promise<void> {
  const email = normaliseEmail(input);
  if (!email) throw badInput(RECIPIENT_RULES.email);
  const [deleted] = await db.batch([
    db.delete(emailReportRecipients).where(and(eq(emailReportRecipients.accountId, accountId), eq(emailReportRecipients.email, email))),
    auditIfChanged(db, { accountId, actor, action: "reportrecipient.remove", target: email }),
  ]);
  if (deleted.meta.changes === 0) throw new ApiError(404, ErrorCodes.notFound, `${email} does not receive this account's email reports`);
}
