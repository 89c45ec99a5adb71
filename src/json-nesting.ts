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

/** Steps of the plain walk before it hands over to the memoised one (a tree never needs more: see below). */
const TREE_WALK_STEPS = 1_000_000;

/**
 * True when `value` nests arrays and objects more than `limit` levels deep. A value from JSON.parse is
 * a tree, walked once (a 1 MB body in a few ms); a value that arrived by RPC may share objects or hold
 * cycles: a cycle goes deeper with every lap and so ends the walk at the limit, and shared objects,
 * which could make a plain walk exponential, end it at TREE_WALK_STEPS and hand over to the memoised
 * walk.
 */
export function nestsDeeperThan(value: unknown, limit = MAX_JSON_NESTING): boolean {
  if (value === null || typeof value !== "object") return false;
  const verdict = treeWalk(value, limit, TREE_WALK_STEPS);
  return verdict === "too many steps" ? memoisedWalk(value, limit) : verdict;
}

/** Each object children of `node` holds (own enumerable values: what JSON and RPC carry). */
function forEachChildObject(node: object, visit: (child: object) => void): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (child !== null && typeof child === "object") visit(child);
    }
    return;
  }
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue;
    const child: unknown = (node as Record<string, unknown>)[key];
    if (child !== null && typeof child === "object") visit(child);
  }
}

function treeWalk(value: object, limit: number, maxSteps: number): boolean | "too many steps" {
  const nodes: object[] = [value];
  const depths: number[] = [1];
  let steps = 0;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (++steps > maxSteps) return "too many steps";
    forEachChildObject(node, (child) => {
      nodes.push(child);
      depths.push(depth + 1);
    });
  }
  return false;
}

/** Visits an object again only at a deeper level than before: at most `limit` visits per object. */
function memoisedWalk(value: object, limit: number): boolean {
  const deepestVisit = new Map<object, number>();
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if ((deepestVisit.get(node) ?? 0) >= depth) continue;
    deepestVisit.set(node, depth);
    forEachChildObject(node, (child) => {
      nodes.push(child);
      depths.push(depth + 1);
    });
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
