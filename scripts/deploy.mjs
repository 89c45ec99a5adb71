// `npm run deploy`: the schema, then the Worker, on Cloudflare.
//
// Migrations go first: they only add to the schema, so the running (old) Worker keeps working on the
// new schema, while new code on an old schema would fail until the migrations caught up. Both steps
// are idempotent, so after a failure simply run `npm run deploy` again.
// One-time setup (README): `wrangler login`, `wrangler d1 create edgefn`, `wrangler kv namespace
// create edgefn`, the ids in wrangler.toml, and `wrangler secret put` for each secret.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, runTee, toolEnv } from "./lib/tools.mjs";

const say = (msg) => console.log(`[deploy] ${msg}`);

// The placeholder ids in wrangler.toml would only fail later with a less helpful remote error.
const config = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
const placeholders = [
  [/database_id\s*=\s*"0{8}-0{4}-0{4}-0{4}-0{12}"/, "database_id (run: npx wrangler d1 create edgefn)"],
  [/^\s*id\s*=\s*"0{32}"/m, "the KV namespace id (run: npx wrangler kv namespace create edgefn)"],
];
const missing = placeholders.filter(([re]) => re.test(config)).map(([, what]) => what);
if (missing.length) {
  say("wrangler.toml still has placeholder ids; put the real ones in first:");
  for (const m of missing) say(`  - ${m}`);
  process.exit(1);
}

/** Explains the usual reasons a remote wrangler command fails. */
function explain(output) {
  if (/not logged in|wrangler login|CLOUDFLARE_API_TOKEN|Authentication error|\[code: 10000\]|\[code: 9109\]/i.test(output)) {
    say("wrangler is not logged in to Cloudflare. Either run `npx wrangler login` (opens a browser),");
    say("or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) for a non-interactive deploy.");
  } else if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|fetch failed/i.test(output)) {
    say("Cloudflare's API could not be reached: check the network connection.");
  }
}

async function step(title, args) {
  say(title);
  // WRANGLER_SEND_METRICS stays off like everywhere else; stdin is the user's so wrangler can ask.
  const { code, output } = await runTee("wrangler", args, { env: toolEnv() });
  if (code !== 0) {
    explain(output);
    say(`failed: wrangler ${args.join(" ")} (exit code ${code})`);
    process.exit(code);
  }
}

await step("applying D1 migrations to the remote database", ["d1", "migrations", "apply", "DB", "--remote"]);
await step("deploying the Worker", ["deploy"]);
say("done. Secrets are not part of a deploy: set them once with `npx wrangler secret put <NAME>` (README).");
