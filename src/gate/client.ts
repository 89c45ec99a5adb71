// The invocation path's side of the AccountGate: take a slot (or throw the 429 that says why not),
// hand over the record of an ended invocation (which ends its lease), read the usage. Taking a slot
// is one Durable Object RPC; records mostly ride along with the account's next one.
//
// GATE_BYPASS=1 (a var of the Worker, e.g. `wrangler dev --var GATE_BYPASS:1`) turns the gate's
// admission off: no slot, no limit, no monthly count; records are still stored in the account's
// data plane (each sent on its own, as nothing carries them). It exists only for `npm run bench`,
// which compares invoke throughput with and without admission; never set it in wrangler.toml or on
// a real deployment.
import { env } from "cloudflare:workers";
import type { Env } from "../env";
import { ApiError, ErrorCodes, retryLater } from "../errors";
import type { AccountGate } from "./account-gate";
import type { RecordWithLogs } from "./data-plane/types";
import { monthOf, nextMonthStart, type Admission, type EpochAdmission, type GateLimits, type GateUsage, type Lease, type Settled } from "./lease";

const gateEnv = env as unknown as Env;

/** True when the Worker runs with GATE_BYPASS=1 (benchmarks only). */
export const gateBypassed = () => gateEnv.GATE_BYPASS === "1";

const gateOf = (accountId: string): DurableObjectStub<AccountGate> => gateEnv.GATE.get(gateEnv.GATE.idFromName(accountId));

/** The account's Durable Object, for the data plane's reads (services/invocations, logs, metrics). */
export const dataPlaneOf = gateOf;

const HOW_TO_RAISE = (accountId: string) => `the operator can raise it with PUT /admin/accounts/${accountId}/limits`;

/** The 429 for a refused admission: which limit, how far it is used, and when to retry. */
export function refusal(accountId: string, a: Extract<Admission, { reason: "quota" | "concurrency" }>): ApiError {
  if (a.reason === "quota") {
    const now = Date.now();
    const resets = new Date(nextMonthStart(now)).toISOString().slice(0, 10);
    return retryLater(
      429,
      ErrorCodes.quotaExceeded,
      `Monthly invocation quota used up: account ${accountId} made ${a.inUse} invocations in ${monthOf(now)}, its enforced ` +
        `limit (invocationsPerMonth: ${a.limit}). It resets on ${resets} (UTC); ${HOW_TO_RAISE(accountId)}.`,
      a.retryAfterSeconds,
      { limitName: "invocationsPerMonth", limit: a.limit, inUse: a.inUse },
    );
  }
  return retryLater(
    429,
    ErrorCodes.tooManyRequests,
    `Too many invocations at once: account ${accountId} already runs ${a.inUse} invocations, its limit ` +
      `(concurrentInvocations: ${a.limit}). Retry after ${a.retryAfterSeconds} s; ${HOW_TO_RAISE(accountId)}.`,
    a.retryAfterSeconds,
    { limitName: "concurrentInvocations", limit: a.limit, inUse: a.inUse },
  );
}

/**
 * An invocation the gate did not admit: refused by a limit (429) or not admitted because the gate
 * could not be reached (503). The function did not run and no invocation record exists.
 */
export const isGateRefusal = (e: unknown): e is ApiError => e instanceof ApiError && (e.status === 429 || e.status === 503);

// The records of this isolate's ended invocations that their account's gate has not yet stored.
// Plain data shared by the requests of the isolate, never a promise. The account's next acquire
// carries them (so they cost no call of their own under load, and reach the gate exactly when it
// matters: before the next admission, as each frees a slot); otherwise finishInvocation sends them
// itself after SETTLE_WINDOW_MS, together with whatever else ended meanwhile.
const pending = new Map<string, RecordWithLogs[]>();
const SETTLE_WINDOW_MS = 50;
const SEND_ATTEMPTS = 2;

function takePending(accountId: string): Settled {
  const records = pending.get(accountId);
  pending.delete(accountId);
  return records ? { records } : {};
}

function putBack(accountId: string, s: Settled) {
  if (!s.records?.length) return;
  pending.set(accountId, [...s.records, ...(pending.get(accountId) ?? [])]);
}

const isEmpty = (s: Settled) => !s.records?.length;

/** What taking a slot answered: admitted, or the caller's cached lookup is stale (nothing taken); and the account's epoch. */
export type Slot = { stale: boolean; epoch: number };

/**
 * Takes a slot for the invocation of `lease`. Throws ApiError 429 (tooManyRequests or
 * quotaExceeded, with Retry-After) when a limit refuses, 503 when the gate cannot be reached (the
 * invocation does not run: the gate fails closed). With `expectEpoch` (the epoch a cached lookup
 * is tagged with) it answers `stale` instead when the account changed since (services/gateway-cache).
 */
