declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    KV: KVNamespace;
    LOADER: WorkerLoader;
    OPERATOR_TOKEN: string;
    SECRETS_KEK: string;
    JWT_SIGNING_KEY: string;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
