declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    KV: KVNamespace;
    LOADER: WorkerLoader;
    GATE: DurableObjectNamespace<import("../src/gate/account-gate").AccountGate>;
    OPERATOR_TOKEN: string;
    SECRETS_KEK: string;
    JWT_SIGNING_KEY: string;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