export async function takeSlot(lease: Lease, limits: GateLimits, expectEpoch?: number): Promise<Slot> {
  // Without a gate there is no epoch: a constant one lets the bench's control instance cache like
  // the gated one does (GATE_BYPASS is for `npm run bench` only).
  if (gateBypassed()) return { stale: false, epoch: 0 };
  const settled = takePending(lease.accountId);
  let admission: EpochAdmission;
  try {
    admission = await gateOf(lease.accountId).acquire(lease, limits, settled, expectEpoch);
  } catch (error) {
    putBack(lease.accountId, settled); // settling is idempotent: send it again
    console.error(JSON.stringify({ msg: "gate unreachable", accountId: lease.accountId, invocationId: lease.invocationId, error: String(error) }));
    throw retryLater(503, ErrorCodes.general, "The platform could not admit this invocation right now; retry shortly", 1);
  }
  if (admission.ok) return { stale: false, epoch: admission.epoch };
  if (admission.reason === "stale") return { stale: true, epoch: admission.epoch };
  throw refusal(lease.accountId, admission);
}

/**
 * Tells the account's gate that something the gateway caches changed (a key or OAuth client
 * revoked, a function deployed or undeployed, limits changed); call it after the D1 write. Never
 * throws: if the gate cannot be told, the account's cache generation, advanced in the change's own
 * batch, ends the cached lookups within GENERATION_CHECK_MS (services/gateway-cache).
 */
export async function bumpEpoch(accountId: string): Promise<void> {
  if (gateBypassed()) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await gateOf(accountId).bumpEpoch(accountId);
      return;
    } catch (error) {
      if (attempt === 2) {
        console.error(JSON.stringify({ msg: "could not bump the gate epoch; cached gateway lookups expire by age", accountId, error: String(error) }));
        return;
      }
    }
  }
}

/**
 * The invocation ended (answered, failed or timed out): its record (with the logs it keeps) goes to
 * the account's gate, which stores it and ends its lease in one transaction; its slot is free from
 * then on. Call it before answering the caller, and keep the promise alive (waitUntil): the record
 * rides with the account's next acquire, or is sent by itself after a short window. Never throws:
 * a record that cannot be delivered stays pending for the isolate's next call to that gate, and if
 * the isolate dies first, the lease expires and the gate writes the record itself (reclaim.ts).
 */
export async function finishInvocation(accountId: string, ended: RecordWithLogs): Promise<void> {
  const list = pending.get(accountId);
  if (list) list.push(ended);
  else pending.set(accountId, [ended]);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_WINDOW_MS));
  const settled = takePending(accountId);
  if (isEmpty(settled)) return; // an acquire (or another invocation's send) carried it
  for (let attempt = 1; ; attempt++) {
    try {
      await gateOf(accountId).settleMany(settled);
      return;
    } catch (error) {
      if (attempt === SEND_ATTEMPTS) {
        putBack(accountId, settled);
        // Ids only: never a log line or a result in the platform's own logs.
        console.error(JSON.stringify({ msg: "could not deliver invocation records to the account's gate; kept for its next call", accountId, ids: settled.records?.map((r) => r.record.id), error: String(error) }));
        return;
      }
    }
  }
}

/** Tells the account's gate its limits changed (the data plane's retention follows at once). Never throws. */
export async function configureGate(accountId: string, settings: { logRetentionDays: number }): Promise<void> {
  if (gateBypassed()) return;
  try {
    await gateOf(accountId).configure(accountId, settings);
  } catch (error) {
    console.error(JSON.stringify({ msg: "could not tell the gate its new retention; it learns it with the next invocation", accountId, error: String(error) }));
  }
}

/** Running invocations and this month's count of an account. */
export const gateUsage = (accountId: string): Promise<GateUsage> => gateOf(accountId).usage();

/**
 * Wakes the gate of every account (after a restart of the local runtime): a gate that starts loads
 * its leases and arms its alarm, so the invocations lost in the restart get their records even for
 * an account nobody calls afterwards (seen locally: such a gate's alarm did not fire after the
 * runtime restarted, and its lost invocations stayed without a record). Answers how many it woke.
 */
export async function wakeAllGates(d1: D1Database, concurrency = 8): Promise<number> {
  const ids = (await d1.prepare("SELECT id FROM accounts").all<{ id: string }>()).results.map((r) => r.id);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        await gateOf(id).usage();
      } catch (error) {
        console.error(JSON.stringify({ msg: "could not wake a gate after a runtime restart", accountId: id, error: String(error) }));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return ids.length;
}
