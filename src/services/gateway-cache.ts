// The gateway's cache of lookups (credential + function → principal, serving version, limits), in
// the memory of the Worker isolate, so that a warm invocation costs no D1 statement before the
// function runs (that statement cost about a fifth of invoke throughput: npm run bench).
//
// It stays correct through the account's AccountGate epoch (gate/account-gate.ts): services bump the
// epoch after every change that could make a cached lookup wrong (a key or OAuth client revoked, a
// session ended or its user changed or deleted, a function deployed or undeployed, limits changed). An entry is tagged with the epoch this isolate
// had seen *before* it read the lookup from D1, and the invocation's admission checks that tag:
// if the account changed since, the gate takes nothing and answers "stale", and the gateway reads
// the lookup again (and authenticates again) before running anything. So a revoked key never runs
// a function, wherever it is cached.
//
// Two more bounds, for a bump that never reached the gate (the services' D1 write succeeded, the
// gate could not be told): the account's cache generation, which grows in D1 in the same batch as
// every such change (services/cache-generation.ts), is read with each lookup; once every
// GENERATION_CHECK_MS per account, the next call reads its lookup again, and the generation it comes
// with confirms all the account's entries (an entry read at another generation is dropped). And no entry lives past CACHE_MAX_AGE_MS from its read, whatever
// confirmed it. (An entry used to be read again 60 s after its read and 10 s after its last use,
// each by itself: with 1,000 functions called in turn, most calls paid a D1 read; npm run bench, scale.)
//
// Only complete answers are cached: a valid principal of the path's account and a deployed function.
// Everything else (unknown keys, functions not deployed) is read from D1 every time, so creating
// keys or functions needs no bump.
import type { Principal } from "../auth/principal";
import type { ServingLookup } from "../runtime/invoke";

export const GENERATION_CHECK_MS = 10_000;
export const CACHE_MAX_AGE_MS = 300_000;
// 200 accounts with 25 functions each (an entry is about a kilobyte; the code is counted below).
const MAX_ENTRIES = 5_000;
// A deployment holds the function's code (up to 100,000 characters): entries share one copy per
// deployment, and the copies together stay under this many characters (an isolate has 128 MB).
const MAX_CODE_CHARS = 8_000_000;

type Deployment = NonNullable<NonNullable<ServingLookup>["deployment"]>;

interface Entry {
  principal: Principal;
  lambda: NonNullable<ServingLookup> & { deployment: Deployment };
  epoch: number;
  /** The account's cache generation it was read at. */
  generation: number;
  /** When it was read from D1. */
  readAt: number;
}

const entries = new Map<string, Entry>();
/** The deployments the entries refer to, one copy each (deployments never change), with how many entries refer to it. */
const deployments = new Map<string, { deployment: Deployment; refs: number }>();
let codeChars = 0;
/** The newest epoch this isolate has seen per account (from the gate's answers). */
const epochs = new Map<string, number>();
/** Per account with cached entries: the newest cache generation read from D1, and when D1 last said it. */
const generations = new Map<string, { generation: number; checkedAt: number }>();

const sizeOf = (d: Deployment) => d.code.length + JSON.stringify(d.environmentVariables).length;

function intern(d: Deployment): Deployment {
  const held = deployments.get(d.id);
  if (held) {
    held.refs++;
    return held.deployment;
  }
  deployments.set(d.id, { deployment: d, refs: 1 });
  codeChars += sizeOf(d);
  return d;
}

function drop(key: string) {
  const entry = entries.get(key);
  if (!entry) return;
  entries.delete(key);
  const held = deployments.get(entry.lambda.deployment.id);
  if (held && --held.refs === 0) {
    deployments.delete(entry.lambda.deployment.id);
    codeChars -= sizeOf(held.deployment);
  }
}

/**
 * What identifies a caller: an API key or a session's bearer by its hash, an access token by its
 * client (the token's signature and expiry are checked on every request before the cache is asked).
 */
export type CredentialRef = { kind: "key"; hash: string } | { kind: "session"; hash: string } | { kind: "token"; accountId: string; clientId: string };

const credentialKey = (cred: CredentialRef) =>
  cred.kind === "key" ? `k:${cred.hash}` : cred.kind === "session" ? `s:${cred.hash}` : `t:${cred.accountId}:${cred.clientId}`;

const keyOf = (accountId: string, cred: CredentialRef, lambdaUuid: string) => `${accountId}\n${credentialKey(cred)}\n${lambdaUuid}`;

