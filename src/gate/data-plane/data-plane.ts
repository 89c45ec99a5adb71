// The data plane of one account, in its AccountGate's SQLite storage: what the gate calls to store
// records (with their leases ended, in one transaction), read them, and keep them within retention.
import { moveLegacyStep } from "./legacy";
import { LogPartitions } from "./partitions";
import { countRecords, findLogs, getRecord, listRecords, metricsByFunction, metricsSeries } from "./queries";
import { RETENTION_BUSY_PAUSE_MS, RETENTION_PAUSE_MS, deleteExpired } from "./retention";
import { DATA_PLANE_SCHEMA, DATA_PLANE_SCHEMA_VERSION, upgradeFromV1, upgradeToV3 } from "./schema";
import { LogKeys, amendLogs, storeRecords, type LogWriter } from "./store";
import { DAY_MS, type LogHit, type LogQuery, type RecordQuery, type RecordWithLogs, type StoredLog } from "./types";

const SCHEMA_KEY = "dataPlaneSchema";
const LEGACY_DONE_KEY = "legacyMoved";
const RETENTION_KEY = "logRetentionDays";
const DEFAULT_RETENTION_DAYS = 30;
/** Runtime logs that arrived before their record are held this long (and at most this many). */
const EARLY_LOGS_MS = 120_000;
const EARLY_LOGS_MAX = 1_000;
/** After a failed legacy step, try again this much later. */
const LEGACY_RETRY_MS = 30_000;

/** A chore of the alarm and when it is next due (null: not due). */
export interface Chores {
  retentionAt: number | null;
  legacyAt: number | null;
}

export class DataPlane {
  private readonly sql: SqlStorage;
  private log!: LogWriter;
  private retentionDays = DEFAULT_RETENTION_DAYS;
  private legacyDone = false;
  readonly chores: Chores = { retentionAt: null, legacyAt: null };
  /** The runtime's logs of invocations whose record has not arrived yet (see amend). */
  private readonly early = new Map<string, { token: string; logs: StoredLog[]; until: number }>();

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  /** Creates or upgrades the tables and loads the settings; call once, in blockConcurrencyWhile. */
  async open(now: number) {
    if (((await this.storage.get<number>(SCHEMA_KEY)) ?? 0) < DATA_PLANE_SCHEMA_VERSION) {
      this.storage.transactionSync(() => {
        for (const statement of DATA_PLANE_SCHEMA) this.sql.exec(statement);
        const partitions = new LogPartitions(this.sql);
        upgradeFromV1(this.sql, (key, message, extras) => partitions.index(key, message, extras));
        upgradeToV3(this.sql);
      });
      await this.storage.put(SCHEMA_KEY, DATA_PLANE_SCHEMA_VERSION);
    }
    this.log = { keys: new LogKeys(this.sql), partitions: new LogPartitions(this.sql) };
    this.retentionDays = (await this.storage.get<number>(RETENTION_KEY)) ?? DEFAULT_RETENTION_DAYS;
    this.legacyDone = (await this.storage.get<boolean>(LEGACY_DONE_KEY)) ?? false;
    this.chores.retentionAt = now;
    this.chores.legacyAt = this.legacyDone ? null : now;
  }

  get legacyPending() {
    return !this.legacyDone;
  }

  /** Stores records (their leases are deleted by the caller in the same transaction); answers the ids stored. */
  store(batch: RecordWithLogs[], now: number): string[] {
    const ids = storeRecords(this.sql, this.log, batch);
    for (const { record, logsAwaited } of batch) {
      const early = logsAwaited ? this.early.get(record.id) : undefined;
      if (!early) continue;
      this.early.delete(record.id);
      amendLogs(this.sql, this.log, record.id, early.token, early.logs);
    }
    if (ids.length > 0 && this.chores.retentionAt === null) this.chores.retentionAt = now + this.retentionMs;
    return ids;
  }

  /**
   * The runtime's logs of an invocation whose isolate never answered (runtime/log-tail.ts): added
   * to its record, or held until the record arrives (the Tail may be quicker than the record).
   */
  amend(invocationId: string, token: string, logs: StoredLog[], now: number) {
    if (amendLogs(this.sql, this.log, invocationId, token, logs) !== "no-record") return;
    for (const [id, held] of this.early) {
      if (held.until >= now && this.early.size < EARLY_LOGS_MAX) break;
      this.early.delete(id);
    }
    this.early.set(invocationId, { token, logs, until: now + EARLY_LOGS_MS });
  }

  /** The account's logRetentionDays; a change is stored, and a shorter one takes effect at the next alarm. */
  setRetentionDays(days: number, now: number) {
    if (days === this.retentionDays) return false;
    this.retentionDays = days;
    void this.storage.put(RETENTION_KEY, days);
    this.chores.retentionAt = now;
    return true;
  }

  get retentionMs() {
    return this.retentionDays * DAY_MS;
  }

  /** One bounded retention step (see retention.ts), with its next due time (later while the account is `busy`). */
  retentionStep(now: number, busy = false) {
    const { more, nextExpiry } = this.storage.transactionSync(() => deleteExpired(this.sql, this.log, now - this.retentionMs, this.retentionMs));
    this.chores.retentionAt = more ? now + (busy ? RETENTION_BUSY_PAUSE_MS : RETENTION_PAUSE_MS) : nextExpiry;
  }

  /** One step of moving the account's pre-data-plane records out of D1 (see legacy.ts). */
  async legacyStep(d1: D1Database, accountId: string, now: number) {
    try {
      const moved = await moveLegacyStep(d1, this.sql, this.log, accountId, (fn) => this.storage.transactionSync(fn));
      if (moved) {
        this.chores.legacyAt = now;
        return;
      }
      this.legacyDone = true;
      this.chores.legacyAt = null;
      await this.storage.put(LEGACY_DONE_KEY, true);
    } catch (error) {
      console.error(JSON.stringify({ msg: "could not move invocation records out of D1; retrying", accountId, error: String(error) }));
      this.chores.legacyAt = now + LEGACY_RETRY_MS;
    }
  }

  listRecords(q: RecordQuery) {
    return listRecords(this.sql, q);
  }

  getRecord(id: string) {
    return getRecord(this.sql, id);
  }

  /** Log entries, or the reason the query is malformed (FTS5's own words). */
  findLogs(q: LogQuery): { hits: LogHit[]; next: number | null } | { malformed: string } {
    try {
      return findLogs(this.sql, this.log.partitions, q);
    } catch (error) {
      const text = String(error instanceof Error ? error.message : error);
      if (q.q !== undefined && /fts5|syntax error|unterminated|no such column|unknown special query/i.test(text)) return { malformed: text.replace(/^Error: /, "") };
      throw error;
    }
  }

  metricsSeries(from: number, to: number, size: number, lambdaUuid?: string) {
    return metricsSeries(this.sql, from, to, size, lambdaUuid);
  }

  metricsByFunction(from: number, to: number) {
    return metricsByFunction(this.sql, from, to);
  }

  countRecords(from: number, to: number) {
    return countRecords(this.sql, from, to);
  }
}
