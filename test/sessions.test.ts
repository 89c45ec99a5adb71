// Sign-in and sessions (issue 13 §2) with lpf's contract (liveperson-clients.md §2.3): login,
// refresh, logout; 8-hour sessions stored server-side and revocable; the bearer acts with the
// user's roles on the API and the gateway, and a revoked or expired session never runs a function
// again; the lockout per login name and per client address; and the attacker's side.
import { describe, expect, it } from "vitest";
import { HELLO, call, deployed, env, invoke, json, newAccount, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";
import { PASSWORD, loginCall, logoutCall, makeUser, randomAddress, refreshCall, signedIn, usersPath } from "./helpers/users";
import { createDb } from "../src/db/client";
import { SESSION_TTL_MS, signIn } from "../src/services/sessions";
import { LOCK_MS, MAX_FAILURES, WINDOW_MS } from "../src/services/login-throttle";

const db = () => createDb(env.DB);
const probe = (a: TestAccount, bearer: string) => call(`/api/account/${a.accountId}/runtimes`, { key: bearer });
/** A sign-in through the service, at `now`; answers "ok", 401 or 429. */
const attempt = (a: TestAccount, username: string, password: string, address: string, now: number) =>
  signIn(db(), { accountId: a.accountId, username, password, address }, now).then(
    () => "ok" as const,
    (e) => (e.status as number) ?? String(e),
  );
/** The error body without its request id, to compare two refusals. */
const shape = async (res: Response) => {
  const { requestId, ...rest } = await json(res);
  return { status: res.status, retryAfter: res.headers.get("retry-after") !== null, body: rest };
};

describe("lpf's contract", () => {
  it("baseURI.json names agentVep; login?v=1.3 answers {bearer, csrf, sessionId, config}; refresh is 2xx; the bearer works; logout ends it and refresh says 401", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer", "FaaS-Invocation"]);
    const csds = await json(await call(`/api/account/${a.accountId}/service/baseURI.json?version=1.0`, { headers: { host: "localhost:8443" } }));
    expect(csds.baseURIs).toContainEqual({ service: "agentVep", account: a.accountId, baseURI: "localhost:8443" });

    const res = await loginCall(a.accountId, user.loginName, PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const s = await json(res);
    expect(s).toMatchObject({ bearer: expect.stringMatching(/^efu_/), csrf: expect.any(String), sessionId: expect.any(String), config: { userId: user.id, loginName: user.loginName } });
    const hours = (Date.parse(s.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(7.9);
    expect(hours).toBeLessThanOrEqual(8);

    expect((await refreshCall(a.accountId, s.sessionId, s.csrf)).status).toBe(200);
    expect((await call(`/api/account/${a.accountId}/lambdas?userId=${user.id}&v=1`, { key: s.bearer })).status).toBe(200);
    expect((await logoutCall(a.accountId, { sessionId: s.sessionId, csrf: s.csrf })).status).toBe(204);
    await expectError(await refreshCall(a.accountId, s.sessionId, s.csrf), 401, CODES.unauthorized, "refresh after logout");
    await expectError(await probe(a, s.bearer), 401, CODES.unauthorized, "bearer after logout");
    await expectError(await logoutCall(a.accountId, { sessionId: s.sessionId, csrf: s.csrf }), 401, CODES.unauthorized, "logout twice");

    // The activity stream names the person by login name.
    const activity = await json(await call(`/api/account/${a.accountId}/activities?limit=50`, { key: a.admin }));
    const summaries = activity.items.map((i: { action: string; summary: string }) => `${i.action}: ${i.summary}`);
    expect(summaries).toContainEqual(expect.stringMatching(new RegExp(`^session\\.signin: signed in as user ${user.loginName} \\(${user.id}\\)$`)));
    expect(summaries).toContainEqual(expect.stringMatching(new RegExp(`^session\\.signout: signed out user ${user.loginName} \\(${user.id}\\)$`)));

    // Logout with the bearer (efn's way) works too.
    const t = await signedIn(a.accountId, user.loginName);
    expect((await logoutCall(a.accountId, { bearer: t.bearer })).status).toBe(204);
    await expectError(await refreshCall(a.accountId, t.sessionId, t.csrf), 401, CODES.unauthorized, "refresh after bearer logout");
  });

  it("the user's sessions: listed for an Admin without tokens, ended all at once", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    const [s1, s2] = [await signedIn(a.accountId, user.loginName), await signedIn(a.accountId, user.loginName)];
    const res = await call(usersPath(a, `/${user.id}/sessions`), { key: a.admin });
    const text = await res.clone().text();
    const listed = await json(res);
    expect(listed).toHaveLength(2);
    expect(listed[0]).toEqual({ id: expect.any(String), createdAt: expect.any(String), expiresAt: expect.any(String), clientAddress: expect.stringMatching(/^10\./) });
    for (const t of [s1.bearer, s1.sessionId, s1.csrf, s2.bearer]) expect(text).not.toContain(t);
    expect((await call(usersPath(a, `/${user.id}/sessions`), { key: a.admin, method: "DELETE" })).status).toBe(204);
    for (const s of [s1, s2]) {
      await expectError(await probe(a, s.bearer), 401, CODES.unauthorized, "ended by an Admin");
      await expectError(await refreshCall(a.accountId, s.sessionId, s.csrf), 401, CODES.unauthorized, "ended by an Admin");
    }
    expect(await json(await call(usersPath(a, `/${user.id}/sessions`), { key: a.admin }))).toEqual([]);
  });
});

describe("session expiry", () => {
  it("a session lasts 8 hours: one signed in 8 h ago is dead for the API, refresh and logout; one signed in 7 h 59 min ago lives", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    const run = async (ago: number) => {
      const s = await signIn(db(), { accountId: a.accountId, username: user.loginName, password: PASSWORD, address: randomAddress() }, Date.now() - ago);
      return { s, api: (await probe(a, s.bearer)).status, refresh: (await refreshCall(a.accountId, s.sessionId, s.csrf)).status };
    };
    expect(SESSION_TTL_MS).toBe(8 * 3_600_000);
    const old = await run(SESSION_TTL_MS + 1_000);
    expect([old.api, old.refresh]).toEqual([401, 401]);
    await expectError(await logoutCall(a.accountId, { bearer: old.s.bearer }), 401, CODES.unauthorized, "expired logout");
    const young = await run(SESSION_TTL_MS - 60_000);
    expect([young.api, young.refresh]).toEqual([200, 200]);
  });
});

describe("the bearer on the gateway", () => {
  it("invokes with the user's roles; an Invocation-only user may invoke but not test; a user without either may neither", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, HELLO);
    const inv = await signedIn(a.accountId, (await makeUser(a, ["FaaS-Invocation"])).loginName);
    const admin = await signedIn(a.accountId, (await makeUser(a, ["FaaS-Admin"])).loginName);
    const res = await invoke(a, uuid, { headers: [], payload: { name: "user" } }, inv.bearer);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.text()).toContain("Hello user");
    await expectError(await call(`/api/account/${a.accountId}/lambdas/${uuid}/test`, { key: inv.bearer, body: { headers: [], payload: {} } }), 403, CODES.forbidden, "test");
    await expectError(await invoke(a, uuid, { headers: [], payload: {} }, admin.bearer), 403, CODES.forbidden, "admin invoke");
  });

  it("a session ended by logout, user deletion, a role change or an Admin never runs the function again, however warm the cache", async () => {
    const a = await newAccount();
    const counter = "let n = 0; function lambda(input, callback) { callback(null, ++n); }";
    const uuid = await deployed(a, counter);
    const ends: Record<string, (s: { bearer: string; userId: string }) => Promise<Response>> = {
      logout: (s) => logoutCall(a.accountId, { bearer: s.bearer }),
      "user deletion": (s) => call(usersPath(a, `/${s.userId}`), { key: a.admin, method: "DELETE" }),
      "role change": (s) => call(usersPath(a, `/${s.userId}`), { key: a.admin, method: "PUT", body: { roles: ["FaaS-Developer", "FaaS-Admin"] } }),
      "password change": (s) => call(usersPath(a, `/${s.userId}`), { key: a.admin, method: "PUT", body: { password: "a different long passphrase" } }),
      "an Admin": (s) => call(usersPath(a, `/${s.userId}/sessions`), { key: a.admin, method: "DELETE" }),
    };
    for (const [how, end] of Object.entries(ends)) {
      const user = await makeUser(a, ["FaaS-Developer"]);
      const s = await signedIn(a.accountId, user.loginName);
      for (let i = 0; i < 3; i++) expect((await invoke(a, uuid, undefined, s.bearer)).status, how).toBe(200); // warm
      const before = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NULL").bind(user.id).first<{ n: number }>();
      expect(before!.n).toBe(1);
      const ended = await end({ bearer: s.bearer, userId: user.id });
      expect(ended.status, `${how}: ${await ended.clone().text()}`).toBeLessThan(300);
      await expectError(await invoke(a, uuid, undefined, s.bearer), 401, CODES.unauthorized, `invoke after ${how}`);
      await expectError(await probe(a, s.bearer), 401, CODES.unauthorized, `API after ${how}`);
    }
  });

  it("a cached session stops at its expiry even without any change to the account", async () => {
    const a = await newAccount();
    const uuid = await deployed(a, HELLO);
    const user = await makeUser(a, ["FaaS-Invocation"]);
    // Signed in so that it ends 1.5 s from now (the one use of the real clock here).
    const s = await signIn(db(), { accountId: a.accountId, username: user.loginName, password: PASSWORD, address: randomAddress() }, Date.now() - SESSION_TTL_MS + 1_500);
    for (let i = 0; i < 2; i++) expect((await invoke(a, uuid, undefined, s.bearer)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_600));
    await expectError(await invoke(a, uuid, undefined, s.bearer), 401, CODES.unauthorized, "after expiry");
  });
});

