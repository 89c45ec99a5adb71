import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defineConfig, type Plugin } from "vitest/config";

// wrangler.toml's Text rule for the tenant isolate's platform modules, for Vite: imported from the
// Worker's code, src/runtime/sandbox/isolate/*.js are their text (see isolate-sources.ts). So are the
// generated library modules (*.txt, wrangler's default Text rule; src/runtime/libraries/sources.ts).
const ISOLATE_MODULE = /\/src\/runtime\/sandbox\/isolate\/[^/]+\.js$/;
const LIBRARY_MODULE = /\/src\/runtime\/libraries\/generated\/[^/]+\.txt$/;
const isolateModulesAsText: Plugin = {
  name: "edgefn-isolate-modules-as-text",
  enforce: "pre",
  load(id) {
    const file = id.split("?")[0]!;
    return ISOLATE_MODULE.test(file) || LIBRARY_MODULE.test(file) ? `export default ${JSON.stringify(readFileSync(file, "utf8"))};` : null;
  },
};

// Tests run inside workerd with the real bindings of wrangler.toml (D1, KV, Durable Objects, Worker
// Loader), local, and fresh for every test file (test/setup.ts). Only the values below differ from
// production.
export default defineConfig(async () => {
  // The brand libraries are generated files (git-ignored): built here too, so `npx vitest` works
  // from a fresh clone (a few ms when they are up to date).
  // (A computed specifier: tsc checks the Worker and its tests, not the launchers' plain Node scripts.)
  const build: string = new URL("./scripts/lib/libraries-build.mjs", import.meta.url).href;
  const { buildLibraries } = (await import(build)) as { buildLibraries: () => number };
  if (buildLibraries() !== 0) throw new Error("bundling the brand libraries failed (see above)");
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      isolateModulesAsText,
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            OPERATOR_TOKEN: "test-operator-token",
            INVOKE_TIMEOUT_MS: "1500",
            // Fixed test-only values, so a developer's .dev.vars never leaks into (or changes) tests.
            SECRETS_KEK: "dGVzdC1vbmx5LWtlay0zMi1ieXRlcy1sb25nLi4uLi4=",
            JWT_SIGNING_KEY: "test-only-jwt-signing-key-not-a-secret",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      // A real local HTTP server for the egress tests (its port reaches tests via inject("upstreamPort")).
      globalSetup: ["./test/upstream-server.ts"],
      testTimeout: 20_000,
      // One workerd (and one copy of the Worker's modules) serves many test files in turn. With
      // vitest's default (isolate: true) every file got a new Miniflare/workerd and imported the
      // whole module graph of src/ (hono, zod, drizzle...) into it again: about 3.5 s of "setup" and
      // 2 s of start-up per file, two thirds of the suite's time on this 2-core machine. Storage
      // stays per file: test/setup.ts empties D1, KV and every Durable Object (data, alarms and
      // in-memory instances) and applies the migrations before each file, as a new workerd would.
      isolate: false,
      // Files run in two workerds at once even on 2 cores (vitest's default is cores - 1): the tests
      // mostly wait (timeouts, alarms, upstream delays), so two overlap well (workers suite 128 s ->
      // 82 s on this machine). Each workerd has its own storage; the upstream server is shared and
      // built for parallel tests (each uses its own tag).
      maxWorkers: Math.max(2, availableParallelism() - 1),
    },
  };
});
