// Runs before every test file (vitest `setupFiles`). Test files share one workerd and one copy of
// the Worker's modules (vitest.config.ts: `isolate: false`), so each file first gets storage of its
// own, as a fresh workerd would give it:
//
// 1. Wait for what the previous file left running in the Worker: its handlers' waitUntil() work,
//    e.g. invocation records written just after an invocation's answer. Otherwise those writes
//    would land in this file's database (or fail against a half-reset one).
// 2. reset(): delete all data of every Durable Object, which in Miniflare also holds D1 and KV; the
//    AccountGate objects lose their storage, alarms and in-memory state too.
// 3. Apply the D1 migrations to the now empty database.
//
// Module-level state of src/ (the gateway's lookup cache, parsed keyrings...) is kept between files,
// as in one production isolate; it is keyed by account, credential or function, all random per test.
import { applyD1Migrations, env, reset } from "cloudflare:test";

// Step 1 uses the pool's own list of pending waitUntil() promises. The public "cloudflare:test" does
// not export it, so it is taken from the module behind it (@cloudflare/vitest-plugin 1.5.0, pinned):
// the same module instance the pool's entrypoint wrappers register them in. If a plugin upgrade drops
// it, fail here rather than let files see each other's writes.
const INTERNAL: string = "cloudflare:test-internal";
const { waitForGlobalWaitUntil } = (await import(INTERNAL)) as { waitForGlobalWaitUntil?: () => Promise<void> };
if (typeof waitForGlobalWaitUntil !== "function") {
  throw new Error(`test/setup.ts: ${INTERNAL} no longer exports waitForGlobalWaitUntil(); see the comment there`);
}

await waitForGlobalWaitUntil();
await reset();
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Every statement the platform sends to D1 in this file is checked for full-table scans after it.
import { runInDurableObject } from "cloudflare:test";
import { installQueryPlanGuard } from "./helpers/query-plans";
installQueryPlanGuard(env.DB, () => runInDurableObject(env.GATE.get(env.GATE.idFromName("query-plan-guard")), (_, state) => state.storage.sql));
