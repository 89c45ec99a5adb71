// The full-text index of log entries, partitioned by UTC day: one contentless FTS5 table per day
// (log_text_<day>, rowid = the entry's key), listed in log_days.
//
// Why by day: FTS5 answers a prefix query (`token1*`) by merging the postings of every matching
// term over its whole table before returning the first row, whatever the LIMIT or rowid range; in
// one table of a million entries that took 150 ms. A day's table is a thirtieth of that, and a
// search newest first stops at the first days that fill its page. Retention drops a whole day's
// table when all of it has expired (milliseconds) instead of deleting index rows one by one, whose
// merges held the account's object for up to 170 ms. Contentless: the text lives in `logs`, once.
import { KEYS_PER_MS } from "./schema";
import { DAY_MS } from "./types";

const KEYS_PER_PARTITION = DAY_MS * KEYS_PER_MS;

export type KeyedRow = Record<string, SqlStorageValue> & { key: number };

/**
 * Rows of a key-ordered query over [low, high], fetched in chunks of growing size (`first`, then
 * 4 × as many up to `max`), each read to its end. A caller may stop reading at any row: no SQLite
 * statement is left open (an open one would block dropping a day's table), and a page that fills
 * early costs one small query.
 */
export function* keyRangeChunks<Row extends KeyedRow>(
  fetch: (low: number, high: number, n: number) => Row[],
  low: number,
  high: number,
  newestFirst: boolean,
  first: number,
  max: number,
): Generator<Row> {
  for (let n = first; low <= high; n = Math.min(n * 4, max)) {
    const rows = fetch(low, high, n);
    yield* rows;
    if (rows.length < n) return;
    const last = rows[rows.length - 1]!.key;
    if (newestFirst) high = last - 1;
    else low = last + 1;
  }
}

/** The day (partition) of a log key. */
export const dayOfKey = (key: number) => Math.floor(key / KEYS_PER_PARTITION);

/** The FTS5 table of a day. Days are integers, so the name never carries input. */
const tableOf = (day: number) => `log_text_${Math.trunc(day)}`;

export class LogPartitions {
  private readonly days = new Set<number>();

  constructor(private readonly sql: SqlStorage) {
    for (const r of sql.exec<{ day: number }>("SELECT day FROM log_days")) this.days.add(r.day);
  }

  /** Indexes one entry, creating its day's table on first use (in the caller's transaction). */
  index(key: number, message: string, extras: string) {
    const day = dayOfKey(key);
    if (!this.days.has(day)) {
      this.sql.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${tableOf(day)} USING fts5 (message, extras, content = '', tokenize = 'unicode61')`);
      this.sql.exec("INSERT OR IGNORE INTO log_days (day) VALUES (?)", day);
      this.days.add(day);
    }
    this.sql.exec(`INSERT INTO ${tableOf(day)} (rowid, message, extras) VALUES (?, ?, ?)`, key, message, extras);
  }

  /**
   * The entries matching `q` (FTS5 syntax) within [low, high], day by day in key order, joined to
   * their rows in `logs` (an index entry whose row retention already deleted is skipped), in
   * chunks (see keyRangeChunks): a day is searched only when the caller reads past the previous one.
   */
  *search<Row extends KeyedRow>(columns: string, q: string, low: number, high: number, newestFirst: boolean, firstChunk: number, maxChunk: number): Generator<Row> {
    const days = [...this.days].filter((d) => d >= dayOfKey(low) && d <= dayOfKey(high)).sort((a, b) => (newestFirst ? b - a : a - b));
    const dir = newestFirst ? "DESC" : "ASC";
    for (const day of days) {
      const t = tableOf(day);
      const dayLow = Math.max(low, day * KEYS_PER_PARTITION);
      const dayHigh = Math.min(high, (day + 1) * KEYS_PER_PARTITION - 1);
      yield* keyRangeChunks<Row>(
        (lo, hi, n) =>
          this.sql.exec<Row>(`SELECT ${columns} FROM ${t} t CROSS JOIN logs l ON l.key = t.rowid WHERE ${t} MATCH ? AND t.rowid BETWEEN ? AND ? ORDER BY t.rowid ${dir} LIMIT ?`, q, lo, hi, n).toArray(),
        dayLow, dayHigh, newestFirst, firstChunk, maxChunk,
      );
    }
  }

  /**
   * Drops the oldest day whose entries are all below `cutoffKey`. SQLite refuses to drop a table
   * while any statement of the connection is still reading ("database table is locked"), which is
   * why every read of the data plane runs to its end (keyRangeChunks); should one not have, the
   * drop is answered "locked" for the caller to try later, and nothing else is undone.
   */
  dropOneBelow(cutoffKey: number): "dropped" | "none" | "locked" {
    const oldest = Math.min(...this.days);
    if (!Number.isFinite(oldest) || (oldest + 1) * KEYS_PER_PARTITION > cutoffKey) return "none";
    try {
      this.sql.exec(`DROP TABLE IF EXISTS ${tableOf(oldest)}`);
    } catch (error) {
      if (/locked/i.test(String(error))) return "locked";
      throw error;
    }
    this.sql.exec("DELETE FROM log_days WHERE day = ?", oldest);
    this.days.delete(oldest);
    return "dropped";
  }

  /** When the oldest indexed day ends (epoch ms), null if none: it can be dropped once that has expired. */
  oldestEnd(): number | null {
    return this.days.size ? (Math.min(...this.days) + 1) * DAY_MS : null;
  }
}
