// deploy and undeploy, then watch the function settle as lpf does (GET /lambdas/{uuid}: deployed
// when Productive with a deployedAt, undeployed when Draft), with progress on stderr and a timeout.
import { mapLimit, PARALLEL, str, worst } from "../lib/context.js";
import { CliError, EXIT } from "../lib/exit-codes.js";
import { requireFunction } from "../lib/functions.js";
import { findProjectRoot } from "../lib/project.js";
import { namesOrCurrent } from "./project.js";

const POLL_MS = 500;

/** @param {"deploy" | "undeploy"} verb @returns {import("../lib/context.js").Command} */
function settleCommand(verb) {
  const target = verb === "deploy" ? "Productive" : "Draft";
  return {
    name: verb,
    summary: verb === "deploy" ? "Deploy functions and wait until they serve (Productive)" : "Undeploy functions and wait until they are Draft",
    usage: `efn ${verb} [functions...] [-w] [--timeout <seconds>]`,
    options: {
      yes: { type: "boolean", short: "y", description: "accepted for lpf compatibility (efn never asks)" },
      "no-watch": { type: "boolean", short: "w", description: "do not wait for the function to settle" },
      timeout: { type: "string", description: "seconds to wait for it to settle (default 60); exit 7 after" },
    },
    async run({ args, flags, out, client }) {
      const root = findProjectRoot();
      const names = root ? namesOrCurrent(root, args, verb) : args;
      if (!names.length) throw new CliError(EXIT.USAGE, `which functions? efn ${verb} <name...>`);
      const timeoutS = Number(str(flags.timeout) ?? 60);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new CliError(EXIT.USAGE, "--timeout: a number of seconds");
      const api = client();
      /** @type {Record<string, unknown>[]} */
      const results = await mapLimit(names, PARALLEL, async (name) => {
        const started = Date.now();
        try {
          const fn = await requireFunction(api, name);
          out.progress(`${name}: ${verb === "deploy" ? "deploying" : "undeploying"}…`);
          if (verb === "deploy") await api.call("post", "/api/account/{accountId}/deployments/{uuid}", { params: { uuid: fn.uuid } });
          else await api.call("delete", "/api/account/{accountId}/deployments/{uuid}", { params: { uuid: fn.uuid } });
          const settled = flags["no-watch"] ? undefined : await watch(api, fn.uuid, target, timeoutS * 1000, (s) => out.progress(`${name}: ${s}`));
          const ms = Date.now() - started;
          out.progress(`${name}: ${settled ? `${settled.state}, version ${settled.version}` : "requested"} (${ms} ms)`);
          return { name, uuid: fn.uuid, state: settled?.state ?? null, version: settled?.version ?? fn.version, deployedAt: settled?.lastDeployment?.deployedAt ?? null, elapsedMs: ms, exitCode: 0 };
        } catch (err) {
          if (!(err instanceof CliError) || err.code === EXIT.AUTH || err.code === EXIT.SERVER) throw err;
          out.progress(`${name}: ${verb} failed: ${err.message}`);
          return { name, error: err.message, ...err.details, exitCode: err.code };
        }
      });
      out.result(results, "");
      return worst(results.map((r) => Number(r.exitCode)));
    },
  };
}

/**
 * Polls the function until it reaches `target`.
 * @param {import("../lib/api.js").Client} api @param {string} uuid @param {"Productive" | "Draft"} target
 * @param {number} timeoutMs @param {(state: string) => void} onChange
 */
async function watch(api, uuid, target, timeoutMs, onChange) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const fn = (await api.call("get", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid } })).data[0];
    if (!fn) throw new CliError(EXIT.NOT_FOUND, `function ${uuid} disappeared`);
    const done = target === "Productive" ? fn.state === "Productive" && Boolean(fn.lastDeployment?.deployedAt) : fn.state === "Draft";
    if (done) return fn;
    if (fn.state !== last) onChange(`state ${fn.state}, waiting for ${target}`);
    last = fn.state;
    if (Date.now() > deadline) throw new CliError(EXIT.TIMEOUT, `still ${fn.state} after ${timeoutMs / 1000} s`, { state: fn.state });
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export const deploy = settleCommand("deploy");
export const undeploy = settleCommand("undeploy");
