// The key-encryption keys (KEKs) of the secrets vault, from the Worker secret SECRETS_KEK.
//
// Format: either one base64 32-byte key (its version is "v1"), or a comma-separated list of
// `<version>:<base64 32-byte key>` entries whose first entry is the current version, e.g.
// `v2:<new>,v1:<old>`. New data keys are wrapped under the current version; a data key wrapped
// under an older version stays readable while its version is in the list (see docs/secrets-and-allow-list.md).
//
// No message, error or log line here ever contains key material: errors name the entry by its
// position and version only.
import { ApiError, ErrorCodes } from "../errors";
import { fromBase64 } from "./base64";

export const KEK_BYTES = 32;
/** The version of a SECRETS_KEK given as a single key without a version. */
export const DEFAULT_KEK_VERSION = "v1";
export const KEK_VERSION_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface Keyring {
  /** The version new data keys are wrapped under (the first entry). */
  readonly current: string;
  /** Every version of the ring, current first. */
  readonly versions: readonly string[];
  /** The KEK of a version, or undefined if the ring does not hold it. */
  key(version: string): CryptoKey | undefined;
}

/** SECRETS_KEK is missing or malformed. The message is safe to show: it holds no key material. */
export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyringError";
  }
}

const importKek = (raw: Uint8Array<ArrayBuffer>) => crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["wrapKey", "unwrapKey"]);

/** Parses SECRETS_KEK into a keyring; throws KeyringError if it is missing or malformed. */
export async function parseKeyring(raw: string | undefined): Promise<Keyring> {
  if (raw === undefined || raw.trim() === "") throw new KeyringError("SECRETS_KEK is not configured on this deployment");
  const text = raw.trim();
  const entries: { version: string; material: string }[] = [];
  if (!text.includes(":") && !text.includes(",")) {
    entries.push({ version: DEFAULT_KEK_VERSION, material: text });
  } else {
    const parts = text.split(",");
    for (const [i, part] of parts.entries()) {
      const entry = part.trim();
      const colon = entry.indexOf(":");
      if (colon < 0) throw new KeyringError(`SECRETS_KEK entry ${i + 1} of ${parts.length} has no version: expected <version>:<base64 key>`);
      const version = entry.slice(0, colon).trim();
      if (!KEK_VERSION_PATTERN.test(version)) {
        throw new KeyringError(`SECRETS_KEK entry ${i + 1} of ${parts.length}: a version is 1 to 32 letters, digits, _ or -`);
      }
      if (entries.some((e) => e.version === version)) throw new KeyringError(`SECRETS_KEK names version ${version} twice`);
      entries.push({ version, material: entry.slice(colon + 1).trim() });
    }
  }
  const keys = new Map<string, CryptoKey>();
  for (const [i, { version, material }] of entries.entries()) {
    const bytes = fromBase64(material);
    if (!bytes || bytes.length !== KEK_BYTES) {
      throw new KeyringError(`SECRETS_KEK entry ${i + 1} (version ${version}) is not the base64 encoding of ${KEK_BYTES} bytes`);
    }
    keys.set(version, await importKek(bytes));
  }
  const versions = entries.map((e) => e.version);
  return { current: versions[0]!, versions, key: (version) => keys.get(version) };
}

// Parsed keyrings by their SECRETS_KEK text: the text is parsed (and its keys imported) once, not
// on every secret read. A handful of entries at most (tests use a few keyrings side by side).
const parsed = new Map<string, Promise<Keyring>>();
const MAX_CACHED = 8;

/**
 * The keyring of the deployment, or a 500 com.liveperson.faas.es.general ApiError saying what is
 * wrong with SECRETS_KEK (never what it holds).
 */
export async function keyringOf(env: { SECRETS_KEK?: string }): Promise<Keyring> {
  const raw = env.SECRETS_KEK ?? "";
  let ring = parsed.get(raw);
  if (!ring) {
    ring = parseKeyring(raw);
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value!);
    parsed.set(raw, ring);
    ring.catch(() => parsed.delete(raw));
  }
  try {
    return await ring;
  } catch (e) {
    if (!(e instanceof KeyringError)) throw e;
    console.error(JSON.stringify({ msg: "secrets vault unavailable", reason: e.message }));
    throw new ApiError(500, ErrorCodes.general, `Secrets are unavailable on this deployment: ${e.message}`);
  }
}