describe("wrong passwords and lockout", () => {
  it("a wrong password and an unknown user get the same 401, in about the same time", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    const timed = async (username: string) => {
      const started = performance.now();
      const res = await loginCall(a.accountId, username, "not the password at all", randomAddress());
      return { ms: performance.now() - started, shape: await shape(res) };
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      const k = await timed(user.loginName);
      const u = await timed(`nobody${i}@brand.example`);
      expect(k.shape).toEqual(u.shape);
      expect(k.shape.status).toBe(401);
      known.push(k.ms);
      unknown.push(u.ms);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    // Both run one PBKDF2 derivation (the unknown one against a dummy hash): same order of time.
    expect(median(unknown)).toBeGreaterThan(median(known) / 3);
    expect(median(unknown)).toBeLessThan(median(known) * 3);
  });

  it("five failures lock the user name for 15 minutes, from any address, even for the right password; the lock looks the same for an unknown name", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    for (let i = 0; i < MAX_FAILURES; i++) await expectError(await loginCall(a.accountId, user.loginName, "wrong password!", randomAddress()), 401, CODES.unauthorized, `failure ${i + 1}`);
    const locked = await loginCall(a.accountId, user.loginName, PASSWORD, randomAddress());
    const lockedShape = await shape(locked.clone());
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect((await json(locked)).errorMsg).toMatch(/too many failed sign-ins/i);

    const ghost = `ghost@brand.example`;
    for (let i = 0; i < MAX_FAILURES; i++) await loginCall(a.accountId, ghost, "wrong password!", randomAddress());
    expect(await shape(await loginCall(a.accountId, ghost, PASSWORD, randomAddress()))).toEqual(lockedShape);
    // The lock is per name: another user of the account signs in.
    await signedIn(a.accountId, (await makeUser(a, ["FaaS-Developer"])).loginName);

    // An Admin sees the lockout in the activity stream, once; a name no user has leaves no row.
    const activity = await json(await call(`/api/account/${a.accountId}/activities?limit=50`, { key: a.admin }));
    const lockouts = activity.items.filter((i: { action: string }) => i.action === "session.lockout");
    expect(lockouts.map((i: { summary: string }) => i.summary)).toEqual([`locked user ${user.loginName} (${user.id})'s sign-in for 15 minutes after ${MAX_FAILURES} wrong passwords`]);
    expect(JSON.stringify(activity)).not.toContain("ghost@brand.example");
    expect(JSON.stringify(activity)).not.toContain("wrong password!");
  });

  it("the same limit per client address, across names and accounts; another address is not affected", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const user = await makeUser(b, ["FaaS-Developer"]);
    const address = randomAddress();
    for (let i = 0; i < MAX_FAILURES; i++) await expectError(await loginCall(a.accountId, `guess${i}@brand.example`, "wrong password!", address), 401, CODES.unauthorized, `guess ${i}`);
    expect((await loginCall(b.accountId, user.loginName, PASSWORD, address)).status).toBe(429);
    await signedIn(b.accountId, user.loginName, PASSWORD, randomAddress());
    // X-Forwarded-For (a local front) counts its last entry, the one the front appended.
    const front = randomAddress();
    const viaFront = (username: string, password: string, spoofed: string) =>
      call(`/api/account/${a.accountId}/login?v=1.3`, { body: { username, password }, headers: { "x-forwarded-for": `${spoofed}, ${front}` } });
    for (let i = 0; i < MAX_FAILURES; i++) await viaFront(`x${i}@brand.example`, "wrong password!", randomAddress());
    expect((await viaFront("y@brand.example", "wrong password!", randomAddress())).status).toBe(429);
  });

  it("window and lock time: failures older than 15 minutes no longer count; a lock ends 15 minutes after the fifth failure; a success clears the name's failures", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    const t0 = Date.now();
    const at = (minutes: number) => t0 + minutes * 60_000;
    const addr = () => randomAddress();
    expect([WINDOW_MS, LOCK_MS]).toEqual([15 * 60_000, 15 * 60_000]);
    for (let i = 0; i < 4; i++) expect(await attempt(a, user.loginName, "wrong password!", addr(), at(0))).toBe(401);
    // 15 minutes later the four have left the window: four more do not lock.
    for (let i = 0; i < 4; i++) expect(await attempt(a, user.loginName, "wrong password!", addr(), at(15.01))).toBe(401);
    expect(await attempt(a, user.loginName, PASSWORD, addr(), at(15.02))).toBe("ok");
    // The success forgot them: four more failures still do not lock...
    for (let i = 0; i < 4; i++) expect(await attempt(a, user.loginName, "wrong password!", addr(), at(16))).toBe(401);
    // ...the fifth does, for 15 minutes from it, right password or not.
    expect(await attempt(a, user.loginName, "wrong password!", addr(), at(20))).toBe(401);
    expect(await attempt(a, user.loginName, PASSWORD, addr(), at(20.5))).toBe(429);
    expect(await attempt(a, user.loginName, PASSWORD, addr(), at(34.9))).toBe(429);
    expect(await attempt(a, user.loginName, PASSWORD, addr(), at(35.01))).toBe("ok");
  });

  it("brute force at once: of 12 simultaneous guesses at most five are tried, the rest are refused as locked", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    const now = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(a, user.loginName, `guess number ${i}`, randomAddress(), now)));
    expect(outcomes.filter((o) => o === 401)).toHaveLength(MAX_FAILURES);
    expect(outcomes.filter((o) => o === 429)).toHaveLength(12 - MAX_FAILURES);
    // Five failures ending at once make one lockout row, not five.
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE account_id = ? AND action = 'session.lockout'").bind(a.accountId).first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });
});

