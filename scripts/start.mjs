// `npm start`: the whole platform on http://127.0.0.1:$PORT (default 8787).
//
//   1. .dev.vars with random secrets on first start (an existing one is kept as it is)
//   2. the front proxy on $PORT (answers 503 until the runtime is up)
//   3. D1 migrations into the persistent local state (.wrangler/state, survives restarts)
//   4. `wrangler dev` (workerd) on an internal port behind it
//
// Ctrl-C / SIGTERM stops everything. Later: supervision (restart a hung runtime; the front proxy
// already asks `upstream()` per request, so a restarted runtime may come back on another port) and
// a per-minute cron tick (GET /cdn-cgi/handler/scheduled?cron=... on runtime.port) hook in below.
import path from "node:path";
import { createFrontProxy } from "./front-proxy.mjs";
import { ensureDevVars } from "./lib/dev-vars.mjs";
import { freePort, HOST, probe } from "./lib/net.mjs";
import { applyMigrations, startRuntime } from "./lib/runtime.mjs";
import { ROOT } from "./lib/tools.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const PERSIST_TO = path.join(ROOT, ".wrangler", "state"); // wrangler's default, named so both steps agree
const HEALTH_EVERY_MS = 15_000;

const say = (msg) => console.log(`[edgefn] ${msg}`);

/**
 * wrangler's lines, minus noise: the failed Request.cf download (no internet; harmless), successful
 * GET /healthz (the launcher's own checks; wrangler's log line cannot tell them from others), and
 * its internal URL, which people should not use.
 */
function runtimeLine(line) {
  if (/Request\.cf|ENOTFOUND workers\.cloudflare\.com|^\s+at .*(GetAddrInfoReqWrap|callbackTrampoline)/.test(line)) return;
  if (/\] GET \/healthz 200 /.test(line)) return;
  if (/Ready on http/.test(line)) return say(`runtime ready (internal port; use http://${HOST}:${PORT})`);
  console.log(line);
}

let runtime; // the current wrangler dev handle
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
  proxy = createFrontProxy({ upstream: () => ({ host: HOST, port: runtime?.port ?? 0 }), log: (m) => say(m) });
  await new Promise((resolve, reject) => {
    proxy.once("error", (err) => reject(err.code === "EADDRINUSE" ? new Error(`port ${PORT} is in use; set PORT=... to use another`) : err));
    proxy.listen(PORT, HOST, resolve);
  });

  say("applying D1 migrations to the local state (.wrangler/state)");
  const migrated = await applyMigrations({ persistTo: PERSIST_TO });
  if (migrated !== 0) throw new Error(`migrations failed (exit code ${migrated})`);

  say("starting the Workers runtime (wrangler dev)");
  runtime = startRuntime({ port: await freePort(), persistTo: PERSIST_TO, onLine: runtimeLine });
  await runtime.ready;
  runtime.exited.then(({ code, signal }) => {
    if (stopping) return;
    say(`the runtime exited unexpectedly (code ${code}, signal ${signal}); stopping`);
    shutdown(1);
  });
  watchHealth();
  printWelcome();
}

/** Logs when the runtime stops answering; a later issue turns this into a restart. */
function watchHealth() {
  let failures = 0;
  setInterval(async () => {
    if (stopping) return;
    const status = await probe(runtime.port, "/healthz", 5000);
    if (status === 200) {
      if (failures) say("runtime answers /healthz again");
      failures = 0;
    } else if (++failures === 1 || failures % 4 === 0) {
      say(`warning: runtime did not answer GET /healthz (${failures} failed checks in a row)`);
    }
  }, HEALTH_EVERY_MS).unref();
}

function printWelcome() {
  const base = `http://${HOST}:${PORT}`;
  // No secret is printed: the command reads the operator token from .dev.vars itself.
  console.log(`
  edgefn is listening on ${base}   (API description: ${base}/api/openapi.json)

  Create the first account (answers {"accountId","adminKey"}; the key is shown once):

    curl -s -X POST ${base}/admin/accounts \\
      -H "Authorization: Bearer $(grep '^OPERATOR_TOKEN=' .dev.vars | cut -d= -f2-)" \\
      -H 'content-type: application/json' -d '{"name":"My brand"}'

  README.md "First steps" goes on from there. Ctrl-C stops the platform; data stays in .wrangler/state.
`);
}

process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

main().catch(async (err) => {
  console.error(`[edgefn] could not start: ${err.message}`);
  await shutdown(1);
});
