// Access control on every /api/account route: one walk over every operation of the OpenAPI spec ×
// every role × a foreign account, checked against an oracle written here from LivePerson Functions'
// permission table (../shared/reference/liveperson-functions.md §10), independent of src/.
import { describe, expect, it } from "vitest";
import { HELLO, call, createLambda, deployed, json, newAccount, uniqueName, type Role, type TestAccount } from "./helpers/api";
import { CODES, ROLES, expectError, fetchSpec, fillPath, invocationIdOf, mintKey, operationsOf, type Operation } from "./helpers/spec";
import { PASSWORD, loginName, makeUser, signedIn } from "./helpers/users";

const ADMIN: Role = "FaaS-Admin";
const DEV: Role = "FaaS-Developer";
const INV: Role = "FaaS-Invocation";
const ALL = [ADMIN, DEV, INV];

/** Real ids of one account, for filling path parameters. */
interface Fixture {
  account: TestAccount;
  lambda: string; // deployed; read, invoked, tested and redeployed
  editTarget: string; // edited by PUT
  undeployTarget: string; // undeployed by DELETE /deployments (idempotent)
  invocationId: string;
  newDraft(): Promise<string>; // a fresh Draft function, for DELETE
  newThrowawayKey(): Promise<string>; // a fresh key id, for DELETE api-keys (never a key in use)
  newThrowawayUser(): Promise<string>; // a fresh user id (with a password), for the user routes
}

interface Request {
  params: Record<string, string>;
  body?: unknown;
}

interface Case {
  roles: Role[];
  request(f: Fixture): Promise<Request>;
}

const A = "/api/account/{accountId}";
const acct = (f: Fixture) => ({ accountId: f.account.accountId });
const invokeBody = { timestamp: 0, headers: [{ key: "h", value: "v" }], payload: { name: "perm" } };

