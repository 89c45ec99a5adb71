// A guard for the whole Workers suite (installed by test/setup.ts): every SQL statement the
// platform's own code sends to D1, or runs in an account's data plane (the AccountGate's SQLite),
// while the tests run is checked once with EXPLAIN QUERY PLAN, and a statement that reads a whole
// table fails the file it first ran in. A full scan costs nothing in a
// test's near-empty database and grows with every account and function on a real one: deploys got
// slower with each function deployed (npm run bench, scale) because two of their statements scanned
// every function of every account. Statements the tests write themselves are not checked.
import { afterAll, beforeAll } from "vitest";

/**
 * Tables a statement may read whole, and why. Every other table must be read through an index
 * that narrows it (a scan of an index, "SCAN t USING INDEX i", reads every entry too).
 */
const MAY_SCAN: Record<string, string> = {
  accounts: "jobs that visit every account once per run (waking every gate after a restart of the local runtime)",
  log_days: "an account's data plane: one row per day of logs kept (at most the retention's days)",
};

interface Checked {
  seen: Map<string, string>; // statement -> where it was first sent from
  checked: Set<string>;
  installed: boolean;
  /** Data-plane statements that read a whole table, found as they ran. */
  dataPlaneProblems: string[];
  dataPlaneChecked: Set<string>;
}
// Test files share one Worker isolate (vitest.config.ts isolate: false): the record outlives a file.
const state: Checked = ((globalThis as { __edgefnQueryPlans?: Checked }).__edgefnQueryPlans ??= { seen: new Map(), checked: new Set(), installed: false, dataPlaneProblems: [], dataPlaneChecked: new Set() });

/** The first frame of the stack in the platform's own code, if a frame of src/ comes before any of test/. */
function platformCaller(stack: string | undefined): string | null {
  for (const line of (stack ?? "").split("\n").slice(1)) {
    if (line.includes("/node_modules/") || line.includes("test/helpers/query-plans")) continue;
    if (line.includes("/src/")) return line.trim();
    if (line.includes("/test/")) return null;
  }
  return null;
}

/** Binds NULL to every parameter (plain ? and numbered ?N alike): the plan does not depend on values. */
function parameterCount(sql: string): number {
  const numbered = [...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1]));
  const plain = (sql.match(/\?(?!\d)/g) ?? []).length;
  return numbered.length ? Math.max(...numbered) : plain;
}

/** The statement's tables by the names its plan uses for them (an alias, or the table's own name). */
function tablesByName(sql: string, tables: ReadonlySet<string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:from|join|update|into)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    const table = m[1]!;
    if (!tables.has(table)) continue;
    names.set(table, table);
    if (m[2] && !/^(where|set|select|on|join|left|inner|values|order|group|limit|natural|cross)$/i.test(m[2])) names.set(m[2], table);
  }
  return names;
}

/**
 * The lines of a plan that read one of the database's tables whole. Scans of what the statement
 * builds itself (json_each over a bound array, a subquery, a row of constants) are as long as what
 * the statement was given, so they are not counted.
 */
export function fullScans(sql: string, details: string[], tables: ReadonlySet<string>): string[] {
  const names = tablesByName(sql, tables);
  return details.filter((d) => {
    const m = /^SCAN (\S+)/.exec(d);
    if (!m || d.includes("VIRTUAL TABLE")) return false;
    const table = names.get(m[1]!);
    // The first LIMIT entries of an index in its order, with nothing to skip (no WHERE): a page.
    if (/ USING (COVERING )?INDEX /.test(d) && /\blimit\b/i.test(sql) && !/\bwhere\b/i.test(sql)) return false;
    return table !== undefined && !(table in MAY_SCAN);
  });
}

const isQuery = (sql: string) => /^\s*(select|insert|update|delete|with)\b/i.test(sql);
const describeProblem = (scans: string[], sql: string, caller: string) => `${scans.join("; ")}\n    ${sql.replace(/\s+/g, " ").slice(0, 400)}\n    from ${caller}`;

/**
 * The data plane's statements are checked where and when they run: SqlStorage.exec is synchronous,
 * so its plan is read in the same Durable Object, on the same tables (its log tables are per day).
 */
function guardDataPlane(sqlStorage: SqlStorage) {
  const proto = Object.getPrototypeOf(sqlStorage) as { exec(this: SqlStorage, sql: string, ...bindings: unknown[]): SqlStorageCursor<Record<string, SqlStorageValue>> };
  const exec = proto.exec;
  proto.exec = function (sql: string, ...bindings: unknown[]) {
    if (!state.dataPlaneChecked.has(sql)) {
      state.dataPlaneChecked.add(sql);
      const caller = platformCaller(new Error().stack);
      if (caller && isQuery(sql)) {
        const details = exec.call(this, `EXPLAIN QUERY PLAN ${sql}`, ...bindings).toArray().map((r) => String(r.detail));
        const tables = new Set(exec.call(this, "SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => String(r.name)));
        const scans = fullScans(sql, details, tables);
        if (scans.length) state.dataPlaneProblems.push(describeProblem(scans, sql, caller));
      }
    }
    return exec.call(this, sql, ...bindings);
  };
}

/** Installs the guard (once per suite; its check runs after every file). `sqlStorage`: any Durable Object's, for its prototype. */
export function installQueryPlanGuard(db: D1Database, sqlStorage: () => Promise<SqlStorage>) {
  if (!state.installed) {
    state.installed = true;
    beforeAll(async () => guardDataPlane(await sqlStorage()));
    const proto = Object.getPrototypeOf(db) as { prepare(this: D1Database, sql: string): D1PreparedStatement };
    const prepare = proto.prepare;
    proto.prepare = function (sql: string) {
      if (!state.seen.has(sql) && !state.checked.has(sql)) {
        const caller = platformCaller(new Error().stack);
        if (caller) state.seen.set(sql, caller);
        else state.checked.add(sql); // the tests' own SQL
      }
      return prepare.call(this, sql);
    };
  }
  afterAll(async () => {
    const problems = state.dataPlaneProblems.splice(0);
    if (state.seen.size === 0 && problems.length === 0) return;
    const tables = new Set((await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>()).results.map((r) => r.name));
    for (const [sql, caller] of state.seen) {
      state.seen.delete(sql);
      state.checked.add(sql);
      // Migrations and other statements EXPLAIN cannot take are not queries the platform repeats.
      if (!isQuery(sql)) continue;
      const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...Array(parameterCount(sql)).fill(null)).all<{ detail: string }>();
      const scans = fullScans(sql, results.map((r) => r.detail), tables);
      if (scans.length) problems.push(describeProblem(scans, sql, caller));
    }
    if (problems.length) throw new Error(`statements of the platform read whole tables (add an index, or scope them by a key):\n  ${problems.join("\n  ")}`);
  });
}
