// create:schedule and add:domain, as lpf's.
import { str } from "../lib/context.js";
import { CliError, EXIT } from "../lib/exit-codes.js";
import { requireFunction } from "../lib/functions.js";

/** @type {import("../lib/context.js").Command} */
export const createSchedule = {
  name: "create:schedule",
  summary: "Run a deployed function on a cron schedule",
  usage: 'efn create:schedule -f <functionName> -c "<cron expression>"',
  options: {
    functionName: { type: "string", short: "f", description: "the function" },
    cronExpression: { type: "string", short: "c", description: 'e.g. "*/5 * * * *"' },
  },
  async run({ flags, out, client }) {
    const name = str(flags.functionName);
    const cronExpression = str(flags.cronExpression);
    if (!name || !cronExpression) throw new CliError(EXIT.USAGE, 'create:schedule needs -f <functionName> and -c "<cron expression>"');
    const api = client();
    const fn = await requireFunction(api, name);
    const { data } = await api.call("post", "/api/account/{accountId}/schedules", { body: { lambdaUUID: fn.uuid, cronExpression, isActive: true } });
    out.result(data, `Schedule ${data.id} for ${name} (${cronExpression}); next run ${data.nextExecution ?? "not planned"}.`);
  },
};

/** @type {import("../lib/context.js").Command} */
export const addDomain = {
  name: "add:domain",
  summary: "Allow functions to call these domains (the account's outbound allow-list; needs an Admin)",
  usage: "efn add:domain <domain...>",
  options: {},
  async run({ args, out, client }) {
    if (!args.length) throw new CliError(EXIT.USAGE, "add:domain needs one or more domains, e.g. api.example.com or *.example.com");
    const api = client();
    const added = [];
    for (const domain of args) added.push((await api.call("post", "/api/account/{accountId}/proxy-settings", { body: { domain } })).data);
    out.result(added, added.map((d) => `added ${d.domain}`));
  },
};
