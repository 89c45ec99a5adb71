// @ts-check
// The toolbelt module brand code gets from require('lp-faas-toolbelt') (and 'edgefn-toolbelt').
// CommonJS, loaded by the Worker Loader as text (worker-code.ts). Clients that the platform cannot
// serve yet answer with a clear error instead of pretending to work.
//
// OrchestratorClient lives in orchestrator-client.js, LpClient in lp-client.js, ConversationUtil and
// SDEUtil in conversation-util.js, GDPRUtil in gdpr-util.js (their own modules, with their own
// headers). V2's name, core-functions-toolbelt, is this module with V2's LpClient (toolbelt-v2.js).
// SecretClient and ContextServiceClient call the platform through platform.js, which the wrapper
// (main.js) points at the invocation's channel to the host (runtime/invocation-channel.ts), or at
// the EDGEFN_TOOLBELT stub outside an invocation. Both are scoped by the platform to the function's
// own account; nothing passed here can change that, so this module needs no defences of its own: a
// function that tampers with it only hurts itself. Answers come back as {ok, value} |
// {ok: false, code, message} and failures are rebuilt as SecretError / ContextServiceError with a
// LivePerson-style "code". Secret values read or written are noted for redaction; the host notes
// the ones it served as well (runtime/redaction.ts).
"use strict";
const platform = require("./platform.js");
const orchestrator = require("./orchestrator-client.js");
const lpClient = require("./lp-client.js");
const conversations = require("./conversation-util.js");
const gdpr = require("./gdpr-util.js");
const noteSecret = (/** @type {unknown} */ key, /** @type {unknown} */ value) => platform.noteSecret(key, value);

/** @typedef {typeof import("./http-client.js")} HttpClientModule */

/**
 * The platform's answer to a toolbelt call (ToolbeltResult in runtime/toolbelt.ts).
 * @typedef {{ ok: true, value: unknown } | { ok: false, code: string, message: string }} PlatformAnswer
 */

/**
 * A secret as SecretClient reads and writes it.
 * @typedef {{ key: string, value: string }} SecretEntry
 */

class ToolbeltUnavailableError extends Error {
  /**
   * @param {string} client
   * @param {string} [why] the reason and the alternative, where there is one
   */
  constructor(client, why) {
    super("Toolbelt." + client + " is not available " + (why || "on this edgefn version yet"));
    this.name = "ToolbeltUnavailableError";
  }
}

const ErrorCodes = {
  Secret: {
    NotFound: "com.liveperson.faas.secret.not-found",
    InvalidFormat: "com.liveperson.faas.secret.invalid-format",
    OpFailed: "com.liveperson.faas.secret.op-failed",
  },
  Context: {
    InvalidInput: "com.liveperson.faas.context.invalid-input",
    NamespaceNotFound: "com.liveperson.faas.context.namespace.not-found",
    LimitExceeded: "com.liveperson.faas.context.limit-exceeded",
    OpFailed: "com.liveperson.faas.context.op-failed",
  },
  OrchestratorFN: orchestrator.OrchestratorCodes,
  Csds: { DomainNotFound: lpClient.LpClientCodes.CsdsDomainNotFound },
  LpClient: {
    GetCredentialsFailure: lpClient.LpClientCodes.GetCredentialsFailure,
    CredentialsWrongFormat: lpClient.LpClientCodes.CredentialsWrongFormat,
    // V2's spelling of the same two codes.
    Creds: { Format: lpClient.LpClientCodes.CredentialsWrongFormat, Failure: lpClient.LpClientCodes.GetCredentialsFailure },
  },
  ConversationUtil: { ConversationNotFound: conversations.ConversationUtilCodes.ConversationNotFound },
  GDPRUtil: gdpr.GDPRUtilCodes,
};

class SecretError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "SecretError";
    this.code = code;
  }
}

class ContextServiceError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "ContextServiceError";
    this.code = code;
  }
}

// One call to the platform's toolbelt; its failures become ErrorClass errors.
/**
 * @param {new (code: string, message: string) => Error} ErrorClass
 * @param {string} opFailed
 * @param {string} method
 * @param {unknown[]} args
 * @returns {Promise<unknown>} the answer's value
 */
async function callPlatform(ErrorClass, opFailed, method, args) {
  let answer;
  try {
    answer = /** @type {PlatformAnswer | null | undefined} */ (await platform.callToolbelt(method, args));
  } catch (error) {
    throw new ErrorClass(opFailed, "The toolbelt could not reach the platform for " + method + ": " + (error && /** @type {{ message?: unknown }} */ (error).message ? /** @type {{ message?: unknown }} */ (error).message : String(error)));
  }
  if (!answer || answer.ok !== true) throw new ErrorClass(answer && answer.code ? answer.code : opFailed, answer && answer.message ? answer.message : method + " failed");
  return answer.value;
}

const SECRET_KEY = /^[A-Za-z0-9_-]{1,100}$/;

// LivePerson V1: readSecret(key), updateSecret({key, value}); no cache, every read asks the vault.
function SecretClient() {
  const call = (/** @type {string} */ method, /** @type {unknown[]} */ args) =>
    /** @type {Promise<SecretEntry>} */ (callPlatform(SecretError, ErrorCodes.Secret.OpFailed, method, args));
  return {
    /** @param {string} key */
    async readSecret(key) {
      const entry = await call("readSecret", [key]);
      noteSecret(entry.key, entry.value);
      return { key: entry.key, value: entry.value };
    },
    /** @param {SecretEntry} entry */
    async updateSecret(entry) {
      const given = entry !== null && typeof entry === "object" ? { key: entry.key, value: entry.value } : entry;
      // Noted before the call: a value the function meant to store is redacted even if the
      // rotation fails (say, a refreshed OAuth token for a secret that was deleted).
      if (given && typeof given.key === "string" && SECRET_KEY.test(given.key)) noteSecret(given.key, given.value);
      const stored = await call("updateSecret", [given]);
      noteSecret(stored.key, stored.value);
      return { key: stored.key, value: stored.value };
    },
  };
}