describe("the attacker's side", () => {
  it("another account's session, a forged or missing cookie and a csrf mismatch are all 401 on refresh and logout; the session survives them", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const s = await signedIn(a.accountId, (await makeUser(a, ["FaaS-Admin"])).loginName);
    const other = await signedIn(a.accountId, (await makeUser(a, ["FaaS-Developer"])).loginName);
    const refusals: [string, Response][] = [
      ["B's path", await refreshCall(b.accountId, s.sessionId, s.csrf)],
      ["forged cookie", await refreshCall(a.accountId, "forged-session-id-forged-session-id", s.csrf)],
      ["csrf mismatch", await refreshCall(a.accountId, s.sessionId, "not-the-csrf")],
      ["another session's csrf", await refreshCall(a.accountId, s.sessionId, other.csrf)],
      ["empty csrf", await refreshCall(a.accountId, s.sessionId, "")],
      ["no cookie", await call(`/api/account/${a.accountId}/refresh`, { body: { csrf: s.csrf } })],
      ["bearer as cookie", await refreshCall(a.accountId, s.bearer, s.csrf)],
      ["logout, csrf mismatch", await logoutCall(a.accountId, { sessionId: s.sessionId, csrf: "nope" })],
      ["logout on B's path", await logoutCall(b.accountId, { bearer: s.bearer })],
      ["logout, forged bearer", await logoutCall(a.accountId, { bearer: "efu_forgedforgedforgedforgedforgedforged" })],
    ];
    for (const [label, res] of refusals) await expectError(res, 401, CODES.unauthorized, label);
    expect((await refreshCall(a.accountId, s.sessionId, s.csrf)).status).toBe(200);
    expect((await probe(a, s.bearer)).status).toBe(200);
  });

  it("a session of account A is 404 on every route of account B, and forged bearers are 401", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const s = await signedIn(a.accountId, (await makeUser(a, ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"])).loginName);
    const theirs = await deployed(b, HELLO);
    for (const path of ["lambdas", "users", "api-keys", "runtimes", `lambdas/${theirs}`]) {
      await expectError(await call(`/api/account/${b.accountId}/${path}`, { key: s.bearer }), 404, undefined, path);
    }
    await expectError(await invoke(b, theirs, undefined, s.bearer), 404, undefined, "invoke B's function");
    for (const bearer of [`${s.bearer}x`, s.bearer.slice(0, -1), `efu_${"A".repeat(43)}`, s.sessionId, s.csrf]) {
      await expectError(await probe(a, bearer), 401, CODES.unauthorized, `forged ${bearer.slice(0, 8)}`);
    }
  });

  it("sessions and attempts are stored as hashes: no bearer, session id, csrf or password in D1", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    const s = await signedIn(a.accountId, user.loginName);
    await loginCall(a.accountId, user.loginName, "a wrong password here", randomAddress());
    const dump = JSON.stringify([
      (await env.DB.prepare("SELECT * FROM sessions").all()).results,
      (await env.DB.prepare("SELECT * FROM login_attempts").all()).results,
      (await env.DB.prepare("SELECT * FROM audit_log").all()).results,
    ]);
    for (const secret of [s.bearer, s.sessionId, s.csrf, PASSWORD, "a wrong password here"]) expect(dump).not.toContain(secret);
  });
});

