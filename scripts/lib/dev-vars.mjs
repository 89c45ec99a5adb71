// The local secrets file `.dev.vars` (git-ignored), which wrangler dev loads into the Worker's env.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const SECRET_NAMES = ["OPERATOR_TOKEN", "SECRETS_KEK", "JWT_SIGNING_KEY"];

/** Fresh random values; SECRETS_KEK is base64 of 32 bytes because it is an AES-256 key. */
export function generateSecrets() {
  return {
    OPERATOR_TOKEN: randomBytes(32).toString("base64url"),
    SECRETS_KEK: randomBytes(32).toString("base64"),
    JWT_SIGNING_KEY: randomBytes(32).toString("base64url"),
  };
}

/** Parses KEY=VALUE lines (dotenv style: # comments, optional surrounding quotes). */
export function parseDevVars(text) {
  const vars = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (!m) continue;
    let value = m[2];
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    vars[m[1]] = value;
  }
  return vars;
}

/**
 * Creates the file with fresh secrets unless it exists; an existing file is never rewritten (it may
 * hold secrets that encrypted data in the local state depends on). Returns what is in it.
 */
export function ensureDevVars(file) {
  if (existsSync(file)) {
    const vars = parseDevVars(readFileSync(file, "utf8"));
    return { created: false, vars, missing: SECRET_NAMES.filter((n) => !vars[n]) };
  }
  const vars = generateSecrets();
  const text =
    "# Local secrets for `npm start` (generated; git-ignored). Keep SECRETS_KEK: it decrypts stored secrets.\n" +
    SECRET_NAMES.map((n) => `${n}=${vars[n]}`).join("\n") + "\n";
  // "wx" fails instead of overwriting if another start raced us; 0600 because these are secrets.
  writeFileSync(file, text, { flag: "wx", mode: 0o600 });
  return { created: true, vars, missing: [] };
}
