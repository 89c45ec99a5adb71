// The toolbelt module brand code gets from require('lp-faas-toolbelt') (and 'edgefn-toolbelt').
// CommonJS source shipped to the loader. Clients that the platform cannot serve yet answer with a
// clear error instead of pretending to work.
//
// SecretClient and ContextServiceClient call the Toolbelt entrypoint (src/runtime/toolbelt.ts)
// through the EDGEFN_TOOLBELT stub, which the wrapper hands over in sink.js's "platform" (a CommonJS
// module here cannot require "cloudflare:workers": it answers undefined). The stub is scoped by the
// platform to the function's own account; nothing passed here can change that, so this module
// needs no defences of its own: a function that tampers with it only hurts itself. Answers come
// back as {ok, value} | {ok: false, code, message} and failures are rebuilt as SecretError /
// ContextServiceError with a LivePerson-style "code". Every secret value read or written is noted
// for redaction (sink.js).
export const TOOLBELT_MODULE_NAMES = ["lp-faas-toolbelt", "edgefn-toolbelt"] as const;

export const TOOLBELT_SOURCE = String.raw`
"use strict";
const { platform, noteSecret } = require("./sink.js");

class ToolbeltUnavailableError extends Error {
  constructor(client) {
    super("Toolbelt." + client + " is not available on this edgefn version yet");
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
};

class SecretError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "SecretError";
    this.code = code;
  }
}

class ContextServiceError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ContextServiceError";
    this.code = code;
  }
}

// One call to the Toolbelt entrypoint; its failures become ErrorClass errors.
async function callPlatform(ErrorClass, opFailed, method, args) {
  const stub = platform.toolbelt;
  let answer;
  try {
    if (!stub) throw new Error("no toolbelt binding in this isolate");
    answer = await stub[method](...args);
  } catch (error) {
    throw new ErrorClass(opFailed, "The toolbelt could not reach the platform for " + method + ": " + (error && error.message ? error.message : String(error)));
  }
  if (!answer || answer.ok !== true) throw new ErrorClass(answer && answer.code ? answer.code : opFailed, answer && answer.message ? answer.message : method + " failed");
  return answer.value;
}

const SECRET_KEY = /^[A-Za-z0-9_-]{1,100}$/;

// LivePerson V1: readSecret(key), updateSecret({key, value}); no cache, every read asks the vault.
function SecretClient() {
  const call = (method, args) => callPlatform(SecretError, ErrorCodes.Secret.OpFailed, method, args);
  return {
    async readSecret(key) {
      const entry = await call("readSecret", [key]);
      noteSecret(entry.key, entry.value);
      return { key: entry.key, value: entry.value };
    },
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
function ContextServiceClient(config) {
  const positional = typeof config === "string";
  const client = {};
  for (const [method, arity] of Object.entries(CONTEXT_METHODS)) {
    client[method] = async (...args) => {
      if (args.length > 0 && platform.accountId && String(args[0]) === platform.accountId && (positional || args.length > arity)) args = args.slice(1);
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
function unavailableClient(client, methods) {
  const api = {};
  for (const m of methods) api[m] = async () => { throw new ToolbeltUnavailableError(client); };
  return api;
}
const Toolbelt = {
  SecretClient,
  HTTPClient: (...args) => require("./toolbelt-http.js").HTTPClient(...args),
  ContextServiceClient,
  LpClient: () => async () => { throw new ToolbeltUnavailableError("LpClient"); },
  MTLSClient: () => unavailableClient("MTLSClient", ["get", "post", "put", "patch", "delete", "head", "options"]),
  OrchestratorClient: () => unavailableClient("OrchestratorClient", ["invoke"]),
  ConversationUtil: () => unavailableClient("ConversationUtil", ["getConversationById", "scanConversationForKeywords"]),
  GDPRUtil: () => unavailableClient("GDPRUtil", ["replaceConversationFiles"]),
  SDEUtil: () => unavailableClient("SDEUtil", ["addSDEs", "getSDEsFromConv"]),
  SFClient: () => unavailableClient("SFClient", ["connectToSalesforce"]),
};
const ErrorStrategy = { EXIT_ON_ERROR: "ExitOnError", CONTINUE_ON_ERROR: "ContinueOnError" };
const LpServices = {
  ACCOUNT_CONFIG_READ_ONLY: "accountConfigReadOnly", ACCOUNT_CONFIG_READ_WRITE: "accountConfigReadWrite",
  AGENT_VEP: "agentVep", ASYNC_MESSAGING: "asyncMessaging", ASYNC_MESSAGING_EN: "asyncMessagingEnt",
  AUDITLOG: "auditlog", ENG_HIST_DOMAIN: "engHistDomain", LE_DATA_REPORTING: "leDataReporting",
  MSDKGW: "msdkgw", MSG_EWT_API: "msgEwtAPI", MSG_HIST: "msgHist", PUSHER: "pusher", RTBF: "rtbf", SMT: "smt",
};
module.exports = { Toolbelt, ErrorStrategy, LpServices, ConversationContentTypes: {}, SDETypes: {}, ErrorCodes, SecretError, ContextServiceError, ToolbeltUnavailableError };
`;
