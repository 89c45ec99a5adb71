// The secrets vault: per-account secrets in KV, encrypted (src/crypto/envelope.ts) under a
// per-account data key that is wrapped by SECRETS_KEK (src/crypto/keyring.ts).
//
// KV layout (account ids and secret keys never contain ':'):
//   secret:<accountId>:<key>             a SealedSecret as JSON; metadata SecretMeta (for listing)
//   secret-dk:<accountId>:<dataKeyId>    a WrappedDataKey as JSON; metadata {kek}
// An account may own more than one data key (two first writes racing each create one; both are kept,
// and each ciphertext names the data key that sealed it), so no race can orphan a secret.
//
// Values never leave this module except through readSecretValue/updateSecretValue (the toolbelt):
// API answers, listings, audit rows, errors and logs carry key names only.
import { randomToken } from "../crypto/hash";
import {
  DecryptError,
  MissingKekError,
  newDataKey,
  openSecret,
  sealSecret,
  unwrapDataKey,
  wrapDataKey,
  type SealedSecret,
  type WrappedDataKey,
} from "../crypto/envelope";
import { keyringOf, type Keyring } from "../crypto/keyring";
import { createDb } from "../db/client";
import { ApiError, ErrorCodes, badInput, conflict } from "../errors";
import { nestingMessage, nestsDeeperThan } from "../json-nesting";
import { auditInsert } from "./audit";

export type SecretsEnv = { KV: KVNamespace; SECRETS_KEK?: string };
/** Changes write an audit row, so they need the D1 database too. */
export type SecretsWriteEnv = SecretsEnv & { DB: D1Database };

export const SECRET_TYPES = ["string", "number", "json"] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

export const SECRET_KEY_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
export const SECRET_VALUE_MAX = 16_384;

/** The rules, as the 400 answers name them. */
export const SECRET_RULES = {
  key: "key must match ^[A-Za-z0-9_-]{1,100}$ (1 to 100 letters, digits, _ or -)",
  valueRequired: "value is required",
  valueEmpty: "value must not be empty",
  valueMax: `value has at most ${SECRET_VALUE_MAX} characters`,
  type: `type must be one of ${SECRET_TYPES.join(", ")}`,
  number: "a secret of type number needs a value that is a finite number",
  json: "a secret of type json needs a value that is valid JSON",
  /** Functions parse a json secret and pass the result on, so it keeps the platform's JSON limit. */
  nesting: nestingMessage("value"),
} as const;

