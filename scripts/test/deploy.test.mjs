// `npm run deploy` refuses without PUBLIC_HOST (issue 11 §6): baseURI.json and the OAuth tokens' iss
// would otherwise name whatever Host a caller sends. Runs the checks only; nothing is deployed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { publicHostCheck, publicHostInConfig } from "../deploy.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CONFIG = `name = "edgefn"
[vars]
INVOKE_TIMEOUT_MS = "30000"

[[d1_databases]]
binding = "DB"
`;
const withVar = (line) => CONFIG.replace('INVOKE_TIMEOUT_MS = "30000"', `INVOKE_TIMEOUT_MS = "30000"\n${line}`);

test("without PUBLIC_HOST in wrangler.toml or the environment the deploy is refused, saying what to set where", () => {
  const r = publicHostCheck(CONFIG, {});
  assert.equal(r.ok, false);
  const text = r.problem.join("\n");
  assert.match(text, /PUBLIC_HOST is not set/);
  assert.match(text, /\[vars\]/);
  assert.match(text, /PUBLIC_HOST=functions\.example\.com npm run deploy/);
});

test("an empty PUBLIC_HOST counts as unset; one outside [vars] does not count", () => {
  assert.equal(publicHostCheck(withVar('PUBLIC_HOST = ""'), { PUBLIC_HOST: "  " }).ok, false);
  assert.equal(publicHostCheck(`${CONFIG}\n[env.staging]\nPUBLIC_HOST = "x.example.com"\n`, {}).ok, false);
});

test("PUBLIC_HOST from wrangler.toml [vars] is used as is (wrangler deploys the var itself)", () => {
  assert.equal(publicHostInConfig(withVar('PUBLIC_HOST = "functions.example.com"')), "functions.example.com");
  assert.deepEqual(publicHostCheck(withVar('PUBLIC_HOST = "functions.example.com"'), {}), { ok: true, host: "functions.example.com", args: [] });
});

test("PUBLIC_HOST from the environment wins and is passed on with --var", () => {
  const r = publicHostCheck(withVar('PUBLIC_HOST = "old.example.com"'), { PUBLIC_HOST: "functions.example.com:8443" });
  assert.deepEqual(r, { ok: true, host: "functions.example.com:8443", args: ["--var", "PUBLIC_HOST:functions.example.com:8443"] });
});

test("a PUBLIC_HOST with a scheme or a path is refused", () => {
  for (const bad of ["https://functions.example.com", "functions.example.com/x", "evil example"]) {
    assert.equal(publicHostCheck(CONFIG, { PUBLIC_HOST: bad }).ok, false, bad);
  }
});

test("npm run deploy without PUBLIC_HOST exits 1 before any remote step", (t) => {
  const config = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  // Only while the real config cannot deploy by itself: this test must never deploy anything.
  if (publicHostCheck(config, {}).ok) return t.skip("wrangler.toml sets PUBLIC_HOST");
  const env = { ...process.env };
  delete env.PUBLIC_HOST;
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts/deploy.mjs")], { cwd: ROOT, env, encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /PUBLIC_HOST is not set/);
  assert.match(r.stdout, /nothing was deployed/);
  assert.doesNotMatch(r.stdout, /applying D1 migrations|deploying the Worker/);
});
