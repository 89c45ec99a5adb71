// The API the web console needs beyond LivePerson's (issue 14): a function's last five saved
// versions and their restore, the cause of a refused deploy, a server-computed preview of a cron
// expression's next runs, and who the caller is (GET /me).
import { describe, expect, it } from "vitest";
import { HELLO, call, createLambda, deploy, deployed, env, json, newAccount, testInvoke, wireStatus, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";
import { loginName, makeUser, signedIn } from "./helpers/users";

const base = (a: TestAccount) => `/api/account/${a.accountId}`;
const codeOf = (n: number) => `function lambda(input, callback) { callback(null, "v${n}"); }`;
const edit = (a: TestAccount, uuid: string, body: unknown, key = a.developer) => call(`${base(a)}/lambdas/${uuid}`, { method: "PUT", key, body });
const versions = (a: TestAccount, uuid: string, key = a.developer) => call(`${base(a)}/lambdas/${uuid}/versions`, { key });
const restore = (a: TestAccount, uuid: string, version: number | string, key = a.developer) =>
  call(`${base(a)}/lambdas/${uuid}/versions/${version}/restore`, { method: "POST", key });
const readLambda = async (a: TestAccount, uuid: string) => (await json(await call(`${base(a)}/lambdas/${uuid}`, { key: a.admin })))[0];
const preview = (a: TestAccount, body: unknown, key = a.invocation) => call(`${base(a)}/schedules/preview`, { key, body });

describe("function versions: the last five saved, with their code", () => {
  it("keeps a version per save of code or environment variables, newest first, at most five, pruned in storage", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, codeOf(1));
    for (let n = 2; n <= 7; n++) expect((await edit(a, uuid, { implementation: { code: codeOf(n) } })).status).toBe(200);
    // An edit of the description alone keeps no version (the code did not change).
    expect((await edit(a, uuid, { description: "only the description" })).status).toBe(200);
    expect((await edit(a, uuid, { implementation: { code: codeOf(7), environmentVariables: [{ key: "GREETING", value: "hi" }] } })).status).toBe(200);

    const res = await versions(a, uuid, a.invocation); // every role reads
    expect(res.status).toBe(200);
    const list = await json(res);
    expect(list.map((v: any) => v.version)).toEqual([9, 7, 6, 5, 4]);
    expect(list[0]).toMatchObject({ code: codeOf(7), environmentVariableKeys: ["GREETING"], isCurrent: true, isDeployed: false });
    expect(list[0].savedBy).toMatch(/^key:FaaS-Developer#/);
    expect(Date.parse(list[0].savedAt)).toBeGreaterThan(0);
    expect(list[1]).toMatchObject({ version: 7, code: codeOf(7), environmentVariableKeys: [], isCurrent: false });
    expect(list[4].code).toBe(codeOf(4));
    expect(JSON.stringify(list)).not.toContain('"hi"'); // keys only, no values
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM lambda_versions WHERE lambda_uuid = ?").bind(uuid).first<{ n: number }>();
    expect(stored?.n).toBe(5);
  });

  it("marks the deployed version, and restore saves a kept version as a new one (deployed → Modified), audited", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, codeOf(1));
    expect((await edit(a, uuid, { implementation: { code: codeOf(2), environmentVariables: [{ key: "K", value: "v" }] } })).status).toBe(200);
    let list = await json(await versions(a, uuid));
    expect(list.map((v: any) => [v.version, v.isCurrent, v.isDeployed])).toEqual([
      [2, true, false],
      [1, false, true],
    ]);

    const res = await restore(a, uuid, 1);
    expect(res.status).toBe(200);
    const restored = await json(res);
    expect(restored).toMatchObject({ version: 3, state: "Modified", implementation: { code: codeOf(1), environmentVariables: [] } });
    list = await json(await versions(a, uuid));
    expect(list.map((v: any) => v.version)).toEqual([3, 2, 1]);
    expect(list[0]).toMatchObject({ code: codeOf(1), isCurrent: true });

    // Restoring what the function holds changes nothing.
    const again = await restore(a, uuid, 3);
    expect(again.status).toBe(200);
    expect((await json(again)).version).toBe(3);

    const acts = await json(await call(`${base(a)}/activities?entity=lambda`, { key: a.admin }));
    const restores = acts.items.filter((i: any) => i.action === "lambda.restore");
    expect(restores).toHaveLength(1);
    expect(restores[0].summary).toContain("to the code of version 1");
  });

  it("a version that is not kept, a bad version and an unknown function answer 404 or 400", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    await expectError(await restore(a, uuid, 42), 404, "com.liveperson.faas.es.notfound");
    await expectError(await restore(a, uuid, "abc"), 400, CODES.badInput);
    await expectError(await restore(a, uuid, 0), 400, CODES.badInput);
    await expectError(await versions(a, crypto.randomUUID()), 404, CODES.missingLambda);
    await expectError(await restore(a, crypto.randomUUID(), 1), 404, CODES.missingLambda);
  });

  it("tenancy: another account's function is a 404 for reading and restoring, and nothing changes", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const uuid = await createLambda(a, codeOf(1));
    expect((await edit(a, uuid, { implementation: { code: codeOf(2) } })).status).toBe(200);
    await expectError(await call(`${base(b)}/lambdas/${uuid}/versions`, { key: b.admin }), 404, CODES.missingLambda);
    await expectError(await call(`${base(b)}/lambdas/${uuid}/versions/1/restore`, { method: "POST", key: b.developer }), 404, CODES.missingLambda);
    // b's key on a's path is refused before anything is read (another account: 404, never 403).
    expect((await call(`${base(a)}/lambdas/${uuid}/versions`, { key: b.admin })).status).toBe(404);
    expect((await readLambda(a, uuid)).implementation.code).toBe(codeOf(2));
  });

  it("two saves at once: the kept versions hold exactly the code each successful save stored", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, codeOf(1));
    const results = await Promise.all([2, 3, 4].map((n) => edit(a, uuid, { implementation: { code: codeOf(n) } })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    for (const s of statuses) expect([200, 409]).toContain(s);
    const current = await readLambda(a, uuid);
    const list = await json(await versions(a, uuid));
    expect(list.map((v: any) => v.version)).toEqual([...Array(current.version).keys()].map((i) => current.version - i));
    expect(list[0].code).toBe(current.implementation.code);
  });

  it("deleting the function deletes its versions", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    expect((await call(`${base(a)}/lambdas/${uuid}`, { method: "DELETE", key: a.developer })).status).toBe(204);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM lambda_versions WHERE lambda_uuid = ?").bind(uuid).first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});

describe("a refused deploy keeps its cause", () => {
  it("lastDeployFailure names the cause until a deploy succeeds; the previous version keeps serving", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, HELLO);
    expect((await readLambda(a, uuid)).lastDeployFailure).toBeNull();
    expect((await edit(a, uuid, { implementation: { code: "function lambda(input, callback) { callback(null, 1) " } })).status).toBe(200);
    const refused = await expectError(await deploy(a, uuid), 400);
    expect(refused.errorCode).toContain("contract-error");

    const l = await readLambda(a, uuid);
    expect(l.state).toBe("Modified");
    expect(l.lastDeployment.lambdaVersion).toBe(1);
    expect(l.lastDeployFailure).toMatchObject({ lambdaVersion: 2, errorCode: refused.errorCode, message: refused.errorMsg });
    expect(l.lastDeployFailure.failedBy).toMatch(/^key:FaaS-Developer#/);
    const listed = (await json(await call(`${base(a)}/lambdas`, { key: a.invocation }))).find((x: any) => x.uuid === uuid);
    expect(listed.lastDeployFailure.errorCode).toBe(refused.errorCode);

    // The activity stream says a deploy failed, without the message (the code's own error text).
    const acts = await json(await call(`${base(a)}/activities?entity=deployment`, { key: a.admin }));
    const failed = acts.items.find((i: any) => i.action === "deployment.failed");
    expect(failed.summary).toContain("failed to deploy");
    expect(failed.summary).toContain("version 2");

    expect((await edit(a, uuid, { implementation: { code: HELLO.replace("Hello", "Hi") } })).status).toBe(200);
    expect((await deploy(a, uuid)).status).toBe(201);
    expect((await readLambda(a, uuid)).lastDeployFailure).toBeNull();
  });

  it("a role that may not deploy leaves no failure behind, and deleting the function deletes its failure", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, "not javascript (");
    expect((await call(`${base(a)}/deployments/${uuid}`, { method: "POST", key: a.admin })).status).toBe(403);
    expect((await readLambda(a, uuid)).lastDeployFailure).toBeNull();
    await expectError(await deploy(a, uuid), 400);
    expect((await readLambda(a, uuid)).lastDeployFailure).not.toBeNull();
    expect((await call(`${base(a)}/lambdas/${uuid}`, { method: "DELETE", key: a.developer })).status).toBe(204);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM deploy_failures WHERE lambda_uuid = ?").bind(uuid).first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});

describe("schedule preview: the next five runs, computed by the server", () => {
  it("answers five ISO times after now, in the time zone, without storing anything", async () => {
    const a = await newAccount();
    const before = Date.now();
    const res = await preview(a, { cronExpression: "*/15   * * * *" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.cronExpression).toBe("*/15 * * * *");
    expect(body.timeZone).toBe("UTC");
    expect(body.nextRuns).toHaveLength(5);
    const times = body.nextRuns.map((t: string) => Date.parse(t));
    expect(times[0]).toBeGreaterThan(before - 1);
    for (let i = 1; i < 5; i++) expect(times[i]! - times[i - 1]!).toBe(15 * 60_000);
    for (const t of times) expect(new Date(t).getUTCMinutes() % 15).toBe(0);

    // 09:00 Berlin on weekdays: 07:00 or 08:00 UTC, never a weekend.
    const berlin = await json(await preview(a, { cronExpression: "0 9 * * 1-5", timeZone: "Europe/Berlin" }, a.developer));
    expect(berlin.timeZone).toBe("Europe/Berlin");
    for (const t of berlin.nextRuns) {
      const d = new Date(t);
      expect([7, 8]).toContain(d.getUTCHours());
      expect([0, 6]).not.toContain(d.getUTCDay());
    }
    const count = await env.DB.prepare("SELECT count(*) AS n FROM schedules WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("refuses what schedule creation refuses, with a 400 naming the field", async () => {
    const a = await newAccount();
    const cases: [unknown, string][] = [
      [{ cronExpression: "* * * *" }, "cronExpression"],
      [{ cronExpression: "0 0 * * * *" }, "cronExpression"],
      [{ cronExpression: "@hourly" }, "cronExpression"],
      [{ cronExpression: "61 * * * *" }, "cronExpression"],
      [{}, "cronExpression"],
      [{ cronExpression: "0 9 * * *", timeZone: "Mars/Olympus" }, "timeZone"],
      [{ cronExpression: "0 9 * * *", timeZone: "+01:00" }, "timeZone"],
    ];
    for (const [body, field] of cases) {
      const err = await expectError(await preview(a, body), 400, CODES.badInput, JSON.stringify(body));
      expect(err.errorMsg, JSON.stringify(body)).toContain(field);
      expect(err.errors[0].path).toBe(field);
    }
    await expectError(await preview(a, { cronExpression: 5 }), 400, CODES.badInput);
  });

  it("needs a credential of the account (401 without, 404 with another account's)", async () => {
    const a = await newAccount();
    const b = await newAccount();
    expect((await preview(a, { cronExpression: "* * * * *" }, null as unknown as string)).status).toBe(401);
    expect((await preview(a, { cronExpression: "* * * * *" }, b.admin)).status).toBe(404);
  });
});

describe("test-invoke answers its duration (the console's test page)", () => {
  it("a success and a failure both carry durationMs next to the outcome and the Debug logs", async () => {
    const a = await newAccount();
    const ok = await deployed(a, `function lambda(input, callback) { console.debug("dbg"); callback(null, { hi: input.payload.name }); }`);
    const res = await testInvoke(a, ok, { name: "x" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ result: { hi: "x" }, logs: [expect.objectContaining({ level: "Debug", message: "dbg" })] });
    expect(body.durationMs).toBeGreaterThanOrEqual(0);
    expect(typeof body.invocationId).toBe("string");

    const bad = await deployed(a, `function lambda(input, callback) { callback(new Error("nope")); }`);
    const failed = await testInvoke(a, bad);
    expect(wireStatus(failed)).toBe(901);
    const err = await json(failed);
    expect(err.errorMsg).toContain("nope");
    expect(err.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe("GET /me: who the caller is", () => {
  it("answers each key's kind, name, roles and permissions; a user's with its session's end", async () => {
    const a = await newAccount();
    const inv = await json(await call(`${base(a)}/me`, { key: a.invocation }));
    expect(inv).toMatchObject({ accountId: a.accountId, kind: "key", name: "FaaS-Invocation", roles: ["FaaS-Invocation"], expiresAt: null });
    expect(inv.permissions).toContain("lambda:invoke");
    expect(inv.permissions).not.toContain("lambda:write");
    const dev = await json(await call(`${base(a)}/me`, { key: a.developer }));
    expect(dev.permissions).toEqual(expect.arrayContaining(["lambda:write", "lambda:deploy", "schedule:write"]));
    expect(dev.permissions).not.toContain("apikey:manage");

    const name = loginName("me");
    await makeUser(a, ["FaaS-Admin", "FaaS-Developer"], { name });
    const session = await signedIn(a.accountId, name);
    const me = await json(await call(`${base(a)}/me`, { key: session.bearer }));
    expect(me).toMatchObject({ kind: "user", name, roles: ["FaaS-Admin", "FaaS-Developer"], expiresAt: session.expiresAt });
    expect(me.permissions).toEqual(expect.arrayContaining(["apikey:manage", "lambda:write"]));
    expect(JSON.stringify(me)).not.toContain(session.bearer);
  });

  it("401 without a credential, 404 with another account's", async () => {
    const a = await newAccount();
    const b = await newAccount();
    await expectError(await call(`${base(a)}/me`), 401);
    await expectError(await call(`${base(a)}/me`, { key: b.admin }), 404);
  });
});
