// The library modules' text, bundled into the Worker once (not per deploy). The files are built by
// scripts/lib/libraries-build.mjs into ./generated (git-ignored) before wrangler or vitest starts;
// its LIBRARIES list and the imports below name the same files (catalog.ts checks the manifest).
import manifestText from "./generated/manifest.txt";
import lodash from "./generated/lodash.txt";
import luxon from "./generated/luxon.txt";
import oauth1a from "./generated/oauth-1.0a.txt";
import jsonwebtoken from "./generated/jsonwebtoken.txt";
import esToolkit from "./generated/es-toolkit.txt";
import esToolkitCompat from "./generated/es-toolkit-compat.txt";
import jsforce from "./generated/jsforce.txt";
import jsforceNode from "./generated/jsforce-node.txt";

/** What the build recorded of each library: its package, pinned version, size and content hash. */
export interface LibraryManifestEntry {
  package: string;
  version: string;
  bytes: number;
  sha256: string;
}

export const LIBRARY_MANIFEST = JSON.parse(manifestText) as Record<string, LibraryManifestEntry>;

/** Each library's CommonJS text, by the name brand code requires it by. */
export const LIBRARY_SOURCES: Readonly<Record<string, string>> = {
  lodash,
  luxon,
  "oauth-1.0a": oauth1a,
  jsonwebtoken,
  "es-toolkit": esToolkit,
  "es-toolkit/compat": esToolkitCompat,
  jsforce,
  "@jsforce/jsforce-node": jsforceNode,
};
