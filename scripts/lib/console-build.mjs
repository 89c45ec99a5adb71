// The web console's build (console/, Vite + Preact) into console/dist, the directory wrangler.toml's
// [assets] serves. wrangler refuses to start or bundle without that directory, so `npm start`,
// `npm test` and `npm run deploy` call this first (about 2 s).
import path from "node:path";
import { ROOT, incrementalTscArgs, run } from "./tools.mjs";

export const CONSOLE_DIST = path.join(ROOT, "console", "dist");

/** Type-checks (`typecheck: true`) and builds the console; resolves to the exit code of the first failing step, or 0. */
export async function buildConsole({ typecheck = false, stdio } = {}) {
  const opts = stdio ? { stdio } : {};
  if (typecheck) {
    const code = await run("tsc", ["-p", path.join("console", "tsconfig.json"), ...incrementalTscArgs("console")], opts);
    if (code !== 0) return code;
  }
  return run("vite", ["build", "--config", path.join("console", "vite.config.mjs")], opts);
}
