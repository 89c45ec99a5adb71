// Redaction of secret values in what an invocation leaves behind: its log entries (message, extras
// at any depth, object keys), the error message and stack sent to the caller and kept in
// errorLogs, and its outbound records (host and path with query). Every occurrence of a secret the
// invocation was served (seen by the host) or that its isolate noted (a value cached in module
// scope by an earlier invocation) becomes "[secret:<key>]".
//
// Each value is looked for in the forms a function easily produces by accident: as it is,
// JSON-escaped (JSON.stringify of an object holding it), URL-encoded (a query string or form body),
// and base64 / base64url (an Authorization header). A `json` secret's string fields are values of
// their own. This guards against accidents only: a hostile function can always encode a value in a
// way no list foresees (reverse it, split it), and nothing here can stop that.
//  - Values shorter than MIN_LENGTH (fields of a json secret: MIN_FIELD_LENGTH) are left alone:
//    replacing every "1" or "true" would shred the logs while protecting nothing.
//  - The longest form wins where forms overlap, and each text is scanned once, so a placeholder is
//    never redacted again.
//  - The result a function returns on purpose is its answer and is never changed (as on LivePerson).
import type { NotedSecret } from "./observation";

export const MIN_LENGTH = 4;
export const MIN_FIELD_LENGTH = 8;
const MAX_DEPTH = 64;

export type Redact = <T>(value: T) => T;

/**
 * The texts of one secret value: the string itself, and the string fields of a json secret (served
 * as its JSON text, or as a value).
 */
function textsOf(value: unknown, depth = 0): string[] {
  if (typeof value === "string") {
    const texts = value.length >= MIN_LENGTH ? [value] : [];
    if (depth === 0 && /^\s*[[{]/.test(value)) {
      try {
        texts.push(...textsOf(JSON.parse(value), depth + 1));
      } catch {
        /* not JSON: the text alone */
      }
    }
    return texts;
  }
  if (typeof value === "number" && Number.isFinite(value)) return textsOf(String(value));
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return [];
  const texts: string[] = [];
  for (const field of Object.values(value)) {
    if (typeof field === "string" && field.length < MIN_FIELD_LENGTH) continue;
    texts.push(...textsOf(field, depth + 1));
  }
  return texts;
}

function base64Of(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A text in every form the module comment lists, each form at most once. */
export function formsOf(text: string): string[] {
  const b64 = base64Of(text);
  const b64url = b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const forms = [
    text,
    JSON.stringify(text).slice(1, -1),
    encodeURIComponent(text),
    encodeURIComponent(text).replace(/%20/g, "+"),
    b64,
    b64.replace(/=+$/, ""),
    b64url,
  ];
  return [...new Set(forms)].filter((f) => f.length >= MIN_LENGTH);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^$()|[\]{}\\/-]/g, "\\$&");

/** A function that returns a copy of any JSON-like value with every form of every secret replaced. */
export function redactorFor(secrets: Iterable<NotedSecret>): Redact {
  const keyOf = new Map<string, string>();
  for (const [key, value] of secrets) {
    for (const text of textsOf(value)) for (const form of formsOf(text)) if (!keyOf.has(form) || keyOf.get(form)!.length > key.length) keyOf.set(form, key);
  }
  if (keyOf.size === 0) return (value) => value;
  const forms = [...keyOf.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(forms.map(escapeRegExp).join("|"), "g");
  const text = (s: string) => s.replace(pattern, (match) => `[secret:${keyOf.get(match)}]`);
  const deep = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return text(value);
    if (typeof value === "number") {
      const s = String(value);
      const r = text(s);
      return r === s ? value : r;
    }
    if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((v) => deep(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, text(k), { value: deep(v, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return <T>(value: T) => deep(value, 0) as T;
}
