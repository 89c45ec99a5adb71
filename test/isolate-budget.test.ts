// Issue 16: the Worker Loader keeps at most ISOLATE_BUDGET function isolates (the local launchers
// set 1,000: workerd never releases a kept isolate and died of ~1,500); beyond it an isolate serves
// one request and is released (LOADER.load).
import { env, exports as workerExports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isKept, keepsIsolate, sandboxFor, warmSandbox } from "../src/runtime/sandbox/sandbox";
import type { HostExports } from "../src/runtime/sandbox/worker-code";

const host = workerExports as unknown as HostExports;
const spec = (code: string) => ({ accountId: "budget", lambdaUuid: crypto.randomUUID(), code, environmentVariables: [] });

describe("isolate budget", () => {
  it("keeps a known isolate, or a new one while fewer than the budget are kept; never a new one at the budget", () => {
    expect(keepsIsolate(false, 0, 1000)).toBe(true);
    expect(keepsIsolate(false, 999, 1000)).toBe(true);
    expect(keepsIsolate(false, 1000, 1000)).toBe(false);
    expect(keepsIsolate(true, 1000, 1000), "one already kept stays in use").toBe(true);
    expect(keepsIsolate(false, 10_000, Infinity), "no budget (Cloudflare)").toBe(true);
  });

  it("over the budget, a function still loads and runs in an isolate of its own, which the Worker does not count as kept", async () => {
    const loader = (env as unknown as { LOADER: WorkerLoader }).LOADER;
    const hello = spec("function lambda(input, callback) { callback(null, 1); }");
    const helloHash = crypto.randomUUID();
    expect(await sandboxFor(loader, host, hello, helloHash, 1500, 0).validate()).toEqual({ ok: true });
    const broken = spec("const x = 1;");
    const brokenHash = crypto.randomUUID();
    expect(await sandboxFor(loader, host, broken, brokenHash, 1500, 0).validate()).toMatchObject({ ok: false, error: { message: expect.stringContaining("function named lambda") } });
    expect(isKept(hello, helloHash, 1500) || isKept(broken, brokenHash, 1500), "neither was kept").toBe(false);
    expect(await sandboxFor(loader, host, hello, helloHash, 1500).validate()).toEqual({ ok: true });
    expect(isKept(hello, helloHash, 1500), "without a budget it is kept").toBe(true);
  });

  it("builds a cold isolate while the gate admits only where that overlaps (not under OVERLAP_COLD_BUILDS=0, the local launchers')", async () => {
    const loader = (env as unknown as { LOADER: WorkerLoader }).LOADER;
    const hello = spec("function lambda(input, callback) { callback(null, 1); }");
    const hash = crypto.randomUUID();
    warmSandbox(loader, host, hello, hash, 1500, false);
    expect(isKept(hello, hash, 1500), "no warm-up call where nothing overlaps").toBe(false);
    warmSandbox(loader, host, hello, hash, 1500);
    expect(isKept(hello, hash, 1500), "the default (Cloudflare, and this suite): built while admitting").toBe(true);
  });
});
