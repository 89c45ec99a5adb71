// `sink.js` in every tenant isolate (CommonJS, so the ESM wrapper, the CJS toolbelt and the fetch
// wrapper can all load it): what one invocation captures, kept per invocation in an
// AsyncLocalStorage. Shipped as source; part of WRAPPER_VERSION (bump it when this changes).
export const SINK_SOURCE = String.raw`
"use strict";
const { AsyncLocalStorage } = require("node:async_hooks");
const currentSink = new AsyncLocalStorage();

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
    // Secret values handed to the function in this invocation (key -> value), for redaction.
    this.secretsRead = new Map();
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

module.exports = { currentSink, Sink, jsonSafe };
`;
