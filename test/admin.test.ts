// The operator route that creates accounts, X-Request-ID handling, and the OpenAPI document.
import { describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, call, deployed, env, json, newAccount } from "./helpers/api";
import { CODES, expectError, fetchSpec, operationsOf, sha256Hex } from "./helpers/spec";

const createAccount = (body: unknown, key: string | null = OPERATOR_TOKEN, headers?: Record<string, string>) =>
  call("/admin/accounts", { key, body, headers });
const freshId = () => `op${crypto.randomUUID().slice(0, 8)}`;

describe("POST /admin/accounts", () => {
  it("creates the account and answers 201 {accountId, adminKey}; the key is its FaaS-Admin key", async () => {
    const accountId = freshId();
    const res = await createAccount({ accountId, name: "Brand One" });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(Object.keys(body).sort()).toEqual(["accountId", "adminKey"]);
    expect(body.accountId).toBe(accountId);
    expect(typeof body.adminKey).toBe("string");

    const keys = await call(`/api/account/${accountId}/api-keys`, { key: body.adminKey });
    expect(keys.status).toBe(200);
    const items = await json<any[]>(keys);
    expect(items).toHaveLength(1);
    expect(items[0].role).toBe("FaaS-Admin");
    const minted = await call(`/api/account/${accountId}/api-keys`, { key: body.adminKey, body: { name: "dev", role: "FaaS-Developer" } });
    expect(minted.status).toBe(201);

    const row = await env.DB.prepare("SELECT * FROM accounts WHERE id = ?").bind(accountId).first<any>();
    expect(row).toMatchObject({ id: accountId, name: "Brand One" });
    const keyRow = await env.DB.prepare("SELECT key_hash FROM api_keys WHERE account_id = ? AND role = 'FaaS-Admin'").bind(accountId).first<any>();
    expect(keyRow.key_hash).toBe(await sha256Hex(body.adminKey));
  });

  it("generates an accountId when none is given, a different one each time", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await createAccount({ name: "Generated" });
      expect(res.status).toBe(201);
      const { accountId, adminKey } = await json(res);
      expect(accountId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect((await call(`/api/account/${accountId}/runtimes`, { key: adminKey })).status).toBe(200);
      ids.push(accountId);
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("answers 409 when the account exists, and changes nothing", async () => {
    const accountId = freshId();
    const first = await json(await createAccount({ accountId, name: "Original" }));
    await expectError(await createAccount({ accountId, name: "Impostor" }), 409, CODES.conflict, "second create");
    const row = await env.DB.prepare("SELECT name FROM accounts WHERE id = ?").bind(accountId).first<any>();
    expect(row.name).toBe("Original");
    const keys = await json<any[]>(await call(`/api/account/${accountId}/api-keys`, { key: first.adminKey }));
    expect(keys).toHaveLength(1);
  });

  it("answers 401 without the operator token, with a wrong one, or with an account's key — before looking at the body", async () => {
    const a = await newAccount();
    const accountId = freshId();
    const attempts: [string, Record<string, string>][] = [
      ["no Authorization", {}],
      ["wrong token", { authorization: "Bearer not-the-operator-token" }],
      ["token prefix", { authorization: `Bearer ${OPERATOR_TOKEN.slice(0, -1)}` }],
      ["token with suffix", { authorization: `Bearer ${OPERATOR_TOKEN}x` }],
      ["account admin key", { authorization: `Bearer ${a.admin}` }],
      ["basic scheme", { authorization: `Basic ${btoa(`operator:${OPERATOR_TOKEN}`)}` }],
      ["bare token", { authorization: OPERATOR_TOKEN }],
    ];
    for (const [label, headers] of attempts) {
      await expectError(await createAccount({ accountId, name: "Nope" }, null, headers), 401, CODES.unauthorized, label);
      await expectError(await createAccount({ accountId: "bad id!" }, null, headers), 401, CODES.unauthorized, `${label}, bad body`);
    }
    expect(await env.DB.prepare("SELECT id FROM accounts WHERE id = ?").bind(accountId).first()).toBeNull();
  });

  it("answers 400 badinput for a bad accountId, a missing or empty name, or a body that is not JSON", async () => {
    const bad: unknown[] = [
      { accountId: "has space", name: "x" },
      { accountId: "slash/y", name: "x" },
      { accountId: "dots.too", name: "x" },
      { accountId: "", name: "x" },
      { accountId: "a".repeat(65), name: "x" },
      { accountId: 12345, name: "x" },
      { accountId: freshId() },
      { accountId: freshId(), name: "" },
      { accountId: freshId(), name: 7 },
    ];
    for (const body of bad) await expectError(await createAccount(body), 400, CODES.badInput, JSON.stringify(body));
    await expectError(
      await call("/admin/accounts", { key: OPERATOR_TOKEN, rawBody: "{not json", headers: { "content-type": "application/json" } }),
      400,
      CODES.badInput,
      "malformed JSON",
    );
    // The longest valid id is fine.
    expect((await createAccount({ accountId: `A-_9${crypto.randomUUID().replace(/-/g, "")}`.padEnd(64, "z"), name: "Long" })).status).toBe(201);
  });
});

describe("GET /admin/runtime", () => {
  it("answers the function isolates the Worker holds (a deploy builds one), to the operator only", async () => {
    const a = await newAccount();
    const before = (await json(await call("/admin/runtime", { key: OPERATOR_TOKEN }))).isolatesLoaded;
    expect(Number.isInteger(before)).toBe(true);
    await deployed(a);
    const after = await json(await call("/admin/runtime", { key: OPERATOR_TOKEN }));
    expect(Object.keys(after)).toEqual(["isolatesLoaded"]);
    // At least this deploy's (test files running beside this one may deploy too).
    expect(after.isolatesLoaded).toBeGreaterThanOrEqual(before + 1);
    for (const key of [a.admin, a.developer, null]) await expectError(await call("/admin/runtime", { key }), 401, CODES.unauthorized);
  });
});

describe("X-Request-ID", () => {
  it("echoes the caller's id in the header, and in error bodies", async () => {
    const a = await newAccount();
    const ok = await call(`/api/account/${a.accountId}/runtimes`, { key: a.developer, headers: { "X-Request-ID": "trace-ok-42" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe("trace-ok-42");

    const errors: [string, Response][] = [
      ["401", await call(`/api/account/${a.accountId}/runtimes`, { headers: { "X-Request-ID": "trace-401" } })],
      ["403", await call(`/api/account/${a.accountId}/api-keys`, { key: a.developer, headers: { "X-Request-ID": "trace-403" } })],
      ["404", await call(`/api/account/${a.accountId}/lambdas/nope`, { key: a.developer, headers: { "X-Request-ID": "trace-404" } })],
      ["400", await call(`/api/account/${a.accountId}/api-keys`, { key: a.admin, body: {}, headers: { "X-Request-ID": "trace-400" } })],
      ["admin 401", await call("/admin/accounts", { body: { name: "x" }, headers: { "X-Request-ID": "trace-admin-401" } })],
      ["404 no route", await call("/no/such/route", { headers: { "X-Request-ID": "trace-no-route" } })],
    ];
    const expected: Record<string, string> = {
      "401": "trace-401",
      "403": "trace-403",
      "404": "trace-404",
      "400": "trace-400",
      "admin 401": "trace-admin-401",
      "404 no route": "trace-no-route",
    };
    for (const [label, res] of errors) {
      expect(res.headers.get("x-request-id"), label).toBe(expected[label]);
      const body = await expectError(res, Number(label.replace(/\D/g, "")), undefined, label);
      expect(body.requestId, label).toBe(expected[label]);
    }
  });

  it("generates an id when the caller sends none: in the header, in error bodies, different per request", async () => {
    const a = await newAccount();
    const ok = await call(`/api/account/${a.accountId}/runtimes`, { key: a.developer });
    const generated = ok.headers.get("x-request-id");
    expect(generated).toMatch(/^\S{8,}$/);

    const e1 = await call(`/api/account/${a.accountId}/runtimes`);
    const e2 = await call(`/api/account/${a.accountId}/runtimes`);
    const b1 = await expectError(e1, 401);
    const b2 = await expectError(e2, 401);
    expect(e1.headers.get("x-request-id")).toBe(b1.requestId);
    expect(e2.headers.get("x-request-id")).toBe(b2.requestId);
    expect(new Set([generated, b1.requestId, b2.requestId]).size).toBe(3);
  });

  it("replaces a malformed id with a generated one", async () => {
    const res = await call("/api/account/x/runtimes", { headers: { "X-Request-ID": "bad id with spaces" } });
    const body = await expectError(res, 401);
    expect(res.headers.get("x-request-id")).not.toBe("bad id with spaces");
    expect(res.headers.get("x-request-id")).toBe(body.requestId);
    const long = "a".repeat(1000);
    const res2 = await call("/api/account/x/runtimes", { headers: { "X-Request-ID": long } });
    expect(res2.headers.get("x-request-id")).not.toBe(long);
    expect((await expectError(res2, 401)).requestId).toBe(res2.headers.get("x-request-id"));
  });
});

describe("GET /api/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing every route of the issue, needing no credentials", async () => {
    const spec = await fetchSpec();
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof spec.info?.title).toBe("string");
    expect(typeof spec.info?.version).toBe("string");
    expect(spec.components?.securitySchemes?.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });

    const ops = new Set(operationsOf(spec).map((o) => `${o.method} ${o.path}`));
    const A = "/api/account/{accountId}";
    for (const op of [
      "POST /admin/accounts",
      `GET ${A}/api-keys`,
      `POST ${A}/api-keys`,
      `DELETE ${A}/api-keys/{id}`,
      `GET ${A}/lambdas`,
      `POST ${A}/lambdas`,
      `GET ${A}/lambdas/{uuid}`,
      `PUT ${A}/lambdas/{uuid}`,
      `DELETE ${A}/lambdas/{uuid}`,
      `GET ${A}/runtimes`,
      `POST ${A}/deployments/{uuid}`,
      `DELETE ${A}/deployments/{uuid}`,
      `POST ${A}/lambdas/{uuid}/invoke`,
      `POST ${A}/lambdas/{uuid}/test`,
      `GET ${A}/invocations`,
      `GET ${A}/invocations/{id}`,
    ]) {
      expect(ops.has(op), `${op} in the spec`).toBe(true);
    }
  });

  it("is structurally valid: path parameters declared, responses present, every $ref resolves", async () => {
    const spec = await fetchSpec();
    const problems: string[] = [];
    const operationIds = new Set<string>();
    for (const { method, path, op } of operationsOf(spec)) {
      const where = `${method} ${path}`;
      if (!path.startsWith("/")) problems.push(`${where}: path must start with /`);
      if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, r] of Object.entries<any>(op.responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default|9\d\d)$/.test(status)) problems.push(`${where}: bad response key ${status}`);
        if (typeof r.description !== "string" && !r.$ref) problems.push(`${where} ${status}: response without description`);
      }
      const declared = new Set((op.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name));
      for (const p of op.parameters ?? []) {
        if (p.in === "path" && p.required !== true) problems.push(`${where}: path parameter ${p.name} not required`);
        if (!["path", "query", "header", "cookie"].includes(p.in)) problems.push(`${where}: parameter ${p.name} in ${p.in}`);
      }
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const name of inTemplate) if (!declared.has(name)) problems.push(`${where}: {${name}} not declared`);
      for (const name of declared) if (!inTemplate.includes(name as string)) problems.push(`${where}: path parameter ${name} not in the path`);
      if (op.operationId) {
        if (operationIds.has(op.operationId)) problems.push(`${where}: duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      for (const s of op.security ?? []) {
        for (const scheme of Object.keys(s)) if (!spec.components?.securitySchemes?.[scheme]) problems.push(`${where}: unknown security scheme ${scheme}`);
      }
    }
    // Every $ref points at something that exists in the document.
    const resolve = (ref: string) => ref.replace(/^#\//, "").split("/").reduce<any>((node, part) => node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
    const walk = (node: any, at: string) => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
      else if (node && typeof node === "object") {
        if (typeof node.$ref === "string" && (!node.$ref.startsWith("#/") || resolve(node.$ref) === undefined)) problems.push(`${at}: dangling $ref ${node.$ref}`);
        for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
      }
    };
    walk(spec, "#");
    expect(problems).toEqual([]);
  });
});
