// `sink.js` in every tenant isolate (CommonJS, so the ESM wrapper, the CJS toolbelt and the fetch
// wrapper can all load it): what one invocation captures, kept per invocation in an
// AsyncLocalStorage. Shipped as source; part of WRAPPER_VERSION (bump it when this changes).
export const SINK_SOURCE = String.raw`
"use strict";
const { AsyncLocalStorage } = require("node:async_hooks");
const currentSink = new AsyncLocalStorage();

// Set by the wrapper on every run from its env: the toolbelt module's way to the platform.
// toolbelt: the EDGEFN_TOOLBELT stub (scoped by the platform to this function's account);
// accountId: the function's own account, only to recognise LivePerson's legacy accountId argument.
const platform = { toolbelt: null, accountId: null };

// What one invocation may capture before the platform applies LivePerson's log limits; keeps a
// chatty function from growing memory without bound.
const CAPTURE_MAX_ENTRIES = 100;
const CAPTURE_MAX_CHARS = 64 * 1024;

function jsonSafe(value) {
  if (value === undefined) return null;
  if (value instanceof Error) return { name: value.name, message: value.message };
  try {
    return JSON.parse(JSON.stringify(value, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : typeof v === "bigint" ? String(v) : v)));
  } catch {
    return String(value);
  }
}

class Sink {
  constructor() {
    this.entries = [];
    this.chars = 0;
    this.dropped = 0;
    // Outbound calls of this invocation: {host, method, status | "blocked", durationMs}.
    this.outbound = [];
    // Secret values the function read or wrote in this invocation (value -> key), for redaction.
    this.secretValues = new Map();
  }
  push(level, message, extras) {
    const text = typeof message === "string" ? message : message instanceof Error ? message.message : JSON.stringify(jsonSafe(message));
    const safeExtras = extras.map(jsonSafe);
    const size = (text ?? "").length + JSON.stringify(safeExtras).length;
    if (this.entries.length >= CAPTURE_MAX_ENTRIES || this.chars + size > CAPTURE_MAX_CHARS) { this.dropped++; return; }
    this.chars += size;
    this.entries.push({ level, message: String(text), extras: safeExtras, timestamp: Date.now() });
  }
}

// ---------------------------------------------------------------------------------------------
// Redaction of secret values. Every value the function read (readSecret) or wrote (updateSecret)
// is replaced by "[secret:<key>]" in what leaves the isolate: log entries (message and extras, at
// any depth, object keys included) and the error of a failed invocation (message and stack).
// This guards against accidental logging only; a hostile function can always encode a value it
// read (reverse it, base64 it, split it across entries) and nothing here can stop that.
//  - Values shorter than REDACT_MIN_LENGTH are left alone: replacing every "1" or "abc" in the logs
//    would shred them while protecting nothing.
//  - The longest value wins where values overlap, and each text is scanned once, so a placeholder
//    is never redacted again.
//  - Values also stay known for later invocations of the same isolate (at most
//    ISOLATE_SECRETS_MAX, least recently noted dropped first), because LivePerson recommends
//    caching a secret in a module-scope variable, which later invocations then log without reading.
const REDACT_MIN_LENGTH = 4;
const ISOLATE_SECRETS_MAX = 100;
const isolateSecrets = new Map(); // value -> key

function noteSecret(key, value) {
  if (typeof key !== "string") return;
  const text = typeof value === "string" ? value : typeof value === "number" && Number.isFinite(value) ? String(value) : null;
  if (text === null || text.length < REDACT_MIN_LENGTH) return;
  const sink = currentSink.getStore();
  if (sink) sink.secretValues.set(text, key);
  isolateSecrets.delete(text);
  isolateSecrets.set(text, key);
  if (isolateSecrets.size > ISOLATE_SECRETS_MAX) isolateSecrets.delete(isolateSecrets.keys().next().value);
}

const escapeRegExp = (s) => s.replace(/[.*+?^$()|[\]{}\\\/-]/g, "\\$&");

// A function that returns a copy of any JSON-like value with every known secret value replaced.
function redactorFor(sink) {
  const known = new Map(isolateSecrets);
  if (sink) for (const [value, key] of sink.secretValues) known.set(value, key);
  if (known.size === 0) return (value) => value;
  const values = [...known.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(values.map(escapeRegExp).join("|"), "g");
  const text = (s) => s.replace(pattern, (match) => "[secret:" + known.get(match) + "]");
  const deep = (value, depth) => {
    if (typeof value === "string") return text(value);
    if (typeof value === "number") {
      const s = String(value);
      const r = text(s);
      return r === s ? value : r;
    }
    if (value === null || typeof value !== "object" || depth > 64) return value;
    if (Array.isArray(value)) return value.map((v) => deep(v, depth + 1));
    const out = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, text(k), { value: deep(v, depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return (value) => deep(value, 0);
}

module.exports = { currentSink, Sink, jsonSafe, platform, noteSecret, redactorFor, REDACT_MIN_LENGTH };
`;
