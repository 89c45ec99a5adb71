// `efn invoke --local`: each named function of the project pushed, deployed and run on a private
// local edgefn (local-platform.js), one instance for all of them. The account there gets exactly the
// project's functions/settings.json: its secrets and its allow-list (whitelist). The answer is
// lpf's local one: {result, logs} or {errorCode, errorMsg, errorLogs}.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createClient } from "./api.js";
import { mapLimit, PARALLEL } from "./context.js";
import { CliError } from "./exit-codes.js";
import { startLocalPlatform } from "./local-platform.js";
import { readSettings } from "./project.js";
import { upsertFunction } from "./functions.js";

/**
 * @typedef {{ name: string, ok: true, result: unknown, logs: unknown[] } | { name: string, ok: false, errorCode?: string, errorMsg?: string, errorLogs?: unknown[] }} LocalOutcome
 */

/**
 * @param {string} root the project
 * @param {import("./project.js").LocalFunction[]} functions
 * @param {(m: string) => void} say progress
 * @returns {Promise<LocalOutcome[]>}
 */
export async function invokeLocally(root, functions, say) {
  const platform = await startLocalPlatform({ say });
  try {
    const { admin, developer } = await localAccount(platform);
    await syncSettings(admin, readSettings(root));
    return await mapLimit(functions, PARALLEL, async (fn) => {
      say(`local runtime: deploying ${fn.name}`);
      const { uuid } = await upsertFunction(developer, fn);
      const lambda = (await developer.call("get", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid } })).data[0];
      if (lambda?.state !== "Productive") await developer.call("post", "/api/account/{accountId}/deployments/{uuid}", { params: { uuid } });
      try {
        const { data } = await developer.call("post", "/api/account/{accountId}/lambdas/{uuid}/test", { params: { uuid }, body: fn.input });
        return /** @type {LocalOutcome} */ ({ name: fn.name, ok: true, result: data.result, logs: data.logs });
      } catch (err) {
        if (!(err instanceof CliError) || !err.body || typeof err.body !== "object") throw err;
        const body = /** @type {{ errorCode?: string, errorMsg?: string, errorLogs?: unknown[] }} */ (err.body);
        return /** @type {LocalOutcome} */ ({ name: fn.name, ok: false, errorCode: body.errorCode, errorMsg: body.errorMsg, errorLogs: body.errorLogs ?? [] });
      }
    });
  } finally {
    await platform.stop();
  }
}

/**
 * The local account (made once per local state and remembered in its folder), with an admin client
 * for secrets and the allow-list and a developer client for functions.
 * @param {{ url: string, operatorToken: string, stateDir: string }} platform
 */
async function localAccount(platform) {
  const file = path.join(platform.stateDir, "account.json");
  /** @type {{ accountId: string, adminKey: string, developerKey: string } | undefined} */
  let account = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
  if (!account) {
    const operator = createClient({ baseUrl: platform.url, accountId: "", token: platform.operatorToken });
    const made = (await operator.call("post", "/admin/accounts", { body: { name: "efn local" } })).data;
    const admin = createClient({ baseUrl: platform.url, accountId: made.accountId, token: made.adminKey });
    const dev = (await admin.call("post", "/api/account/{accountId}/api-keys", { body: { name: "efn local", role: "FaaS-Developer" } })).data;
    account = { accountId: made.accountId, adminKey: made.adminKey, developerKey: dev.key };
    writeFileSync(file, JSON.stringify(account), { mode: 0o600 });
  }
  return {
    admin: createClient({ baseUrl: platform.url, accountId: account.accountId, token: account.adminKey }),
    developer: createClient({ baseUrl: platform.url, accountId: account.accountId, token: account.developerKey }),
  };
}

/**
 * Makes the local account's secrets and allow-list exactly the project's settings.
 * @param {import("./api.js").Client} admin
 * @param {{ secrets: { key: string, value: string }[], whitelist: string[] }} settings
 */
async function syncSettings(admin, settings) {
  const existing = (await admin.call("get", "/api/account/{accountId}/secrets")).data;
  const wanted = new Map(settings.secrets.map((s) => [s.key, s.value]));
  for (const s of existing) if (!wanted.has(s.key)) await admin.call("delete", "/api/account/{accountId}/secrets/{key}", { params: { key: s.key } });
  const have = new Set(existing.map((s) => s.key));
  for (const [key, value] of wanted) {
    if (have.has(key)) await admin.call("put", "/api/account/{accountId}/secrets/{key}", { params: { key }, body: { value } });
    else await admin.call("post", "/api/account/{accountId}/secrets", { body: { key, value } });
  }
  const domains = (await admin.call("get", "/api/account/{accountId}/proxy-settings")).data;
  const listed = new Set(settings.whitelist);
  for (const d of domains) if (!listed.has(d.domain)) await admin.call("delete", "/api/account/{accountId}/proxy-settings/{id}", { params: { id: String(d.id) } });
  const present = new Set(domains.map((d) => d.domain));
  for (const domain of settings.whitelist) if (!present.has(domain)) await admin.call("post", "/api/account/{accountId}/proxy-settings", { body: { domain } });
}
