// The context store behind Toolbelt.ContextServiceClient(): LivePerson's Context Session Store as a
// per-account key-value store in KV. Namespaces (optionally with a TTL) hold sessions; a session
// holds named properties (JSON values). The account always comes from the caller (the Toolbelt
// entrypoint passes its props), never from brand code.
//
// KV layout (account ids, namespace names and generations never contain ':'):
//   ctx:<accountId>:ns:<namespace>                          NamespaceRecord as JSON, also as metadata
//   ctx:<accountId>:s:<namespace>:<generation>:<sessionId>  the session's properties as JSON
// Each namespace gets a fresh random generation when it is created, and its sessions live under it.
// Deleting a namespace deletes its record first, so its sessions are unreachable at once even if
// removing their entries fails half-way; a namespace created again under the same name gets a new
// generation and never sees the old sessions.
//
// TTL: a namespace's ttl (seconds, at least 60, KV's minimum expirationTtl) is set as the
// expirationTtl of every session entry it writes, so a session expires ttl seconds after its last
// write. Existing sessions keep the expiry of their last write when the TTL changes.
//
// Consistency: KV is last-writer-wins and has no compare-and-set, so two invocations updating the
// same session at once may lose one merge; the namespace limit is checked by listing and two racing
// creates may overshoot it by one. A read sees the writes made before it in the same invocation
// (the same location; locally the store is fully consistent).
import { ApiError, ErrorCodes } from "../errors";
import { randomToken } from "../crypto/hash";
import {
  CONTEXT_LIMITS,
  CONTEXT_RULES,
  checkNamespace,
  checkProperties,
  checkPropertyName,
  checkPropertyNames,
  checkSessionId,
  checkTtl,
  contextLimit,
  serialiseSession,
  type Properties,
} from "./context-store-rules";

export type ContextEnv = { KV: KVNamespace };

/** What LivePerson's client answers for a namespace. */
export interface Namespace {
  name: string;
  createdAt: string;
  ttlSecond?: number;
}

interface NamespaceRecord {
  createdAt: number;
  ttlSecond?: number;
  gen: string;
}

const PREFIX = "ctx:";
const namespacePrefix = (accountId: string) => `${PREFIX}${accountId}:ns:`;
const namespaceKey = (accountId: string, ns: string) => `${namespacePrefix(accountId)}${ns}`;
const sessionPrefix = (accountId: string, ns: string, rec: NamespaceRecord) => `${PREFIX}${accountId}:s:${ns}:${rec.gen}:`;

const toNamespace = (name: string, rec: NamespaceRecord): Namespace => ({
  name,
  createdAt: new Date(rec.createdAt).toISOString(),
  ...(rec.ttlSecond === undefined ? {} : { ttlSecond: rec.ttlSecond }),
});

function damaged(what: string): ApiError {
  return new ApiError(500, ErrorCodes.contextOpFailed, `The context store holds a damaged ${what}`);
}

async function namespaceRecord(env: ContextEnv, accountId: string, ns: string): Promise<NamespaceRecord | null> {
  const text = await env.KV.get(namespaceKey(accountId, ns));
  if (text === null) return null;
  try {
    return JSON.parse(text) as NamespaceRecord;
  } catch {
    throw damaged(`record of namespace ${ns}`);
  }
}

/** The namespace's record; a clear 404 when the account has no such namespace. */
async function existingNamespace(env: ContextEnv, accountId: string, nsInput: unknown): Promise<{ ns: string; rec: NamespaceRecord }> {
  const ns = checkNamespace(nsInput);
  const rec = await namespaceRecord(env, accountId, ns);
  if (!rec) {
    throw new ApiError(404, ErrorCodes.contextNamespaceNotFound, `Namespace ${ns} does not exist in this account; create it first with createNamespace("${ns}")`);
  }
  return { ns, rec };
}

async function putNamespace(env: ContextEnv, accountId: string, ns: string, rec: NamespaceRecord): Promise<void> {
  await env.KV.put(namespaceKey(accountId, ns), JSON.stringify(rec), { metadata: rec });
}

