// One nesting limit for every JSON value edgefn stores or passes on: sample payloads, invocation
// payloads and headers, schedule bodies, json secrets, context-store values, anything a later route
// adds. Checked where a value enters (api/schemas.ts, the services), before anything is stored or run.
//
// Why a limit at all: JSON.parse is iterative, but JSON.stringify, structured clone and the RPC into
// a function's isolate recurse on the stack. Measured locally (workerd 2026-11): an invocation payload
// of 2,000 nested objects still reaches the function, 3,000 fail inside the RPC ("Maximum call stack
// size exceeded"); a stored sample payload of 10,000 nested arrays makes every later answer that
// contains it a 500. 64 levels is what System.Text.Json allows by default; real payloads (LivePerson's
// conversation events nest about 8 levels) stay far below it, and the platform's own wrapping (the
// invocation envelope, list answers, the isolate's input) stays far below where serialising breaks.
//
// The check itself never recurses: it walks with its own stack and stops as soon as it is past the
// limit, so a value of any depth costs at most (limit × its width) steps.
import { badInput } from "./errors";

/** Levels of arrays and objects one JSON value may nest: `{}` and `[]` are 1, `{"a": []}` is 2, a scalar 0. */
export const MAX_JSON_NESTING = 64;

/**
 * Levels a whole request body may nest: a value at the limit plus the request's own structure around
 * it (the deepest is a schedule's `{invocationBody: {headers: [{key, value}]}}`, 4 levels).
 */
export const MAX_REQUEST_NESTING = MAX_JSON_NESTING + 8;

/** The rule as 400 answers state it, after the field's name. */
export const nestingRule = (limit = MAX_JSON_NESTING) => `nested more than ${limit} levels deep (arrays and objects); at most ${limit} levels are allowed`;

/** `${field}: <the rule>`: what an answer says about a value that is too deep. */
export const nestingMessage = (field: string, limit = MAX_JSON_NESTING) => `${field}: ${nestingRule(limit)}`;

/**
 * True when `value` nests arrays and objects more than `limit` levels deep. Shared objects and cycles
 * (possible in values that arrive by RPC) are visited again only at a deeper level, so a cycle counts
 * as too deep and the walk still ends.
 */
export function nestsDeeperThan(value: unknown, limit = MAX_JSON_NESTING): boolean {
  if (value === null || typeof value !== "object") return false;
  const deepestVisit = new Map<object, number>();
  const pending: [object, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (depth > limit) return true;
    if ((deepestVisit.get(node) ?? 0) >= depth) continue;
    deepestVisit.set(node, depth);
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === "object") pending.push([child, depth + 1]);
    }
  }
  return false;
}

/** Throws 400 com.liveperson.faas.es.badinput naming the field and the limit when `value` is too deep. */
export function checkJsonNesting(field: string, value: unknown, limit = MAX_JSON_NESTING): void {
  if (!nestsDeeperThan(value, limit)) return;
  throw badInput(nestingMessage(field, limit), { errors: [{ path: field, message: nestingRule(limit) }] });
}

/**
 * A stored value as an answer may show it: the value, or null with a warning when it nests deeper
 * than the limit (a row written before the limit existed). Serialising such a value would fail the
 * whole answer, and with it every list that holds the row, so its owner could not even find it to
 * repair or delete it.
 */
export function storedValueOrNull<T>(field: string, value: T, warnings: string[]): T | null {
  if (!nestsDeeperThan(value)) return value;
  warnings.push(`${nestingMessage(field)}; the stored value is not shown (null here): replace it with PUT, or delete it`);
  return null;
}
