// LivePerson's library set (issue 15 §1): which names brand code may require or declare, and which
// library modules one function's isolate is given. Each isolate gets only the libraries its function
// needs (declared in implementation.dependencies, or required by name in its code): parsing jsforce's
// megabyte in every isolate would cost every function's cold start and memory.
import { TOOLBELT_MODULE_NAMES } from "../sandbox/isolate-sources";
import { LIBRARY_MANIFEST, LIBRARY_SOURCES } from "./sources";

export const LIBRARY_NAMES: readonly string[] = Object.keys(LIBRARY_SOURCES).sort();

// A library listed in sources.ts that the build did not produce (or the reverse) is a build out of
// step with the code: fail when the Worker loads, not on some brand's first require().
for (const name of new Set([...LIBRARY_NAMES, ...Object.keys(LIBRARY_MANIFEST)])) {
  if (!LIBRARY_MANIFEST[name] || typeof LIBRARY_SOURCES[name] !== "string") {
    throw new Error(`library ${name} is not in both src/runtime/libraries/sources.ts and the build's manifest: run node scripts/lib/libraries-build.mjs`);
  }
}

/** What `implementation.dependencies` may name: the libraries, and the toolbelt (always provided). */
export const DEPENDENCY_NAMES: readonly string[] = [...LIBRARY_NAMES, ...TOOLBELT_MODULE_NAMES].sort();

export const isKnownDependency = (value: unknown) => typeof value === "string" && DEPENDENCY_NAMES.includes(value);

/** The libraries with their pinned versions, as GET /runtimes lists them. */
export const libraryVersions = () => LIBRARY_NAMES.map((name) => ({ name, version: LIBRARY_MANIFEST[name]!.version }));

// require("name") with a literal name, in any quotes. A plain scan, not a parse: a name in a comment
// or string also counts, which at worst gives an isolate a library it does not use.
const REQUIRE_CALL = /\brequire\s*\(\s*(["'`])([^"'`\s]+)\1\s*\)/g;

/** The library names the code requires with a literal name. */
export function requiredLibraries(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(REQUIRE_CALL)) if (LIBRARY_NAMES.includes(match[2]!)) found.add(match[2]!);
  return [...found];
}

/**
 * The libraries a function's isolate is given: those its dependencies declare (for a require() with
 * a computed name) and those its code requires by name, sorted. Values that name no library (a
 * toolbelt, or anything stored before dependencies were validated) add nothing.
 */
export function resolveLibraries(code: string, dependencies: unknown): string[] {
  const declared = Array.isArray(dependencies) ? dependencies.filter((d): d is string => typeof d === "string" && LIBRARY_NAMES.includes(d)) : [];
  return [...new Set([...declared, ...requiredLibraries(code)])].sort();
}

/** The content hashes of the given libraries, for the isolate's code hash (worker-code.ts). */
export const libraryHashes = (names: readonly string[]) => names.map((name) => `${name}@${LIBRARY_MANIFEST[name]?.sha256 ?? "missing"}`);

/**
 * The Worker Loader modules of an isolate's libraries, each under the name brand code requires: the
 * library itself if it is one of `names`, else a one-line module whose require() says why it is
 * missing (workerd's own "No such module" would not say what to do).
 */
export function libraryModules(names: readonly string[]): Record<string, { cjs: string }> {
  const modules: Record<string, { cjs: string }> = {};
  for (const name of LIBRARY_NAMES) {
    modules[name] = { cjs: names.includes(name) ? LIBRARY_SOURCES[name]! : notGiven(name) };
  }
  return modules;
}

/** The platform's text of a library module that was not given (part of every isolate's hash). */
export const notGiven = (name: string) =>
  `throw new Error(${JSON.stringify(
    `${name} is not loaded for this function: require it by its literal name (require("${name}")) or list it in implementation.dependencies, then deploy again`,
  )});\n`;