/** Every key under a prefix, with metadata, following KV's pages. */
async function listAll<M>(env: ContextEnv, prefix: string): Promise<{ name: string; metadata?: M }[]> {
  const out: { name: string; metadata?: M }[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.KV.list<M>({ prefix, cursor });
    for (const k of page.keys) out.push({ name: k.name, metadata: k.metadata ?? undefined });
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Namespaces

/** Creates the namespace; idempotent (an existing one is answered, with its TTL set to `ttl` if given). */
export async function createNamespace(env: ContextEnv, accountId: string, nsInput: unknown, options?: unknown): Promise<Namespace> {
  const ns = checkNamespace(nsInput);
  const ttl = checkTtl(options);
  const existing = await namespaceRecord(env, accountId, ns);
  if (existing) {
    if (ttl !== undefined && ttl !== existing.ttlSecond) {
      const updated = { ...existing, ttlSecond: ttl };
      await putNamespace(env, accountId, ns, updated);
      return toNamespace(ns, updated);
    }
    return toNamespace(ns, existing);
  }
  const count = (await env.KV.list({ prefix: namespacePrefix(accountId), limit: CONTEXT_LIMITS.maxNamespaces })).keys.length;
  if (count >= CONTEXT_LIMITS.maxNamespaces) throw contextLimit(CONTEXT_RULES.namespaces);
  const rec: NamespaceRecord = { createdAt: Date.now(), gen: randomToken(9), ...(ttl === undefined ? {} : { ttlSecond: ttl }) };
  await putNamespace(env, accountId, ns, rec);
  return toNamespace(ns, rec);
}

/** Deletes the namespace and its sessions; idempotent. */
export async function deleteNamespace(env: ContextEnv, accountId: string, nsInput: unknown): Promise<void> {
  const ns = checkNamespace(nsInput);
  const rec = await namespaceRecord(env, accountId, ns);
  if (!rec) return;
  await env.KV.delete(namespaceKey(accountId, ns));
  // The sessions are already unreachable (see the generation above); this frees the space.
  const sessions = await listAll(env, sessionPrefix(accountId, ns, rec));
  for (let i = 0; i < sessions.length; i += 50) {
    await Promise.all(sessions.slice(i, i + 50).map((k) => env.KV.delete(k.name)));
  }
}

export async function listNamespaces(env: ContextEnv, accountId: string): Promise<Namespace[]> {
  const prefix = namespacePrefix(accountId);
  const keys = await listAll<NamespaceRecord>(env, prefix);
  const out: Namespace[] = [];
  for (const k of keys) {
    const name = k.name.slice(prefix.length);
    const rec = k.metadata ?? (await namespaceRecord(env, accountId, name));
    if (rec) out.push(toNamespace(name, rec));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sessions

async function readSession(env: ContextEnv, key: string): Promise<Properties | null> {
  const text = await env.KV.get(key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Properties;
  } catch {
    throw damaged("session");
  }
}

async function writeSession(env: ContextEnv, key: string, rec: NamespaceRecord, props: Properties): Promise<void> {
  const text = serialiseSession(props);
  await env.KV.put(key, text, rec.ttlSecond === undefined ? {} : { expirationTtl: rec.ttlSecond });
}

/** The session's KV key, after checking the namespace exists and the session id is valid. */
async function sessionOf(env: ContextEnv, accountId: string, nsInput: unknown, sessionInput: unknown) {
  const { ns, rec } = await existingNamespace(env, accountId, nsInput);
  const sessionId = checkSessionId(sessionInput);
  return { rec, key: `${sessionPrefix(accountId, ns, rec)}${sessionId}` };
}

/** Replaces the session's properties. */
export async function setProperties(env: ContextEnv, accountId: string, ns: unknown, props: unknown, sessionId?: unknown): Promise<void> {
  const checked = checkProperties(props);
  const { rec, key } = await sessionOf(env, accountId, ns, sessionId);
  await writeSession(env, key, rec, checked);
}

/** Merges the properties into the session (creating it if needed). */
export async function updateProperties(env: ContextEnv, accountId: string, ns: unknown, props: unknown, sessionId?: unknown): Promise<void> {
  const checked = checkProperties(props);
  const { rec, key } = await sessionOf(env, accountId, ns, sessionId);
  const current = (await readSession(env, key)) ?? {};
  await writeSession(env, key, rec, { ...current, ...checked });
}

/** Every property of the session; {} for a session that does not exist (or expired). */
export async function getAllProperties(env: ContextEnv, accountId: string, ns: unknown, sessionId?: unknown): Promise<Properties> {
  const { key } = await sessionOf(env, accountId, ns, sessionId);
  return (await readSession(env, key)) ?? {};
}

/** The named properties that exist in the session. */
export async function getSelectedProperties(env: ContextEnv, accountId: string, ns: unknown, names: unknown, sessionId?: unknown): Promise<Properties> {
  const wanted = checkPropertyNames(names);
  const { key } = await sessionOf(env, accountId, ns, sessionId);
  const all = (await readSession(env, key)) ?? {};
  return Object.fromEntries(wanted.filter((n) => Object.hasOwn(all, n)).map((n) => [n, all[n]]));
}

/** One property's value; undefined when the session or property does not exist. */
export async function getProperty(env: ContextEnv, accountId: string, ns: unknown, name: unknown, sessionId?: unknown): Promise<unknown> {
  const prop = checkPropertyName(name);
  const { key } = await sessionOf(env, accountId, ns, sessionId);
  const all = await readSession(env, key);
  return all && Object.hasOwn(all, prop) ? all[prop] : undefined;
}

/** Removes one property; idempotent. */
export async function deleteProperty(env: ContextEnv, accountId: string, ns: unknown, name: unknown, sessionId?: unknown): Promise<void> {
  const prop = checkPropertyName(name);
  const { rec, key } = await sessionOf(env, accountId, ns, sessionId);
  const all = await readSession(env, key);
  if (!all || !Object.hasOwn(all, prop)) return;
  const { [prop]: _removed, ...rest } = all;
  await writeSession(env, key, rec, rest);
}

/** Removes the session with all its properties; idempotent. */
export async function deleteSession(env: ContextEnv, accountId: string, ns: unknown, sessionId?: unknown): Promise<void> {
  const { key } = await sessionOf(env, accountId, ns, sessionId);
  await env.KV.delete(key);
}

/** The ids of the namespace's sessions (expired ones disappear). */
export async function listSessions(env: ContextEnv, accountId: string, nsInput: unknown): Promise<string[]> {
  const { ns, rec } = await existingNamespace(env, accountId, nsInput);
  const prefix = sessionPrefix(accountId, ns, rec);
  return (await listAll(env, prefix)).map((k) => k.name.slice(prefix.length));
}
