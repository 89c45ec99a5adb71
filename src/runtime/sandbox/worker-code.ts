import { sha256Hex } from "../../crypto/hash";
import { libraryHashes, libraryModules, notGiven } from "../libraries/catalog";
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from "../runtimes";
import {
  CONVERSATION_UTIL_SOURCE, GDPR_UTIL_SOURCE, HTTP_CLIENT_SOURCE, LP_CLIENT_SOURCE, LP_CLIENT_V2_SOURCE, OAUTH1_SOURCE, ORCHESTRATOR_CLIENT_SOURCE,
  PLATFORM_SOURCE, TOOLBELT_MODULE_NAMES, TOOLBELT_SOURCE, TOOLBELT_V2_SOURCE, VALUES_SOURCE, WRAPPER_SOURCE,
} from "./isolate-sources";

/** What the loader needs to know about one deployable version of a function. */
export interface SandboxSpec {
  accountId: string;
  lambdaUuid: string;
  code: string;
  environmentVariables: { key: string; value: string }[];
  /** The libraries the isolate is given (libraries/catalog.ts resolveLibraries); none if absent. */
  libraries?: readonly string[];
}

/** The exports of the host Worker used as capabilities (ctx.exports). */
export interface HostExports {
  Egress(opts: { props: { accountId: string; lambdaUuid: string } }): Fetcher;
  Toolbelt(opts: { props: { accountId: string; lambdaUuid: string } }): Fetcher;
  LogTail(opts: { props: { accountId: string; lambdaUuid: string } }): Fetcher;
}

// Appended to the brand code: LivePerson functions declare `lambda` without exporting it. The
// leading newline keeps a trailing line comment in the brand code from swallowing it.
const EXPORT_LAMBDA = "\n;module.exports = typeof lambda === 'function' ? lambda : undefined;\n";

// The toolbelt's other names re-export its first, so that all of them are one module instance
// (V2's name too, with its own LpClient: toolbelt-v2.js).
const TOOLBELT_ALIAS_SOURCE = `module.exports = require(${JSON.stringify(TOOLBELT_MODULE_NAMES[0])});\n`;

// The platform's own modules, under the names they are required by. One table each serves both the
// modules map and the platform hash, so a module added here is always hashed too (the two were
// separate lists that each new module had to be added to).
// Every isolate gets the wrapper and what it needs:
const CORE_MODULES: Record<string, string | { cjs: string }> = {
  "main.js": WRAPPER_SOURCE,
  "values.js": VALUES_SOURCE,
  "platform.js": { cjs: PLATFORM_SOURCE },
};
// The toolbelt only where the code names it: workerd compiles every module it is given when it
// builds an isolate, used or not, and these are most of the platform's text (about a fifth of the
// runtime's CPU time for a cold start of a hello world; npm run bench, scale).
const TOOLBELT_MODULES: Record<string, string | { cjs: string }> = {
  "toolbelt-http.js": { cjs: HTTP_CLIENT_SOURCE },
  "orchestrator-client.js": { cjs: ORCHESTRATOR_CLIENT_SOURCE },
  "lp-client.js": { cjs: LP_CLIENT_SOURCE },
  "oauth1.js": { cjs: OAUTH1_SOURCE },
  "conversation-util.js": { cjs: CONVERSATION_UTIL_SOURCE },
  "gdpr-util.js": { cjs: GDPR_UTIL_SOURCE },
  "lp-client-v2.js": { cjs: LP_CLIENT_V2_SOURCE },
  // One toolbelt under each of its names: the others re-export the first, so all are one instance.
  // V2's name is the one whose re-export swaps in V2's LpClient.
  ...Object.fromEntries(TOOLBELT_MODULE_NAMES.map((name, i) => [name, { cjs: i === 0 ? TOOLBELT_SOURCE : name === "core-functions-toolbelt" ? TOOLBELT_V2_SOURCE : TOOLBELT_ALIAS_SOURCE }])),
};

