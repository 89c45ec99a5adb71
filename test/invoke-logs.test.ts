import { describe, expect, it } from "vitest";
import { deployed, invoke, json, newAccount, storedInvocation as record, testInvoke } from "./helpers/api";

const LOGGING = `function lambda(input, callback) {
  console.debug('debugging', { step: 1 });
  console.info('info message', 'extra', 42);
  console.warn('warned');
  console.error('failed', { code: 'E1' });
  callback(null, 'ok');
}`;

describe("console capture", () => {
  it("turns console.* into entries {level, message, extras, timestamp}", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, LOGGING);
    const before = Date.now();
    const res = await testInvoke(a, uuid);
    expect(res.status).toBe(200);
    const out = await json(res);
    expect(out.result).toBe("ok");
    expect(out.logs.map((l: any) => [l.level, l.message, l.extras])).toEqual([
      ["Debug", "debugging", [{ step: 1 }]],
      ["Info", "info message", ["extra", 42]],
      ["Warn", "warned", []],
      ["Error", "failed", [{ code: "E1" }]],
    ]);
    for (const l of out.logs) expect(l.timestamp).toBeGreaterThanOrEqual(before);
  });

  it("returns Debug entries to a test invocation but never stores them", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, LOGGING);
    const test = await json(await testInvoke(a, uuid));
    const stored = await record(a, test.invocationId);
    expect(stored.trigger).toBe("test");
    expect(stored.logs.map((l: any) => l.level)).toEqual(["Info", "Warn", "Error"]);

    const http = await invoke(a, uuid);
    const id = http.headers.get("x-invocation-id")!;
    const storedHttp = await record(a, id);
    expect(storedHttp.trigger).toBe("http");
    expect(storedHttp.logs.map((l: any) => l.level)).toEqual(["Info", "Warn", "Error"]);
  });

  it("keeps logs of concurrent invocations apart", async () => {
    const a = await newAccount();
    const uuid = await deployed(
      a,
      "async function lambda(input) { console.info('start ' + input.payload.n); await new Promise(r => setTimeout(r, 20)); console.info('end ' + input.payload.n); return input.payload.n; }",
    );
    const results = await Promise.all([1, 2, 3].map((n) => testInvoke(a, uuid, { n }).then(json)));
    for (const [i, out] of results.entries()) {
      expect(out.logs.map((l: any) => l.message)).toEqual([`start ${i + 1}`, `end ${i + 1}`]);
    }
  });
});

describe("LivePerson's log limits: 10 entries, 6,000 characters", () => {
  it("keeps 10 entries and replaces the rest with one log-limit-reached Error", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(i, cb) { for (let n = 1; n <= 15; n++) console.info('line ' + n); cb(null, 'done'); }");
    const res = await invoke(a, uuid);
    expect(await json(res)).toBe("done");
    const stored = await record(a, res.headers.get("x-invocation-id")!);
    expect(stored.logs).toHaveLength(11);
    expect(stored.logs.slice(0, 10).map((l: any) => l.message)).toEqual(Array.from({ length: 10 }, (_, n) => `line ${n + 1}`));
    expect(stored.logs[10]).toMatchObject({ level: "Error", message: expect.stringContaining("com.liveperson.faas.handler.log-limit-reached") });
  });

  it("stores exactly 10 entries without a limit marker", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(i, cb) { for (let n = 1; n <= 10; n++) console.info('line ' + n); cb(null, 'done'); }");
    const res = await invoke(a, uuid);
    const stored = await record(a, res.headers.get("x-invocation-id")!);
    expect(stored.logs).toHaveLength(10);
    expect(JSON.stringify(stored.logs)).not.toContain("log-limit-reached");
  });

  it("counts message and extras against 6,000 characters", async () => {
    const a = await newAccount();
    // 3000 + 2996 + the two extras' JSON "[]" = 6000: fits. One more character does not.
    const fits = await deployed(a, "function lambda(i, cb) { console.info('a'.repeat(3000)); console.info('b'.repeat(2996)); cb(null, 1); }");
    const over = await deployed(a, "function lambda(i, cb) { console.info('a'.repeat(3000)); console.info('b'.repeat(2997)); cb(null, 1); }");
    const fitsLogs = (await record(a, (await invoke(a, fits)).headers.get("x-invocation-id")!)).logs;
    expect(fitsLogs.map((l: any) => l.message.length)).toEqual([3000, 2996]);
    const overLogs = (await record(a, (await invoke(a, over)).headers.get("x-invocation-id")!)).logs;
    expect(overLogs).toHaveLength(2);
    expect(overLogs[0].message).toHaveLength(3000);
    expect(overLogs[1]).toMatchObject({ level: "Error", message: expect.stringContaining("log-limit-reached") });
  });

  it("applies the limits to a test invocation's answer too", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, "function lambda(i, cb) { for (let n = 0; n < 200; n++) console.debug('d' + n); cb(null, 1); }");
    const out = await json(await testInvoke(a, uuid));
    expect(out.logs).toHaveLength(11);
    expect(out.logs[10].message).toContain("log-limit-reached");
  });
});
