// invoke: remote (POST /lambdas/{uuid}/invoke, the gateway, as lpf's remote invoke) or --local
// (the project's code in a private local edgefn: lib/local-invoke.js). The input is config.json's
// `input`, as with lpf; --input overrides it. A failed function is exit 1 with lpf's error shape.
import { mapLimit, PARALLEL, str, worst } from "../lib/context.js";
import { CliError, EXIT } from "../lib/exit-codes.js";
import { requireFunction } from "../lib/functions.js";
import { invokeLocally } from "../lib/local-invoke.js";
import { findProjectRoot, readFunction, requireProjectRoot } from "../lib/project.js";
import { namesOrCurrent } from "./project.js";

/** @type {import("../lib/context.js").Command} */
export const invoke = {
  name: "invoke",
  summary: "Invoke functions on the platform, or with --local in a private local edgefn (the real Workers runtime)",
  usage: "efn invoke [functionNames...] [-l] [--input <json>]",
  options: {
    local: { type: "boolean", short: "l", description: "run the project's code locally, with functions/settings.json's secrets and whitelist" },
    input: { type: "string", description: "the invocation's input as JSON ({headers, payload}); default: config.json's input" },
  },
  async run({ args, flags, out, client }) {
    const override = parseInput(str(flags.input));
    if (flags.local) {
      const root = requireProjectRoot();
      const fns = namesOrCurrent(root, args, "invoke").map((n) => {
        const fn = readFunction(root, n);
        return override ? { ...fn, input: override } : fn;
      });
      const outcomes = await invokeLocally(root, fns, (m) => out.progress(m));
      const shaped = outcomes.map(({ name, ok, ...rest }) => ({ name, ...rest }));
      out.result(shaped, () => shaped.flatMap(({ name, ...rest }) => [...(shaped.length > 1 ? [`${name}:`] : []), JSON.stringify(rest, null, 2)]));
      return outcomes.some((o) => !o.ok) ? EXIT.FAILED : EXIT.OK;
    }
    const root = findProjectRoot();
    const names = root ? namesOrCurrent(root, args, "invoke") : args;
    if (!names.length) throw new CliError(EXIT.USAGE, "which functions? efn invoke <name...>");
    const api = client();
    const outcomes = await mapLimit(names, PARALLEL, async (name) => {
      const fn = await requireFunction(api, name);
      const input = override ?? (root ? safeInput(root, name) : undefined) ?? { headers: [], payload: {} };
      try {
        const { data } = await api.call("post", "/api/account/{accountId}/lambdas/{uuid}/invoke", { params: { uuid: fn.uuid }, body: input });
        return { code: EXIT.OK, result: { name, result: data } };
      } catch (err) {
        if (!(err instanceof CliError) || err.code !== EXIT.FAILED || !err.details.errorCode) throw err;
        return { code: EXIT.FAILED, result: { name, errorCode: err.details.errorCode, errorMsg: err.details.errorMsg, errorLogs: err.details.errorLogs ?? [] } };
      }
    });
    /** @type {Record<string, unknown>[]} */
    const results = outcomes.map((o) => o.result);
    const codes = outcomes.map((o) => o.code);
    out.result(results, () => results.flatMap(({ name, ...r }) => [...(results.length > 1 ? [`${name}:`] : []), JSON.stringify("errorCode" in r ? r : r.result, null, 2)]));
    return worst(codes);
  },
};

/** config.json's input, when the project has the function. */
function safeInput(/** @type {string} */ root, /** @type {string} */ name) {
  try {
    return readFunction(root, name).input;
  } catch {
    return undefined;
  }
}

/** @returns {import("../lib/client-types").Schemas["InvocationInput"] | undefined} */
function parseInput(/** @type {string | undefined} */ text) {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch {
    // below
  }
  throw new CliError(EXIT.USAGE, `--input: a JSON object like {"headers":[],"payload":{}}`);
}
