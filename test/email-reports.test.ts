// Email reports (issue 12 §7, LivePerson §9.3): the frequency (Admin) and the recipients (Admin and
// Developer, at most 10, validated, duplicates 409), audited; and the Cron Trigger's sending at 01:00
// UTC: daily for the previous day, weekly on Mondays for the previous week, each period at most once
// (however often scheduled() runs), one account's failure retried a bounded number of times without
// holding up the others. The message handed to the send_email binding is checked: its recipients,
// subject and numbers. The binding in these tests is a recording wrapper around the real (local,
// simulated) one, or a failing fake where a failure is the point.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import type { RecordWithLogs } from "../src/gate/data-plane/types";
import { scheduled } from "../src/scheduler/scheduled";
import { countersByFunction } from "../src/services/email-report-content";
import { LEDGER_KEEP_MS, LEDGER_PRUNE_ROWS, MAX_ATTEMPTS, RETRY_AFTER_MS } from "../src/services/email-report-sends";
import { ACCOUNTS_PER_TICK, runEmailReports, sendDueReports } from "../src/services/email-reports";
import { call, createLambda, deployed, env, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";
import { gateOf } from "./helpers/data-plane";
import { CODES, ROLES, expectError } from "./helpers/spec";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const workerEnv = env as unknown as Env;
const base = (a: TestAccount) => `/api/account/${a.accountId}`;

/** 00:00 UTC of the current day, and of the last Monday at or before it. */
const today = Math.floor(Date.now() / DAY) * DAY;
const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type Message = { from: string; to: string[]; subject: string; text: string; html: string };

/** A send_email binding that records each message and hands it on to the real one (or fails, when `fail` says so). */
function recordingEmail(fail: (m: Message) => boolean = () => false) {
  const sent: Message[] = [];
  const attempts: Message[] = [];
  const binding = {
    async send(m: Message) {
      attempts.push(m);
      if (fail(m)) throw new Error("simulated delivery failure");
      const result = await workerEnv.EMAIL!.send(m as unknown as EmailMessageBuilder);
      sent.push(m);
      return result;
    },
  } as unknown as SendEmail;
  return { binding, sent, attempts, env: { ...workerEnv, EMAIL: binding } as Env };
}

/** Runs the Worker's scheduled() for the minute of `ms` and waits for everything it started. */
async function fireTick(ms: number, e: Env) {
  const ctx = createExecutionContext();
  await scheduled(createScheduledController({ scheduledTime: ms, cron: "* * * * *" }), e, ctx);
  await waitOnExecutionContext(ctx);
}

const to = (list: Message[], a: TestAccount) => list.filter((m) => m.subject.includes(`account ${a.accountId}:`));

async function setFrequency(a: TestAccount, frequency: string, key = a.admin) {
  const res = await call(`${base(a)}/email-report`, { method: "PUT", key, body: { frequency } });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

const addRecipient = (a: TestAccount, email: string, key = a.admin) => call(`${base(a)}/email-report/recipients`, { key, body: { email } });
const removeRecipient = (a: TestAccount, email: string, key = a.admin) => call(`${base(a)}/email-report/recipients/${encodeURIComponent(email)}`, { method: "DELETE", key });
const recipientsOf = async (a: TestAccount, key = a.admin) => (await json<{ email: string }[]>(await call(`${base(a)}/email-report/recipients`, { key }))).map((r) => r.email);

/** An account with this frequency and recipients (each address made unique to the account). */
async function reportingAccount(frequency: "Daily" | "Weekly" | "None", recipients = ["ops", "cto"]) {
  const a = await newAccount();
  const emails = recipients.map((r) => `${r}.${a.accountId.toLowerCase()}@example.com`);
  for (const e of emails) expect((await addRecipient(a, e)).status).toBe(201);
  if (frequency !== "None") await setFrequency(a, frequency);
  return { a, emails };
}

/** n ended invocations of a function, started from `startedAt` on, 1 ms apart. */
function records(lambdaUuid: string, startedAt: number, status: RecordWithLogs["record"]["status"], n = 1): RecordWithLogs[] {
  return Array.from({ length: n }, (_, i) => {
    const id = crypto.randomUUID();
    return {
      record: { id, lambdaUuid, deploymentId: null, version: 1, trigger: "http", status, errorCode: null, startedAt: startedAt + i, durationMs: 5, requestId: `req-${id}`, outbound: [], scheduleId: null },
      logs: [],
    };
  });
}

/** Records stored straight through the account's gate, as the runtime hands them over. */
async function settle(a: TestAccount, list: RecordWithLogs[]) {
  expect(await gateOf(a.accountId).settleMany({ records: list })).toBe(list.length);
}

const storeRecords = (a: TestAccount, lambdaUuid: string, startedAt: number, status: RecordWithLogs["record"]["status"], n = 1) => settle(a, records(lambdaUuid, startedAt, status, n));

const sendsOf = async (a: TestAccount) =>
  (await env.DB.prepare("SELECT kind, period_start, status, attempts, error FROM email_report_sends WHERE account_id = ? ORDER BY period_start").bind(a.accountId).all<any>()).results;

/** The line of the text that starts with `label`, with runs of spaces made one. */
const line = (text: string, start: string | undefined) => text.split("\n").find((l) => start !== undefined && l.startsWith(start))?.replace(/ {2,}/g, "  ");

// Every test's accounts stop reporting afterwards, so later ticks only see their own test's accounts.
afterEach(async () => {
  await env.DB.prepare("UPDATE email_report_settings SET frequency = 'None'").run();
});

describe("email report settings", () => {
  it("the frequency: None until set, None/Daily/Weekly only, audited once per real change", async () => {
    const a = await newAccount();
    expect(await json(await call(`${base(a)}/email-report`, { key: a.admin }))).toEqual({ frequency: "None", updatedAt: null, updatedBy: null });
    for (const body of [{ frequency: "Hourly" }, { frequency: "daily" }, {}, { frequency: 1 }, { frequency: null }]) {
      const err = await expectError(await call(`${base(a)}/email-report`, { method: "PUT", key: a.admin, body }), 400, CODES.badInput, JSON.stringify(body));
      expect(err.errorMsg).toMatch(/frequency/);
    }
    const set = await setFrequency(a, "Daily");
    expect(set).toMatchObject({ frequency: "Daily", updatedBy: expect.stringMatching(/^key:/) });
    expect(Date.parse(set.updatedAt)).toBeGreaterThan(Date.now() - MINUTE);
    await setFrequency(a, "Daily"); // no change: no audit row
    await setFrequency(a, "Weekly");
    expect((await json(await call(`${base(a)}/email-report`, { key: a.admin }))).frequency).toBe("Weekly");
    const audit = (await env.DB.prepare("SELECT action, target, detail FROM audit_log WHERE account_id = ? AND action LIKE 'emailreport.%' ORDER BY id").bind(a.accountId).all<any>()).results;
    expect(audit.map((r) => [r.action, JSON.parse(r.detail)])).toEqual([
      ["emailreport.update", { from: "None", to: "Daily" }],
      ["emailreport.update", { from: "Daily", to: "Weekly" }],
    ]);
  });

  it("recipients: validated addresses stored lower case, duplicates 409 conflict, at most 10 (409 limitreached), removal by address", async () => {
    const a = await newAccount();
    expect(await recipientsOf(a)).toEqual([]);
    const bad = [
      "not-an-email",
      "a@b",
      "a b@example.com",
      "a@example.com\r\nBcc: evil@example.com",
      "<a@example.com>",
      "Ops <a@example.com>",
      "a@[192.0.2.1]",
      '"quoted"@example.com',
      ".dot@example.com",
      "a..b@example.com",
      "a@-example.com",
      "a@example.c0m",
      "",
      `${"x".repeat(65)}@example.com`,
      `a@${"x".repeat(250)}.com`,
    ];
    for (const email of bad) await expectError(await addRecipient(a, email), 400, CODES.badInput, JSON.stringify(email));
    for (const body of [{}, { email: 42 }, { emails: ["a@example.com"] }]) {
      await expectError(await call(`${base(a)}/email-report/recipients`, { key: a.admin, body }), 400, CODES.badInput, JSON.stringify(body));
    }
    const created = await addRecipient(a, "Ops+Reports@Example.COM");
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ email: "ops+reports@example.com", createdBy: expect.stringMatching(/^key:/) });
    const dup = await expectError(await addRecipient(a, "ops+reports@example.com", a.developer), 409, CODES.conflict);
    expect(dup.errorMsg).toMatch(/already/);
    for (let i = 2; i <= 10; i++) expect((await addRecipient(a, `r${i}@example.org`, i % 2 ? a.admin : a.developer)).status).toBe(201);
    const over = await expectError(await addRecipient(a, "eleventh@example.org"), 409, "com.liveperson.faas.es.limitreached");
    expect(over.errorMsg).toMatch(/at most 10/);
    expect(await recipientsOf(a)).toEqual(["ops+reports@example.com", ...Array.from({ length: 9 }, (_, i) => `r${i + 2}@example.org`)]);

    expect((await removeRecipient(a, "OPS+reports@example.com", a.developer)).status).toBe(204);
    await expectError(await removeRecipient(a, "ops+reports@example.com"), 404, "com.liveperson.faas.es.notfound");
    await expectError(await removeRecipient(a, "not-an-email"), 400, CODES.badInput);
    expect((await addRecipient(a, "eleventh@example.org")).status).toBe(201); // room again
    expect(await recipientsOf(a, a.developer)).toHaveLength(10);

    const audit = (await env.DB.prepare("SELECT action, target FROM audit_log WHERE account_id = ? AND action LIKE 'reportrecipient.%' ORDER BY id").bind(a.accountId).all<any>()).results;
    expect(audit).toHaveLength(12); // 10 added, 1 removed, 1 added; nothing for the refusals
    expect(audit[10]).toEqual({ action: "reportrecipient.remove", target: "ops+reports@example.com" });
  });

  it("the changes read as sentences in the activity stream", async () => {
    const a = await newAccount();
    await setFrequency(a, "Weekly");
    expect((await addRecipient(a, "ops@example.com")).status).toBe(201);
    expect((await removeRecipient(a, "ops@example.com")).status).toBe(204);
    const { items } = await json(await call(`${base(a)}/activities?entity=email-report`, { key: a.developer }));
    expect(items.map((i: any) => i.summary)).toEqual([
      "removed ops@example.com from the email report's recipients",
      "added ops@example.com to the email report's recipients",
      "set the email report to Weekly (was None)",
    ]);
  });

  it("per role: the frequency is the Admin's; recipients are Admin's and Developer's; Invocation gets 403 for all", async () => {
    const a = await newAccount();
    for (const role of ROLES) {
      const key = a.keyOf(role);
      const admin = role === "FaaS-Admin";
      const developer = role === "FaaS-Developer";
      const email = `${role.toLowerCase()}@example.com`;
      const results = {
        getSettings: (await call(`${base(a)}/email-report`, { key })).status,
        putSettings: (await call(`${base(a)}/email-report`, { method: "PUT", key, body: { frequency: "Daily" } })).status,
        listRecipients: (await call(`${base(a)}/email-report/recipients`, { key })).status,
        addRecipient: (await addRecipient(a, email, key)).status,
        removeRecipient: (await removeRecipient(a, email, key)).status,
      };
      expect(results, role).toEqual({
        getSettings: admin ? 200 : 403,
        putSettings: admin ? 200 : 403,
        listRecipients: admin || developer ? 200 : 403,
        addRecipient: admin || developer ? 201 : 403,
        // Invocation: 403 before anything is looked up (the address does not exist either).
        removeRecipient: admin || developer ? 204 : 403,
      });
    }
  });

  it("tenancy: another account's settings and recipients are 404 for every key, and stay untouched", async () => {
    const { a: b, emails } = await reportingAccount("Daily");
    const a = await newAccount();
    for (const role of ROLES) {
      const key = a.keyOf(role);
      await expectError(await call(`${base(b)}/email-report`, { key }), 404, undefined, `${role} GET`);
      await expectError(await call(`${base(b)}/email-report`, { method: "PUT", key, body: { frequency: "None" } }), 404, undefined, `${role} PUT`);
      await expectError(await call(`${base(b)}/email-report/recipients`, { key }), 404, undefined, `${role} list`);
      await expectError(await addRecipient(b, "intruder@example.com", key), 404, undefined, `${role} add`);
      await expectError(await removeRecipient(b, emails[0]!, key), 404, undefined, `${role} remove`);
    }
    expect((await json(await call(`${base(b)}/email-report`, { key: b.admin }))).frequency).toBe("Daily");
    expect(await recipientsOf(b)).toEqual(emails);
    // And A's own view is empty: nothing of B's leaks into it.
    expect(await recipientsOf(a)).toEqual([]);
  });
});

