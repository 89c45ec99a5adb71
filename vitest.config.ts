import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the real bindings of wrangler.toml (D1, KV, Worker Loader), local
// and fresh per test file. Only the values below differ from production.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
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
    },
  };
});
