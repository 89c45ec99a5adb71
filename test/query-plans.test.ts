// The full-scan guard (test/helpers/query-plans.ts) that checks every statement of the platform in
// this suite: what it counts as reading a whole table, on plans from the real D1.
import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { fullScans } from "./helpers/query-plans";
import { gateOf } from "./helpers/data-plane";

const TABLES = new Set(["lambdas", "deployments", "schedule_runs", "accounts"]);
const scansOf = async (sql: string, params: unknown[] = []) => {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
  return fullScans(sql, results.map((r) => r.detail), TABLES);
};

describe("the full-scan guard", () => {
  it("flags a table read whole, also under an alias and inside a subquery", async () => {
    expect(await scansOf("SELECT 1 FROM lambdas WHERE deployment_id = ?", ["d"])).toEqual(["SCAN lambdas"]);
    expect(await scansOf("SELECT 1 FROM lambdas AS o WHERE o.deployment_id = ?", ["d"])).toEqual(["SCAN o"]);
    expect(await scansOf(`delete from "deployments" where "deployments"."id" = ? and not exists (select 1 from "lambdas" where "lambdas"."deployment_id" = ?)`, ["a", "b"])).toEqual(["SCAN lambdas"]);
    // A scan of a whole index is a scan too.
    expect(await scansOf("SELECT count(*) FROM deployments WHERE lambda_uuid = ?", ["u"])).toHaveLength(1);
  });

  it("passes reads through an index, json_each over a bound array, and tables allowed to be read whole", async () => {
    expect(await scansOf("SELECT 1 FROM lambdas WHERE uuid = ? AND deployment_id = ?", ["u", "d"])).toEqual([]);
    expect(await scansOf("SELECT 1 FROM lambdas WHERE account_id = ? AND name = ?", ["a", "n"])).toEqual([]);
    expect(await scansOf("SELECT r.id FROM json_each(?1) AS c JOIN schedule_runs AS r ON r.account_id = json_extract(c.value, '$.acc') AND r.schedule_id = json_extract(c.value, '$.id')", ["[]"])).toEqual([]);
    expect(await scansOf("SELECT id FROM accounts")).toEqual([]);
  });

  it("the sweep of lost schedule runs reads only running ones (partial index)", async () => {
    expect(await scansOf("UPDATE schedule_runs SET status = 'failed', error_code = ?1, finished_at = ?2 WHERE status = 'running' AND started_at < ?3", ["e", 1, 1])).toEqual([]);
  });
});

describe("the guard in an account's data plane", () => {
  const planIn = async (sql: string, ...params: SqlStorageValue[]) => {
    const gate = gateOf(`acct-plans-${crypto.randomUUID()}`);
    await gate.usage(); // opens the data plane: its tables exist
    return runInDurableObject(gate, (_, state) => {
      const details = state.storage.sql.exec(`EXPLAIN QUERY PLAN ${sql}`, ...params).toArray().map((r) => String(r.detail));
      const tables = new Set(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => String(r.name)));
      return fullScans(sql, details, tables);
    });
  };

  it("records of one status, and the page after a cursor, are read through an index", async () => {
    expect(await planIn("SELECT * FROM invocations WHERE status = ? ORDER BY started_at DESC, id DESC LIMIT ?", "TIMEOUT", 51)).toEqual([]);
    expect(await planIn("SELECT * FROM invocations WHERE (started_at, id) < (?, ?) ORDER BY started_at DESC, id DESC LIMIT ?", 1, "x", 51)).toEqual([]);
    // The first page reads only its LIMIT entries of the time index.
    expect(await planIn("SELECT * FROM invocations ORDER BY started_at DESC, id DESC LIMIT ?", 51)).toEqual([]);
  });

  it("the cursor spelt with OR walks every record before it: flagged", async () => {
    expect(await planIn("SELECT * FROM invocations WHERE (started_at < ? OR (started_at = ? AND id < ?)) ORDER BY started_at DESC, id DESC LIMIT ?", 1, 1, "x", 51)).toHaveLength(1);
  });
});