describe("sending the reports", () => {
  it("daily at 01:00 UTC: the previous day's numbers per deployed function, totals of existing functions, changes in parentheses", async () => {
    const { a, emails } = await reportingAccount("Daily");
    const alpha = await deployed(a, undefined, { name: `alpha_${uniqueName("r")}` });
    const beta = await deployed(a, undefined, { name: `beta_${uniqueName("r")}`, eventId: "conversational_command" });
    const draft = await createLambda(a, undefined, { name: `draft_${uniqueName("r")}` });
    const gone = await createLambda(a);
    expect((await call(`${base(a)}/lambdas/${gone}`, { method: "DELETE", key: a.developer })).status).toBeLessThan(300);
    const names = new Map((await json<any[]>(await call(`${base(a)}/lambdas`, { key: a.admin }))).map((l) => [l.uuid, l.name]));

    const day = today - DAY; // the reported period: [day, today)
    // The reported day, from its first millisecond (inclusive) ...
    await storeRecords(a, alpha, day, "SUCCEEDED", 3);
    await storeRecords(a, alpha, day + 5 * HOUR, "CODING_FAILURE");
    await storeRecords(a, alpha, today - 1, "TIMEOUT");
    await storeRecords(a, beta, day + 2 * HOUR, "SUCCEEDED", 2);
    await storeRecords(a, beta, day + 3 * HOUR, "PLATFORM_FAILURE");
    await storeRecords(a, draft, day + HOUR, "SUCCEEDED");
    await storeRecords(a, gone, day + HOUR, "CODING_FAILURE", 5); // deleted: left out
    await storeRecords(a, "never-existed", day + HOUR, "SUCCEEDED", 7); // not a function of the account
    // ... the day before (the changes) ...
    await storeRecords(a, alpha, day - DAY, "SUCCEEDED");
    await storeRecords(a, beta, day - 12 * HOUR, "SUCCEEDED", 4);
    await storeRecords(a, beta, day - 1, "TIMEOUT");
    // ... and today, from its first millisecond (the end is exclusive): not in this report.
    await storeRecords(a, alpha, today, "SUCCEEDED", 2);

    const mail = recordingEmail();
    await fireTick(today + 59 * MINUTE, mail.env); // 00:59: not yet
    expect(to(mail.sent, a)).toEqual([]);
    await fireTick(today + HOUR, mail.env);
    const [m, ...more] = to(mail.sent, a);
    expect(more).toEqual([]);
    expect(m!.from).toBe(workerEnv.EMAIL_FROM);
    expect(m!.to).toEqual(emails);
    expect(m!.subject).toBe(`edgefn daily report for account ${a.accountId}: ${isoDay(day)} (UTC)`);

    // Totals: alpha + beta + the draft (deleted and unknown functions excluded); no previous report
    // kept function counts, so those two have no change.
    expect(line(m!.text, "Total functions:")).toBe("Total functions:  3 of 50");
    expect(line(m!.text, "Deployed functions:")).toBe("Deployed functions:  2");
    expect(line(m!.text, "Successful invocations:")).toBe("Successful invocations:  6 (+1)");
    expect(line(m!.text, "Failed invocations:")).toBe("Failed invocations:  3 (+2)");
    expect(line(m!.text, "Ended with timeout:")).toBe("Ended with timeout:  1 (±0)");
    expect(line(m!.text, "Function failures:")).toBe("Function failures:  1 (+1)");
    // The deployed functions, by name, with their event and counters.
    expect(line(m!.text, names.get(alpha))).toBe(`${names.get(alpha)}  No event  3 (+2)  2 (+2)  1 (+1)  1 (+1)`);
    expect(line(m!.text, names.get(beta))).toBe(`${names.get(beta)}  Conversational Command  2 (-2)  1 (±0)  0 (-1)  0 (±0)`);
    expect(m!.text).not.toContain(names.get(draft));
    expect(m!.text).not.toContain(gone);
    // The HTML says the same.
    for (const s of [a.accountId, names.get(alpha)!, names.get(beta)!, "3 of 50", "6 (+1)", "2 (-2)", "Conversational Command"]) expect(m!.html).toContain(s);
    expect(m!.html).toMatch(/^<!DOCTYPE html>/);

    // Sent once: the same minute again, later minutes, two runs at once: nothing more.
    await fireTick(today + HOUR, mail.env);
    await Promise.all([fireTick(today + HOUR + MINUTE, mail.env), fireTick(today + HOUR + MINUTE, mail.env)]);
    await fireTick(today + 23 * HOUR, mail.env);
    expect(to(mail.attempts, a)).toHaveLength(1);
    expect(await sendsOf(a)).toEqual([{ kind: "Daily", period_start: day, status: "sent", attempts: 1, error: null }]);

    // The next day: today's report, its function counts compared with the ones this report showed.
    await createLambda(a);
    await fireTick(today + DAY + HOUR + 7 * MINUTE, mail.env);
    const next = to(mail.sent, a)[1]!;
    expect(next.subject).toBe(`edgefn daily report for account ${a.accountId}: ${isoDay(today)} (UTC)`);
    expect(line(next.text, "Total functions:")).toBe("Total functions:  4 of 50 (+1)");
    expect(line(next.text, "Deployed functions:")).toBe("Deployed functions:  2 (±0)");
    expect(line(next.text, "Successful invocations:")).toBe("Successful invocations:  2 (-4)");
  });

  it("the counters per function come summed from the data plane, each bucket in exactly one period", async () => {
    const a = await newAccount();
    const day = today - DAY;
    // One record every 25 minutes over both days, for two functions, and one at every slice edge of 50 buckets.
    const n = { previous: 0, current: 0, edgesPrevious: 0, edgesCurrent: 0 };
    const list: RecordWithLogs[] = [];
    for (let t = day - DAY; t < today; t += 25 * MINUTE) {
      list.push(...records("fn-one", t, "SUCCEEDED"), ...records("fn-two", t + 1, t < day ? "TIMEOUT" : "CODING_FAILURE"));
      n[t < day ? "previous" : "current"]++;
    }
    for (let t = day - DAY; t < today; t += 50 * 5 * MINUTE) {
      list.push(...records("fn-one", t, "PLATFORM_FAILURE"));
      n[t < day ? "edgesPrevious" : "edgesCurrent"]++;
    }
    await settle(a, list);
    const period = { kind: "Daily" as const, start: day, end: today };
    const whole = await countersByFunction(a.accountId, period);
    expect(n).toEqual({ previous: 58, current: 58, edgesPrevious: 6, edgesCurrent: 6 });
    expect(whole.get("fn-one")).toEqual({
      previous: { successful: n.previous, failed: n.edgesPrevious, timeouts: 0, functionFailures: 0 },
      current: { successful: n.current, failed: n.edgesCurrent, timeouts: 0, functionFailures: 0 },
    });
    expect(whole.get("fn-two")).toEqual({
      previous: { successful: 0, failed: n.previous, timeouts: n.previous, functionFailures: 0 },
      current: { successful: 0, failed: n.current, timeouts: 0, functionFailures: n.current },
    });
  });

  it("two scheduled() runs of the same minute at once send one message", async () => {
    const { a } = await reportingAccount("Daily");
    const mail = recordingEmail();
    await Promise.all([fireTick(today + HOUR, mail.env), fireTick(today + HOUR, mail.env), fireTick(today + HOUR, mail.env)]);
    expect(to(mail.attempts, a)).toHaveLength(1);
  });

  it("weekly: on Mondays only, for the previous Monday–Sunday", async () => {
    const { a, emails } = await reportingAccount("Weekly", ["weekly"]);
    const fn = await deployed(a);
    await storeRecords(a, fn, monday - 7 * DAY, "SUCCEEDED", 2); // the week's first millisecond
    await storeRecords(a, fn, monday - 2 * DAY, "TIMEOUT");
    await storeRecords(a, fn, monday - 1, "SUCCEEDED");
    await storeRecords(a, fn, monday - 10 * DAY, "SUCCEEDED"); // the week before
    await storeRecords(a, fn, monday, "SUCCEEDED", 9); // the new week

    const mail = recordingEmail();
    for (const t of [monday - DAY + HOUR, monday + 59 * MINUTE, monday + DAY + HOUR, monday + 2 * DAY + 2 * HOUR]) await fireTick(t, mail.env);
    expect(to(mail.attempts, a)).toEqual([]); // Sunday, Monday before 01:00, Tuesday, Wednesday: nothing; no daily report either
    await fireTick(monday + HOUR, mail.env);
    await fireTick(monday + HOUR + MINUTE, mail.env);
    const sent = to(mail.sent, a);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(emails);
    expect(sent[0]!.subject).toBe(`edgefn weekly report for account ${a.accountId}: ${isoDay(monday - 7 * DAY)} – ${isoDay(monday - DAY)} (UTC)`);
    expect(line(sent[0]!.text, "Successful invocations:")).toBe("Successful invocations:  3 (+2)");
    expect(line(sent[0]!.text, "Ended with timeout:")).toBe("Ended with timeout:  1 (+1)");
    expect(await sendsOf(a)).toEqual([{ kind: "Weekly", period_start: monday - 7 * DAY, status: "sent", attempts: 1, error: null }]);
  });

  it("None, a frequency set back to None, and an account without recipients send nothing", async () => {
    const { a: never } = await reportingAccount("None");
    const { a: stopped } = await reportingAccount("Daily");
    await setFrequency(stopped, "None");
    const { a: nobody } = await reportingAccount("Daily", []);
    const mail = recordingEmail();
    await fireTick(today + HOUR, mail.env);
    if (new Date(today).getUTCDay() !== 1) await fireTick(monday + HOUR, mail.env);
    for (const a of [never, stopped, nobody]) {
      expect(to(mail.attempts, a)).toEqual([]);
      expect(await sendsOf(a)).toEqual([]);
    }
  });

  it("one account's failing send neither stops the others nor repeats at once; it is retried later, a bounded number of times", async () => {
    const { a: failing } = await reportingAccount("Daily");
    const { a: flaky } = await reportingAccount("Daily");
    const { a: fine } = await reportingAccount("Daily");
    let flakyFails = true;
    const mail = recordingEmail((m) => m.subject.includes(failing.accountId) || (flakyFails && m.subject.includes(flaky.accountId)));
    const t = today + HOUR;
    await fireTick(t, mail.env);
    expect(to(mail.sent, fine)).toHaveLength(1);
    expect(to(mail.attempts, failing)).toHaveLength(1);
    expect(to(mail.attempts, flaky)).toHaveLength(1);
    expect(await sendsOf(failing)).toEqual([{ kind: "Daily", period_start: today - DAY, status: "failed", attempts: 1, error: "Error: simulated delivery failure" }]);

    await fireTick(t + MINUTE, mail.env); // too soon for a retry
    expect(to(mail.attempts, failing)).toHaveLength(1);
    flakyFails = false;
    await fireTick(t + RETRY_AFTER_MS, mail.env);
    expect(to(mail.sent, flaky)).toHaveLength(1);
    expect(to(mail.attempts, failing)).toHaveLength(2);
    // Attempt n waits n × RETRY_AFTER_MS; after MAX_ATTEMPTS it is given up.
    for (const later of [t + 3 * RETRY_AFTER_MS, t + 6 * RETRY_AFTER_MS, t + 12 * RETRY_AFTER_MS, t + 20 * HOUR]) await fireTick(later, mail.env);
    expect(to(mail.attempts, failing)).toHaveLength(MAX_ATTEMPTS);
    expect((await sendsOf(failing))[0]).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });
    expect(to(mail.sent, fine)).toHaveLength(1);
    expect(to(mail.sent, flaky)).toHaveLength(1);
  });

  it("a tick sends for at most ACCOUNTS_PER_TICK accounts; the next ticks take the rest", async () => {
    const accounts = await Promise.all(Array.from({ length: ACCOUNTS_PER_TICK + 3 }, () => reportingAccount("Daily", ["batch"])));
    const mail = recordingEmail();
    const run = await sendDueReports(mail.env, today + HOUR);
    expect(run).toEqual({ sent: ACCOUNTS_PER_TICK, failed: 0 });
    expect(await sendDueReports(mail.env, today + HOUR + MINUTE)).toEqual({ sent: 3, failed: 0 });
    expect(await sendDueReports(mail.env, today + HOUR + 2 * MINUTE)).toEqual({ sent: 0, failed: 0 });
    for (const { a } of accounts) expect(to(mail.sent, a)).toHaveLength(1);
  });

  it("never rejects: a broken database or a missing binding leaves scheduled() unharmed and claims nothing", async () => {
    const { a } = await reportingAccount("Daily");
    const broken = { prepare: () => { throw new Error("D1 is down"); } } as unknown as D1Database;
    await expect(runEmailReports({ ...workerEnv, DB: broken }, today + HOUR)).resolves.toBeUndefined();
    await fireTick(today + HOUR, { ...workerEnv, EMAIL: undefined });
    await fireTick(today + HOUR, { ...workerEnv, EMAIL_FROM: undefined });
    expect(await sendsOf(a)).toEqual([]);
    // Configured again, the report goes out within the same day.
    const mail = recordingEmail();
    await fireTick(today + 2 * HOUR, mail.env);
    expect(to(mail.sent, a)).toHaveLength(1);
  });
});

