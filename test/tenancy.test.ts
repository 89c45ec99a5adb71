// Tenant isolation inside the services: account A, on its own path and with its own keys, names
// account B's uuids and ids. B's resources must not exist for A (404, never 403 or 200), lists and
// filters never show B's items, and nothing of B changes.
import { storedCount, storedRows } from "./helpers/data-plane";
import { describe, expect, it } from "vitest";
import { HELLO, call, createLambda, deployed, env, invoke, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";
import { CODES, expectError, invocationIdOf } from "./helpers/spec";

const base = (a: TestAccount) => `/api/account/${a.accountId}`;

async function lambdaOf(owner: TestAccount, uuid: string) {
  const res = await call(`${base(owner)}/lambdas/${uuid}`, { key: owner.developer });
  expect(res.status).toBe(200);
  return (await json<any[]>(res))[0];
}

async function invocationsOf(a: TestAccount, query = "") {
  const res = await call(`${base(a)}/invocations${query}`, { key: a.invocation });
  expect(res.status).toBe(200);
  return json<{ items: any[]; nextCursor: string | null }>(res);
}

describe("tenant isolation", () => {
  it("A cannot read, edit, delete, deploy, undeploy, invoke or test B's functions, even on A's own path", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    await deployed(a); // A has functions of its own
    const bDeployed = await deployed(b);
    const bDraft = await createLambda(b);
    const before = { deployed: await lambdaOf(b, bDeployed), draft: await lambdaOf(b, bDraft) };
    const invokeBody = { headers: [], payload: { name: "intruder" } };

    for (const uuid of [bDeployed, bDraft]) {
      const attempts: [string, Promise<Response>][] = [
        ["GET lambda (developer)", call(`${base(a)}/lambdas/${uuid}`, { key: a.developer })],
        ["GET lambda (admin)", call(`${base(a)}/lambdas/${uuid}`, { key: a.admin })],
        ["GET lambda (invocation)", call(`${base(a)}/lambdas/${uuid}`, { key: a.invocation })],
        ["PUT lambda", call(`${base(a)}/lambdas/${uuid}`, { method: "PUT", key: a.developer, body: { description: "hijacked", implementation: { code: HELLO } } })],
        ["DELETE lambda", call(`${base(a)}/lambdas/${uuid}`, { method: "DELETE", key: a.developer })],
        ["deploy", call(`${base(a)}/deployments/${uuid}`, { method: "POST", key: a.developer })],
        ["undeploy", call(`${base(a)}/deployments/${uuid}`, { method: "DELETE", key: a.developer })],
        ["invoke (invocation)", invoke(a, uuid, invokeBody, a.invocation)],
        ["invoke (developer)", invoke(a, uuid, invokeBody, a.developer)],
        ["test", call(`${base(a)}/lambdas/${uuid}/test`, { key: a.developer, body: invokeBody })],
      ];
      for (const [label, pending] of attempts) {
        await expectError(await pending, 404, CODES.missingLambda, `${label} of B's ${uuid === bDraft ? "draft" : "deployed"} function`);
      }
    }

    // Nothing of B changed, and B's function still serves B.
    expect(await lambdaOf(b, bDeployed)).toEqual(before.deployed);
    expect(await lambdaOf(b, bDraft)).toEqual(before.draft);
    const res = await invoke(b, bDeployed, { headers: [], payload: { name: "owner" } });
    expect(res.status).toBe(200);
    expect(await json(res)).toBe("Hello owner");
    // A's attempts ran nothing: the only invocation record of either account is B's own one.
    await invocationIdOf(b, bDeployed);
    const count = (accountId: string) => storedCount(accountId);
    for (let i = 0; i < 100 && (await count(b.accountId)) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await count(b.accountId)).toBe(2);
    expect(await count(a.accountId)).toBe(0);
  });

  it("A cannot read B's invocation records, by id or through list filters", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const aFn = await deployed(a);
    const bFn = await deployed(b);
    const aRecord = await invocationIdOf(a, aFn);
    const bRecord = await invocationIdOf(b, bFn);

    for (const role of ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"] as const) {
      await expectError(await call(`${base(a)}/invocations/${bRecord}`, { key: a.keyOf(role) }), 404, undefined, `${role} reads B's record`);
    }
    // B reads its own record, and not A's.
    expect((await call(`${base(b)}/invocations/${bRecord}`, { key: b.invocation })).status).toBe(200);
    await expectError(await call(`${base(b)}/invocations/${aRecord}`, { key: b.invocation }), 404, undefined, "B reads A's record");

    const all = await invocationsOf(a);
    expect(all.items.map((i) => i.id)).toEqual([aRecord]);
    expect(all.items.every((i) => i.lambdaUUID === aFn)).toBe(true);
    expect((await invocationsOf(a, `?lambdaUUID=${bFn}`)).items).toEqual([]);
    expect((await invocationsOf(a, "?status=SUCCEEDED")).items.map((i) => i.id)).toEqual([aRecord]);
    expect((await invocationsOf(a, `?from=0&to=${Date.now() + 60_000}`)).items.map((i) => i.id)).toEqual([aRecord]);
    // A cursor made from B's record does not open B's list either.
    const bRow = await (await call(`${base(b)}/invocations/${bRecord}`, { key: b.invocation })).json<any>();
    const forged = btoa(`${Date.parse(bRow.startedAt) + 1}:${"z".repeat(36)}`);
    const page = await invocationsOf(a, `?cursor=${encodeURIComponent(forged)}`);
    expect(page.items.map((i) => i.id)).not.toContain(bRecord);
  });

  it("A's function list never contains B's functions, whatever the filter", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const aFn = await deployed(a);
    const bDeployed = await deployed(b);
    const bDraft = await createLambda(b, HELLO, { eventId: "conversational_command" });
    const bName = (await lambdaOf(b, bDeployed)).name;

    const listA = async (query = "", suffix = "") => {
      const res = await call(`${base(a)}/lambdas${suffix}${query}`, { key: a.invocation });
      expect(res.status).toBe(200);
      return (await json<any[]>(res)).map((l) => l.uuid);
    };
    expect(await listA()).toEqual([aFn]);
    expect(await listA("", "/")).toEqual([aFn]);
    expect(await listA(`?name=${bName}`)).toEqual([]);
    expect(await listA("?eventId=conversational_command")).toEqual([]);
    expect(await listA("?state=Productive&state=Draft&state=Modified")).toEqual([aFn]);
    for (const uuid of [bDeployed, bDraft]) expect(JSON.stringify(await listA())).not.toContain(uuid);
  });

  it("the same function name may exist in both accounts; each account sees and runs only its own", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const name = uniqueName("shared");
    const make = async (owner: TestAccount, greeting: string) => {
      const res = await call(`${base(owner)}/lambdas`, {
        key: owner.developer,
        body: { name, description: "same name", implementation: { code: `function lambda(i, cb) { cb(null, "${greeting}"); }` } },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await json(res)).uuid as string;
    };
    const aFn = await make(a, "from A");
    const bFn = await make(b, "from B");
    expect(aFn).not.toBe(bFn);
    // Within one account the name is still unique.
    await expectError(
      await call(`${base(a)}/lambdas`, { key: a.developer, body: { name, implementation: { code: HELLO } } }),
      409,
      CODES.conflict,
      "duplicate name in A",
    );

    for (const [owner, uuid] of [[a, aFn], [b, bFn]] as const) {
      expect((await call(`${base(owner)}/deployments/${uuid}`, { method: "POST", key: owner.developer })).status).toBe(201);
    }
    expect(await json(await invoke(a, aFn))).toBe("from A");
    expect(await json(await invoke(b, bFn))).toBe("from B");
    const byName = async (owner: TestAccount) =>
      (await json<any[]>(await call(`${base(owner)}/lambdas?name=${name}`, { key: owner.developer }))).map((l) => l.uuid);
    expect(await byName(a)).toEqual([aFn]);
    expect(await byName(b)).toEqual([bFn]);
  });

  it("identical code in two accounts never shares module state", async () => {
    const [a, b] = await Promise.all([newAccount(), newAccount()]);
    const code = "let n = 0; function lambda(i, cb) { n += 1; cb(null, n); }";
    const aFn = await deployed(a, code);
    const bFn = await deployed(b, code);
    const aFirst = await json(await invoke(a, aFn));
    await invoke(a, aFn);
    await invoke(a, aFn);
    expect(aFirst).toBe(1);
    expect(await json(await invoke(b, bFn))).toBe(1);
  });
});
