// Envelope encryption of secret values, with WebCrypto only.
//
// - A data key per account: random AES-256-GCM, stored wrapped (AES-GCM, fresh 96-bit IV) by a KEK
//   of the keyring, recording the KEK version. The wrap's additional authenticated data (AAD) names
//   the account and the data key id, so a wrapped key moved to another account does not unwrap.
// - A secret value: AES-256-GCM under the data key, a fresh 96-bit IV on every write, AAD naming the
//   account and the secret's key, so a ciphertext moved to another account or key does not decrypt.
import { fromBase64, toBase64 } from "./base64";
import type { Keyring } from "./keyring";

const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }) // a value starting with U+FEFF keeps it;

/** A data key as stored: wrapped by the KEK of version `kek`. */
export interface WrappedDataKey {
  /** Format version of this record. */
  v: 1;
  /** The KEK version that wrapped it. */
  kek: string;
  iv: string;
  wrapped: string;
}

/** A secret value as stored. */
export interface SealedSecret {
  v: 1;
  /** The id of the account's data key that encrypted it. */
  dk: string;
  iv: string;
  ct: string;
}

export interface DataKeyContext {
  accountId: string;
  dataKeyId: string;
}

export interface SecretContext {
  accountId: string;
  key: string;
}

/** Unwrapping or decrypting failed: wrong key, wrong account or name, or a damaged record. */
export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptError";
  }
}

/** The KEK version a data key needs is not in the keyring. */
export class MissingKekError extends Error {
  constructor(readonly version: string) {
    super(`SECRETS_KEK does not hold key version ${version}`);
    this.name = "MissingKekError";
  }
}

// Account ids, data key ids and secret keys never contain NUL, so the AADs are unambiguous.
const dataKeyAad = (c: DataKeyContext) => encoder.encode(`edgefn/data-key/v1\0${c.accountId}\0${c.dataKeyId}`);
const secretAad = (c: SecretContext) => encoder.encode(`edgefn/secret/v1\0${c.accountId}\0${c.key}`);

const freshIv = () => crypto.getRandomValues(new Uint8Array(IV_BYTES));

function decodeField(value: unknown, what: string): Uint8Array<ArrayBuffer> {
  const bytes = typeof value === "string" ? fromBase64(value) : null;
  if (!bytes) throw new DecryptError(`damaged record: ${what} is not base64`);
  return bytes;
}

/** A new random 256-bit data key (extractable only so that it can be wrapped). */
export function newDataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]) as Promise<CryptoKey>;
}

/** Wraps a data key under the keyring's current KEK. */
export async function wrapDataKey(ring: Keyring, dataKey: CryptoKey, ctx: DataKeyContext): Promise<WrappedDataKey> {
  const kek = ring.key(ring.current)!;
  const iv = freshIv();
  const wrapped = await crypto.subtle.wrapKey("raw", dataKey, kek, { name: "AES-GCM", iv, additionalData: dataKeyAad(ctx) });
  return { v: 1, kek: ring.current, iv: toBase64(iv), wrapped: toBase64(new Uint8Array(wrapped)) };
}

/**
 * Unwraps a data key with the KEK version it names. Throws MissingKekError if the keyring lacks
 * that version, DecryptError if it does not unwrap (another account's key, a damaged record).
 */
export async function unwrapDataKey(ring: Keyring, record: WrappedDataKey, ctx: DataKeyContext, extractable = false): Promise<CryptoKey> {
  if (!record || record.v !== 1 || typeof record.kek !== "string") throw new DecryptError("damaged data key record");
  const kek = ring.key(record.kek);
  if (!kek) throw new MissingKekError(record.kek);
  const iv = decodeField(record.iv, "iv");
  const wrapped = decodeField(record.wrapped, "wrapped key");
  try {
    return await crypto.subtle.unwrapKey("raw", wrapped, kek, { name: "AES-GCM", iv, additionalData: dataKeyAad(ctx) }, "AES-GCM", extractable, [
      "encrypt",
      "decrypt",
    ]);
  } catch {
    throw new DecryptError(`the data key ${ctx.dataKeyId} of account ${ctx.accountId} does not unwrap under KEK version ${record.kek}`);
  }
}

/**
 * The same data key, wrapped under the keyring's current KEK; null when it already is. The data key
 * itself (and so every secret it encrypts) is unchanged.
 */
export async function rewrapDataKey(ring: Keyring, record: WrappedDataKey, ctx: DataKeyContext): Promise<WrappedDataKey | null> {
  if (record?.kek === ring.current) {
    // Prove it still unwraps before calling it current.
    await unwrapDataKey(ring, record, ctx);
    return null;
  }
  return wrapDataKey(ring, await unwrapDataKey(ring, record, ctx, true), ctx);
}

/** Encrypts a secret value under the data key `dataKeyId`. */
export async function sealSecret(dataKey: CryptoKey, dataKeyId: string, ctx: SecretContext, plaintext: string): Promise<SealedSecret> {
  const iv = freshIv();
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: secretAad(ctx) }, dataKey, encoder.encode(plaintext));
  return { v: 1, dk: dataKeyId, iv: toBase64(iv), ct: toBase64(new Uint8Array(ct)) };
}

/** Decrypts a secret value; DecryptError if it was not sealed for this account and key by this data key. */
export async function openSecret(dataKey: CryptoKey, ctx: SecretContext, sealed: SealedSecret): Promise<string> {
  if (!sealed || sealed.v !== 1) throw new DecryptError("damaged secret record");
  const iv = decodeField(sealed.iv, "iv");
  const ct = decodeField(sealed.ct, "ciphertext");
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: secretAad(ctx) }, dataKey, ct);
  } catch {
    throw new DecryptError(`the ciphertext of secret ${ctx.key} does not belong to account ${ctx.accountId} and key ${ctx.key}, or is damaged`);
  }
  return decoder.decode(plain);
}
