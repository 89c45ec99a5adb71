// The ledger of sent reports (email_report_sends): which accounts still owe a report for a period,
// and the claim that makes each period go out at most once. A claim is a conditional INSERT of the
// period's row (unique per account, kind and period start): of two ticks, or two runtimes, only one
// gets the row. A failed send marks the row so that a later tick may claim it again after a pause,
// up to MAX_ATTEMPTS; a row left "sending" (the runtime died mid-send) is never claimed again, since
// the message may have gone out.
import type { Period } from "./email-report-periods";
import type { Snapshot } from "./email-report-content";

export const MAX_ATTEMPTS = 3;
/**
 * How long a period's row is kept: a report compares itself with the previous period's snapshot
 * (a week back for a weekly one), so 35 days leave a margin; older rows only grew the table by one
 * row per account and day for ever.
 */
export const LEDGER_KEEP_MS = 35 * 86_400_000;
/** Rows deleted per pruning, at most (once an hour): a backlog drains over a few hours. */
export const LEDGER_PRUNE_ROWS = 1_000;
/** A failed attempt n is retried no sooner than n × this later. */
export const RETRY_AFTER_MS = 5 * 60_000;

// A period row that does not stand in the way of a (new) claim: a failure whose retry is due.
const RETRYABLE = "x.status = 'failed' AND x.attempts < ?3 AND x.retry_at <= ?4";

/** Accounts of the period's frequency with recipients and no report for it yet (or a retry due), oldest id first. */
export async function dueAccounts(d1: D1Database, period: Period, now: number, limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  const { results } = await d1
    .prepare(
      `SELECT s.account_id AS accountId FROM email_report_settings s
       WHERE s.frequency = ?1
         AND EXISTS (SELECT 1 FROM email_report_recipients r WHERE r.account_id = s.account_id)
         AND NOT EXISTS (SELECT 1 FROM email_report_sends x
                         WHERE x.account_id = s.account_id AND x.kind = ?1 AND x.period_start = ?2 AND NOT (${RETRYABLE}))
       ORDER BY s.account_id LIMIT ?5`,
    )
    .bind(period.kind, period.start, MAX_ATTEMPTS, now, limit)
    .all<{ accountId: string }>();
  return results.map((r) => r.accountId);
}

/** Claims the account's report of the period; answers the attempt number, or null when it is (being) sent or given up. */
export async function claimPeriod(d1: D1Database, accountId: string, period: Period, now: number): Promise<number | null> {
  const row = await d1
    .prepare(
      `INSERT INTO email_report_sends (account_id, kind, period_start, status, attempts, claimed_at) VALUES (?1, ?2, ?3, 'sending', 1, ?4)
       ON CONFLICT (account_id, kind, period_start) DO UPDATE SET status = 'sending', attempts = attempts + 1, claimed_at = ?4, retry_at = NULL
       WHERE status = 'failed' AND attempts < ?5 AND retry_at <= ?4
       RETURNING attempts`,
    )
    .bind(accountId, period.kind, period.start, now, MAX_ATTEMPTS)
    .first<{ attempts: number }>();
  return row?.attempts ?? null;
}

const WHERE_CLAIMED = "account_id = ? AND kind = ? AND period_start = ? AND status = 'sending'";

export async function markSent(d1: D1Database, accountId: string, period: Period, now: number, snapshot: Snapshot): Promise<void> {
  await d1
    .prepare(`UPDATE email_report_sends SET status = 'sent', sent_at = ?, error = NULL, snapshot = ? WHERE ${WHERE_CLAIMED}`)
    .bind(now, JSON.stringify(snapshot), accountId, period.kind, period.start)
    .run();
}

/** The attempt failed: claimable again after attempts × RETRY_AFTER_MS, unless it was the last. */
export async function markFailed(d1: D1Database, accountId: string, period: Period, now: number, attempts: number, error: string): Promise<void> {
  await d1
    .prepare(`UPDATE email_report_sends SET status = 'failed', retry_at = ?, error = ? WHERE ${WHERE_CLAIMED}`)
    .bind(now + attempts * RETRY_AFTER_MS, error.slice(0, 500), accountId, period.kind, period.start)
    .run();
}

/** Gives a claim back untouched (nothing was sent and nothing failed: e.g. the recipients were removed meanwhile). */
export async function releaseClaim(d1: D1Database, accountId: string, period: Period, attempts: number): Promise<void> {
  const stmt =
    attempts === 1
      ? d1.prepare(`DELETE FROM email_report_sends WHERE ${WHERE_CLAIMED}`).bind(accountId, period.kind, period.start)
      : d1.prepare(`UPDATE email_report_sends SET status = 'failed', attempts = attempts - 1, retry_at = 0 WHERE ${WHERE_CLAIMED}`).bind(accountId, period.kind, period.start);
  await stmt.run();
}

/** Deletes at most LEDGER_PRUNE_ROWS rows of periods that started LEDGER_KEEP_MS or longer before `now`; answers how many. */
export async function pruneLedger(d1: D1Database, now: number): Promise<number> {
  const result = await d1
    .prepare(`DELETE FROM email_report_sends WHERE rowid IN (SELECT rowid FROM email_report_sends WHERE period_start < ? LIMIT ${LEDGER_PRUNE_ROWS})`)
    .bind(now - LEDGER_KEEP_MS)
    .run();
  return result.meta.changes ?? 0;
}