// The methods of LivePerson's ContextServiceClient and how many arguments each takes.
const CONTEXT_METHODS = {
  createNamespace: 2, deleteNamespace: 1, getListOfNamespaces: 0,
  setPropertiesInNamespace: 3, updatePropertiesInNamespace: 3,
  getAllPropertiesInSession: 2, getSelectedPropertiesInSession: 3, getPropertyInSession: 3,
  deletePropertyInSession: 3, deleteSession: 2, getListOfSessions: 1,
};
const WITH_PROPERTIES = new Set(["setPropertiesInNamespace", "updatePropertiesInNamespace"]);

// ContextServiceClient({accountId, apiKey}) (V1), ContextServiceClient(apiKey) (V2) or the older
// ContextServiceClient('KEY') whose methods take the accountId first: the configuration is
// accepted and ignored, the store is always the function's own account's. A leading argument equal
// to the function's own account id is dropped when the client was made the positional way or the
// call has one argument too many.
/**
 * @param {{ accountId?: string, apiKey?: string } | string} [config]
 * @returns {Record<string, (...args: unknown[]) => Promise<unknown>>}
 */
function ContextServiceClient(config) {
  const positional = typeof config === "string";
  /** @type {Record<string, (...args: unknown[]) => Promise<unknown>>} */
  const client = {};
  for (const [method, arity] of Object.entries(CONTEXT_METHODS)) {
    client[method] = async (...args) => {
      const own = platform.accountId();
      if (args.length > 0 && own && String(args[0]) === own && (positional || args.length > arity)) args = args.slice(1);
      args = args.slice(0, arity);
      if (WITH_PROPERTIES.has(method) && args[1] !== undefined) {
        // Values are stored as JSON, so they are sent as JSON sees them (a Date becomes its text).
        try {
          args[1] = JSON.parse(JSON.stringify(args[1]) ?? "null");
        } catch {
          throw new ContextServiceError(ErrorCodes.Context.InvalidInput, "property values must be JSON-serialisable");
        }
      }
      return callPlatform(ContextServiceError, ErrorCodes.Context.OpFailed, method, args);
    };
  }
  return client;
}
/**
 * @param {string} client
 * @param {string[]} methods
 * @param {string} [why]
 * @returns {Record<string, () => Promise<never>>}
 */
function unavailableClient(client, methods, why) {
  /** @type {Record<string, () => Promise<never>>} */
  const api = {};
  for (const m of methods) api[m] = async () => { throw new ToolbeltUnavailableError(client, why); };
  return api;
}

// A Worker presents a client certificate only through an mtls_certificates binding, fixed when the
// platform is deployed: one chosen by a function at run time (LivePerson's ClientTLS) cannot be used.
const MTLS_WHY = "on edgefn: a Cloudflare Worker cannot present a client certificate chosen at run time. " +
  "The alternative is an mTLS certificate binding (Cloudflare's mtls_certificates) configured by the platform's operator for the partner's host";
const Toolbelt = {
  SecretClient,
  HTTPClient: /** @type {HttpClientModule["HTTPClient"]} */ ((...args) =>
    // @ts-expect-error -- in the isolate http-client.js is the module "toolbelt-http.js" (worker-code.ts); tsc knows only the file
    require("./toolbelt-http.js").HTTPClient(...args)),
  ContextServiceClient,
  LpClient: () => lpClient.LpClient(),
  MTLSClient: () => unavailableClient("MTLSClient", ["get", "post", "put", "patch", "delete", "head", "options"], MTLS_WHY),
  OrchestratorClient: () => orchestrator.OrchestratorClient(),
  ConversationUtil: () => conversations.ConversationUtil(),
  GDPRUtil: () => gdpr.GDPRUtil(),
  SDEUtil: () => conversations.SDEUtil(),
  SFClient: () => unavailableClient("SFClient", ["connectToSalesforce"]),
};
const ErrorStrategy = orchestrator.ErrorStrategy;
const LpServices = {
  ACCOUNT_CONFIG_READ_ONLY: "accountConfigReadOnly", ACCOUNT_CONFIG_READ_WRITE: "accountConfigReadWrite",
  AGENT_VEP: "agentVep", ASYNC_MESSAGING: "asyncMessaging", ASYNC_MESSAGING_EN: "asyncMessagingEnt",
  AUDITLOG: "auditlog", ENG_HIST_DOMAIN: "engHistDomain", LE_DATA_REPORTING: "leDataReporting",
  MSDKGW: "msdkgw", MSG_EWT_API: "msgEwtAPI", MSG_HIST: "msgHist", PUSHER: "pusher", RTBF: "rtbf", SMT: "smt",
};
module.exports = { Toolbelt, ErrorStrategy, LpServices, ConversationContentTypes: conversations.ConversationContentTypes, SDETypes: conversations.SDETypes, ErrorCodes, SecretError, ContextServiceError, OrchestratorError: orchestrator.OrchestratorError, LpClientError: lpClient.LpClientError, ConversationUtilError: conversations.ConversationUtilError, GDPRUtilError: gdpr.GDPRUtilError, ToolbeltUnavailableError };