describe("the ledger of sent reports", () => {
  it("keeps 35 days of periods: the hourly tick deletes older rows (at most LEDGER_PRUNE_ROWS at once), newer ones stay", async () => {
    const a = await newAccount();
    const now = today + HOUR; // minute 0 of an hour: the tick prunes
    const insert = (periodStart: number) =>
      env.DB.prepare("INSERT INTO email_report_sends (account_id, kind, period_start, status, attempts, claimed_at) VALUES (?, 'Daily', ?, 'sent', 1, ?)").bind(a.accountId, periodStart, periodStart);
    const old = Array.from({ length: LEDGER_PRUNE_ROWS + 5 }, (_, i) => now - LEDGER_KEEP_MS - (i + 1) * MINUTE);
    const kept = [now - LEDGER_KEEP_MS + DAY, today - DAY, today - 7 * DAY];
    await env.DB.batch([...old, ...kept].map(insert));
    await runEmailReports(workerEnv, now + MINUTE); // not minute 0: nothing pruned
    expect(await sendsOf(a)).toHaveLength(old.length + kept.length);
    await runEmailReports(workerEnv, now);
    expect(await sendsOf(a)).toHaveLength(5 + kept.length); // one pruning deletes at most LEDGER_PRUNE_ROWS
    await runEmailReports(workerEnv, now + HOUR);
    expect((await sendsOf(a)).map((r: { period_start: number }) => r.period_start).sort()).toEqual([...kept].sort());
  });
});
