// @ts-check
// `conversation-util.js` in the tenant isolate of code that names the toolbelt (CommonJS): Toolbelt.ConversationUtil() and
// Toolbelt.SDEUtil(), LivePerson V1's helpers over a conversation of the Messaging Interactions API.
// The calls to LivePerson go through LpClient (lp-client.js), so they use the account's app key,
// CSDS and the allow-list like any LpClient call; the rest is pure data handling.
//   getConversationById(id, contentToRetrieve?) → {_metadata, conversationHistoryRecords}
//   scanConversationForKeywords(conversation, keywords) → [{message, sentTimestamp, sentBy, tag}]
//   getSDEsFromConv(conversation) → {sdes: {events}, unAuthSdes: {events}} (by server time, ascending)
//   addSDEs(sdes, visitorId, sessionId) (Engagement Attributes API, service smt)
"use strict";
const platform = require("./platform.js");
const { LpClient } = require("./lp-client.js");

const ConversationUtilCodes = {
  ConversationNotFound: "com.liveperson.faas.conversation-util.conversation.not-found",
};

class ConversationUtilError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "ConversationUtilError";
    this.code = code;
  }
}

// LivePerson's ConversationContentTypes: the MI API's contentToRetrieve values.
const CONTENT_TYPES = [
  "agentParticipants", "agentParticipantsActive", "agentParticipantsLeave", "campaign", "coBrowseSessions",
  "consumerParticipants", "conversationSurveys", "dialogs", "info", "intents", "interactions", "latestAgentSurvey",
  "messageRecords", "messageScores", "messageStatuses", "monitoring", "previouslySubmittedAgentSurveys",
  "responseTime", "sdes", "skillChanges", "summary", "transfers", "unAuthSdes", "uniqueIntents",
];
/** @type {Record<string, string>} */
const ConversationContentTypes = Object.fromEntries(CONTENT_TYPES.map((t) => [t.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase(), t]));

// LivePerson's SDETypes: the Engagement Attributes' event types.
const SDETypes = {
  CART_STATUS: "cart", CUSTOMER_INFO: "ctmrinfo", PERSONAL_INFO: "personal", MARKETING_CAMPAIGN_INFO: "mrktInfo",
  LEAD: "lead", PURCHASE: "purchase", VIEWED_PRODUCT: "prodView", SERVICE_ACTIVITY: "service",
  VISITOR_ERROR: "err", SEARCH_CONTENT: "searchInfo",
};

/** @param {any} conversation @returns {any[]} the conversation's records, whatever shape was given */
const recordsOf = (conversation) =>
  conversation && Array.isArray(conversation.conversationHistoryRecords) ? conversation.conversationHistoryRecords : conversation ? [conversation] : [];

const ownAccount = () => {
  const id = platform.accountId();
  if (!id) throw new ConversationUtilError("com.liveperson.faas.conversation-util.general", "the function's account is unknown");
  return encodeURIComponent(id);
};

/**
 * @param {unknown} conversationId
 * @param {string[]} [contentToRetrieve] all of the MI API's defaults when absent
 */
async function getConversationById(conversationId, contentToRetrieve) {
  if (typeof conversationId !== "string" || !conversationId) throw new TypeError("getConversationById: conversationId must be a string");
  /** @type {Record<string, unknown>} */
  const body = { conversationId };
  if (Array.isArray(contentToRetrieve) && contentToRetrieve.length) body.contentToRetrieve = contentToRetrieve;
  const path = "/messaging_history/api/account/" + ownAccount() + "/conversations/conversation/search";
  const answer = /** @type {any} */ (await LpClient()("msgHist", path, { method: "POST", json: true, body, qs: { v: 2 } }));
  if (!answer || !Array.isArray(answer.conversationHistoryRecords) || answer.conversationHistoryRecords.length === 0) {
    throw new ConversationUtilError(ConversationUtilCodes.ConversationNotFound, "Conversation " + JSON.stringify(conversationId) + " was not found");
  }
  return answer;
}

/**
 * One entry per (message, keyword) whose text contains the keyword, case-insensitively.
 * @param {any} conversation
 * @param {unknown[]} keywords
 */
function scanConversationForKeywords(conversation, keywords) {
  const words = /** @type {string[]} */ ((Array.isArray(keywords) ? keywords : []).filter((k) => typeof k === "string" && k !== ""));
  const hits = [];
  for (const record of recordsOf(conversation)) {
    for (const message of Array.isArray(record && record.messageRecords) ? record.messageRecords : []) {
      const text = message && message.messageData && message.messageData.msg ? message.messageData.msg.text : undefined;
      if (typeof text !== "string") continue;
      const lower = text.toLowerCase();
      for (const word of words) {
        if (lower.includes(word.toLowerCase())) hits.push({ message: text, sentTimestamp: message.timeL, sentBy: message.sentBy, tag: "keywordRef:" + word });
      }
    }
  }
  return hits;
}

/** @param {any} conversation */
function getSDEsFromConv(conversation) {
  /** @param {"sdes" | "unAuthSdes"} field */
  const events = (field) => {
    const all = [];
    for (const record of recordsOf(conversation)) {
      const list = record && record[field] && Array.isArray(record[field].events) ? record[field].events : [];
      all.push(...list);
    }
    // serverTimeStamp is text in the MI API ("1529...", ms); the sort is stable for equal times.
    return all.sort((a, b) => Number(a && a.serverTimeStamp) - Number(b && b.serverTimeStamp));
  };
  return { sdes: { events: events("sdes") }, unAuthSdes: { events: events("unAuthSdes") } };
}

/**
 * @param {unknown} sdes
 * @param {unknown} visitorId
 * @param {unknown} sessionId
 * @returns {Promise<void>}
 */
async function addSDEs(sdes, visitorId, sessionId) {
  if (!Array.isArray(sdes)) throw new TypeError("addSDEs: sdes must be an array of {type, ...}");
  if (typeof visitorId !== "string" || !visitorId || typeof sessionId !== "string" || !sessionId) throw new TypeError("addSDEs: visitorId and sessionId must be strings");
  const path = "/api/account/" + ownAccount() + "/monitoring/visitors/" + encodeURIComponent(visitorId) + "/visits/current/events";
  await LpClient()("smt", path, { method: "POST", json: true, body: sdes, qs: { v: 1, sid: sessionId } });
}

const ConversationUtil = () => ({ getConversationById, scanConversationForKeywords });
const SDEUtil = () => ({ addSDEs, getSDEsFromConv });

module.exports = { ConversationUtil, SDEUtil, ConversationUtilError, ConversationUtilCodes, ConversationContentTypes, SDETypes };
