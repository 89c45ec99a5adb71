import { ErrorCodes } from "../errors";
import type { LogEntry } from "./sandbox/sandbox";

// LivePerson's per-invocation log limits: 10 entries and 6,000 characters (message + extras).
export const LOG_LIMITS = { maxEntries: 10, maxChars: 6000 } as const;

const sizeOf = (e: LogEntry) => e.message.length + JSON.stringify(e.extras).length;

/**
 * Keeps entries in order while both limits hold; everything after is replaced by one Error entry
 * carrying `log-limit-reached`. `droppedBySandbox` counts entries the isolate already discarded.
 */
export function limitLogs(entries: LogEntry[], droppedBySandbox = 0): { entries: LogEntry[]; limited: boolean } {
  const kept: LogEntry[] = [];
  let chars = 0;
  for (const e of entries) {
    const size = sizeOf(e);
    if (kept.length >= LOG_LIMITS.maxEntries || chars + size > LOG_LIMITS.maxChars) break;
    kept.push(e);
    chars += size;
  }
  const omitted = entries.length - kept.length + droppedBySandbox;
  if (omitted === 0) return { entries: kept, limited: false };
  kept.push({
    level: "Error",
    message: `${ErrorCodes.logLimitReached}: ${omitted} log entr${omitted === 1 ? "y was" : "ies were"} dropped; an invocation keeps at most ${LOG_LIMITS.maxEntries} entries and ${LOG_LIMITS.maxChars} characters`,
    extras: [],
    timestamp: Date.now(),
  });
  return { entries: kept, limited: true };
}
