// LivePerson's lpf project layout, read and written as lpf does (reference §2.4), so an existing
// lpf project works with efn unchanged:
//   functions/settings.json        {"secrets":[{"key","value"}], "whitelist":["*.example.com"]}
//   functions/<name>/index.js      function lambda(input, callback) { ... }
//   functions/<name>/config.json   {name, event, description, input:{headers,payload}, environmentVariables}
// The root is the folder holding functions/ (lpf also wants bin/, which efn does not need); commands
// also work from one or two levels below it, as lpf's do.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CliError, EXIT } from "./exit-codes.js";

export const NO_EVENT = "No Event";

/** @returns {string | undefined} */
export function findProjectRoot(start = process.cwd()) {
  let dir = path.resolve(start);
  for (let i = 0; i < 3; i++) {
    if (isDir(path.join(dir, "functions"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export function requireProjectRoot() {
  const root = findProjectRoot();
  if (!root) throw new CliError(EXIT.USAGE, "not inside a functions project (no functions/ folder here or up to two levels above): run efn init <name> first");
  return root;
}

/** @param {string} p */
function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export const functionsDir = (/** @type {string} */ root) => path.join(root, "functions");

/** Names of the function folders (those with an index.js). */
export function localFunctionNames(/** @type {string} */ root) {
  const dir = functionsDir(root);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "index.js")))
    .map((d) => d.name)
    .sort();
}

/**
 * The function the working directory is in (functions/<name>/...), for commands given no name.
 * @returns {string | undefined}
 */
export function currentFunctionName(/** @type {string} */ root) {
  const rel = path.relative(functionsDir(root), process.cwd());
  if (!rel || rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0];
}

/**
 * @typedef {object} LocalFunction
 * @property {string} name
 * @property {string} dir
 * @property {string} code
 * @property {string | null} eventId        null = No Event
 * @property {string} description
 * @property {import("./client-types").Schemas["InvocationInput"]} input  config.json's input, sent as it is
 * @property {{ key: string, value: string }[]} environmentVariables  (placeholders dropped)
 * @property {unknown[]} dependencies
 */

/** @returns {LocalFunction} */
export function readFunction(/** @type {string} */ root, /** @type {string} */ name) {
  const dir = path.join(functionsDir(root), name);
  if (!existsSync(path.join(dir, "index.js"))) throw new CliError(EXIT.NOT_FOUND, `no function ${name} in this project (functions/${name}/index.js)`);
  const code = readFileSync(path.join(dir, "index.js"), "utf8");
  /** @type {any} */
  let config = {};
  const configPath = path.join(dir, "config.json");
  if (existsSync(configPath)) {
    try {
      config = JSON.parse(readFileSync(configPath, "utf8"));
    } catch (err) {
      throw new CliError(EXIT.USAGE, `functions/${name}/config.json is not valid JSON: ${/** @type {Error} */ (err).message}`);
    }
  }
  const event = typeof config.event === "string" && config.event !== "" && config.event !== NO_EVENT ? config.event : null;
  return {
    name: typeof config.name === "string" && config.name ? config.name : name,
    dir,
    code,
    eventId: event,
    description: typeof config.description === "string" ? config.description : "",
    input: config.input && typeof config.input === "object" ? config.input : { headers: [], payload: {} },
    environmentVariables: envVarsOf(config.environmentVariables),
    dependencies: Array.isArray(config.dependencies) ? config.dependencies : [],
  };
}

/**
 * lpf 1.31 writes [{key, value}] (a blank first key means none); its V2 writes {key: value}
 * (the placeholder {"key":"value"} means none). Both are read.
 */
export function envVarsOf(/** @type {unknown} */ raw) {
  if (Array.isArray(raw)) return raw.filter((e) => e && typeof e.key === "string" && e.key !== "").map((e) => ({ key: e.key, value: String(e.value ?? "") }));
  if (raw && typeof raw === "object") {
    const entries = Object.entries(raw);
    if (entries.length === 1 && entries[0]?.[0] === "key" && entries[0]?.[1] === "value") return [];
    return entries.map(([key, value]) => ({ key, value: String(value) }));
  }
  return [];
}

/**
 * Writes a function's folder as lpf's pull does.
 * @param {string} root
 * @param {{ name: string, description?: string, eventId?: string | null, code: string, samplePayload?: unknown, environmentVariables?: { key: string, value: string }[] }} fn
 */
export function writeFunction(root, fn) {
  const dir = path.join(functionsDir(root), fn.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "index.js"), fn.code);
  const env = fn.environmentVariables?.length ? fn.environmentVariables : [{ key: "", value: "" }];
  const config = {
    name: fn.name,
    event: fn.eventId || NO_EVENT,
    description: fn.description ?? `${fn.name} description`,
    input: fn.samplePayload && typeof fn.samplePayload === "object" ? fn.samplePayload : { headers: [], payload: {} },
    environmentVariables: env,
  };
  writeFileSync(path.join(dir, "config.json"), `${JSON.stringify(config, null, 4)}\n`);
  return dir;
}

/**
 * functions/settings.json: secrets (blank placeholders dropped) and the outbound allow-list.
 * @returns {{ secrets: { key: string, value: string }[], whitelist: string[] }}
 */
export function readSettings(/** @type {string} */ root) {
  const file = path.join(functionsDir(root), "settings.json");
  if (!existsSync(file)) return { secrets: [], whitelist: [] };
  /** @type {any} */
  let s;
  try {
    s = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CliError(EXIT.USAGE, `functions/settings.json is not valid JSON: ${/** @type {Error} */ (err).message}`);
  }
  const secrets = Array.isArray(s?.secrets) ? s.secrets.filter((/** @type {any} */ e) => e && typeof e.key === "string" && e.key !== "") : [];
  const whitelist = Array.isArray(s?.whitelist) ? s.whitelist.filter((/** @type {unknown} */ d) => typeof d === "string" && d !== "") : [];
  return {
    secrets: secrets.map((/** @type {any} */ e) => ({ key: e.key, value: typeof e.value === "string" ? e.value : JSON.stringify(e.value) })),
    whitelist,
  };
}

/** The files `efn init` (and lpf init) starts a project with, minus lpf's debugger. */
export function initProject(/** @type {string} */ root) {
  mkdirSync(functionsDir(root), { recursive: true });
  const settings = path.join(functionsDir(root), "settings.json");
  if (!existsSync(settings)) writeFileSync(settings, `${JSON.stringify({ secrets: [{ key: "", value: "" }], whitelist: ["*.liveperson.com"] }, null, 4)}\n`);
  const ignore = path.join(root, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "node_modules/\nfunctions/settings.json\n");
}

export const HELLO_CODE = "function lambda(input, callback) {\n  callback(null, `Hello World`);\n}\n";
