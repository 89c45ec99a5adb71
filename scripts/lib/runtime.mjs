// The local Workers runtime: `wrangler dev` (which runs workerd) on an internal 127.0.0.1 port.
// The launchers put the front proxy in front of it; nothing else should talk to this port directly.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { CONSOLE_DIST } from "./console-build.mjs";
import { buildLibraries } from "./libraries-build.mjs";
import { createInterface } from "node:readline";
import { run, toolEnv, ROOT } from "./tools.mjs";
import { HOST, probe } from "./net.mjs";

/** Applies D1 migrations to the local state in persistTo. CI=true: never wait for a confirmation. */
export function applyMigrations({ persistTo, stdio }) {
  return run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    env: toolEnv({ CI: "true" }),
    ...(stdio && { stdio }),
  });
}

/** How many function isolates the local runtime keeps (see startRuntime). */
export const LOCAL_ISOLATE_BUDGET = 1000;

/**
 * Starts `wrangler dev`; the handle's `ready` resolves once GET /healthz answers 200 (and rejects,
 * after stopping it, if it never does). The handle is returned at once so a Ctrl-C during the start
 * can still stop it.
 *   port       internal port (pick one with freePort())
 *   persistTo  D1/KV/DO state directory (the same one the migrations went into)
 *   vars       extra Worker vars passed with --var (they win over .dev.vars); visible in `ps`,
 *              so only for throwaway values (the bench)
 *   onLine     receives each output line of wrangler (stdout and stderr)
 *   config     another Worker's wrangler.toml (the bench's controls); default: the platform's
 * The handle's stop() ends wrangler and every workerd it started: wrangler runs in its own process
 * group, so a signal to the group reaches grandchildren even if wrangler itself dies first.
 */
export function startRuntime({ port, persistTo, vars = {}, onLine = (l) => console.log(l), readyTimeoutMs = 90_000, config }) {
  // wrangler refuses to start without the folder wrangler.toml's [assets] names. npm start, npm test
  // and npm run deploy build the console into it first; the other launchers (the bench, efn's
  // --local, the API-types generator) serve no console and only need the folder to exist.
  mkdirSync(CONSOLE_DIST, { recursive: true });
  // The Worker bundles the brand libraries' generated modules: build them if missing or stale (a
  // few ms when up to date). A failure is printed and then shows as wrangler's own bundling error.
  buildLibraries({ log: onLine });
  const args = ["dev", "--ip", HOST, "--port", String(port), "--inspector-port", "0",
    "--persist-to", persistTo, "--show-interactive-dev-session=false", ...(config ? ["--config", config] : [])];
  // workerd keeps every function isolate it builds for the life of the process, and dies of it past
  // about 1,500: the platform keeps at most this many and runs the rest in isolates it releases
  // (src/runtime/sandbox/sandbox.ts). EDGEFN_ISOLATE_BUDGET overrides.
  // One thread runs the gate and the isolate builds here: building a cold isolate while the gate
  // admits overlaps nothing and its warm-up call only costs (~1.8 ms a cold start; sandbox.ts).
  const allVars = { ISOLATE_BUDGET: process.env.EDGEFN_ISOLATE_BUDGET ?? String(LOCAL_ISOLATE_BUDGET), OVERLAP_COLD_BUILDS: "0", ...vars };
  for (const [k, v] of Object.entries(allVars)) args.push("--var", `${k}:${v}`);

  // wrangler's local observability streams a trace of every request and subrequest (each D1 query,
  // each call into a function's isolate) to its local explorer. edgefn keeps its own invocation
  // records and logs; without those traces local throughput went up by about 45% (npm run bench).
  const env = toolEnv({ X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false" });
  const child = spawn("wrangler", args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", onLine);
  const exited = new Promise((resolve) => {
    child.on("error", (err) => { onLine(`could not start wrangler: ${err.message}`); resolve({ code: 127, signal: null }); });
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  let hasExited = false;
  exited.then(() => { hasExited = true; });

  const handle = {
    port,
    pid: child.pid,
    /** Resolves when wrangler exits, for whatever reason (a supervisor can restart from here). */
    exited,
    get running() { return !hasExited; },
    async stop(graceMs = 5000) {
      if (!hasExited) child.kill("SIGTERM"); // wrangler shuts workerd down itself
      const timer = new Promise((r) => setTimeout(r, graceMs).unref());
      await Promise.race([exited, timer]);
      if (child.pid) signalGroup(child.pid, "SIGKILL"); // whatever is left of the group: no orphan workerd
      await exited;
    },
  };

  handle.ready = (async () => {
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (hasExited) throw new Error(`wrangler dev exited before it was ready (${JSON.stringify(await exited)})`);
      if ((await probe(port, "/healthz", 2000)) === 200) return handle;
      await new Promise((r) => setTimeout(r, 250));
    }
    await handle.stop();
    throw new Error(`wrangler dev did not answer GET /healthz on port ${port} within ${readyTimeoutMs} ms`);
  })();
  return handle;
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if (err.code !== "ESRCH") throw err; // ESRCH: the group is already gone
  }
}
