// A private local edgefn for `efn invoke --local` (and for cli/gen-api-types.js): this repository's
// own platform, started the way `npm start` and the script tests start it (scripts/lib/runtime.mjs:
// wrangler dev on a free 127.0.0.1 port), so a local run goes through the real Workers runtime with
// the platform's wrapper, toolbelt, Egress allow-list and limits.
//
// Its state is kept between runs in the user's cache folder ($EFN_CACHE_DIR, else
// $XDG_CACHE_HOME/edgefn, else ~/.cache/edgefn), one folder per set of migrations: the second run
// skips the migrations (most of a cold start) and reuses the account it made. The throwaway
// operator token and key-encryption key of that state live next to it, readable by the user only.
// A run that finds the state in use by another efn starts on a temporary state instead.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SIGNALS = /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"]);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The launcher helpers in scripts/lib (plain .mjs, not type-checked): imported by a computed URL so
 * tsc does not pull them into the CLI's program. Their shapes, as used here:
 * @typedef {{ port: number, ready: Promise<unknown>, stop: () => Promise<void> }} RuntimeHandle
 * @typedef {{
 *   startRuntime: (o: { port: number, persistTo: string, vars?: Record<string, string>, onLine?: (l: string) => void, readyTimeoutMs?: number }) => RuntimeHandle,
 * }} RuntimeModule
 * @typedef {{ freePort: () => Promise<number> }} NetModule
 * @typedef {{ migratedState: (o: { persistTo: string, stdio?: unknown[] }) => Promise<number> }} StateModule
 */
/** @returns {Promise<any>} */
const scriptModule = (/** @type {string} */ name) => import(pathToFileURL(path.join(REPO, "scripts", "lib", name)).href);

export function cacheDir() {
  if (process.env.EFN_CACHE_DIR) return process.env.EFN_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(base, "edgefn");
}

/** A name for the current migrations: a state made by other migrations is never reused. */
function migrationsId() {
  const dir = path.join(REPO, "migrations");
  const hash = createHash("sha256");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) hash.update(f).update(readFileSync(path.join(dir, f)));
  return hash.digest("hex").slice(0, 16);
}

/** Takes the state folder's lock (a file holding our pid); false when a live efn holds it. */
function lock(/** @type {string} */ file) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      const pid = Number(readFileSync(file, "utf8"));
      if (pid && pid !== process.pid && alive(pid)) return false;
      rmSync(file, { force: true }); // its owner is gone
    }
  }
  return false;
}

function alive(/** @type {number} */ pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === "EPERM";
  }
}

/**
 * Starts the local platform. Resolves to { url, operatorToken, stateDir, stop() } with
 * `stateDir` holding account.json when a previous run saved one.
 * @param {{ say?: (m: string) => void, fresh?: boolean }} [options] fresh: a temporary state, not the cached one
 */
export async function startLocalPlatform({ say = () => {}, fresh = false } = {}) {
  /** @type {RuntimeModule} */
  const runtimeLib = await scriptModule("runtime.mjs");
  /** @type {NetModule} */
  const net = await scriptModule("net.mjs");
  /** @type {StateModule} */
  const stateLib = await scriptModule("migrated-state.mjs");

  let stateDir = path.join(cacheDir(), "local", migrationsId());
  let temporary = fresh;
  if (!temporary) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    if (!lock(path.join(stateDir, "lock"))) {
      say("the cached local state is in use by another efn: using a temporary one");
      temporary = true;
    }
  }
  if (temporary) stateDir = mkdtempSync(path.join(tmpdir(), "efn-local-"));
  const release = () => (temporary ? rmSync(stateDir, { recursive: true, force: true }) : rmSync(path.join(stateDir, "lock"), { force: true }));

  const varsFile = path.join(stateDir, "vars.json");
  /** @type {Record<string, string>} */
  const vars = existsSync(varsFile)
    ? JSON.parse(readFileSync(varsFile, "utf8"))
    : { OPERATOR_TOKEN: randomBytes(32).toString("base64url"), SECRETS_KEK: randomBytes(32).toString("base64"), JWT_SIGNING_KEY: randomBytes(32).toString("base64url") };
  const persistTo = path.join(stateDir, "state");
  const logFile = path.join(stateDir, "runtime.log");
  const logFd = openSync(logFile, "w", 0o600);
  /** @type {RuntimeHandle | undefined} */
  let runtime;
  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      for (const sig of SIGNALS) process.off(sig, onSignal);
      try {
        await runtime?.stop();
      } finally {
        closeSync(logFd);
        release();
      }
    })();
    return stopping;
  };
  // wrangler runs in its own process group, so a Ctrl-C at the terminal does not reach it: stop it
  // here, or it would outlive efn.
  const onSignal = () => {
    void stop().finally(() => process.exit(130));
  };
  for (const sig of SIGNALS) process.once(sig, onSignal);
  try {
    if (!existsSync(path.join(stateDir, "migrated"))) {
      say("local runtime: applying migrations to a new local state (first run only)");
      writeFileSync(varsFile, JSON.stringify(vars), { mode: 0o600 });
      // A copy of the migrated template shared by every local platform of this machine (made once
      // per version of the migrations): a first run starts in seconds instead of migrating anew.
      if ((await stateLib.migratedState({ persistTo, stdio: ["ignore", logFd, logFd] })) !== 0) throw new Error(`migrations failed (see ${logFile})`);
      writeFileSync(path.join(stateDir, "migrated"), new Date().toISOString());
    }
    say("local runtime: starting the Workers runtime (wrangler dev)");
    runtime = runtimeLib.startRuntime({ port: await net.freePort(), persistTo, vars, onLine: (l) => writeSync(logFd, `${l}\n`) });
    await runtime.ready;
  } catch (err) {
    const tail = readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n");
    await stop();
    throw new Error(`the local runtime did not start: ${/** @type {Error} */ (err).message}\n${tail}`);
  }
  return { url: `http://127.0.0.1:${runtime.port}`, operatorToken: /** @type {string} */ (vars.OPERATOR_TOKEN), stateDir, stop };
}
