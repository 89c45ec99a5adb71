// efn's entry: finds the command, parses its flags strictly (an unknown flag is a usage error,
// exit 2), runs it, and turns any failure into its exit code (lib/exit-codes.js).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { commands } from "../commands/index.js";
import { createContext } from "./context.js";
import { CliError, EXIT } from "./exit-codes.js";
import { createOutput } from "./output.js";

/** @type {import("./context.js").Command["options"]} */
const GLOBAL_OPTIONS = {
  json: { type: "boolean", description: "machine-readable output: one JSON document on stdout" },
  help: { type: "boolean", short: "h", description: "show this help" },
};

/** @param {string[]} argv @returns {Promise<number>} */
export async function main(argv) {
  const json = argv.includes("--json");
  const out = createOutput({ json });
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" ? rest[0] : undefined;
    const cmd = topic ? commands.find((c) => c.name === topic) : undefined;
    process.stdout.write(cmd ? commandHelp(cmd) : overview());
    return EXIT.OK;
  }
  if (name === "--version" || name === "version") {
    out.result({ version: version() }, version());
    return EXIT.OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) return out.fail(new CliError(EXIT.USAGE, `unknown command ${name} (efn --help lists them)`));
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...stripDescriptions(command.options) }, allowPositionals: true, strict: true });
  } catch (err) {
    const message = /** @type {Error} */ (err).message;
    const flag = /Unknown option '([^']+)'/.exec(message)?.[1];
    return out.fail(new CliError(EXIT.USAGE, `${flag ? `unknown flag ${flag}` : message.split("\n")[0]} (efn help ${name})`));
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command));
    return EXIT.OK;
  }
  try {
    return (await command.run(createContext(parsed.positionals, parsed.values, out))) ?? EXIT.OK;
  } catch (err) {
    return out.fail(err);
  }
}

/** parseArgs rejects unknown keys in option descriptors. */
function stripDescriptions(/** @type {import("./context.js").Command["options"]} */ options) {
  return Object.fromEntries(Object.entries(options).map(([k, { description: _, ...o }]) => [k, o]));
}

function version() {
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json"), "utf8"));
  return String(pkg.version);
}

function overview() {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "efn: edgefn's CLI (LivePerson lpf's commands and project layout, against any edgefn)",
    "",
    "Usage: efn <command> [arguments] [flags]    efn help <command>",
    "",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Every command takes --json (one JSON document on stdout) and -h/--help.",
    "Exit codes: 0 ok, 1 failed (function error, refused change), 2 usage, 3 not logged in / 401,",
    "4 forbidden (403), 5 not found, 6 server error or unreachable, 7 timed out. See docs/cli.md.",
    "",
  ].join("\n");
}

function commandHelp(/** @type {import("./context.js").Command} */ c) {
  const all = { ...c.options, ...GLOBAL_OPTIONS };
  const flags = Object.entries(all).map(([k, o]) => {
    const spec = `${o.short ? `-${o.short}, ` : "    "}--${k}${o.type === "string" ? " <value>" : ""}`;
    return `  ${spec.padEnd(28)} ${o.description ?? ""}${o.multiple ? " (repeatable)" : ""}`;
  });
  return [`${c.summary}`, "", `Usage: ${c.usage}`, "", "Flags:", ...flags, ""].join("\n");
}