/**
 * Whether the code may require the toolbelt: it names it (any mention of "toolbelt", so also a name
 * put together at run time from a literal that says so, or one in a comment). Code that does not is
 * given modules under the toolbelt's names that say how to get it.
 */
export const mayUseToolbelt = (code: string) => /toolbelt/i.test(code);

const toolbeltNotGiven = (name: string) =>
  `throw new Error(${JSON.stringify(`${name} is not loaded for this function: its code never names it. Require it by its literal name (require("${name}")), then deploy again`)});\n`;
const TOOLBELT_STUBS = Object.fromEntries(TOOLBELT_MODULE_NAMES.map((name) => [name, { cjs: toolbeltNotGiven(name) }]));

// The platform modules' text is part of every isolate's hash, so a changed wrapper never reuses an
// isolate built with the old one. Computed once, on first use (not at global scope, where a Worker
// may not start asynchronous work).
let platformHash: Promise<string> | undefined;

/** Content hash of everything that makes up the isolate, so equal ids always mean equal code. */
export async function codeHash(spec: Pick<SandboxSpec, "code" | "environmentVariables" | "libraries">): Promise<string> {
  platformHash ??= sha256Hex(JSON.stringify([CORE_MODULES, TOOLBELT_MODULES, TOOLBELT_STUBS]) + notGiven("*"));
  // The libraries by name and content (hashed by their build), so a new version of one is a new
  // isolate; left out when there are none, so such a function's hash depends on nothing more.
  const libraries = libraryHashes(spec.libraries ?? []);
  return sha256Hex(JSON.stringify([await platformHash, COMPATIBILITY_DATE, spec.code, spec.environmentVariables, ...(libraries.length ? [libraries] : [])]));
}

/** The CPU limit of a function's isolate, from its configured timeout (not a per-call budget). */
export const cpuLimitMs = (configuredTimeoutMs: number) => Math.min(configuredTimeoutMs, 30_000);

/**
 * The loader's id for an isolate. The CPU limit is part of it: it is fixed when the isolate is
 * built, so an account whose timeout changed gets isolates built with the new limit.
 */
export function isolateId(spec: SandboxSpec, hash: string, cpuMs: number): string {
  return `${spec.accountId}/${spec.lambdaUuid}/${hash}/cpu${cpuMs}`;
}

export function buildWorkerCode(spec: SandboxSpec, host: HostExports, cpuMs: number): WorkerLoaderWorkerCode {
  const props = { accountId: spec.accountId, lambdaUuid: spec.lambdaUuid };
  const vars: Record<string, string> = {};
  for (const { key, value } of spec.environmentVariables) vars[key] = value;
  return {
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    mainModule: "main.js",
    modules: {
      ...CORE_MODULES,
      ...(mayUseToolbelt(spec.code) ? TOOLBELT_MODULES : TOOLBELT_STUBS),
      "lambda.js": { cjs: spec.code + EXPORT_LAMBDA },
      // The libraries this function needs under the names brand code requires; any other library's
      // name is a module whose require() says how to get it.
      ...libraryModules(spec.libraries ?? []),
    },
    // Only strings (they become process.env) and a toolbelt stub scoped by props: no platform
    // binding (DB, KV, LOADER, secrets) is reachable from brand code. The stub serves toolbelt
    // calls made outside an invocation (module scope); during one they go through its channel.
    env: {
      ...vars,
      BRAND_ID: spec.accountId,
      X_LIVEPERSON_BRAND_ID: spec.accountId,
      X_LIVEPERSON_FUNCTION_UUID: spec.lambdaUuid,
      EDGEFN_TOOLBELT: host.Toolbelt({ props }),
    },
    globalOutbound: host.Egress({ props }),
    // Each call's console output, also of a call that never answered: see runtime/log-tail.ts.
    tails: [host.LogTail({ props })],
    // Enforced on Cloudflare; workerd does not enforce CPU limits locally (see README).
    limits: { cpuMs, subRequests: 50 },
  };
}