describe("a user's own password change", () => {
  const change = (a: TestAccount, username: string, password: string, newPassword: string, address = randomAddress()) =>
    call(`/api/account/${a.accountId}/password`, { body: { username, password, newPassword }, headers: { "cf-connecting-ip": address } });

  it("with the current password: 204, every session ends, the new password signs in and the old one not; audited without either", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    const s = await signedIn(a.accountId, user.loginName);
    const next = `renewed ${crypto.randomUUID()}`;
    expect((await change(a, user.loginName.toUpperCase(), PASSWORD, next)).status).toBe(204);
    await expectError(await probe(a, s.bearer), 401, CODES.unauthorized, "session after the change");
    await expectError(await loginCall(a.accountId, user.loginName, PASSWORD, randomAddress()), 401, CODES.unauthorized, "old password");
    await signedIn(a.accountId, user.loginName, next);
    const rows = (await env.DB.prepare("SELECT * FROM audit_log WHERE account_id = ? AND action = 'user.password'").bind(a.accountId).all<any>()).results;
    expect(rows).toHaveLength(1);
    expect(rows[0].actor).toBe(`user:${user.loginName}#${user.id}`);
    expect(JSON.stringify(rows)).not.toContain(next);
  });

  it("a wrong current password is the sign-in's 401 and counts toward its lockout; a bad new password is 400 and does not", async () => {
    const a = await newAccount();
    const user = await makeUser(a, ["FaaS-Developer"]);
    for (let i = 0; i < 3; i++) await expectError(await change(a, user.loginName, PASSWORD, "short"), 400, CODES.badInput, "short new password");
    await expectError(await change(a, user.loginName, PASSWORD, PASSWORD), 400, CODES.badInput, "the same password");
    for (let i = 0; i < MAX_FAILURES; i++) await expectError(await change(a, user.loginName, "not the password!", "a fine new passphrase"), 401, CODES.unauthorized, `wrong ${i}`);
    expect((await loginCall(a.accountId, user.loginName, PASSWORD, randomAddress())).status).toBe(429);
    expect((await change(a, user.loginName, PASSWORD, "a fine new passphrase")).status).toBe(429);
  });
});
