// The toolbelt module brand code gets from require('lp-faas-toolbelt') (and 'edgefn-toolbelt').
// CommonJS source shipped to the loader. Clients that the platform cannot serve yet answer with a
// clear error instead of pretending to work.
export const TOOLBELT_MODULE_NAMES = ["lp-faas-toolbelt", "edgefn-toolbelt"] as const;

export const TOOLBELT_SOURCE = String.raw`
"use strict";
class ToolbeltUnavailableError extends Error {
  constructor(client) {
    super("Toolbelt." + client + " is not available on this edgefn version yet");
    this.name = "ToolbeltUnavailableError";
  }
}
function unavailableClient(client, methods) {
  const api = {};
  for (const m of methods) api[m] = async () => { throw new ToolbeltUnavailableError(client); };
  return api;
}
const Toolbelt = {
  SecretClient: () => unavailableClient("SecretClient", ["readSecret", "updateSecret"]),
  HTTPClient: (...args) => require("./toolbelt-http.js").HTTPClient(...args),
  ContextServiceClient: () => unavailableClient("ContextServiceClient", ["createNamespace", "deleteNamespace", "getListOfNamespaces", "setPropertiesInNamespace", "updatePropertiesInNamespace", "getAllPropertiesInSession", "getSelectedPropertiesInSession", "getPropertyInSession", "deletePropertyInSession", "deleteSession", "getListOfSessions"]),
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
module.exports = { Toolbelt, ErrorStrategy, LpServices, ConversationContentTypes: {}, SDETypes: {}, ToolbeltUnavailableError };
`;
