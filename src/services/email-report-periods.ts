// When reports are due and which period each covers, in UTC. A daily report covers the previous day
// and is due from 01:00 until the day ends; a weekly report covers the previous Monday–Sunday and is
// due on Mondays from 01:00. The first Cron Trigger tick inside that window that finds the period
// unsent sends it (so a missed minute or an hour of downtime only delays it); a window that passes
// entirely, or a frequency chosen after it, is not made up later.
import type { ReportKind } from "./email-report-rules";

export const DAY_MS = 86_400_000;
export const SEND_HOUR_UTC = 1;

export interface Period {
  kind: ReportKind;
  /** Start (inclusive) and end (exclusive), epoch ms, at 00:00 UTC. */
  start: number;
  end: number;
}

const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** The period before `p` of the same kind (for the report's changes). */
export const previousPeriod = (p: Period): Period => ({ kind: p.kind, start: p.start - (p.end - p.start), end: p.start });

/** The periods whose reports are due at `now`: none before 01:00, the previous day after, and the previous week too on a Monday. */
export function duePeriods(now: number): Period[] {
  const today = dayOf(now);
  if (now < today + SEND_HOUR_UTC * 3_600_000) return [];
  const due: Period[] = [{ kind: "Daily", start: today - DAY_MS, end: today }];
  if (new Date(today).getUTCDay() === 1) due.push({ kind: "Weekly", start: today - 7 * DAY_MS, end: today });
  return due;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period for people: "2026-11-16" (a day) or "2026-11-09 – 2026-11-15" (a week), both UTC. */
export function periodLabel(p: Period): string {
  const last = p.end - DAY_MS;
  return p.start === last ? isoDay(p.start) : `${isoDay(p.start)} – ${isoDay(last)}`;
}
