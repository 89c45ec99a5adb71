// Log search and export over an account's data plane (its AccountGate's FTS5 index): search pages
// newest first, export streams oldest first, page by page, so its memory stays flat at any size.
import { ApiError, ErrorCodes, badInput } from "../errors";
import { dataPlaneOf } from "../gate/client";
import { LOG_LEVELS, type InvocationStatus, type LogHit, type LogLevel, type LogQuery } from "../gate/data-plane/types";
import { csvField } from "./csv";

export interface LogFilter {
  q?: string;
  lambdaUUID?: string;
  levels?: LogLevel[];
  requestId?: string;
  status?: InvocationStatus;
  from?: number;
  to?: number;
}

/** The longest `q` accepted. */
export const MAX_QUERY_CHARS = 1_000;
/** Entries per export page (one call to the account's gate each). */
export const EXPORT_PAGE = 1_000;

/** Levels from `levels=Info,Error` and/or repeated parameters; 400 naming an unknown one. */
export function parseLevels(raw: string | string[] | undefined): LogLevel[] | undefined {
  if (raw === undefined) return undefined;
  const names = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  for (const n of names) {
    if (!LOG_LEVELS.includes(n as LogLevel)) throw badInput(`${n} is not a log level; levels are ${LOG_LEVELS.join(", ")}`);
  }
  return names.length > 0 ? (names as LogLevel[]) : undefined;
}

const encodeCursor = (key: number) => btoa(`log:${key}`);
function decodeCursor(cursor: string): number {
  try {
    const m = /^log:(\d+)$/.exec(atob(cursor));
    if (!m) throw new Error();
    return Number(m[1]);
  } catch {
    throw badInput("cursor is not a cursor this API returned");
  }
}

function checkFilter(f: LogFilter) {
  if (f.q !== undefined && f.q.length > MAX_QUERY_CHARS) throw badInput(`q is longer than ${MAX_QUERY_CHARS} characters`);
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) throw badInput("from must not be after to");
}

async function find(accountId: string, q: LogQuery): Promise<{ hits: LogHit[]; next: number | null }> {
  const answer = (await dataPlaneOf(accountId).findLogs(accountId, q)) as { hits: LogHit[]; next: number | null } | { malformed: string };
  if ("malformed" in answer) {
    throw new ApiError(400, ErrorCodes.badInput, `q is not a valid search: ${answer.malformed}. Words match words; "a phrase" in double quotes, a prefix with *, AND, OR, NOT and parentheses combine them`);
  }
  return answer;
}

const item = (h: LogHit) => ({
  lambdaUUID: h.lambdaUuid,
  invocationId: h.invocationId,
  requestId: h.requestId,
  level: h.level,
  message: h.message,
  extras: h.extras,
  timestamp: h.timestamp,
});

/**
 * One page of matching entries, newest first. An empty q means no text condition. A page may hold
 * fewer than `limit` entries (even none) and still a nextCursor, when the search read as many
 * entries as one call may (LOG_SCAN_MAX): follow it to go on.
 */
export async function searchLogs(accountId: string, f: LogFilter & { cursor?: string; limit?: number }) {
  checkFilter(f);
  const limit = f.limit ?? 50;
  const q = f.q?.trim() ? f.q : undefined;
  const { hits, next } = await find(accountId, {
    ...f,
    q,
    lambdaUuid: f.lambdaUUID,
    cursor: f.cursor ? decodeCursor(f.cursor) : undefined,
    limit,
    order: "newest",
  });
  return { items: hits.map(item), nextCursor: next === null ? null : encodeCursor(next) };
}

// --- export ---

export type ExportFormat = "csv" | "ndjson";

/** LivePerson's export header, as `lpf logs` prints it. */
export const CSV_HEADER = "lambdaUUID;requestID;timestamp;level;message;extras";


const csvLine = (h: LogHit) =>
  [h.lambdaUuid, h.requestId, String(h.timestamp), h.level, h.message, JSON.stringify(h.extras)].map(csvField).join(";") + "\n";

const ndjsonLine = (h: LogHit) => JSON.stringify(item(h)) + "\n";

/**
 * Every matching entry, oldest first, as a stream: CSV (LivePerson's header and columns) or NDJSON.
 * The first page is read before answering, so a bad query is a 400, not a broken stream. Later
 * pages are read as the client reads, so a slow client holds one page, not the export. A failure
 * after the first byte cuts the stream (the client sees an incomplete body, never a false end).
 */
export async function exportLogs(accountId: string, f: LogFilter, format: ExportFormat): Promise<ReadableStream<Uint8Array>> {
  checkFilter(f);
  const encoder = new TextEncoder();
  const line = format === "csv" ? csvLine : ndjsonLine;
  const query = (cursor: number | undefined): LogQuery => ({ ...f, lambdaUuid: f.lambdaUUID, cursor, limit: EXPORT_PAGE, order: "oldest" });
  let page: { hits: LogHit[]; next: number | null } | null = await find(accountId, query(undefined));
  let header = format === "csv";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(CSV_HEADER + "\n"));
      }
      // Each pull hands over something (or ends): a page may be empty when a call read as many
      // entries as it may without a match, and a pull that enqueues nothing is not always repeated.
      for (;;) {
        if (page === null) return controller.close();
        const text = page.hits.map(line).join("");
        page = page.next === null ? null : await find(accountId, query(page.next));
        if (text) return controller.enqueue(encoder.encode(text));
      }
    },
  });
}
