// Functions in LivePerson Functions' V1 shapes: create, list, read, edit, delete, runtimes, and the
// audit trail of every change. Bodies and queries mirror what LivePerson's CLI and client send
// (../shared/reference/liveperson-clients.md, section 2.2).
import { describe, expect, it } from "vitest";
import { HELLO, call, createLambda, deploy, env, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";

const MISSING = "com.liveperson.faas.es.missinglambda";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const path = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/lambdas${rest}`;
const create = (a: TestAccount, body: unknown) => call(path(a), { key: a.developer, body });
const getOne = async (a: TestAccount, uuid: string) => {
  const res = await call(path(a, `/${uuid}`), { key: a.developer });
  expect(res.status).toBe(200);
  const body = await json(res);
  expect(Array.isArray(body)).toBe(true);
  expect(body).toHaveLength(1);
  return body[0];
};
const list = async (a: TestAccount, query = "", suffix = "") => {
  const res = await call(path(a, `${suffix}${query}`), { key: a.developer });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<any[]>(res);
};
const put = (a: TestAccount, uuid: string, body: unknown) => call(path(a, `/${uuid}`), { method: "PUT", key: a.developer, body });
const del = (a: TestAccount, uuid: string) => call(path(a, `/${uuid}`), { method: "DELETE", key: a.developer });
const runtimes = async (a: TestAccount) => json<any[]>(await call(`/api/account/${a.accountId}/runtimes`, { key: a.developer }));

async function mustDeploy(a: TestAccount, uuid: string) {
  const res = await deploy(a, uuid);
  expect(res.status, await res.clone().text()).toBe(201);
}

/** The body LivePerson's CLI sends on `push` of an existing function. */
const cliPutBody = (l: any, code: string) => ({
  timestamp: 0,
  uuid: l.uuid,
  version: l.version,
  state: l.state === "Draft" ? "Draft" : "Modified",
  name: l.name,
  eventId: l.eventId,
  description: l.description,
  runtime: l.runtime,
  createdBy: l.createdBy,
  updatedBy: l.updatedBy,
  createdAt: l.createdAt,
  updatedAt: l.updatedAt,
  implementation: { ...l.implementation, code },
});

const LAMBDA_FIELDS = [
  "createdAt",
  "createdBy",
  "deployments",
  "description",
  "eventId",
  "implementation",
  "lastDeployFailure", // edgefn's: why the latest deploy was refused (issue 14)
  "lastDeployment",
  "name",
  "runtime",
  "samplePayload",
  "skills",
  "state",
  "updatedAt",
  "updatedBy",
  "uuid",
  "version",
];

describe("POST /lambdas", () => {
  it("answers 201 with exactly LivePerson's lambda object, in state Draft", async () => {
    const a = await newAccount();
    const name = uniqueName();
    const vars = [{ key: "GREETING", value: "hej" }];
    const res = await create(a, { name, description: "says hello", implementation: { code: HELLO, environmentVariables: vars } });
    expect(res.status).toBe(201);
    const l = await json(res);
    expect(Object.keys(l).sort()).toEqual(LAMBDA_FIELDS);
    expect(l.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(l).toMatchObject({
      name,
      description: "says hello",
      state: "Draft",
      eventId: null,
      implementation: { code: HELLO, dependencies: [], environmentVariables: vars },
      lastDeployment: null,
      deployments: [],
    });
    expect(Object.keys(l.implementation).sort()).toEqual(["code", "dependencies", "environmentVariables"]);
    expect(typeof l.version).toBe("number");
    expect(Object.keys(l.runtime).sort()).toEqual(["baseImageName", "name", "uuid"]);
    // GET /runtimes adds the libraries (test/libraries.test.ts); a function's runtime is the rest.
    const { libraries, ...listed } = (await runtimes(a))[0];
    expect(l.runtime).toEqual(listed);
    expect(l.createdAt).toMatch(ISO);
    expect(l.updatedAt).toMatch(ISO);
    expect(typeof l.createdBy).toBe("string");
    expect(l.createdBy.length).toBeGreaterThan(0);
    expect(l.updatedBy).toBe(l.createdBy);
    expect("samplePayload" in l).toBe(true);
  });

  it("gives every function its own uuid", async () => {
    const a = await newAccount();
    const one = await createLambda(a);
    const two = await createLambda(a);
    expect(one).not.toBe(two);
  });

  it("accepts the body LivePerson's CLI sends on push of a new function", async () => {
    const a = await newAccount();
    const [runtime] = await runtimes(a);
    const name = uniqueName("cli");
    const res = await call(path(a, "?userId=someone&v=1"), {
      key: a.developer,
      body: {
        timestamp: 0,
        uuid: "",
        version: -1,
        name,
        description: "pushed by the CLI",
        state: "Draft",
        runtime,
        implementation: { code: HELLO, dependencies: [], environmentVariables: [] },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const l = await json(res);
    // The placeholders are not taken over.
    expect(l.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(l.version).toBeGreaterThan(0);
    const { libraries, ...answered } = runtime; // GET /runtimes' libraries are not part of a function's runtime
    expect(l).toMatchObject({ name, description: "pushed by the CLI", state: "Draft", runtime: answered, eventId: null });
    expect((await getOne(a, l.uuid)).name).toBe(name);
  });

  it("stores the eventId, and 'No Event' as null", async () => {
    const a = await newAccount();
    const withEvent = await json(await create(a, { name: uniqueName(), description: "", eventId: "conversational_command", implementation: { code: HELLO } }));
    expect(withEvent.eventId).toBe("conversational_command");
    expect((await getOne(a, withEvent.uuid)).eventId).toBe("conversational_command");
    const noEvent = await create(a, { name: uniqueName(), description: "", eventId: "No Event", implementation: { code: HELLO } });
    expect(noEvent.status).toBe(201);
    const l = await json(noEvent);
    expect(l.eventId).toBeNull();
    expect((await getOne(a, l.uuid)).eventId).toBeNull();
  });
});

describe("GET /lambdas", () => {
  /** Draft (no event), Draft with an event, Productive, Modified. */
  async function fourFunctions(a: TestAccount) {
    const draft = await createLambda(a);
    const evented = await createLambda(a, HELLO, { eventId: "conversational_command" });
    const productive = await createLambda(a);
    await mustDeploy(a, productive);
    const modified = await createLambda(a);
    await mustDeploy(a, modified);
    const current = await getOne(a, modified);
    expect((await put(a, modified, cliPutBody(current, HELLO + "\n// edited"))).status).toBe(200);
    return { draft, evented, productive, modified };
  }
  const uuids = (ls: any[]) => ls.map((l) => l.uuid).sort();

  it("lists the account's functions with their state, and filters by name, eventId and repeated state", async () => {
    const a = await newAccount();
    const f = await fourFunctions(a);
    const all = await list(a);
    expect(uuids(all)).toEqual([f.draft, f.evented, f.productive, f.modified].sort());
    const state = Object.fromEntries(all.map((l) => [l.uuid, l.state]));
    expect(state).toEqual({ [f.draft]: "Draft", [f.evented]: "Draft", [f.productive]: "Productive", [f.modified]: "Modified" });
    for (const l of all) expect(Object.keys(l).sort()).toEqual(LAMBDA_FIELDS);

    const name = all.find((l) => l.uuid === f.productive).name;
    expect(uuids(await list(a, `?name=${name}`))).toEqual([f.productive]);
    expect(await list(a, `?name=no_such_function`)).toEqual([]);
    expect(uuids(await list(a, "?eventId=conversational_command"))).toEqual([f.evented]);
    expect(await list(a, "?eventId=other_event")).toEqual([]);
    expect(uuids(await list(a, "?state=Modified"))).toEqual([f.modified]);
    expect(uuids(await list(a, "?state=Productive"))).toEqual([f.productive]);
    expect(uuids(await list(a, "?state=Draft&state=Productive"))).toEqual([f.draft, f.evented, f.productive].sort());
    expect(uuids(await list(a, "?state=Productive&state=Modified"))).toEqual([f.productive, f.modified].sort());
    expect(uuids(await list(a, "?state=Draft&eventId=conversational_command"))).toEqual([f.evented]);
  });

  it("accepts the trailing slash and the empty query parameters LivePerson's client sends", async () => {
    const a = await newAccount();
    const f = await fourFunctions(a);
    const everything = [f.draft, f.evented, f.productive, f.modified].sort();
    expect(uuids(await list(a, "", "/"))).toEqual(everything);
    expect(uuids(await list(a, "?eventId=&state=&externalSystem=&userId=&v=1", "/"))).toEqual(everything);
    expect(uuids(await list(a, "?eventId=&state=&externalSystem=&userId=&v=1"))).toEqual(everything);
    expect(uuids(await list(a, "?userId=someone&v=1&state=Draft", "/"))).toEqual([f.draft, f.evented].sort());
  });

  it("answers 400 for a state that does not exist instead of an empty list", async () => {
    const a = await newAccount();
    await createLambda(a);
    for (const query of ["?state=Bogus", "?state=Draft&state=draft"]) {
      const res = await call(`/api/account/${a.accountId}/lambdas${query}`, { key: a.developer });
      expect(res.status, query).toBe(400);
      expect((await json(res)).errorMsg).toContain("Draft, Productive or Modified");
    }
  });

  it("lists nothing for a fresh account, and never another account's functions", async () => {
    const a = await newAccount();
    const b = await newAccount();
    await createLambda(b);
    expect(await list(a)).toEqual([]);
  });
});

describe("GET /lambdas/{uuid}", () => {
  it("answers an array of one, equal to what create answered", async () => {
    const a = await newAccount();
    const created = await json(await create(a, { name: uniqueName(), description: "d", implementation: { code: HELLO } }));
    expect(await getOne(a, created.uuid)).toEqual(created);
  });

  it("answers 404 missinglambda for an unknown uuid", async () => {
    const a = await newAccount();
    const res = await call(path(a, `/${crypto.randomUUID()}`), { key: a.developer });
    expect(res.status).toBe(404);
    expect((await json(res)).errorCode).toBe(MISSING);
  });
});

describe("PUT /lambdas/{uuid}", () => {
  it("keeps a Draft in Draft and increments the version", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const before = await getOne(a, uuid);
    const code = "function lambda(input, callback) { callback(null, 'v2'); }";
    const res = await put(a, uuid, { ...before, description: "new words", implementation: { ...before.implementation, code } });
    expect(res.status, await res.clone().text()).toBe(200);
    const after = await json(res);
    expect(after).toMatchObject({ uuid, state: "Draft", version: before.version + 1, description: "new words", implementation: { code } });
    expect(after.createdAt).toBe(before.createdAt);
    expect(Date.parse(after.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));
    expect(await getOne(a, uuid)).toEqual(after);
  });

  it("makes a deployed function Modified, keeping its last deployment", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    await mustDeploy(a, uuid);
    const deployed = await getOne(a, uuid);
    expect(deployed.state).toBe("Productive");
    const res = await put(a, uuid, cliPutBody(deployed, "function lambda(i, cb) { cb(null, 'edited'); }"));
    expect(res.status, await res.clone().text()).toBe(200);
    const edited = await json(res);
    expect(edited.state).toBe("Modified");
    expect(edited.version).toBe(deployed.version + 1);
    expect(edited.lastDeployment).toEqual(deployed.lastDeployment);
    // A second edit keeps it Modified.
    const again = await json(await put(a, uuid, cliPutBody(edited, "function lambda(i, cb) { cb(null, 'edited twice'); }")));
    expect(again.state).toBe("Modified");
    expect(again.version).toBe(deployed.version + 2);
  });

  it("answers 304 with an empty body when nothing changed, and changes nothing", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, HELLO, { implementation: { code: HELLO, environmentVariables: [{ key: "A", value: "1" }] } });
    const before = await getOne(a, uuid);
    for (const body of [before, cliPutBody(before, before.implementation.code), { implementation: before.implementation }]) {
      const res = await put(a, uuid, body);
      expect(res.status).toBe(304);
      expect(await res.text()).toBe("");
    }
    expect(await getOne(a, uuid)).toEqual(before);

    // Unchanged push of a deployed function: still 304, still Productive.
    await mustDeploy(a, uuid);
    const deployed = await getOne(a, uuid);
    const res = await put(a, uuid, cliPutBody(deployed, deployed.implementation.code));
    expect(res.status).toBe(304);
    expect(await getOne(a, uuid)).toEqual(deployed);
  });

  it("counts a change of description or environment variables as a change", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const before = await getOne(a, uuid);
    const vars = [{ key: "NEW_VAR", value: "x" }];
    const envRes = await put(a, uuid, { ...before, implementation: { ...before.implementation, environmentVariables: vars } });
    expect(envRes.status).toBe(200);
    const withEnv = await json(envRes);
    expect(withEnv.implementation.environmentVariables).toEqual(vars);
    expect(withEnv.version).toBe(before.version + 1);
    const descRes = await put(a, uuid, { ...withEnv, description: "changed" });
    expect(descRes.status).toBe(200);
    expect((await json(descRes)).version).toBe(before.version + 2);
  });

  it("accepts the full body LivePerson's CLI sends on push of an existing function", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const before = await getOne(a, uuid);
    const code = "function lambda(input, callback) { callback(null, 'pushed again'); }";
    const res = await call(path(a, `/${uuid}?userId=someone&v=1`), { method: "PUT", key: a.developer, body: cliPutBody(before, code) });
    expect(res.status, await res.clone().text()).toBe(200);
    const after = await json(res);
    expect(after).toMatchObject({ uuid, name: before.name, state: "Draft", version: before.version + 1, implementation: { code } });
    // The server keeps its own bookkeeping: createdAt/createdBy are not taken from the body.
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.createdBy).toBe(before.createdBy);
  });

  it("keeps the environment variables that an edit leaves out", async () => {
    const a = await newAccount();
    const vars = [{ key: "API_KEY_NAME", value: "kept" }];
    const uuid = await createLambda(a, HELLO, { implementation: { code: HELLO, environmentVariables: vars } });
    const code = "function lambda(i, cb) { cb(null, 'only the code changed'); }";
    // PUT is a partial edit (the service falls back to the stored value of every field left out).
    const res = await put(a, uuid, { implementation: { code } });
    expect(res.status, await res.clone().text()).toBe(200);
    const after = await getOne(a, uuid);
    expect(after.implementation.code).toBe(code);
    expect(after.implementation.environmentVariables).toEqual(vars);
  });

  it("refuses a change of name with 400 and keeps the function unchanged", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const before = await getOne(a, uuid);
    const res = await put(a, uuid, { ...before, name: uniqueName("renamed"), description: "also changed" });
    expect(res.status).toBe(400);
    const err = await json(res);
    expect(err.errorCode).toBe("com.liveperson.faas.es.badinput");
    expect(err.errorMsg).toMatch(/name/);
    expect(await getOne(a, uuid)).toEqual(before);
  });

  it("answers 404 missinglambda for an unknown uuid", async () => {
    const a = await newAccount();
    const res = await put(a, crypto.randomUUID(), { description: "x", implementation: { code: HELLO } });
    expect(res.status).toBe(404);
    expect((await json(res)).errorCode).toBe(MISSING);
  });
});

describe("DELETE /lambdas/{uuid}", () => {
  it("deletes a Draft: 204, then 404 and gone from the list", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const keep = await createLambda(a);
    const res = await del(a, uuid);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const gone = await call(path(a, `/${uuid}`), { key: a.developer });
    expect(gone.status).toBe(404);
    expect((await json(gone)).errorCode).toBe(MISSING);
    expect((await list(a)).map((l) => l.uuid)).toEqual([keep]);
    expect((await del(a, uuid)).status).toBe(404);
  });

  it("refuses to delete a Productive or Modified function with 409", async () => {
    const a = await newAccount();
    const productive = await createLambda(a);
    await mustDeploy(a, productive);
    const modified = await createLambda(a);
    await mustDeploy(a, modified);
    await put(a, modified, cliPutBody(await getOne(a, modified), HELLO + "\n// edited"));
    expect((await getOne(a, modified)).state).toBe("Modified");

    for (const uuid of [productive, modified]) {
      const res = await del(a, uuid);
      expect(res.status).toBe(409);
      expect((await json(res)).errorMsg).toMatch(/undeploy/i);
      expect((await getOne(a, uuid)).state).not.toBe("Draft");
    }
  });

  it("deletes a function once it is undeployed, and its name can be used again", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const { name } = await getOne(a, uuid);
    await mustDeploy(a, uuid);
    expect((await call(`/api/account/${a.accountId}/deployments/${uuid}`, { method: "DELETE", key: a.developer })).status).toBe(200);
    expect((await del(a, uuid)).status).toBe(204);
    expect((await call(path(a, `/${uuid}`), { key: a.developer })).status).toBe(404);
    const again = await create(a, { name, description: "", implementation: { code: HELLO } });
    expect(again.status).toBe(201);
  });
});

describe("GET /runtimes", () => {
  it("lists at least one Node runtime in LivePerson's 'Node.js <major>' form", async () => {
    const a = await newAccount();
    const res = await call(`/api/account/${a.accountId}/runtimes`, { key: a.developer });
    expect(res.status).toBe(200);
    const list = await json<any[]>(res);
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBeGreaterThanOrEqual(1);
    for (const { libraries, ...r } of list) {
      expect(Object.keys(r).sort()).toEqual(["baseImageName", "name", "uuid"]);
      for (const v of Object.values(r)) expect(typeof v).toBe("string");
      expect(Array.isArray(libraries)).toBe(true);
    }
    // The CLI compares the major of runtimes[0].name with the local Node.
    expect(list[0].name).toMatch(/^Node\.js \d+$/);
    expect(new Set(list.map((r) => r.uuid)).size).toBe(list.length);
  });
});

describe("audit trail", () => {
  const auditOf = async (a: TestAccount, target: string) =>
    (
      await env.DB.prepare("SELECT action, target FROM audit_log WHERE account_id = ? AND target = ? ORDER BY id")
        .bind(a.accountId, target)
        .all<{ action: string; target: string }>()
    ).results.map((r) => r.action);

  it("records create, update, deploy, undeploy and delete, and nothing for refused or empty changes", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    expect(await auditOf(a, uuid)).toEqual(["lambda.create"]);

    const l = await getOne(a, uuid);
    expect((await put(a, uuid, cliPutBody(l, HELLO + "\n// 2"))).status).toBe(200);
    expect((await put(a, uuid, cliPutBody(l, HELLO + "\n// 2"))).status).toBe(304);
    expect((await put(a, uuid, { ...l, name: "renamed" })).status).toBe(400);
    expect(await auditOf(a, uuid)).toEqual(["lambda.create", "lambda.update"]);

    await mustDeploy(a, uuid);
    expect((await del(a, uuid)).status).toBe(409);
    expect((await call(`/api/account/${a.accountId}/deployments/${uuid}`, { method: "DELETE", key: a.developer })).status).toBe(200);
    expect((await del(a, uuid)).status).toBe(204);
    expect(await auditOf(a, uuid)).toEqual(["lambda.create", "lambda.update", "lambda.deploy", "lambda.undeploy", "lambda.delete"]);
  });

  it("writes one update row per applied edit, none for an edit refused as a concurrent conflict", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a);
    const l = await getOne(a, uuid);
    // Six edits of the same version at once: the version check lets some through and refuses the
    // others with 409; only the ones that happened may appear in the audit trail.
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => put(a, uuid, cliPutBody(l, `${HELLO}\n// edit ${i}`))));
    const statuses = answers.map((r) => r.status);
    for (const s of statuses) expect([200, 409]).toContain(s);
    const applied = statuses.filter((s) => s === 200).length;
    expect(applied).toBeGreaterThanOrEqual(1);
    expect((await getOne(a, uuid)).version).toBe(l.version + applied);
    const updates = (await auditOf(a, uuid)).filter((action) => action === "lambda.update");
    expect(updates, `statuses ${statuses.join(",")}`).toHaveLength(applied);
  });

  it("records each change under the account that made it", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const uuid = await createLambda(a);
    const rows = await env.DB.prepare("SELECT account_id FROM audit_log WHERE target = ?").bind(uuid).all<{ account_id: string }>();
    expect(rows.results.map((r) => r.account_id)).toEqual([a.accountId]);
    expect(await auditOf(b, uuid)).toEqual([]);
  });
});
