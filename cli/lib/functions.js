// Functions by name, as lpf finds them (GET /lambdas?name=, then an exact match), and the push of a
// project folder: create when new, edit when it exists (the platform answers 304 when nothing
// changed, which lpf reports as "Push Skipped").
import { CliError, EXIT } from "./exit-codes.js";

/** @typedef {import("./client-types").Schemas["Lambda"]} Lambda */

/**
 * @param {import("./api.js").Client} client
 * @param {string} name
 * @returns {Promise<Lambda | undefined>}
 */
export async function findFunction(client, name) {
  const { data } = await client.call("get", "/api/account/{accountId}/lambdas", { query: { name } });
  return data.find((f) => f.name === name);
}

/** The function named, or a NOT_FOUND error. */
export async function requireFunction(/** @type {import("./api.js").Client} */ client, /** @type {string} */ name) {
  const found = await findFunction(client, name);
  if (!found) throw new CliError(EXIT.NOT_FOUND, `no function named ${name} on ${client.baseUrl} (account ${client.accountId})`, { name });
  return found;
}

/**
 * Creates or edits the platform's function from a project folder.
 * @param {import("./api.js").Client} client
 * @param {import("./project.js").LocalFunction} fn
 * @returns {Promise<{ uuid: string, outcome: "created" | "updated" | "unchanged" }>}
 */
export async function upsertFunction(client, fn) {
  const implementation = { code: fn.code, dependencies: fn.dependencies, environmentVariables: fn.environmentVariables };
  const existing = await findFunction(client, fn.name);
  if (!existing) {
    const { data } = await client.call("post", "/api/account/{accountId}/lambdas", {
      body: { name: fn.name, description: fn.description, eventId: fn.eventId, implementation, samplePayload: fn.input },
    });
    return { uuid: data.uuid, outcome: "created" };
  }
  const { status } = await client.call("put", "/api/account/{accountId}/lambdas/{uuid}", {
    params: { uuid: existing.uuid },
    // As lpf: config.json's input is a new function's sample payload, but editing it later is not a
    // change of the function (the platform would make a deployed function Modified for it).
    body: { description: fn.description, implementation },
  });
  return { uuid: existing.uuid, outcome: status === 304 ? "unchanged" : "updated" };
}
