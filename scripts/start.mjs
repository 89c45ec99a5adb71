// `npm start`: the whole platform on http://127.0.0.1:$PORT (default 8787).
//
//   1. .dev.vars with random secrets on first start (an existing one is kept as it is)
//   2. the front proxy on $PORT (answers 503 until the runtime is up)
//   3. the web console's build (console/ into console/dist, served as the Worker's static assets), and
//      D1 migrations into the persistent local state (.wrangler/state, survives restarts)
//   4. `wrangler dev` (workerd) on an internal port behind it, supervised: its Worker runtime is
//      restarted within seconds when it stops answering (a function in a CPU loop: no CPU limit
//      locally), passes its memory ceiling (no memory limit per isolate locally) or exits
//      (scripts/lib/supervisor.mjs, supervised-runtime.mjs); the front proxy asks for the current
//      port per request
//   5. the Cron Trigger, fired once a minute as Cloudflare does (scripts/lib/cron-tick.mjs)
//
// Ctrl-C / SIGTERM stops everything.
import path from "node:path";
import { createFrontProxy } from "./front-proxy.mjs";
import { answerLog } from "./lib/answered.mjs";
import { buildConsole } from "./lib/console-build.mjs";
import { buildLibraries } from "./lib/libraries-build.mjs";
import { ensureDevVars } from "./lib/dev-vars.mjs";
import { freePort, HOST, probe } from "./lib/net.mjs";
import { everyMinute, scheduledPath } from "./lib/cron-tick.mjs";
import { applyMigrations } from "./lib/runtime.mjs";
import { superviseRuntime } from "./lib/supervised-runtime.mjs";
import { ROOT } from "./lib/tools.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const PERSIST_TO = path.join(ROOT, ".wrangler", "state"); // wrangler's default, named so both steps agree

const say = (msg) => console.log(`[edgefn] ${msg}`);

/**
 * wrangler's lines, minus noise: the failed Request.cf download (no internet; harmless), successful
 * GET /healthz (the launcher's own checks; wrangler's log line cannot tell them from others), and
 * its internal URL, which people should not use.
 */
function runtimeLine(line) {
  if (/Request\.cf|ENOTFOUND workers\.cloudflare\.com|^\s+at .*(GetAddrInfoReqWrap|callbackTrampoline)/.test(line)) return;
  if (/\] GET \/healthz 200 /.test(line)) return;
  // The runtime's log trail of functions (runtime/log-tail.ts): their logs, not the platform's.
  if (line.includes("edgefn-trail")) return;
  // The supervisor ends the Worker runtime itself (a stall, the memory ceiling) and says why.
  if (/The Workers runtime crashed unexpectedly and is being restarted/.test(line)) return;
  // wrangler's advice to fire Cron Triggers by hand: npm start fires them itself (see the welcome).
  if (/Scheduled Workers are not automatically triggered|To manually trigger a scheduled event|cdn-cgi\/local\/scheduled|cron-triggers\/#test-cron-triggers-locally/.test(line)) return;
  if (/Ready on http/.test(line)) return say(`runtime ready (internal port; use http://${HOST}:${PORT})`);
  console.log(line);
}

let runtime; // the supervised wrangler dev
let proxy;
let stopping = false;

async function shutdown(code) {
  if (stopping) {
    // A second Ctrl-C: do not wait for a graceful stop.
    await runtime?.stop(0);
    process.exit(code || 1);
  }
  stopping = true;
  say("stopping...");
  proxy?.close();
  proxy?.closeAllConnections();
  await runtime?.stop();
  process.exit(code);
}

async function main() {
  if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
  const devVars = ensureDevVars(path.join(ROOT, ".dev.vars"));
  say(devVars.created ? "created .dev.vars with fresh random secrets (git-ignored)" : "using the existing .dev.vars");
  if (devVars.missing.length) say(`warning: .dev.vars has no ${devVars.missing.join(", ")}; features needing them will fail`);

  // The public port first: if it is taken, say so now instead of after the runtime started.
  const answers = answerLog(); // the front's answers, handed to the platform after a restart
  proxy = createFrontProxy({ upstream: () => ({ host: HOST, port: runtime?.port ?? 0 }), log: (m) => say(m), answers });
  await new Promise((resolve, reject) => {
    proxy.once("error", (err) => reject(err.code === "EADDRINUSE" ? new Error(`port ${PORT} is in use; set PORT=... to use another`) : err));
    proxy.listen(PORT, HOST, resolve);
  });

  say("building the web console (console/ into console/dist)");
  if ((await buildConsole()) !== 0) throw new Error("the console's build failed");
  if (buildLibraries({ log: say }) !== 0) throw new Error("bundling the brand libraries failed");

  say("applying D1 migrations to the local state (.wrangler/state)");
  const migrated = await applyMigrations({ persistTo: PERSIST_TO });
  if (migrated !== 0) throw new Error(`migrations failed (exit code ${migrated})`);

  say("starting the Workers runtime (wrangler dev)");
  runtime = superviseRuntime({ persistTo: PERSIST_TO, onLine: runtimeLine, say, operatorToken: devVars.vars.OPERATOR_TOKEN, answers });
  await runtime.ready;
  say(`supervising it: restarted when it does not answer for ${runtime.stallMs / 1000} s (EDGEFN_STALL_MS) or uses over ${runtime.ceilingMiB} MiB (EDGEFN_MEMORY_CEILING_MIB)`);
  everyMinute(fireCron);
  printWelcome();
}

/** The every-minute Cron Trigger; skipped while the runtime restarts (missed minutes fire once after). */
async function fireCron() {
  if (stopping || !runtime?.port) return;
  const status = await probe(runtime.port, scheduledPath(), 30_000);
  if (status !== 200) say(`warning: the scheduled() tick answered ${status || "nothing"}`);
}

function printWelcome() {
  const base = `http://${HOST}:${PORT}`;
  // No secret is printed: the command reads the operator token from .dev.vars itself.
  console.log(`
  edgefn is listening on ${base}   (API description: ${base}/api/openapi.json)
  The web console: ${base}/   (sign in with an account id and a user or an API key)

  Create the first account (answers {"accountId","adminKey"}; the key is shown once):

    curl -s -X POST ${base}/admin/accounts \\
      -H "Authorization: Bearer $(grep '^OPERATOR_TOKEN=' .dev.vars | cut -d= -f2-)" \\
      -H 'content-type: application/json' -d '{"name":"My brand"}'

  Schedules fire every minute (the Cron Trigger); to fire it by hand:
    curl "${base}${scheduledPath()}"

  README.md "First steps" goes on from there. Ctrl-C stops the platform; data stays in .wrangler/state.
`);
}

process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

main().catch(async (err) => {
  console.error(`[edgefn] could not start: ${err.message}`);
  await shutdown(1);
});
