// Validation of the context store (context-store.ts): names, TTLs and sizes, with messages that name
// the rule. Every failure is a 400 with a com.liveperson.faas.context.* code, which the toolbelt
// hands to brand code as a ContextServiceError.
import { ApiError, ErrorCodes } from "../errors";
import { nestingMessage, nestsDeeperThan } from "../json-nesting";

export const CONTEXT_LIMITS = {
  /** Namespaces one account may hold. */
  maxNamespaces: 100,
  /** A session's properties, serialised as JSON, in UTF-8 bytes. */
  maxSessionBytes: 64 * 1024,
  /** Cloudflare KV refuses an expirationTtl below 60 s, so a namespace TTL is at least that. */
  minTtlSeconds: 60,
  /** Characters of one property name. */
  maxPropertyName: 200,
} as const;

export const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
/** Session ids are often conversation or consumer ids: UUIDs, e-mail-like or dotted ids. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,200}$/;
export const DEFAULT_SESSION = "__default__";

export const CONTEXT_RULES = {
  namespace: "namespace must match ^[A-Za-z0-9_-]{1,100}$ (1 to 100 letters, digits, _ or -)",
  sessionId: "sessionId must match ^[A-Za-z0-9_.:@-]{1,200}$ (1 to 200 letters, digits, _ . : @ or -)",
  ttl: `ttl must be a whole number of seconds, at least ${CONTEXT_LIMITS.minTtlSeconds} (the KV minimum)`,
  options: "options must be an object such as { ttl: 3600 }",
  properties: "properties must be an object of name -> JSON value",
  propertyName: `a property name is a string of 1 to ${CONTEXT_LIMITS.maxPropertyName} characters`,
  propertyNames: "property names must be given as an array of strings",
  json: "property values must be JSON-serialisable",
  sessionSize: `a session's properties must serialise to at most ${CONTEXT_LIMITS.maxSessionBytes} bytes of JSON`,
  namespaces: `an account holds at most ${CONTEXT_LIMITS.maxNamespaces} namespaces; delete one first`,
} as const;

export const invalidContext = (rule: string) => new ApiError(400, ErrorCodes.contextInvalidInput, rule);
export const contextLimit = (rule: string) => new ApiError(400, ErrorCodes.contextLimitExceeded, rule);

export function checkNamespace(ns: unknown): string {
  if (typeof ns !== "string" || !NAMESPACE_PATTERN.test(ns)) throw invalidContext(CONTEXT_RULES.namespace);
  return ns;
}

/** No sessionId (undefined or null) means LivePerson's `__default__` session. */
export function checkSessionId(sessionId: unknown): string {
  if (sessionId === undefined || sessionId === null) return DEFAULT_SESSION;
  if (typeof sessionId !== "string" || !SESSION_ID_PATTERN.test(sessionId)) throw invalidContext(CONTEXT_RULES.sessionId);
  return sessionId;
}

/** The namespace TTL in seconds, or undefined for none. */
export function checkTtl(options: unknown): number | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" || Array.isArray(options)) throw invalidContext(CONTEXT_RULES.options);
  const ttl = (options as { ttl?: unknown }).ttl;
  if (ttl === undefined || ttl === null) return undefined;
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < CONTEXT_LIMITS.minTtlSeconds) throw invalidContext(CONTEXT_RULES.ttl);
  return ttl;
}

export function checkPropertyName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > CONTEXT_LIMITS.maxPropertyName) throw invalidContext(CONTEXT_RULES.propertyName);
  return name;
}

export function checkPropertyNames(names: unknown): string[] {
  if (!Array.isArray(names)) throw invalidContext(CONTEXT_RULES.propertyNames);
  return names.map(checkPropertyName);
}

export type Properties = Record<string, unknown>;

/**
 * A plain object of JSON values, as stored (JSON round trip: undefined members disappear). Each value
 * keeps the platform's nesting limit (src/json-nesting.ts), checked before serialising it.
 */
export function checkProperties(props: unknown): Properties {
  if (props === null || typeof props !== "object" || Array.isArray(props)) throw invalidContext(CONTEXT_RULES.properties);
  for (const [name, value] of Object.entries(props)) {
    if (nestsDeeperThan(value)) throw invalidContext(nestingMessage(`property ${checkPropertyName(name)}`));
  }
  let text: string;
  try {
    text = JSON.stringify(props);
  } catch {
    throw invalidContext(CONTEXT_RULES.json);
  }
  const parsed = JSON.parse(text) as Properties;
  for (const name of Object.keys(parsed)) checkPropertyName(name);
  return parsed;
}

/** The stored text of a session, within the size limit. */
export function serialiseSession(props: Properties): string {
  const text = JSON.stringify(props);
  if (new TextEncoder().encode(text).length > CONTEXT_LIMITS.maxSessionBytes) throw contextLimit(CONTEXT_RULES.sessionSize);
  return text;
}
