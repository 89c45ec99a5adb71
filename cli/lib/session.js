// The signed-in session, stored in the user's config folder ($EFN_CONFIG_DIR, else
// $XDG_CONFIG_HOME/edgefn, else ~/.config/edgefn) as session.json, readable by the user only
// (0600, folder 0700). It holds a bearer (an API key or a sign-in session's bearer): nothing
// in efn ever prints it.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { CliError, EXIT } from "./exit-codes.js";

/**
 * @typedef {object} Session
 * @property {string} url         the platform's base URL
 * @property {string} accountId
 * @property {"apiKey" | "password"} kind
 * @property {string} token       the bearer: the API key, or the session's bearer
 * @property {string} [csrf]      password sessions: for refresh and logout
 * @property {string} [sessionId] password sessions: the session_id cookie
 * @property {string} [expiresAt] password sessions: when the platform ends it (8 hours after sign-in)
 * @property {string} [userId]
 * @property {string} [loginName]
 * @property {string} createdAt
 */

export function configDir() {
  if (process.env.EFN_CONFIG_DIR) return process.env.EFN_CONFIG_DIR;
  const base = process.env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  return path.join(base, "edgefn");
}

export const sessionFile = () => path.join(configDir(), "session.json");

/** @returns {Session | undefined} */
export function readSession() {
  let text;
  try {
    text = readFileSync(sessionFile(), "utf8");
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text);
    return s && typeof s.token === "string" && typeof s.url === "string" && typeof s.accountId === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The session, or an AUTH error telling the user to log in. */
export function requireSession() {
  const s = readSession();
  if (!s) throw new CliError(EXIT.AUTH, "not logged in: run efn login --url <base> --account <id> (--api-key <key> or --username <name>)");
  if (s.expiresAt && Date.parse(s.expiresAt) <= Date.now()) throw new CliError(EXIT.AUTH, `the session of ${s.loginName ?? "this user"} ended at ${s.expiresAt}: run efn login again`);
  return s;
}

/** Writes the session atomically; the file is never readable by others, not even for a moment. */
export function writeSession(/** @type {Session} */ session) {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.session.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, and an old file's mode does not carry over
  renameSync(tmp, sessionFile());
}

export function deleteSession() {
  rmSync(sessionFile(), { force: true });
}

/** What may be shown of a session: everything but its secrets. */
export function describeSession(/** @type {Session} */ s) {
  return { url: s.url, accountId: s.accountId, kind: s.kind, ...(s.loginName && { loginName: s.loginName }), ...(s.userId && { userId: s.userId }), ...(s.expiresAt && { expiresAt: s.expiresAt }), createdAt: s.createdAt };
}
