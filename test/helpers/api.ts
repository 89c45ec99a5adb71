import { env, exports } from "cloudflare:workers";

export const BASE = "http://edgefn.test";
export const OPERATOR_TOKEN = "test-operator-token";
export type Role = "FaaS-Admin" | "FaaS-Developer" | "FaaS-Invocation";

export interface CallOptions {
  method?: string;
  key?: string | null;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

/** One request to the Worker under test, through its real fetch handler. */
export async function call(path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  return (exports as unknown as { default: Fetcher }).default.fetch(`${BASE}${path}`, {
    method: opts.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
}

export async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON (status ${res.status}): ${text}`);
  }
}

let seq = 0;
export const uniqueName = (prefix = "fn") => `${prefix}_${Date.now().toString(36)}_${++seq}`;

export interface TestAccount {
  accountId: string;
  admin: string;
  developer: string;
  invocation: string;
  keyOf(role: Role): string;
}

/** A fresh account with one key per role. */
export async function newAccount(): Promise<TestAccount> {
  const accountId = `acct${Math.random().toString(36).slice(2, 10)}`;
  const res = await call("/admin/accounts", { key: OPERATOR_TOKEN, body: { accountId, name: "Test brand" } });
  if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${await res.text()}`);
  const { adminKey } = await json(res);
  const mint = async (role: Role) => {
    const r = await call(`/api/account/${accountId}/api-keys`, { key: adminKey, body: { name: role, role } });
    if (r.status !== 201) throw new Error(`key creation failed: ${r.status} ${await r.text()}`);
    return (await json(r)).key as string;
  };
  const developer = await mint("FaaS-Developer");
  const invocation = await mint("FaaS-Invocation");
  const keys: Record<Role, string> = { "FaaS-Admin": adminKey, "FaaS-Developer": developer, "FaaS-Invocation": invocation };
  return { accountId, admin: adminKey, developer, invocation, keyOf: (role) => keys[role] };
}

export const HELLO = "function lambda(input, callback) { callback(null, `Hello ${input.payload.name}`); }";

/** Creates a function (Draft) and returns its uuid. */
export async function createLambda(a: TestAccount, code = HELLO, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(`/api/account/${a.accountId}/lambdas`, {
    key: a.developer,
    body: { name: uniqueName(), description: "test function", implementation: { code }, ...extra },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await json(res)).uuid;
}

export async function deploy(a: TestAccount, uuid: string): Promise<Response> {
  return call(`/api/account/${a.accountId}/deployments/${uuid}`, { method: "POST", key: a.developer });
}

/** Creates and deploys a function; fails the test if either step fails. */
export async function deployed(a: TestAccount, code = HELLO, extra: Record<string, unknown> = {}): Promise<string> {
  const uuid = await createLambda(a, code, extra);
  const res = await deploy(a, uuid);
  if (res.status !== 201) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
  return uuid;
}

export function invoke(a: TestAccount, uuid: string, body: unknown = { headers: [], payload: {} }, key = a.invocation, headers?: Record<string, string>) {
  return call(`/api/account/${a.accountId}/lambdas/${uuid}/invoke?v=1&skillId=&externalSystem=test`, { key, body, headers });
}

/** A test invocation (Developer): answers {result, logs, invocationId} or the error shape. */
export const testInvoke = (a: TestAccount, uuid: string, payload: unknown = {}) =>
  call(`/api/account/${a.accountId}/lambdas/${uuid}/test`, { key: a.developer, body: { headers: [], payload } });

/** The stored record of an invocation with its logs (written just after the response, so poll briefly). */
export async function storedInvocation(a: TestAccount, id: string) {
  for (let i = 0; i < 50; i++) {
    const res = await call(`/api/account/${a.accountId}/invocations/${id}`, { key: a.admin });
    if (res.status === 200) return json(res);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`invocation ${id} was never recorded`);
}

/** Stores a secret with the account's admin key; fails the test unless it answers 201. */
export async function createSecret(a: TestAccount, key: string, value: string, type = "string") {
  const res = await call(`/api/account/${a.accountId}/secrets`, { key: a.admin, body: { key, value, type } });
  if (res.status !== 201) throw new Error(`secret creation failed: ${res.status} ${await res.text()}`);
}

/** Invokes the function through the gateway and answers its (successful) result body. */
export async function invokeOk(a: TestAccount, uuid: string, payload: unknown = {}) {
  const res = await invoke(a, uuid, { headers: [], payload });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`invoke failed: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A value no test could meet by chance, to look for in logs, records and storage. */
export const distinctive = (label: string) => `${label}-${crypto.randomUUID()}-TOPSECRET`;

/** The status LivePerson's clients see on the wire (901 travels as 422 + X-Edgefn-Status inside workerd). */
export const wireStatus = (res: Response) => Number(res.headers.get("x-edgefn-status") ?? res.status);

export { env };
