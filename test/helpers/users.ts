// Helpers for the users and sign-in tests: users made through the API, sign-in as lpf does it.
import { expect } from "vitest";
import { call, json, type Role, type TestAccount } from "./api";

export const PASSWORD = "correct horse battery staple";

let seq = 0;
/** A unique login name. */
export const loginName = (prefix = "user") => `${prefix}.${Date.now().toString(36)}.${++seq}@brand.example`;

export const usersPath = (a: TestAccount, rest = "") => `/api/account/${a.accountId}/users${rest}`;

/** Creates a user (with a password unless `password` is null) with the account's admin key; answers the body. */
export async function makeUser(a: TestAccount, roles: Role[], opts: { name?: string; password?: string | null; key?: string } = {}) {
  const body: Record<string, unknown> = { loginName: opts.name ?? loginName(), roles };
  if (opts.password !== null) body.password = opts.password ?? PASSWORD;
  const res = await call(usersPath(a), { key: opts.key ?? a.admin, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

export interface Session {
  bearer: string;
  csrf: string;
  sessionId: string;
  expiresAt: string;
  config: { userId: string; loginName: string; roles: string[] };
}

/** POST /login?v=1.3 as lpf sends it, from `address` (CF-Connecting-IP). */
export const loginCall = (accountId: string, username: string, password: string, address = "198.51.100.1") =>
  call(`/api/account/${accountId}/login?v=1.3`, {
    body: { username, password },
    headers: { "cf-connecting-ip": address, "user-agent": "faas-cli" },
  });

/** Signs in; fails the test unless it answers 200. Each call comes from its own address unless given. */
export async function signedIn(accountId: string, username: string, password = PASSWORD, address = randomAddress()): Promise<Session> {
  const res = await loginCall(accountId, username, password, address);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

/** lpf's refresh: Cookie session_id + {csrf}. */
export const refreshCall = (accountId: string, sessionId: string, csrf: string) =>
  call(`/api/account/${accountId}/refresh`, { body: { csrf }, headers: { cookie: `session_id=${sessionId}`, "user-agent": "got" } });

export const logoutCall = (accountId: string, cred: { bearer?: string; sessionId?: string; csrf?: string }) =>
  call(`/api/account/${accountId}/logout`, {
    method: "POST",
    key: cred.bearer,
    body: cred.csrf === undefined ? undefined : { csrf: cred.csrf },
    headers: cred.sessionId ? { cookie: `session_id=${cred.sessionId}` } : {},
  });

let next = Math.floor(Math.random() * 0xffffff);
/** An address no other test uses, so the per-address lockout counts only this test's attempts. */
export const randomAddress = () => {
  const n = ++next & 0xffffff;
  return `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
};