export interface SecretInfo {
  key: string;
  type: SecretType;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** KV metadata of a secret: everything the listing shows, so listing decrypts nothing. */
interface SecretMeta {
  type: SecretType;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

const SECRET_PREFIX = "secret:";
export const DATA_KEY_PREFIX = "secret-dk:";
const secretKvKey = (accountId: string, key: string) => `${SECRET_PREFIX}${accountId}:${key}`;
const dataKeyPrefix = (accountId: string) => `${DATA_KEY_PREFIX}${accountId}:`;
const dataKeyKvKey = (accountId: string, dataKeyId: string) => `${dataKeyPrefix(accountId)}${dataKeyId}`;

// KV metadata is limited to 1024 bytes; actors are key names (≤ 100) plus an id.
const clipActor = (actor: string) => actor.slice(0, 200);

// ---------------------------------------------------------------------------------------------
// Validation (shared by the API and the toolbelt)

export function checkSecretKey(key: unknown): string {
  if (typeof key !== "string" || !SECRET_KEY_PATTERN.test(key)) throw badInput(SECRET_RULES.key);
  return key;
}

export function checkSecretType(type: unknown): SecretType {
  if (!SECRET_TYPES.includes(type as SecretType)) throw badInput(SECRET_RULES.type);
  return type as SecretType;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The text stored for `value`: a string as given, anything else (a JSON number, object, array or
 * boolean) as its JSON text. The type only changes validation (as at LivePerson). Messages name
 * the rule, never the value.
 */
export function normaliseSecretValue(value: unknown, type: SecretType): string {
  if (value === undefined || value === null) throw badInput(SECRET_RULES.valueRequired);
  if (typeof value === "number" && !Number.isFinite(value)) throw badInput(SECRET_RULES.number);
  if (nestsDeeperThan(value)) throw badInput(SECRET_RULES.nesting); // before serialising it
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (typeof text !== "string") throw badInput(SECRET_RULES.valueRequired); // functions, symbols
  if (text.length === 0) throw badInput(SECRET_RULES.valueEmpty);
  if (text.length > SECRET_VALUE_MAX) throw badInput(SECRET_RULES.valueMax);
  if (type === "number") {
    const t = text.trim();
    if (!NUMBER_TEXT.test(t) || !Number.isFinite(Number(t))) throw badInput(SECRET_RULES.number);
  } else if (type === "json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badInput(SECRET_RULES.json); // the parser's message would quote the value
    }
    if (nestsDeeperThan(parsed)) throw badInput(SECRET_RULES.nesting);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Crypto plumbing

const notFound = (key: string) => new ApiError(404, ErrorCodes.secretNotFound, `No secret with key ${key} in this account`);

/** Maps crypto failures to a platform error that names the account and key, never a value. */
function vaultError(e: unknown, what: string): unknown {
  if (e instanceof MissingKekError) {
    return new ApiError(500, ErrorCodes.general, `${what}: its data key is wrapped under KEK version ${e.version}, which SECRETS_KEK does not hold`);
  }
  if (e instanceof DecryptError) return new ApiError(500, ErrorCodes.general, `${what}: ${e.message}`);
  return e;
}

export function parseJson<T>(text: string | null, what: string): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DecryptError(`damaged ${what} record`);
  }
}

async function loadDataKey(env: SecretsEnv, ring: Keyring, accountId: string, dataKeyId: string): Promise<CryptoKey> {
  const record = parseJson<WrappedDataKey>(await env.KV.get(dataKeyKvKey(accountId, dataKeyId)), "data key");
  if (!record) throw new DecryptError(`the data key ${dataKeyId} of account ${accountId} does not exist`);
  return unwrapDataKey(ring, record, { accountId, dataKeyId });
}

/** The data key new ciphertexts of the account use; created (and stored wrapped) on first use. */
async function writingDataKey(env: SecretsEnv, ring: Keyring, accountId: string): Promise<{ id: string; key: CryptoKey }> {
  const listed = await env.KV.list({ prefix: dataKeyPrefix(accountId), limit: 1 });
  const existing = listed.keys[0];
  if (existing) {
    const id = existing.name.slice(dataKeyPrefix(accountId).length);
    return { id, key: await loadDataKey(env, ring, accountId, id) };
  }
  const id = randomToken(12);
  const key = await newDataKey();
  const record = await wrapDataKey(ring, key, { accountId, dataKeyId: id });
  await env.KV.put(dataKeyKvKey(accountId, id), JSON.stringify(record), { metadata: { kek: record.kek } });
  return { id, key };
}

async function seal(env: SecretsEnv, accountId: string, key: string, value: string): Promise<string> {
  const ring = await keyringOf(env);
  try {
    const dk = await writingDataKey(env, ring, accountId);
    return JSON.stringify(await sealSecret(dk.key, dk.id, { accountId, key }, value));
  } catch (e) {
    throw vaultError(e, `Secret ${key} cannot be stored`);
  }
}

const toInfo = (key: string, m: SecretMeta | null): SecretInfo => ({
  key,
  type: m?.type ?? "string",
  createdAt: new Date(m?.createdAt ?? 0).toISOString(),
  createdBy: m?.createdBy ?? "",
  updatedAt: new Date(m?.updatedAt ?? 0).toISOString(),
  updatedBy: m?.updatedBy ?? "",
});

// ---------------------------------------------------------------------------------------------
// API

/** Every secret of the account, by key: names and metadata, never values (no decryption). */
export async function listSecrets(env: SecretsEnv, accountId: string): Promise<SecretInfo[]> {
  const prefix = `${SECRET_PREFIX}${accountId}:`;
  const out: SecretInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.KV.list<SecretMeta>({ prefix, cursor });
    for (const k of page.keys) out.push(toInfo(k.name.slice(prefix.length), k.metadata ?? null));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

export async function createSecret(
  env: SecretsWriteEnv,
  accountId: string,
  actor: string,
  input: { key: unknown; value?: unknown; type?: unknown },
): Promise<SecretInfo> {
  const key = checkSecretKey(input.key);
  const type = checkSecretType(input.type ?? "string");
  const value = normaliseSecretValue(input.value, type);
  // KV has no insert-if-absent: two creates racing for one key both succeed, the last one wins.
  if ((await env.KV.get(secretKvKey(accountId, key))) !== null) throw conflict(`A secret with key ${key} already exists in this account`);
  const now = Date.now();
  const meta: SecretMeta = { type, createdAt: now, createdBy: clipActor(actor), updatedAt: now, updatedBy: clipActor(actor) };
  await env.KV.put(secretKvKey(accountId, key), await seal(env, accountId, key, value), { metadata: meta });
  await auditInsert(createDb(env.DB), { accountId, actor, action: "secret.create", target: key, detail: { type } }, now);
  return toInfo(key, meta);
}

async function replaceValue(
  env: SecretsWriteEnv,
  accountId: string,
  actor: string,
  keyInput: unknown,
  input: { value?: unknown; type?: unknown },
): Promise<{ info: SecretInfo; value: string }> {
  const key = checkSecretKey(keyInput);
  const type = input.type === undefined ? undefined : checkSecretType(input.type);
  const existing = await env.KV.getWithMetadata<SecretMeta>(secretKvKey(accountId, key));
  if (existing.value === null) throw notFound(key);
  const finalType = type ?? existing.metadata?.type ?? "string";
  const value = normaliseSecretValue(input.value, finalType);
  const now = Date.now();
  const meta: SecretMeta = {
    type: finalType,
    createdAt: existing.metadata?.createdAt ?? now,
    createdBy: existing.metadata?.createdBy ?? clipActor(actor),
    updatedAt: now,
    updatedBy: clipActor(actor),
  };
  await env.KV.put(secretKvKey(accountId, key), await seal(env, accountId, key, value), { metadata: meta });
  await auditInsert(createDb(env.DB), { accountId, actor, action: "secret.update", target: key, detail: { type: finalType } }, now);
  return { info: toInfo(key, meta), value };
}

/** Replaces a secret's value (and optionally its type): rotation without a redeploy. */
export async function updateSecret(
  env: SecretsWriteEnv,
  accountId: string,
  actor: string,
  key: unknown,
  input: { value?: unknown; type?: unknown },
): Promise<SecretInfo> {
  return (await replaceValue(env, accountId, actor, key, input)).info;
}

export async function deleteSecret(env: SecretsWriteEnv, accountId: string, actor: string, keyInput: unknown): Promise<void> {
  const key = checkSecretKey(keyInput);
  const kvKey = secretKvKey(accountId, key);
  if ((await env.KV.get(kvKey)) === null) throw notFound(key);
  await env.KV.delete(kvKey);
  await auditInsert(createDb(env.DB), { accountId, actor, action: "secret.delete", target: key });
}

// ---------------------------------------------------------------------------------------------
// Toolbelt (brand code reads and rotates its own account's secrets)

/** The decrypted value; 404 com.liveperson.faas.secret.not-found if the account has no such secret. */
export async function readSecretValue(env: SecretsEnv, accountId: string, key: string): Promise<{ key: string; value: string }> {
  checkSecretKey(key);
  const text = await env.KV.get(secretKvKey(accountId, key));
  if (text === null) throw notFound(key);
  const ring = await keyringOf(env);
  try {
    const sealed = parseJson<SealedSecret>(text, "secret")!;
    const dk = await loadDataKey(env, ring, accountId, String(sealed.dk));
    return { key, value: await openSecret(dk, { accountId, key }, sealed) };
  } catch (e) {
    throw vaultError(e, `Secret ${key} cannot be read`);
  }
}

/**
 * Replaces the value of an existing secret, keeping its type, with the API's validation; writes a
 * secret.update audit row. Returns the stored string.
 */
export async function updateSecretValue(
  env: SecretsWriteEnv,
  accountId: string,
  actor: string,
  input: { key: string; value: unknown },
): Promise<{ key: string; value: string }> {
  const { info, value } = await replaceValue(env, accountId, actor, input?.key, { value: input?.value });
  return { key: info.key, value };
}
