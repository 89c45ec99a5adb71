#!/usr/bin/env node
// Writes cli/lib/api-types.d.ts from the platform's own API document (GET /api/openapi.json), so
// that every request the CLI makes is checked by tsc against the routes' zod schemas: no request or
// answer shape is written by hand. Run it after changing a route:
//
//   node cli/gen-api-types.js                          # starts a private local edgefn, reads it, stops it
//   node cli/gen-api-types.js --url http://127.0.0.1:8787
//
// scripts/test/efn.test.mjs fails when the committed file differs from what the running platform
// describes. (hono/client would do this without a file, but the routes' path literals are widened
// to `string` by accountRoute() in src/api/route.ts, so its types cannot name a path.)
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderApiTypes } from "./lib/openapi-to-ts.js";
import { startLocalPlatform } from "./lib/local-platform.js";

export const API_TYPES_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "lib", "api-types.d.ts");

async function main() {
  const { values } = parseArgs({ options: { url: { type: "string" } } });
  let stop = async () => {};
  let base = values.url;
  if (!base) {
    const local = await startLocalPlatform({ say: (m) => process.stderr.write(`${m}\n`) });
    base = local.url;
    stop = local.stop;
  }
  try {
    const res = await fetch(new URL("/api/openapi.json", base));
    if (!res.ok) throw new Error(`GET /api/openapi.json answered ${res.status}`);
    writeFileSync(API_TYPES_FILE, renderApiTypes(await res.json()));
    process.stderr.write(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)}\n`);
  } finally {
    await stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