/** A cached lookup read at the account's current generation within CACHE_MAX_AGE_MS, with the epoch it was read at. */
export function cachedLookup(accountId: string, cred: CredentialRef, lambdaUuid: string, now = Date.now()): Entry | undefined {
  const key = keyOf(accountId, cred, lambdaUuid);
  const entry = entries.get(key);
  // Once every GENERATION_CHECK_MS, a call of the account reads its lookup again: the generation it
  // comes with confirms (or ends) all the account's entries at once.
  if (!entry || generationCheckDue(accountId, now)) return undefined;
  // A session's entry ends with the session itself (its revocation bumps the epoch; its expiry does not).
  const stale = entry.generation !== generations.get(accountId)?.generation || now - entry.readAt > CACHE_MAX_AGE_MS;
  if (stale || (entry.principal.expiresAt !== undefined && now >= entry.principal.expiresAt)) {
    drop(key);
    return undefined;
  }
  return entry;
}

/** Whether the account's generation is due to be read from D1 again (an account with nothing cached never is). */
function generationCheckDue(accountId: string, now = Date.now()): boolean {
  const known = generations.get(accountId);
  return known !== undefined && now - known.checkedAt > GENERATION_CHECK_MS;
}

/**
 * D1 answered the account's generation (null: no such account). A newer one than known makes every
 * entry read at an older one stale; the same one confirms them all; an older one is an earlier read
 * that arrived late, and says nothing.
 */
export function noteGeneration(accountId: string, generation: number | null, now = Date.now()) {
  const known = generations.get(accountId);
  if (generation === null) generations.delete(accountId);
  else if (!known || generation > known.generation) {
    generations.delete(accountId);
    generations.set(accountId, { generation, checkedAt: now });
    // An account forgotten here only has its entries read again.
    if (generations.size > MAX_ENTRIES) generations.delete(generations.keys().next().value!);
  } else if (generation === known.generation) known.checkedAt = now;
}

/** The epoch to tag a lookup with that is about to be read from D1 (undefined: none seen yet, so it will not be cached). */
export const knownEpoch = (accountId: string): number | undefined => epochs.get(accountId);

/** The gate answered at `epoch`: remember it (epochs only grow). */
export function noteEpoch(accountId: string, epoch: number) {
  if ((epochs.get(accountId) ?? -1) < epoch) epochs.set(accountId, epoch);
}

/**
 * Caches a lookup read at `readAt` (the epoch seen before reading it) once an admission at
 * `admittedAt` confirmed it; anything incomplete, or read at an unknown or older epoch, is not cached.
 */
export function rememberLookup(
  accountId: string,
  cred: CredentialRef,
  lambdaUuid: string,
  found: { principal: Principal | null; lambda: ServingLookup; generation: number | null },
  readAt: number | undefined,
  admittedAt: number,
) {
  if (readAt === undefined || readAt !== admittedAt) return;
  if (!found.principal || found.principal.accountId !== accountId || !found.lambda?.deployment || found.generation === null) return;
  const now = Date.now();
  noteGeneration(accountId, found.generation, now);
  // Read before a change this isolate already knows of: not cached.
  if (generations.get(accountId)?.generation !== found.generation) return;
  const key = keyOf(accountId, cred, lambdaUuid);
  drop(key);
  const lambda = { ...found.lambda, deployment: intern(found.lambda.deployment) };
  entries.set(key, { principal: found.principal, lambda, epoch: readAt, generation: found.generation, readAt: now });
  // The oldest entries go first (a Map iterates in insertion order).
  while (entries.size > MAX_ENTRIES || (codeChars > MAX_CODE_CHARS && entries.size > 1)) drop(entries.keys().next().value!);
}

/**
 * A cached lookup was admitted at `admittedAt`: if that is the epoch it was read at, the account has
 * not changed since, and the entry moves to the back of the eviction order (the least used go first).
 */
export function confirmLookup(accountId: string, cred: CredentialRef, lambdaUuid: string, entry: Entry, admittedAt: number) {
  const key = keyOf(accountId, cred, lambdaUuid);
  if (entries.get(key) !== entry || entry.epoch !== admittedAt) return;
  entries.delete(key);
  entries.set(key, entry);
}

/** How much the cache holds (for tests and diagnostics). */
export const cacheSize = () => ({ entries: entries.size, deployments: deployments.size, codeChars });
