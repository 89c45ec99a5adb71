// .dev.vars: created once with fresh secrets, never rewritten.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { ensureDevVars, parseDevVars, SECRET_NAMES } from "../lib/dev-vars.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "edgefn-devvars-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("first call creates the file with every secret, private to the owner", () => {
  const file = path.join(dir, "fresh.vars");
  const { created, vars } = ensureDevVars(file);
  assert.equal(created, true);
  for (const name of SECRET_NAMES) assert.ok(vars[name]?.length >= 32, `${name} too short`);
  assert.equal(Buffer.from(vars.SECRETS_KEK, "base64").length, 32, "SECRETS_KEK must be 32 bytes");
  assert.deepEqual(parseDevVars(readFileSync(file, "utf8")), vars);
  assert.equal(statSync(file).mode & 0o077, 0);
  assert.notEqual(ensureDevVars(path.join(dir, "other.vars")).vars.OPERATOR_TOKEN, vars.OPERATOR_TOKEN);
});

test("an existing file is kept byte for byte and missing secrets are reported", () => {
  const file = path.join(dir, "existing.vars");
  const text = '# mine\nOPERATOR_TOKEN="keep-me"\nSECRETS_KEK=abc=\n';
  writeFileSync(file, text);
  const { created, vars, missing } = ensureDevVars(file);
  assert.equal(created, false);
  assert.equal(vars.OPERATOR_TOKEN, "keep-me");
  assert.equal(vars.SECRETS_KEK, "abc=");
  assert.deepEqual(missing, ["JWT_SIGNING_KEY"]);
  assert.equal(readFileSync(file, "utf8"), text);
});