// The oracle: who may call what, from LivePerson's table. Admin/Developer/Invocation:
// lambda read = all; lambda create/edit/delete = Developer; deploy/undeploy = Developer;
// invoke = Developer + Invocation; test-invoke = Developer; runtimes = all;
// invocation records and logs read = all; api keys = Admin.
const ORACLE: Record<string, Case> = {
  [`GET ${A}/lambdas`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/lambdas`]: {
    roles: [DEV],
    request: async (f) => ({ params: acct(f), body: { name: uniqueName("perm"), description: "d", implementation: { code: HELLO } } }),
  },
  [`GET ${A}/lambdas/{uuid}`]: { roles: ALL, request: async (f) => ({ params: { ...acct(f), uuid: f.lambda } }) },
  [`PUT ${A}/lambdas/{uuid}`]: {
    roles: [DEV],
    request: async (f) => ({ params: { ...acct(f), uuid: f.editTarget }, body: { description: uniqueName("edit") } }),
  },
  [`DELETE ${A}/lambdas/{uuid}`]: { roles: [DEV], request: async (f) => ({ params: { ...acct(f), uuid: await f.newDraft() } }) },
  [`POST ${A}/deployments/{uuid}`]: { roles: [DEV], request: async (f) => ({ params: { ...acct(f), uuid: f.lambda } }) },
  [`DELETE ${A}/deployments/{uuid}`]: { roles: [DEV], request: async (f) => ({ params: { ...acct(f), uuid: f.undeployTarget } }) },
  [`POST ${A}/lambdas/{uuid}/invoke`]: { roles: [DEV, INV], request: async (f) => ({ params: { ...acct(f), uuid: f.lambda }, body: invokeBody }) },
  [`POST ${A}/lambdas/{uuid}/test`]: { roles: [DEV], request: async (f) => ({ params: { ...acct(f), uuid: f.lambda }, body: invokeBody }) },
  [`GET ${A}/runtimes`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/invocations`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/invocations/{id}`]: { roles: ALL, request: async (f) => ({ params: { ...acct(f), id: f.invocationId } }) },
  [`GET ${A}/api-keys`]: { roles: [ADMIN], request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/api-keys`]: { roles: [ADMIN], request: async (f) => ({ params: acct(f), body: { name: uniqueName("key"), role: INV } }) },
  [`DELETE ${A}/api-keys/{id}`]: { roles: [ADMIN], request: async (f) => ({ params: { ...acct(f), id: await f.newThrowawayKey() } }) },
  // --- users and their sessions (issue 13): Admin only, like API keys. PUT, DELETE and the
  // per-user routes each get a fresh user, created with the fixture account's own admin key.
  [`GET ${A}/users`]: { roles: [ADMIN], request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/users`]: {
    roles: [ADMIN],
    request: async (f) => ({ params: acct(f), body: { loginName: loginName("perm"), roles: [INV], password: PASSWORD } }),
  },
  [`PUT ${A}/users/{id}`]: { roles: [ADMIN], request: async (f) => ({ params: { ...acct(f), id: await f.newThrowawayUser() }, body: { roles: [DEV] } }) },
  [`DELETE ${A}/users/{id}`]: { roles: [ADMIN], request: async (f) => ({ params: { ...acct(f), id: await f.newThrowawayUser() } }) },
  [`POST ${A}/users/{id}/invitation`]: { roles: [ADMIN], request: async (f) => ({ params: { ...acct(f), id: await f.newThrowawayUser() } }) },
  [`GET ${A}/users/{id}/sessions`]: { roles: [ADMIN], request: async (f) => ({ params: { ...acct(f), id: await f.newThrowawayUser() } }) },
  [`DELETE ${A}/users/{id}/sessions`]: { roles: [ADMIN], request: async (f) => ({ params: { ...acct(f), id: await f.newThrowawayUser() } }) },
  // --- secrets (issue 3) ---
  // Secrets: keys readable by Admin and Developer, values by nobody; Admin writes. PUT and DELETE
  // each get a fresh secret, created with the fixture account's own admin key.
  [`GET ${A}/secrets`]: { roles: [ADMIN, DEV], request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/secrets`]: {
    roles: [ADMIN],
    request: async (f) => ({ params: acct(f), body: { key: uniqueName("perm"), value: "s3cret", type: "string" } }),
  },
  [`PUT ${A}/secrets/{key}`]: {
    roles: [ADMIN],
    request: async (f) => {
      const key = uniqueName("perm");
      const res = await call(`/api/account/${f.account.accountId}/secrets`, { key: f.account.admin, body: { key, value: "v1", type: "string" } });
      if (res.status !== 201) throw new Error(`secret creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), key }, body: { value: "v2" } };
    },
  },
  [`DELETE ${A}/secrets/{key}`]: {
    roles: [ADMIN],
    request: async (f) => {
      const key = uniqueName("perm");
      const res = await call(`/api/account/${f.account.accountId}/secrets`, { key: f.account.admin, body: { key, value: "v1", type: "string" } });
      if (res.status !== 201) throw new Error(`secret creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), key } };
    },
  },
  // --- proxy-settings (issue 3) ---
  // The allow-list: Admin writes, Developer reads (LivePerson §5.3). DELETE gets a fresh entry,
  // created with the fixture account's own admin key. Host names may not hold uniqueName's "_".
  [`GET ${A}/proxy-settings`]: { roles: [ADMIN, DEV], request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/proxy-settings`]: {
    roles: [ADMIN],
    request: async (f) => ({ params: acct(f), body: { domain: `${uniqueName("perm").toLowerCase().replace(/_/g, "-")}.example.com`, id: -1 } }),
  },
  [`DELETE ${A}/proxy-settings/{id}`]: {
    roles: [ADMIN],
    request: async (f) => {
      const res = await call(`/api/account/${f.account.accountId}/proxy-settings`, { key: f.account.admin, body: { domain: `${uniqueName("perm").toLowerCase().replace(/_/g, "-")}.example.com`, id: -1 } });
      if (res.status !== 201) throw new Error(`allow-list entry creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), id: String((await json(res)).id) } };
    },
  },
  // --- schedules (issue 4) ---
  // Schedules: every role reads; Admin and Developer create, edit, delete and run now. Each request
  // on one schedule gets a fresh one of the fixture's deployed function, created with the fixture
  // account's own admin key.
  [`GET ${A}/schedules`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/schedules`]: {
    roles: [ADMIN, DEV],
    request: async (f) => ({ params: acct(f), body: { lambdaUUID: f.lambda, cronExpression: "*/15 * * * *", isActive: true } }),
  },
  [`GET ${A}/schedules/{id}`]: {
    roles: ALL,
    request: async (f) => {
      const res = await call(`/api/account/${f.account.accountId}/schedules`, { key: f.account.admin, body: { lambdaUUID: f.lambda, cronExpression: "0 * * * *" } });
      if (res.status !== 201) throw new Error(`schedule creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), id: (await json(res)).id } };
    },
  },
  [`PUT ${A}/schedules/{id}`]: {
    roles: [ADMIN, DEV],
    request: async (f) => {
      const res = await call(`/api/account/${f.account.accountId}/schedules`, { key: f.account.admin, body: { lambdaUUID: f.lambda, cronExpression: "0 * * * *" } });
      if (res.status !== 201) throw new Error(`schedule creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), id: (await json(res)).id }, body: { description: uniqueName("edit") } };
    },
  },
  [`DELETE ${A}/schedules/{id}`]: {
    roles: [ADMIN, DEV],
    request: async (f) => {
      const res = await call(`/api/account/${f.account.accountId}/schedules`, { key: f.account.admin, body: { lambdaUUID: f.lambda, cronExpression: "0 * * * *" } });
      if (res.status !== 201) throw new Error(`schedule creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), id: (await json(res)).id } };
    },
  },
  [`POST ${A}/schedules/{id}/run`]: {
    roles: [ADMIN, DEV],
    request: async (f) => {
      const res = await call(`/api/account/${f.account.accountId}/schedules`, { key: f.account.admin, body: { lambdaUUID: f.lambda, cronExpression: "0 * * * *" } });
      if (res.status !== 201) throw new Error(`schedule creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), id: (await json(res)).id } };
    },
  },
  // --- reports (issue 4) ---
  // Reports (limitCounts, lambdaCounts, invocationCounts): reporting read = every role (LivePerson §10).
  [`GET ${A}/reports/limitCounts`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/reports/lambdaCounts`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/reports/invocationCounts`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  // --- observability (issue 12) ---
  // Logs, metrics and the summary are read by every role (LivePerson's table: logs and reports).
  [`GET ${A}/reports/invocations/{uuid}`]: { roles: ALL, request: async (f) => ({ params: { ...acct(f), uuid: f.lambda } }) },
  [`GET ${A}/reports/summary`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/metrics`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/logs`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/logs/export`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/functions/{uuid}/logs/export`]: { roles: ALL, request: async (f) => ({ params: { ...acct(f), uuid: f.lambda } }) },
  // --- oauth (issue 5) ---
  // OAuth2 clients: Admin only, like API keys. DELETE gets a fresh client, created with the
  // fixture account's own admin key. The domain API (service/baseURI.json) and the token endpoint
  // (/sentinel/...) need no key: the first is not in the spec (like /healthz), the second is not
  // under /api/account (like /admin); test/domain-api.test.ts and test/oauth.test.ts cover them.
  [`GET ${A}/oauth-clients`]: { roles: [ADMIN], request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/oauth-clients`]: { roles: [ADMIN], request: async (f) => ({ params: acct(f), body: { name: uniqueName("client") } }) },
  [`DELETE ${A}/oauth-clients/{id}`]: {
    roles: [ADMIN],
    request: async (f) => {
      const res = await call(`/api/account/${f.account.accountId}/oauth-clients`, { key: f.account.admin, body: { name: uniqueName("client") } });
      if (res.status !== 201) throw new Error(`OAuth client creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), id: (await json(res)).id } };
    },
  },
  // --- events (issue 5) ---
  // The event catalogue and V2's function list are reads (every role, like GET /lambdas);
  // isImplemented is asked by the gateway's callers, so it goes with invoke (Developer + Invocation).
  [`GET ${A}/events`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/events/{eventId}/isImplemented`]: { roles: [DEV, INV], request: async (f) => ({ params: { ...acct(f), eventId: "conversational_command" } }) },
  [`GET ${A}/functions`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  // Invoking by event runs the fixture's function bound to conversational_command: like invoke.
  [`POST ${A}/events/{eventId}/invoke`]: {
    roles: [DEV, INV],
    request: async (f) => ({ params: { ...acct(f), eventId: "conversational_command" }, body: invokeBody }),
  },
  // Templates are read like functions (issue 5).
  [`GET ${A}/templates`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
  // --- activity stream (issue 12) ---
  // Who changed what (the audit log) and its CSV export: Admin and Developer (issue 12 §8).
  [`GET ${A}/activities`]: { roles: [ADMIN, DEV], request: async (f) => ({ params: acct(f) }) },
  [`GET ${A}/activities/export`]: { roles: [ADMIN, DEV], request: async (f) => ({ params: acct(f) }) },
  // --- email reports (issue 12 §7) ---
  // The frequency: Admin reads and sets it (issue 12). Recipients: Admin and Developer (LivePerson's
  // "emailReport recipients" row); DELETE gets a fresh recipient, added with the account's admin key.
  [`GET ${A}/email-report`]: { roles: [ADMIN], request: async (f) => ({ params: acct(f) }) },
  [`PUT ${A}/email-report`]: { roles: [ADMIN], request: async (f) => ({ params: acct(f), body: { frequency: "Weekly" } }) },
  [`GET ${A}/email-report/recipients`]: { roles: [ADMIN, DEV], request: async (f) => ({ params: acct(f) }) },
  [`POST ${A}/email-report/recipients`]: {
    roles: [ADMIN, DEV],
    request: async (f) => ({ params: acct(f), body: { email: `${uniqueName("perm").toLowerCase()}@example.com` } }),
  },
  [`DELETE ${A}/email-report/recipients/{email}`]: {
    roles: [ADMIN, DEV],
    request: async (f) => {
      const email = `${uniqueName("perm").toLowerCase()}@example.com`;
      const res = await call(`/api/account/${f.account.accountId}/email-report/recipients`, { key: f.account.admin, body: { email } });
      if (res.status !== 201) throw new Error(`recipient creation failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), email } };
    },
  },
  // --- the console's API (issue 14) ---
  // A function's kept versions are read like the function; a restore is an edit (Developer), of a
  // fresh function whose version 1 it restores after an edit made with a developer key.
  [`GET ${A}/lambdas/{uuid}/versions`]: { roles: ALL, request: async (f) => ({ params: { ...acct(f), uuid: f.lambda } }) },
  [`POST ${A}/lambdas/{uuid}/versions/{version}/restore`]: {
    roles: [DEV],
    request: async (f) => {
      const uuid = await f.newDraft();
      const res = await call(`/api/account/${f.account.accountId}/lambdas/${uuid}`, { method: "PUT", key: f.account.developer, body: { implementation: { code: HELLO.replace("Hello", "Hi") } } });
      if (res.status !== 200) throw new Error(`edit failed: ${res.status} ${await res.text()}`);
      return { params: { ...acct(f), uuid, version: "1" } };
    },
  },
  // The preview of a cron expression's next runs reads like the schedules (every role).
  [`POST ${A}/schedules/preview`]: { roles: ALL, request: async (f) => ({ params: acct(f), body: { cronExpression: "0 9 * * 1-5", timeZone: "Europe/Berlin" } }) },
  // Who the caller is: any valid credential of the account.
  [`GET ${A}/me`]: { roles: ALL, request: async (f) => ({ params: acct(f) }) },
};

const keyOf = (op: Operation) => `${op.method} ${op.path}`;
const short = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

async function fixture(): Promise<Fixture> {
  const account = await newAccount();
  const lambda = await deployed(account);
  const undeployTarget = await deployed(account);
  const editTarget = await createLambda(account);
  await deployed(account, HELLO, { eventId: "conversational_command" });
  const invocationId = await invocationIdOf(account, lambda);
  return {
    account,
    lambda,
    editTarget,
    undeployTarget,
    invocationId,
    newDraft: () => createLambda(account),
    newThrowawayKey: async () => (await mintKey(account, INV, uniqueName("throwaway"))).id,
    newThrowawayUser: async () => (await makeUser(account, [INV])).id,
  };
}

async function send(op: Operation, key: string | null, req: Request, headers?: Record<string, string>) {
  return call(fillPath(op.path, req.params), {
    method: op.method,
    key,
    body: req.body,
    headers,
  });
}

// The routes of /api/account that take no credentials: they are how a person gets them (issue 13).
// Their spec entries say so (security: []); test/sessions.test.ts and test/users.test.ts cover them.
const PUBLIC = [`POST ${A}/login`, `POST ${A}/refresh`, `POST ${A}/logout`, `POST ${A}/password`, `POST ${A}/invitation`];
const isPublic = (op: Operation) => Array.isArray(op.op.security) && op.op.security.length === 0;

async function accountOperations(): Promise<Operation[]> {
  const ops = operationsOf(await fetchSpec()).filter((o) => (o.path.startsWith(`${A}/`) || o.path === A) && !isPublic(o));
  expect(ops.length).toBeGreaterThan(0);
  return ops;
}

describe("permission table", () => {
  it("the spec and the oracle list the same /api/account operations, each with an x-permission", async () => {
    const ops = await accountOperations();
    const inSpec = ops.map(keyOf).sort();
    // A new route must be classified in the oracle; a route the oracle names must exist.
    expect(inSpec.filter((k) => !(k in ORACLE)), "operations missing from the oracle").toEqual([]);
    expect(Object.keys(ORACLE).filter((k) => !inSpec.includes(k)), "oracle entries missing from the spec").toEqual([]);
    const rolesByPermission = new Map<string, string>();
    for (const op of ops) {
      const permission = op.op["x-permission"];
      expect(typeof permission, `${keyOf(op)} has no x-permission`).toBe("string");
      expect(op.op.security, `${keyOf(op)} declares no security`).toEqual(expect.arrayContaining([expect.objectContaining({ bearerAuth: expect.anything() })]));
      // One permission name means one set of roles: operations sharing it must agree in the oracle.
      const roles = [...ORACLE[keyOf(op)]!.roles].sort().join(",");
      const seen = rolesByPermission.get(permission);
      if (seen !== undefined) expect(roles, `x-permission ${permission} of ${keyOf(op)}`).toBe(seen);
      rolesByPermission.set(permission, roles);
    }
  });

  it("the only /api/account operations without credentials are sign-in, refresh, logout, one's own password change and accepting an invitation", async () => {
    const open = operationsOf(await fetchSpec()).filter((o) => o.path.startsWith(`${A}/`) && isPublic(o));
    expect(open.map(keyOf).sort()).toEqual([...PUBLIC].sort());
    for (const op of open) expect(op.op["x-permission"], keyOf(op)).toBeUndefined();
  });

  it("multi-role keys and signed-in users act with the union of their roles on every operation", async () => {
    const ops = await accountOperations();
    const f = await fixture();
    const keyRoles: Role[] = [ADMIN, INV];
    const userRoles: Role[] = [DEV, INV];
    const made = await call(`/api/account/${f.account.accountId}/api-keys`, { key: f.account.admin, body: { name: "multi", roles: keyRoles } });
    expect(made.status).toBe(201);
    const key = (await json(made)).key as string;
    const user = await makeUser(f.account, userRoles);
    const { bearer } = await signedIn(f.account.accountId, user.loginName);
    const failures: string[] = [];
    for (const op of ops) {
      const c = ORACLE[keyOf(op)]!;
      for (const [label, credential, roles] of [[`key ${keyRoles}`, key, keyRoles], [`user ${userRoles}`, bearer, userRoles]] as const) {
        const allowed = roles.some((r) => c.roles.includes(r));
        const res = await send(op, credential, await c.request(f));
        const text = await res.text();
        if (allowed ? res.status >= 400 : res.status !== 403) failures.push(`${label} ${keyOf(op)}: expected ${allowed ? "success" : 403}, got ${res.status} ${short(text)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("every operation × every role: allowed roles succeed, the others get 403 forbidden; a foreign account gets 404", async () => {
    const ops = await accountOperations();
    const [a, b] = await Promise.all([fixture(), fixture()]);
    const failures: string[] = [];

    for (const op of ops) {
      const c = ORACLE[keyOf(op)];
      if (!c) {
        failures.push(`${keyOf(op)}: not classified in the oracle`);
        continue;
      }
      for (const role of ROLES) {
        const label = `${role} ${keyOf(op)}`;
        // Own account.
        const res = await send(op, a.account.keyOf(role), await c.request(a));
        const text = await res.text();
        if (c.roles.includes(role)) {
          if (res.status >= 400) failures.push(`${label}: allowed, expected success, got ${res.status} ${short(text)}`);
        } else {
          let body: any = {};
          try {
            body = JSON.parse(text);
          } catch {}
          if (res.status !== 403 || body.errorCode !== CODES.forbidden || typeof body.errorMsg !== "string" || typeof body.requestId !== "string") {
            failures.push(`${label}: not allowed, expected 403 ${CODES.forbidden}, got ${res.status} ${short(text)}`);
          }
        }
        // Account A's key on account B's path, with B's real ids: B's resources do not exist for A.
        const foreign = await send(op, a.account.keyOf(role), await c.request(b));
        const ftext = await foreign.text();
        if (foreign.status !== 404) failures.push(`${label} on a foreign account: expected 404, got ${foreign.status} ${short(ftext)}`);
        else if (!/"errorCode"/.test(ftext)) failures.push(`${label} on a foreign account: 404 without errorCode: ${short(ftext)}`);
      }
    }
    expect(failures).toEqual([]);

    // B is untouched by everything A tried: its functions and keys are all still there and working.
    const lambdas = await json<any[]>(await call(`/api/account/${b.account.accountId}/lambdas`, { key: b.account.developer }));
    const byUuid = new Map(lambdas.map((l) => [l.uuid, l]));
    expect(byUuid.get(b.lambda)?.state).toBe("Productive");
    expect(byUuid.get(b.undeployTarget)?.state).toBe("Productive");
    expect(byUuid.get(b.editTarget)?.version).toBe(1);
    for (const role of ROLES) {
      expect((await call(`/api/account/${b.account.accountId}/runtimes`, { key: b.account.keyOf(role) })).status).toBe(200);
    }
  });

  it("authorization is decided before input validation: a forbidden or foreign caller never learns about bad input", async () => {
    const ops = (await accountOperations()).filter((o) => o.method !== "GET");
    const [a, b] = await Promise.all([fixture(), fixture()]);
    const failures: string[] = [];
    for (const op of ops) {
      const c = ORACLE[keyOf(op)]!;
      for (const role of ROLES) {
        const params = (await c.request(a)).params;
        const bad = { name: 42, role: 7, implementation: "nope", headers: "x", description: ["x".repeat(500)] };
        if (!c.roles.includes(role)) {
          const res = await call(fillPath(op.path, params), { method: op.method, key: a.account.keyOf(role), body: bad });
          if (res.status !== 403) failures.push(`${role} ${keyOf(op)} with bad input: expected 403, got ${res.status} ${short(await res.text())}`);
        }
        const foreign = await call(fillPath(op.path, (await c.request(b)).params), { method: op.method, key: a.account.keyOf(role), body: bad });
        if (foreign.status !== 404) failures.push(`${role} ${keyOf(op)} foreign with bad input: expected 404, got ${foreign.status} ${short(await foreign.text())}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("an account that does not exist is 404 for every key", async () => {
    const a = await newAccount();
    for (const role of ROLES) {
      for (const path of ["lambdas", "runtimes", "invocations", "api-keys"]) {
        await expectError(await call(`/api/account/nosuchaccount/${path}`, { key: a.keyOf(role) }), 404, undefined, `${role} ${path}`);
      }
    }
  });
});

describe("authentication", () => {
  it("every operation answers 401 without Authorization", async () => {
    const ops = await accountOperations();
    const f = await fixture();
    for (const op of ops) {
      const req = await ORACLE[keyOf(op)]!.request(f);
      await expectError(await send(op, null, req), 401, CODES.unauthorized, `${keyOf(op)} without credentials`);
    }
  });

  it("malformed Authorization headers are 401", async () => {
    const a = await newAccount();
    const path = `/api/account/${a.accountId}/runtimes`;
    const malformed = [
      "",
      "Bearer",
      "Bearer ",
      `Basic ${btoa(`user:${a.developer}`)}`,
      `Token ${a.developer}`,
      `Bearer ${a.developer} extra`,
      `${a.developer}`,
      `Bearer${a.developer}`,
    ];
    for (const authorization of malformed) {
      await expectError(await call(path, { headers: { authorization } }), 401, CODES.unauthorized, `Authorization: ${JSON.stringify(authorization)}`);
    }
    // The scheme is case-insensitive (RFC 7235); a well-formed header works.
    expect((await call(path, { headers: { authorization: `bearer ${a.developer}` } })).status).toBe(200);
  });

  it("unknown keys are 401, including near-misses of a real key and the operator token", async () => {
    const a = await newAccount();
    const path = `/api/account/${a.accountId}/lambdas`;
    const unknown = [
      "efk_thisisnotakeythisisnotakeythisisnotakey",
      "not-a-key",
      `${a.developer}x`,
      a.developer.slice(0, -1),
      a.developer.toUpperCase(),
      "test-operator-token",
      "x".repeat(5000),
    ];
    for (const key of unknown) {
      await expectError(await call(path, { key }), 401, CODES.unauthorized, `key ${key.slice(0, 40)}`);
    }
  });
});
