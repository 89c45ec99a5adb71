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
// An entry lives CACHE_TTL_MS from its last confirmation: every admission at the entry's epoch
// confirms it (the gate saw no change to the account since it was read), so a function in use is
// not read again every CACHE_TTL_MS; with 1,000 functions called in turn that was a D1 read for
// two invocations in five (npm run bench, scale). If a bump cannot reach the gate, nothing tells
// the entries apart from good ones: they still end CACHE_MAX_AGE_MS after they were read.
//
// Only complete answers are cached: a valid principal of the path's account and a deployed function.
// Everything else (unknown keys, functions not deployed) is read from D1 every time, so creating
// keys or functions needs no bump.
import type { Principal } from "../auth/principal";
import type { ServingLookup } from "../runtime/invoke";

export const CACHE_TTL_MS = 10_000;
export const CACHE_MAX_AGE_MS = 60_000;
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
  /** When it was read from D1. */
  readAt: number;
  /** When an admission last confirmed it (or it was read). */
  at: number;
}

const entries = new Map<string, Entry>();
/** The deployments the entries refer to, one copy each (deployments never change), with how many entries refer to it. */
const deployments = new Map<string, { deployment: Deployment; refs: number }>();
let codeChars = 0;
/** The newest epoch this isolate has seen per account (from the gate's answers). */
const epochs = new Map<string, number>();

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

/** A cached lookup confirmed within CACHE_TTL_MS and read within CACHE_MAX_AGE_MS, with the epoch it was read at. */
export function cachedLookup(accountId: string, cred: CredentialRef, lambdaUuid: string, now = Date.now()): Entry | undefined {
  const key = keyOf(accountId, cred, lambdaUuid);
  const entry = entries.get(key);
  if (!entry) return undefined;
  // A session's entry ends with the session itself (its revocation bumps the epoch; its expiry does not).
  const expired = now - entry.at > CACHE_TTL_MS || now - entry.readAt > CACHE_MAX_AGE_MS;
  if (expired || (entry.principal.expiresAt !== undefined && now >= entry.principal.expiresAt)) {
    drop(key);
    return undefined;
  }
  return entry;
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
  found: { principal: Principal | null; lambda: ServingLookup },
  readAt: number | undefined,
  admittedAt: number,
) {
  if (readAt === undefined || readAt !== admittedAt) return;
  if (!found.principal || found.principal.accountId !== accountId || !found.lambda?.deployment) return;
  const key = keyOf(accountId, cred, lambdaUuid);
  drop(key);
  const lambda = { ...found.lambda, deployment: intern(found.lambda.deployment) };
  const now = Date.now();
  entries.set(key, { principal: found.principal, lambda, epoch: readAt, readAt: now, at: now });
  // The oldest entries go first (a Map iterates in insertion order).
  while (entries.size > MAX_ENTRIES || (codeChars > MAX_CODE_CHARS && entries.size > 1)) drop(entries.keys().next().value!);
}

/**
 * A cached lookup was admitted at `admittedAt`: if that is the epoch it was read at, the account has
 * not changed since, and the entry lives on (it also moves to the back of the eviction order).
 */
export function confirmLookup(accountId: string, cred: CredentialRef, lambdaUuid: string, entry: Entry, admittedAt: number, now = Date.now()) {
  const key = keyOf(accountId, cred, lambdaUuid);
  if (entries.get(key) !== entry || entry.epoch !== admittedAt) return;
  entry.at = now;
  entries.delete(key);
  entries.set(key, entry);
}

/** How much the cache holds (for tests and diagnostics). */
export const cacheSize = () => ({ entries: entries.size, deployments: deployments.size, codeChars });
