// Sending the email reports (issue 12 §7) from the Cron Trigger: at each tick, the reports due
// (./email-report-periods.ts) of at most ACCOUNTS_PER_TICK accounts, SENDS_IN_FLIGHT at a time, each
// claimed before it is sent (./email-report-sends.ts) and handed to Cloudflare's send_email binding
// as one message to the account's recipients, in plain text and HTML. One account's failure is
// recorded on its own row and never stops the others; runEmailReports never rejects.
import { asc, eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { emailReportRecipients } from "../db/schema";
import type { Env } from "../env";
import { reportData, snapshotOf, type Snapshot } from "./email-report-content";
import { duePeriods, type Period } from "./email-report-periods";
import { renderReport } from "./email-report-render";
import { claimPeriod, dueAccounts, markFailed, markSent, pruneLedger, releaseClaim } from "./email-report-sends";

export const ACCOUNTS_PER_TICK = 25;
export const SENDS_IN_FLIGHT = 4;

/** What one account's send came to. */
type Outcome = "sent" | "failed" | "skipped";

export interface ReportRun {
  sent: number;
  failed: number;
}

const log = (level: "log" | "error", msg: string, fields: Record<string, unknown>) => console[level](JSON.stringify({ msg, ...fields }));

async function recipientsOf(env: Env, accountId: string): Promise<string[]> {
  const db = createDb(env.DB);
  const rows = await db.select({ email: emailReportRecipients.email }).from(emailReportRecipients).where(eq(emailReportRecipients.accountId, accountId)).orderBy(asc(emailReportRecipients.id)).all();
  return rows.map((r) => r.email);
}

/** Claims, builds, sends and records one account's report of the period. */
async function sendReport(env: Env, email: SendEmail, from: string, accountId: string, period: Period, now: number): Promise<Outcome> {
  const attempt = await claimPeriod(env.DB, accountId, period, now);
  if (attempt === null) return "skipped"; // another tick has it, or it went out already
  const at = { accountId, kind: period.kind, periodStart: new Date(period.start).toISOString(), attempt };
  let snapshot: Snapshot;
  try {
    const [content, to] = await Promise.all([reportData(createDb(env.DB), accountId, period), recipientsOf(env, accountId)]);
    if (to.length === 0) {
      await releaseClaim(env.DB, accountId, period, attempt);
      return "skipped";
    }
    snapshot = snapshotOf(content);
    const message = renderReport(content);
    await email.send({ from, to, subject: message.subject, text: message.text, html: message.html });
  } catch (error) {
    log("error", "email report failed", { ...at, error: String(error) });
    await markFailed(env.DB, accountId, period, now, attempt, String(error)).catch((e) => log("error", "could not record a failed email report", { ...at, error: String(e) }));
    return "failed";
  }
  // Sent: if this write fails the row stays "sending", and the period is never sent again.
  await markSent(env.DB, accountId, period, now, snapshot).catch((e) => log("error", "could not record a sent email report", { ...at, error: String(e) }));
  return "sent";
}

/** Runs `work` over `items`, at most `width` at a time. */
async function bounded<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

/** Sends the reports due at `now`, of at most ACCOUNTS_PER_TICK accounts; `email` defaults to env.EMAIL. */
export async function sendDueReports(env: Env, now: number, email: SendEmail | undefined = env.EMAIL): Promise<ReportRun> {
  const run: ReportRun = { sent: 0, failed: 0 };
  const periods = duePeriods(now);
  if (periods.length === 0) return run;
  const from = env.EMAIL_FROM;
  if (!email || !from) {
    // Nothing is claimed: the reports go out once the binding and EMAIL_FROM are configured.
    if (now % 3_600_000 === 0) log("error", "email reports are due but the EMAIL binding or EMAIL_FROM is not configured", {});
    return run;
  }
  let budget = ACCOUNTS_PER_TICK;
  for (const period of periods) {
    const accounts = await dueAccounts(env.DB, period, now, budget);
    budget -= accounts.length;
    for (const outcome of await bounded(accounts, SENDS_IN_FLIGHT, (a) => sendReport(env, email, from, a, period, now))) {
      if (outcome !== "skipped") run[outcome]++;
    }
  }
  return run;
}

/** For scheduled(): never rejects, so nothing here can touch the schedules' firing. */
export async function runEmailReports(env: Env, tickMs: number): Promise<void> {
  try {
    const run = await sendDueReports(env, tickMs);
    if (run.sent > 0 || run.failed > 0) log("log", "email reports", { minute: new Date(tickMs).toISOString(), ...run });
    // Once an hour (minute 0): the ledger's old periods go (see LEDGER_KEEP_MS).
    if (tickMs % 3_600_000 === 0) {
      const pruned = await pruneLedger(env.DB, tickMs);
      if (pruned > 0) log("log", "email report ledger pruned", { rows: pruned });
    }
  } catch (e) {
    log("error", "email reports failed", { error: String(e) });
  }
}
