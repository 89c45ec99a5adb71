// Deploy and undeploy (POST/DELETE /deployments/{uuid}): contract checks at deploy time, immutable
// versions that serve at once, the previous version serving through a failed deploy, and the
// history of the last five deployed versions.
import { describe, expect, it } from "vitest";
import { call, createLambda, deploy, deployed, env, invoke, json, newAccount, wireStatus, type TestAccount } from "./helpers/api";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const returning = (value: string) => `function lambda(input, callback) { callback(null, ${JSON.stringify(value)}); }`;

const getOne = async (a: TestAccount, uuid: string) => {
  const res = await call(`/api/account/${a.accountId}/lambdas/${uuid}`, { key: a.developer });
  expect(res.status).toBe(200);
  const [l] = await json(res);
  return l;
};

/** Edits the code the way the CLI's push does (the whole lambda back with new code). */
async function edit(a: TestAccount, uuid: string, code: string) {
  const l = await getOne(a, uuid);
  const res = await call(`/api/account/${a.accountId}/lambdas/${uuid}`, {
    method: "PUT",
    key: a.developer,
    body: { ...l, implementation: { ...l.implementation, code } },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

const undeploy = (a: TestAccount, uuid: string) => call(`/api/account/${a.accountId}/deployments/${uuid}`, { method: "DELETE", key: a.developer });

async function mustDeploy(a: TestAccount, uuid: string) {
  const res = await deploy(a, uuid);
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

async function result(a: TestAccount, uuid: string) {
  const res = await invoke(a, uuid);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

async function expectContractError(res: Response, what: RegExp) {
  const text = await res.text();
  expect(res.status, text).toBe(400);
  const err = JSON.parse(text);
  expect(err.errorCode).toContain("contract-error");
  expect(err.errorMsg).toMatch(what);
  return err;
}

describe("POST /deployments/{uuid}", () => {
  it("deploys a Draft: 201, then Productive with lastDeployment, and invokable", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, returning("v1"));
    const draft = await getOne(a, uuid);
    const res = await deploy(a, uuid);
    expect(res.status, await res.clone().text()).toBe(201);
    const d = await json(res);
    expect(d).toMatchObject({ lambdaUUID: uuid, lambdaVersion: draft.version, name: draft.name });
    expect(d.deployedAt).toMatch(ISO);
    // lpf 1.31.13 reads a top-level uuid in this answer as its own error and reports "skipped".
    expect(d).not.toHaveProperty("uuid");
    const { deploymentId, ...deployment } = d;
    expect(deploymentId).toEqual(expect.any(String));

    const l = await getOne(a, uuid);
    // The CLI's deploy watch ends when state is Productive and lastDeployment.deployedAt is set.
    expect(l.state).toBe("Productive");
    expect(l.lastDeployment).not.toBeNull();
    expect(l.lastDeployment.deployedAt).toMatch(ISO);
    expect(l.lastDeployment.lambdaVersion).toBe(l.version);
    expect(l.lastDeployment).toEqual({ uuid: deploymentId, ...deployment });
    expect(l.deployments).toEqual([l.lastDeployment]);

    expect(await result(a, uuid)).toBe("v1");
  });

  it("deploys both lambda(input, callback) and async lambda(input)", async () => {
    const a = await newAccount();
    const cb = await deployed(a, "function lambda(input, callback) { callback(null, { style: 'callback', n: input.payload.n }); }");
    const asy = await deployed(a, "async function lambda(input) { return { style: 'async', n: input.payload.n }; }");
    const arrow = await deployed(a, "const lambda = async (input) => ({ style: 'arrow', n: input.payload.n });");
    const body = { headers: [], payload: { n: 7 } };
    expect(await json(await invoke(a, cb, body))).toEqual({ style: "callback", n: 7 });
    expect(await json(await invoke(a, asy, body))).toEqual({ style: "async", n: 7 });
    expect(await json(await invoke(a, arrow, body))).toEqual({ style: "arrow", n: 7 });
  });

  it("refuses code with a syntax error as a contract-error that names the SyntaxError, and deploys nothing", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, "function lambda(input, callback) { callback(null, 'x' }");
    const before = await getOne(a, uuid);
    await expectContractError(await deploy(a, uuid), /SyntaxError/);
    // Nothing changed but the kept cause of the refusal (test/console-api.test.ts).
    const { lastDeployFailure: none, ...unchanged } = before;
    const { lastDeployFailure, ...after } = await getOne(a, uuid);
    expect(none).toBeNull();
    expect(after).toEqual(unchanged);
    expect(lastDeployFailure.message).toMatch(/SyntaxError/);
    const inv = await invoke(a, uuid);
    expect(inv.status).toBe(404);
    expect((await json(inv)).errorCode).toBe("com.liveperson.faas.es.notdeployed");
  });

  it("refuses code without a lambda function as a contract-error that says so", async () => {
    const a = await newAccount();
    for (const code of [
      "function handler(input, callback) { callback(null, 1); }",
      "const lambda = 42;",
      "// only a comment",
      "var Lambda = function (i, cb) { cb(null, 1); };",
    ]) {
      const uuid = await createLambda(a, code);
      await expectContractError(await deploy(a, uuid), /lambda/);
      expect((await getOne(a, uuid)).state, code).toBe("Draft");
    }
  });

  it("refuses code that throws while loading as a contract-error", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, "throw new Error('boom at load'); function lambda(i, cb) { cb(null, 1); }");
    await expectContractError(await deploy(a, uuid), /boom at load/);
    expect((await getOne(a, uuid)).state).toBe("Draft");
  });

  it("keeps the previous version serving when a deploy fails", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, returning("old"));
    const good = await getOne(a, uuid);
    expect(await result(a, uuid)).toBe("old");

    for (const [code, why] of [
      ["function lambda(input, callback) { callback(null, 'new' ", /SyntaxError/],
      ["function notLambda(input, callback) { callback(null, 'new'); }", /lambda/],
    ] as const) {
      const edited = await edit(a, uuid, code);
      expect(edited.state).toBe("Modified");
      await expectContractError(await deploy(a, uuid), why);
      const after = await getOne(a, uuid);
      expect(after.state).toBe("Modified");
      expect(after.lastDeployment).toEqual(good.lastDeployment);
      expect(after.deployments).toEqual(good.deployments);
      expect(await result(a, uuid)).toBe("old");
    }
  });

  it("serves the new code immediately after an edit and redeploy", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, returning("first"));
    expect(await result(a, uuid)).toBe("first");
    await edit(a, uuid, returning("second"));
    // Edited but not yet deployed: the deployed version keeps serving.
    expect(await result(a, uuid)).toBe("first");
    const d = await mustDeploy(a, uuid);
    expect(await result(a, uuid)).toBe("second");
    const l = await getOne(a, uuid);
    expect(l.state).toBe("Productive");
    expect(l.lastDeployment.uuid).toBe(d.deploymentId);
    expect(l.lastDeployment.lambdaVersion).toBe(l.version);
  });

  it("serves changed environment variables after a redeploy", async () => {
    const a = await newAccount();
    const code = "function lambda(i, cb) { cb(null, process.env.COLOUR); }";
    const uuid = await deployed(a, code, { implementation: { code, environmentVariables: [{ key: "COLOUR", value: "red" }] } });
    expect(await result(a, uuid)).toBe("red");
    const l = await getOne(a, uuid);
    const res = await call(`/api/account/${a.accountId}/lambdas/${uuid}`, {
      method: "PUT",
      key: a.developer,
      body: { ...l, implementation: { ...l.implementation, environmentVariables: [{ key: "COLOUR", value: "blue" }] } },
    });
    expect(res.status).toBe(200);
    expect(await result(a, uuid)).toBe("red");
    await mustDeploy(a, uuid);
    expect(await result(a, uuid)).toBe("blue");
  });

  it("keeps the last 5 deployed versions, newest first, with lastDeployment the newest", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, returning("r1"));
    const made: any[] = [];
    for (let n = 1; n <= 7; n++) {
      if (n > 1) await edit(a, uuid, returning(`r${n}`));
      made.push(await mustDeploy(a, uuid));
    }
    expect(await result(a, uuid)).toBe("r7");
    const l = await getOne(a, uuid);
    expect(l.deployments).toHaveLength(5);
    expect(l.deployments.map((d: any) => d.uuid)).toEqual(made.slice(2).reverse().map((d) => d.deploymentId));
    const versions = l.deployments.map((d: any) => d.lambdaVersion);
    expect(versions).toEqual([...versions].sort((x: number, y: number) => y - x));
    expect(new Set(versions).size).toBe(5);
    expect(l.lastDeployment).toEqual(l.deployments[0]);
    expect(l.lastDeployment.lambdaVersion).toBe(l.version);
    // Older versions are gone from storage too, not just from the answer.
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM deployments WHERE lambda_uuid = ?").bind(uuid).first<{ n: number }>();
    expect(stored!.n).toBe(5);
    // The list endpoint shows the same history.
    const [listed] = await json(await call(`/api/account/${a.accountId}/lambdas?name=${l.name}`, { key: a.developer }));
    expect(listed.deployments).toEqual(l.deployments);
  });

  it("answers 404 missinglambda for an unknown uuid", async () => {
    const a = await newAccount();
    const res = await deploy(a, crypto.randomUUID());
    expect(res.status).toBe(404);
    expect((await json(res)).errorCode).toBe("com.liveperson.faas.es.missinglambda");
  });

  it("does not deploy another account's function", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const uuid = await createLambda(b);
    const res = await deploy(a, uuid);
    expect(res.status).toBe(404);
    expect((await getOne(b, uuid)).state).toBe("Draft");
  });
});

