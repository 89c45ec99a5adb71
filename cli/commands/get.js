// get functions|deployments|account|events (any combination, as lpf), plus templates.
import { table } from "../lib/output.js";
import { CliError, EXIT } from "../lib/exit-codes.js";

const KINDS = ["functions", "deployments", "account", "events", "templates"];

/** @type {import("../lib/context.js").Command} */
export const get = {
  name: "get",
  summary: "Show the account's functions, deployments, account figures, events or templates",
  usage: `efn get <${KINDS.join("|")}>...`,
  options: {},
  async run({ args, out, client }) {
    if (!args.length) throw new CliError(EXIT.USAGE, `efn get needs one or more of: ${KINDS.join(", ")}`);
    const unknown = args.filter((a) => !KINDS.includes(a));
    if (unknown.length) throw new CliError(EXIT.USAGE, `efn get: unknown ${unknown.join(", ")} (one or more of: ${KINDS.join(", ")})`);
    const api = client();
    /** @type {Record<string, unknown>} */
    const result = {};
    /** @type {string[]} */
    const text = [];
    const needsLambdas = args.includes("functions") || args.includes("deployments");
    const lambdas = needsLambdas ? (await api.call("get", "/api/account/{accountId}/lambdas")).data : [];
    for (const kind of new Set(args)) {
      if (kind === "functions") {
        result.functions = lambdas.map((f) => ({ name: f.name, uuid: f.uuid, state: f.state, version: f.version, eventId: f.eventId, description: f.description, updatedAt: f.updatedAt, updatedBy: f.updatedBy }));
        text.push("Functions:", table(["NAME", "STATE", "VERSION", "EVENT", "UPDATED"], lambdas.map((f) => [f.name, f.state, f.version, f.eventId ?? "No Event", f.updatedAt])), "");
      } else if (kind === "deployments") {
        const deployed = lambdas.filter((f) => f.lastDeployment && f.state !== "Draft");
        result.deployments = deployed.map((f) => ({ name: f.name, uuid: f.uuid, state: f.state, version: f.lastDeployment?.lambdaVersion, deployedAt: f.lastDeployment?.deployedAt, deployedBy: f.lastDeployment?.createdBy }));
        text.push("Deployments:", table(["NAME", "STATE", "VERSION", "DEPLOYED", "BY"], deployed.map((f) => [f.name, f.state, f.lastDeployment?.lambdaVersion, f.lastDeployment?.deployedAt, f.lastDeployment?.createdBy])), "");
      } else if (kind === "account") {
        const now = new Date();
        const query = { startTimestamp: String(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), endTimestamp: String(now.getTime()) };
        const [limits, counts, invocations] = await Promise.all([
          api.call("get", "/api/account/{accountId}/reports/limitCounts"),
          api.call("get", "/api/account/{accountId}/reports/lambdaCounts"),
          api.call("get", "/api/account/{accountId}/reports/invocationCounts", { query }),
        ]);
        const account = { ...limits.data, ...counts.data, ...invocations.data };
        result.account = account;
        text.push("Account:", table(["", ""], Object.entries(account).filter(([, v]) => typeof v !== "object").map(([k, v]) => [k, v])), "");
      } else if (kind === "events") {
        const events = (await api.call("get", "/api/account/{accountId}/events")).data;
        result.events = events;
        text.push("Events:", table(["EVENT", "NAME"], events.map((e) => [e.eventId, e.eventName])), "");
      } else if (kind === "templates") {
        const templates = (await api.call("get", "/api/account/{accountId}/templates")).data;
        result.templates = templates.map(({ code: _, ...t }) => t);
        text.push("Templates:", table(["TEMPLATE", "EVENT", "NAME"], templates.map((t) => [t.templateId, t.eventId ?? "No Event", t.name])), "");
      }
    }
    out.result(result, text.join("\n").trimEnd());
  },
};
