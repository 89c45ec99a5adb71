// LivePerson's library set for brand code (issue 15 §1), bundled once with the platform: each
// library becomes one CommonJS file of text in src/runtime/libraries/generated/ (git-ignored), which
// the Worker imports as Text modules (wrangler's default rule for *.txt; vitest.config.ts has the
// same) and hands to a tenant isolate's Worker Loader modules map only when the function needs it
// (src/runtime/libraries/). Run before wrangler or vitest starts: `npm start`, `npm test`,
// `npm run deploy`, the bench and every throwaway runtime (scripts/lib/runtime.mjs) call it, and so
// does vitest.config.ts, so a fresh clone works. Skipped (a few ms) while the installed versions and
// this script are unchanged.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "./tools.mjs";

export const LIBRARIES_DIR = path.join(ROOT, "src", "runtime", "libraries", "generated");

/**
 * name: what brand code requires; package: the npm package bundled (package.json pins its version
 * exactly); entry: the module of it, if not its main one; file: the generated text module
 * (src/runtime/libraries/sources.ts imports each one).
 * Keep this list and sources.ts in step: the build writes a manifest the Worker checks against it.
 */
export const LIBRARIES = [
  { name: "lodash", package: "lodash", file: "lodash" },
  { name: "luxon", package: "luxon", file: "luxon" },
  { name: "oauth-1.0a", package: "oauth-1.0a", file: "oauth-1.0a" },
  { name: "jsonwebtoken", package: "jsonwebtoken", file: "jsonwebtoken" },
  { name: "es-toolkit", package: "es-toolkit", file: "es-toolkit" },
  // es-toolkit's lodash-compatible layer, which code moving off lodash requires.
  { name: "es-toolkit/compat", package: "es-toolkit", entry: "es-toolkit/compat", file: "es-toolkit-compat" },
  { name: "jsforce", package: "jsforce", file: "jsforce", shims: { undici: "undici-shim.cjs" } },
  { name: "@jsforce/jsforce-node", package: "@jsforce/jsforce-node", file: "jsforce-node", shims: { undici: "undici-shim.cjs" } },
];

// Modules a library depends on that cannot work in an isolate, replaced by edgefn's own (see each
// file), as esbuild aliases (paths relative to the repository's root).
const SHIMS_DIR = path.join("scripts", "lib", "libraries");

const SELF = fileURLToPath(import.meta.url);

function installedVersion(pkg) {
  return JSON.parse(readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
}

/** What the output depends on: this script, esbuild's version and each library's installed version. */
function fingerprint(esbuildVersion) {
  const versions = LIBRARIES.map((l) => `${l.package}@${installedVersion(l.package)}`);
  const shims = LIBRARIES.flatMap((l) => Object.values(l.shims ?? {})).map((file) => readFileSync(path.join(ROOT, SHIMS_DIR, file), "utf8"));
  return createHash("sha256").update(JSON.stringify([readFileSync(SELF, "utf8"), esbuildVersion, versions, shims])).digest("hex");
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/**
 * Bundles one library into a single CommonJS module: its dependencies inlined, Node's built-ins left
 * as require() calls (nodejs_compat provides them in the isolate). Minified: every isolate that
 * needs a library parses its text on a cold start.
 */
function bundle(esbuild, lib) {
  const alias = Object.fromEntries(Object.entries(lib.shims ?? {}).map(([name, file]) => [name, `./${SHIMS_DIR}/${file}`]));
  const result = esbuild.buildSync({
    stdin: { contents: `module.exports = require(${JSON.stringify(lib.entry ?? lib.package)});`, resolveDir: ROOT, loader: "js" },
    absWorkingDir: ROOT,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    alias,
    write: false,
    logLevel: "silent",
  });
  return `// ${lib.entry ?? lib.package}@${installedVersion(lib.package)}, bundled by edgefn (scripts/lib/libraries-build.mjs)\n${result.outputFiles[0].text}`;
}

/** Writes a file whole or not at all: launchers running side by side may build at the same time. */
function writeWhole(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Builds the library modules and their manifest (name -> package, version, bytes, sha256) unless
 * they are up to date. Synchronous (a few seconds when it builds), so that startRuntime() can call
 * it. Returns 0, or 1 after printing why the build failed.
 */
export function buildLibraries({ log = (m) => console.log(m) } = {}) {
  try {
    const esbuild = createRequire(import.meta.url)("esbuild");
    const stamp = fingerprint(esbuild.version);
    const stampFile = path.join(LIBRARIES_DIR, "stamp.txt");
    if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return 0;
    mkdirSync(LIBRARIES_DIR, { recursive: true });
    const manifest = {};
    for (const lib of LIBRARIES) {
      const text = bundle(esbuild, lib);
      writeWhole(path.join(LIBRARIES_DIR, `${lib.file}.txt`), text);
      manifest[lib.name] = { package: lib.package, version: installedVersion(lib.package), bytes: Buffer.byteLength(text), sha256: sha256(text) };
    }
    writeWhole(path.join(LIBRARIES_DIR, "manifest.txt"), JSON.stringify(manifest, null, 2));
    writeWhole(stampFile, stamp); // last: only a complete build is taken for up to date
    log(`bundled the brand libraries into ${path.relative(ROOT, LIBRARIES_DIR)}: ${LIBRARIES.map((l) => `${l.name} ${Math.round(manifest[l.name].bytes / 1024)} KiB`).join(", ")}`);
    return 0;
  } catch (error) {
    console.error(`bundling the brand libraries failed: ${error?.stack ?? error}`);
    return 1;
  }
}

// `node scripts/lib/libraries-build.mjs` builds them by hand.
if (process.argv[1] && path.resolve(process.argv[1]) === SELF) process.exit(buildLibraries());
