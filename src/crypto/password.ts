// Password hashes: PBKDF2-HMAC-SHA256 from WebCrypto, a 16-byte random salt per hash, stored as
// "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>". The iteration count is part of each hash,
// so it can rise later: a sign-in with an older count stores a new hash (services/sessions.ts).
//
// Cloudflare's Workers runtime refuses one PBKDF2 derivation above 100,000 iterations ("Pbkdf2
// failed: iteration counts above 100000 are not supported"); the local workerd of wrangler and the
// test pool does not enforce that cap (a test run here derived 100,001 and 200,000 without error), so
// a larger constant would pass every local test and break every sign-in in production.
// test/users.test.ts pins the constant. One derivation costs about 15-40 ms of CPU here.
import { toBase64, fromBase64 } from "./base64";

export const PBKDF2_MAX_ITERATIONS = 100_000;
export const PASSWORD_ITERATIONS = PBKDF2_MAX_ITERATIONS;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const SCHEME = "pbkdf2-sha256";

export const PASSWORD_MIN_CHARS = 12;
// PBKDF2 hashes a long password once per iteration only after HMAC shortens it, but an unbounded
// body is still work and memory for nothing: 256 characters is plenty for any passphrase.
export const PASSWORD_MAX_CHARS = 256;

const encoder = new TextEncoder();

// NFC: the same password typed on two keyboards (composed or decomposed accents) is one password.
const normalise = (password: string) => password.normalize("NFC");

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(normalise(password)), "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS));
}

export async function hashPassword(password: string, iterations = PASSWORD_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

interface Parsed {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

function parse(stored: string): Parsed | null {
  const [scheme, iter, salt, hash, ...rest] = stored.split("$");
  const iterations = Number(iter);
  if (scheme !== SCHEME || rest.length > 0 || !Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return null;
  const s = fromBase64(salt ?? "");
  const h = fromBase64(hash ?? "");
  return s && h && h.length * 8 === HASH_BITS ? { iterations, salt: s, hash: h } : null;
}

/** The iteration count of a stored hash (null when it is not one of ours). */
export const iterationsOf = (stored: string): number | null => parse(stored)?.iterations ?? null;

// Checked against when there is no user (or no password yet), so that a sign-in costs the same
// whether or not the login name exists: random bytes in the shape of a hash at today's count (no
// password derives to them, and making them costs no derivation of its own). Made at first use:
// Workers allow random values only while handling a request, not at module scope.
const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
let dummy: string | undefined;
const dummyHash = () => (dummy ??= `${SCHEME}$${PASSWORD_ITERATIONS}$${toBase64(randomBytes(SALT_BYTES))}$${toBase64(randomBytes(HASH_BITS / 8))}`);

/**
 * True when `password` matches `stored`; with `stored` null (no such user, or no password set) the
 * same derivation runs against a dummy hash and the answer is false. The comparison is constant-time.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = parse(stored ?? "") ?? parse(dummyHash())!;
  const derived = await derive(password, parsed.salt, parsed.iterations);
  const same = crypto.subtle.timingSafeEqual(derived, parsed.hash);
  return stored !== null && parse(stored) !== null && same;
}

/** The password rule (issue 13): at least 12 characters, at most 256; null when it holds, else why not. */
export function passwordProblem(password: string, loginName?: string): string | null {
  const chars = [...normalise(password)].length;
  if (chars < PASSWORD_MIN_CHARS) return `the password must have at least ${PASSWORD_MIN_CHARS} characters`;
  if (chars > PASSWORD_MAX_CHARS) return `the password may have at most ${PASSWORD_MAX_CHARS} characters`;
  if (loginName !== undefined && normalise(password).toLowerCase() === loginName.toLowerCase()) return "the password must not be the login name";
  return null;
}
