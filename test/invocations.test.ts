import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storedRows, waitForStored } from "./helpers/data-plane";
import { call, deployed, invoke, json, newAccount, type TestAccount } from "./helpers/api";

const list = async (a: TestAccount, query = "") => json(await call(`/api/account/${a.accountId}/invocations${query}`, { key: a.invocation }));

/** Records are stored just after the response; wait until `count` exist. */
const waitForRecords = (a: TestAccount, count: number) => waitForStored(a.accountId, count);

describe("invocation records", () => {
  it("writes every record of a burst of concurrent invocations, with their logs (batched writes)", async () => {
    const a = await newAccount();
    const fn = await deployed(a, "function lambda(i, cb) { console.info('run', i.payload.n); console.warn('w'); cb(null, i.payload.n); }");
    // Many records and log rows arriving together, most of them carried by one gate call.
    const n = 40;
    const answers = await Promise.all(Array.from({ length: n }, (_, k) => invoke(a, fn, { headers: [], payload: { n: k } })));
    expect(answers.map((r) => r.status)).toEqual(Array(n).fill(200));
    await waitForRecords(a, n);
    const [logs] = await storedRows<{ n: number }>(a.accountId, "SELECT count(*) AS n FROM logs");
    expect(logs!.n).toBe(2 * n);
    const ids = new Set(answers.map((r) => r.headers.get("x-invocation-id")));
    const { items } = await list(a, "?limit=100");
    expect(new Set(items.map((i: any) => i.id))).toEqual(ids);
  });

  it("records every invocation with its outcome, version, trigger and request id", async () => {
    const a = await newAccount();
    const ok = await deployed(a, "function lambda(i, cb) { cb(null, 'fine'); }");
    const bad = await deployed(a, "function lambda(i, cb) { cb(new Error('broken')); }");
    const crash = await deployed(a, "function lambda(i, cb) { null.x; }");
    const hang = await deployed(a, "function lambda(i, cb) { setTimeout(() => {}, 60000); }");
    await invoke(a, ok, undefined, undefined, { "X-Request-ID": "req-ok-1" });
    await invoke(a, bad);
    await invoke(a, crash);
    await invoke(a, hang);
    await waitForRecords(a, 4);
    const { items } = await list(a);
    const byLambda = Object.fromEntries(items.map((i: any) => [i.lambdaUUID, i]));
    expect(byLambda[ok]).toMatchObject({ status: "SUCCEEDED", trigger: "http", version: 1, requestId: "req-ok-1", errorCode: null });
    expect(byLambda[bad]).toMatchObject({ status: "CODING_FAILURE", errorCode: "com.liveperson.faas.handler.custom-failure" });
    expect(byLambda[crash]).toMatchObject({ status: "CODING_FAILURE", errorCode: "com.liveperson.faas.handler.runtime-exception" });
    expect(byLambda[hang]).toMatchObject({ status: "TIMEOUT", errorCode: "com.liveperson.faas.handler.executiontime-exceeded" });
    expect(byLambda[hang].durationMs).toBeGreaterThanOrEqual(1500);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(["durationMs", "errorCode", "id", "lambdaUUID", "outbound", "parentInvocationId", "requestId", "scheduleId", "startedAt", "status", "trigger", "version"]);
      expect(new Date(item.startedAt).toISOString()).toBe(item.startedAt);
    }
  });

  it("echoes X-Request-ID on the invoke answer", async () => {
    const a = await newAccount();
    const uuid = await deployed(a);
    const res = await invoke(a, uuid, undefined, undefined, { "X-Request-ID": "trace-abc-123" });
    expect(res.headers.get("x-request-id")).toBe("trace-abc-123");
    const generated = await invoke(a, uuid);
    expect(generated.headers.get("x-request-id")).toMatch(/.{8,}/);
  });

  it("lists newest first, filters, and pages with a cursor", async () => {
    const a = await newAccount();
    const first = await deployed(a, "function lambda(i, cb) { cb(null, 1); }");
    const second = await deployed(a, "function lambda(i, cb) { cb(new Error('x')); }");
    for (let n = 0; n < 5; n++) await invoke(a, first);
    await invoke(a, second);
    await waitForRecords(a, 6);

    const all = await list(a);
    expect(all.items).toHaveLength(6);
    const times = all.items.map((i: any) => i.startedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.items[0].lambdaUUID).toBe(second);

    expect((await list(a, `?lambdaUUID=${first}`)).items).toHaveLength(5);
    expect((await list(a, "?status=CODING_FAILURE")).items.map((i: any) => i.lambdaUUID)).toEqual([second]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list(a, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i: any) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((i: any) => i.id));

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await list(a, `?from=${future}`)).items).toEqual([]);
    expect((await list(a, `?to=${future}`)).items).toHaveLength(6);
  });

  it("rejects bad filters with badinput", async () => {
    const a = await newAccount();
    for (const q of ["?from=yesterday", "?cursor=garbage", "?status=WHATEVER", "?limit=0"]) {
      const res = await call(`/api/account/${a.accountId}/invocations${q}`, { key: a.admin });
      expect(res.status, q).toBe(400);
      expect((await json(res)).errorCode).toBe("com.liveperson.faas.es.badinput");
    }
  });

  it("answers 404 for an unknown invocation id", async () => {
    const a = await newAccount();
    const res = await call(`/api/account/${a.accountId}/invocations/${crypto.randomUUID()}`, { key: a.admin });
    expect(res.status).toBe(404);
  });
});
