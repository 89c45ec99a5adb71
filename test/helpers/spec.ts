// Small helpers for the access-control, key and tenancy tests.
import { storedCount, storedRows } from "./data-plane";
import { expect } from "vitest";
import { call, env, invoke, json, type Role, type TestAccount } from "./api";

export const ROLES: readonly Role[] = ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"];

export const CODES = {
  badInput: "com.liveperson.faas.es.badinput",
  unauthorized: "com.liveperson.faas.es.unauthorized",
  forbidden: "com.liveperson.faas.es.forbidden",
  missingLambda: "com.liveperson.faas.es.missinglambda",
  conflict: "com.liveperson.faas.es.conflict",
} as const;

/**
 * Asserts an error answer in LivePerson's shape: the status, {errorCode, errorMsg, requestId} as
 * non-empty strings, and (when given) the exact errorCode. Returns the body.
 */
export async function expectError(res: Response, status: number, errorCode?: string, context = "") {
  const text = await res.text();
  expect(res.status, `${context} → ${res.status} ${text}`).toBe(status);
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${context}: error body is not JSON: ${text}`);
  }
  expect(typeof body.errorCode, `${context}: errorCode in ${text}`).toBe("string");
  expect(typeof body.errorMsg, `${context}: errorMsg in ${text}`).toBe("string");
  expect(body.errorMsg.length, `${context}: errorMsg in ${text}`).toBeGreaterThan(0);
  expect(typeof body.requestId, `${context}: requestId in ${text}`).toBe("string");
  expect(body.requestId.length, `${context}: requestId in ${text}`).toBeGreaterThan(0);
  if (errorCode) expect(body.errorCode, `${context}: ${text}`).toBe(errorCode);
  return body;
}

export async function sha256Hex(input: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Invokes a deployed function once and returns the id of the invocation record it wrote. */
export async function invocationIdOf(a: TestAccount, uuid: string): Promise<string> {
  const res = await invoke(a, uuid, { headers: [], payload: { name: "record" } }, a.developer);
  expect(res.status, await res.clone().text()).toBe(200);
  const id = res.headers.get("x-invocation-id");
  // Records are written after the answer (waitUntil): wait for the row.
  for (let i = 0; i < 100; i++) {
    const row = id
      ? (await storedRows<{ id: string }>(a.accountId, "SELECT id FROM invocations WHERE id = ?", id))[0]
      : (await storedRows<{ id: string }>(a.accountId, "SELECT id FROM invocations WHERE lambda_uuid = ? LIMIT 1", uuid))[0];
    if (row) return row.id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no invocation record for ${uuid}`);
}

/** Creates an API key of the account and returns {id, key}. */
export async function mintKey(a: TestAccount, role: Role, name = `k_${role}`): Promise<{ id: string; key: string }> {
  const res = await call(`/api/account/${a.accountId}/api-keys`, { key: a.admin, body: { name, role } });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = await json(res);
  return { id: body.id, key: body.key };
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

export interface Operation {
  method: string; // upper case
  path: string; // OpenAPI template, e.g. /api/account/{accountId}/lambdas/{uuid}
  op: any;
}

export async function fetchSpec(): Promise<any> {
  const res = await call("/api/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type") ?? "").toMatch(/application\/json/);
  return json(res);
}

/** Every operation of the spec, flattened. */
export function operationsOf(spec: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(spec.paths ?? {})) {
    for (const m of HTTP_METHODS) if (item[m]) out.push({ method: m.toUpperCase(), path, op: item[m] });
  }
  return out;
}

/** Fills {name} placeholders; an unknown placeholder is an error (a new route needs real ids). */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for path parameter {${name}} of ${template}`);
    return encodeURIComponent(v);
  });
}