describe("DELETE /deployments/{uuid}", () => {
  it("undeploys: state Draft, lastDeployment null, and invoking answers 404 notdeployed", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, returning("serving"));
    expect(await result(a, uuid)).toBe("serving");
    const res = await undeploy(a, uuid);
    expect(res.status).toBe(200);
    const answered = await json(res);
    expect(answered.state).toBe("Draft");
    expect(answered.lastDeployment).toBeNull();
    // The function, its uuid as lambdaUUID: lpf reads a top-level uuid as its own error.
    expect(answered).not.toHaveProperty("uuid");
    expect(answered.lambdaUUID).toBe(uuid);

    const l = await getOne(a, uuid);
    // The CLI's undeploy watch ends when state is Draft.
    expect(l.state).toBe("Draft");
    expect(l.lastDeployment).toBeNull();
    const inv = await invoke(a, uuid);
    expect(wireStatus(inv)).toBe(404);
    expect((await json(inv)).errorCode).toBe("com.liveperson.faas.es.notdeployed");
  });

  it("undeploys a Modified function too, and a redeploy serves again", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, returning("one"));
    await edit(a, uuid, returning("two"));
    expect((await undeploy(a, uuid)).status).toBe(200);
    expect((await getOne(a, uuid)).state).toBe("Draft");
    expect(wireStatus(await invoke(a, uuid))).toBe(404);
    await mustDeploy(a, uuid);
    expect((await getOne(a, uuid)).state).toBe("Productive");
    expect(await result(a, uuid)).toBe("two");
  });

  it("leaves a Draft as it is", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const before = await getOne(a, uuid);
    const res = await undeploy(a, uuid);
    expect(res.status).toBe(200);
    expect(await getOne(a, uuid)).toEqual(before);
  });

  it("answers 404 missinglambda for an unknown uuid", async () => {
    const a = await newAccount();
    const res = await undeploy(a, crypto.randomUUID());
    expect(res.status).toBe(404);
    expect((await json(res)).errorCode).toBe("com.liveperson.faas.es.missinglambda");
  });
});
