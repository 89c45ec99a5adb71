// init, create:function, pull, push: the project folder and the platform's functions, lpf's way.
// efn never asks for confirmation (it is meant for scripts too): -y is accepted and changes nothing.
import { existsSync } from "node:fs";
import path from "node:path";
import { mapLimit, PARALLEL, str, worst } from "../lib/context.js";
import { CliError, EXIT } from "../lib/exit-codes.js";
import { findFunction, requireFunction, upsertFunction } from "../lib/functions.js";
import { currentFunctionName, findProjectRoot, functionsDir, HELLO_CODE, initProject, localFunctionNames, NO_EVENT, readFunction, requireProjectRoot, writeFunction } from "../lib/project.js";

const FN_NAME = /^\w{1,50}$/; // the platform's rule for names

const lpfFlags = {
  yes: { type: /** @type {const} */ ("boolean"), short: "y", description: "accepted for lpf compatibility (efn never asks)" },
  "no-watch": { type: /** @type {const} */ ("boolean"), short: "w", description: "accepted for lpf compatibility" },
};

/** @type {import("../lib/context.js").Command} */
export const init = {
  name: "init",
  summary: "Start a functions project in this folder (lpf's layout), with a folder per function named",
  usage: "efn init [functionNames...]",
  options: {},
  async run({ args, out }) {
    const root = findProjectRoot() ?? process.cwd();
    initProject(root);
    const created = [];
    for (const name of args) {
      checkName(name);
      if (existsSync(path.join(functionsDir(root), name, "index.js"))) throw new CliError(EXIT.FAILED, `functions/${name} already exists`);
      writeFunction(root, { name, code: HELLO_CODE, description: `${name} description`, eventId: null });
      created.push(name);
    }
    out.result({ root, created }, [`Project in ${root}`, ...created.map((n) => `  created functions/${n}`)]);
  },
};

/** @type {import("../lib/context.js").Command} */
export const createFunction = {
  name: "create:function",
  summary: "Create a function folder locally, from the platform's template for the event when there is one",
  usage: "efn create:function -n <name> [-d <description>] [-e <eventId>] [--template <templateId>]",
  options: {
    name: { type: "string", short: "n", description: "the function's name" },
    description: { type: "string", short: "d", description: "its description" },
    event: { type: "string", short: "e", description: `the event id, or "${NO_EVENT}"` },
    template: { type: "string", description: "a template id (efn get templates lists them); needs a login" },
  },
  async run({ flags, out, client }) {
    const name = str(flags.name);
    if (!name) throw new CliError(EXIT.USAGE, "create:function needs -n <name>");
    checkName(name);
    const root = requireProjectRoot();
    if (existsSync(path.join(functionsDir(root), name, "index.js"))) throw new CliError(EXIT.FAILED, `functions/${name} already exists`);
    const event = str(flags.event);
    const eventId = event && event !== NO_EVENT ? event : null;
    const templateId = str(flags.template);
    let template;
    if (templateId || eventId) {
      const { data } = await client().call("get", "/api/account/{accountId}/templates", { query: eventId ? { eventId } : {} });
      template = templateId ? data.find((t) => t.templateId === templateId) : data.find((t) => t.eventId === eventId);
      if (templateId && !template) throw new CliError(EXIT.NOT_FOUND, `no template ${templateId}${eventId ? ` for event ${eventId}` : ""}`);
    }
    writeFunction(root, {
      name,
      description: str(flags.description) ?? template?.description ?? `${name} description`,
      eventId: eventId ?? template?.eventId ?? null,
      code: template?.code ?? HELLO_CODE,
      samplePayload: template?.samplePayload,
    });
    out.result({ name, eventId: eventId ?? template?.eventId ?? null, templateId: template?.templateId ?? null }, `Created functions/${name}${template ? ` from template ${template.templateId}` : ""}.`);
  },
};

/** @type {import("../lib/context.js").Command} */
export const pull = {
  name: "pull",
  summary: "Write the platform's functions into the project (functions/<name>/index.js and config.json)",
  usage: "efn pull [functions...] [-a]",
  options: { ...lpfFlags, all: { type: "boolean", short: "a", description: "every function of the account" } },
  async run({ args, flags, out, client }) {
    const root = requireProjectRoot();
    const api = client();
    const names = flags.all ? (await api.call("get", "/api/account/{accountId}/lambdas")).data.map((f) => f.name) : namesOrCurrent(root, args, "pull");
    const pulled = [];
    for (const name of names) {
      const fn = await requireFunction(api, name);
      writeFunction(root, { name: fn.name, description: fn.description, eventId: fn.eventId, code: fn.implementation.code, samplePayload: fn.samplePayload, environmentVariables: fn.implementation.environmentVariables });
      pulled.push({ name: fn.name, uuid: fn.uuid, state: fn.state, version: fn.version });
    }
    out.result(pulled, pulled.map((p) => `pulled ${p.name} (${p.state}, version ${p.version})`));
  },
};

/** @type {import("../lib/context.js").Command} */
export const push = {
  name: "push",
  summary: "Create or update the platform's functions from the project (unchanged ones are skipped)",
  usage: "efn push [functions...] [-a]",
  options: { ...lpfFlags, all: { type: "boolean", short: "a", description: "every function folder of the project" } },
  async run({ args, flags, out, client }) {
    const root = requireProjectRoot();
    const names = flags.all ? localFunctionNames(root) : namesOrCurrent(root, args, "push");
    const api = client();
    /** @type {{ name: string, uuid?: string, outcome: string, error?: string, exitCode?: number }[]} */
    const results = await mapLimit(names, PARALLEL, async (name) => {
      try {
        const { uuid, outcome } = await upsertFunction(api, readFunction(root, name));
        out.progress(outcome === "unchanged" ? `${name}: Push Skipped: no changes` : `${name}: ${outcome}`);
        return { name, uuid, outcome };
      } catch (err) {
        if (!(err instanceof CliError) || err.code === EXIT.AUTH || err.code === EXIT.SERVER) throw err;
        out.progress(`${name}: failed: ${err.message}`);
        return { name, outcome: "failed", error: err.message, exitCode: err.code };
      }
    });
    out.result(results, "");
    return worst(results.map((r) => r.exitCode ?? 0));
  },
};

/** The names given, or the function folder the working directory is in. */
export function namesOrCurrent(/** @type {string} */ root, /** @type {string[]} */ args, /** @type {string} */ verb) {
  if (args.length) return args;
  const current = currentFunctionName(root);
  if (!current) throw new CliError(EXIT.USAGE, `which functions? efn ${verb} <name...> (or -a for all, or run it inside functions/<name>)`);
  return [current];
}

function checkName(/** @type {string} */ name) {
  if (!FN_NAME.test(name)) throw new CliError(EXIT.USAGE, `not a function name: ${name} (at most 50 letters, digits and _)`);
}

export { findFunction };
