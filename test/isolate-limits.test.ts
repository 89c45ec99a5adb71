// The CPU limit of a function's isolate (enforced on Cloudflare, not by local workerd) comes from
// the function's configured timeout and is part of the isolate's id: a per-call budget (an event's
// functions share one) never shrinks the limit of the cached isolate, and an account whose timeout
// changed gets isolates built with the new limit. Observed through a recording loader.
import { describe, expect, it } from "vitest";
import { invokeDeployed } from "../src/runtime/invoke";
import { sandboxFor } from "../src/runtime/sandbox/sandbox";
import type { HostExports } from "../src/runtime/sandbox/worker-code";
import { deployLambda } from "../src/services/deployments";
import { OPERATOR_TOKEN, call, createLambda, env, newAccount } from "./helpers/api";
import { createDb } from "../src/db/client";

const host = { Egress: () => ({}), Toolbelt: () => ({}), LogTail: () => ({}) } as unknown as HostExports;

/** A Worker Loader that records the isolates asked for and answers runs with `answer` (or never). */
function recordingLoader(answer: "ok" | "never") {
  const built: { id: string; cpuMs: number | undefined }[] = [];
  const loader = {
    get(id: string, code: () => WorkerLoaderWorkerCode) {
      built.push({ id, cpuMs: code().limits?.cpuMs });
      return {
        getEntrypoint: () => ({
          run: () => (answer === "ok" ? Promise.resolve({ ok: true, result: "fake", logs: [], dropped: 0 }) : new Promise(() => {})),
          validate: () => Promise.resolve({ ok: true }),
          warm: () => Promise.resolve(true),
        }),
      };
    },
  } as unknown as WorkerLoader;
  return { loader, built };
}

const spec = { accountId: "acct", lambdaUuid: "fn", code: "function lambda(i, cb) { cb(null, 1); }", environmentVariables: [] };

describe("isolate CPU limits", () => {
  it("come from the configured timeout, capped at 30 s, and are part of the isolate id", () => {
    const { loader, built } = recordingLoader("ok");
    sandboxFor(loader, host, spec, "hash", 45_000);
    sandboxFor(loader, host, spec, "hash", 30_000);
    sandboxFor(loader, host, spec, "hash", 1_000);
    expect(built.map((b) => b.cpuMs)).toEqual([30_000, 30_000, 1_000]);
    expect(built[0]!.id).toBe(built[1]!.id);
    expect(built[2]!.id).not.toBe(built[0]!.id);
  });

  it("an invocation with a short budget runs in the isolate of the configured timeout, and times out after its budget", async () => {
    const a = await newAccount();
    const { loader, built } = recordingLoader("never");
    const deployment = { id: `dep-${crypto.randomUUID()}`, accountId: a.accountId, lambdaUuid: "fn", lambdaVersion: 1, code: spec.code, environmentVariables: [], libraries: [], codeHash: "h", deployedAt: 0, deployedBy: "t" };
    const limits = { concurrentInvocations: 50, invocationsPerMonth: 150_000, enforceMonthlyQuota: false, timeoutMs: 20_000 };
    const started = Date.now();
    const outcome = await invokeDeployed(
      { db: createDb(env.DB), loader, host, timeoutMs: 30_000, waitUntil: () => {} },
      { accountId: a.accountId, lambdaUuid: "fn", input: { timestamp: 0, headers: [], payload: {} }, trigger: "event", requestId: "r", deadline: Date.now() + 200 },
      { name: "fn", deployment, limits },
    );
    expect(outcome).toMatchObject({ status: "TIMEOUT", errorCode: "com.liveperson.faas.handler.executiontime-exceeded" });
    expect(Date.now() - started).toBeLessThan(5_000);
    // One isolate (asked for twice: built during admission, then run), with the configured limit.
    expect([...new Set(built.map((b) => `${b.id} ${b.cpuMs}`))]).toEqual([`${built[0]!.id} 20000`]);
  });

  it("a deploy loads (and checks) the isolate with the CPU limit of the account's timeout, as its invocations will", async () => {
    const a = await newAccount();
    expect((await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { timeoutMs: 1_000 } })).status).toBe(200);
    const uuid = await createLambda(a);
    const { loader, built } = recordingLoader("ok");
    const principal = { accountId: a.accountId, kind: "key" as const, id: "k", name: "test", roles: ["FaaS-Developer" as const] };
    await deployLambda({ db: createDb(env.DB), loader, host, timeoutMs: 30_000 }, principal, uuid);
    expect(built.map((b) => b.cpuMs)).toEqual([1_000]);
  });
});
