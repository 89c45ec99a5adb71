// `npm run deploy`: the schema, then the Worker, on Cloudflare.
//
// Migrations go first: they only add to the schema, so the running (old) Worker keeps working on the
// new schema, while new code on an old schema would fail until the migrations caught up. Both steps
// are idempotent, so after a failure simply run `npm run deploy` again.
// One-time setup (README): `wrangler login`, `wrangler d1 create edgefn`, `wrangler kv namespace
// create edgefn`, the ids in wrangler.toml, PUBLIC_HOST (wrangler.toml [vars], or the environment of
// the deploy), and `wrangler secret put` for each secret. Nothing remote happens until all of them are
// in place: every missing one is listed at once.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildConsole } from "./lib/console-build.mjs";
import { buildLibraries } from "./lib/libraries-build.mjs";
import { ROOT, runTee, toolEnv } from "./lib/tools.mjs";

const say = (msg) => console.log(`[deploy] ${msg}`);

/** The ids wrangler.toml still holds as placeholders; they would only fail later with a less helpful remote error. */
export function placeholderIds(config) {
  const placeholders = [
    [/database_id\s*=\s*"0{8}-0{4}-0{4}-0{4}-0{12}"/, "database_id (run: npx wrangler d1 create edgefn)"],
    [/^\s*id\s*=\s*"0{32}"/m, "the KV namespace id (run: npx wrangler kv namespace create edgefn)"],
  ];
  return placeholders.filter(([re]) => re.test(config)).map(([, what]) => what);
}

/** PUBLIC_HOST from wrangler.toml's [vars] table, or "" (a line scan: the file is ours and simple). */
export function publicHostInConfig(config) {
  let inVars = false;
  for (const line of config.split(/\r?\n/)) {
    const table = line.match(/^\s*\[\[?\s*([^\]]+?)\s*\]\]?/);
    if (table) inVars = table[1] === "vars";
    const m = inVars && line.match(/^\s*PUBLIC_HOST\s*=\s*(?:"([^"]*)"|'([^']*)')/);
    if (m) return (m[1] ?? m[2] ?? "").trim();
  }
  return "";
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * Where the deployed Worker's PUBLIC_HOST comes from: the PUBLIC_HOST environment variable of this
 * deploy (passed on as `wrangler deploy --var`), else the `[vars]` PUBLIC_HOST of wrangler.toml. Without
 * one, baseURI.json and the OAuth tokens' `iss` would name whatever Host a caller sent, so a deploy
 * without it is refused. Answers {ok, host, args} or {ok: false, problem} with what to set where.
 */
export function publicHostCheck(config, env = process.env) {
  const fromEnv = (env.PUBLIC_HOST ?? "").trim();
  const host = fromEnv || publicHostInConfig(config);
  if (!host) {
    return {
      ok: false,
      problem: [
        "PUBLIC_HOST is not set. It is the host name clients use for this deployment (e.g. functions.example.com);",
        "baseURI.json and the OAuth tokens' iss name it, and without it they would name whatever Host a caller sends.",
        "Set it in wrangler.toml under [vars]:  PUBLIC_HOST = \"functions.example.com\"",
        "or for this deploy only:               PUBLIC_HOST=functions.example.com npm run deploy",
      ],
    };
  }
  if (!HOST.test(host)) {
    return { ok: false, problem: [`PUBLIC_HOST must be a host name with an optional :port, without scheme or path (got "${host}")`] };
  }
  return { ok: true, host, args: fromEnv ? ["--var", `PUBLIC_HOST:${host}`] : [] };
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

async function main() {
  const config = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const missing = placeholderIds(config);
  if (missing.length) {
    say("wrangler.toml still has placeholder ids; put the real ones in first:");
    for (const m of missing) say(`  - ${m}`);
  }
  const host = publicHostCheck(config);
  if (!host.ok) for (const line of host.problem) say(line);
  if (missing.length || !host.ok) {
    say("nothing was deployed.");
    process.exit(1);
  }
  say(`PUBLIC_HOST is ${host.host}`);
  await step("applying D1 migrations to the remote database", ["d1", "migrations", "apply", "DB", "--remote"]);
  say("building the web console (console/dist, uploaded as the Worker's static assets)");
  if ((await buildConsole()) !== 0) {
    say("the console's build failed; nothing more was deployed.");
    process.exit(1);
  }
  // The libraries brand code may require (src/runtime/libraries), part of the Worker's bundle.
  if (buildLibraries({ log: say }) !== 0) {
    say("bundling the brand libraries failed; nothing more was deployed.");
    process.exit(1);
  }
  await step("deploying the Worker", ["deploy", ...host.args]);
  say("done. Secrets are not part of a deploy: set them once with `npx wrangler secret put <NAME>` (README).");
}

// Run only as the script itself: scripts/test/deploy.test.mjs imports the checks without deploying.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
