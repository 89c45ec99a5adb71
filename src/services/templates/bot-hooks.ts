// Templates of the Third-Party Bots hooks (reference §8.1, §8.3): a bot connector calls a pre hook
// with each consumer message before its AI vendor sees it, a post hook with the vendor's answer
// before the consumer sees it, and an error hook when the bot fails. LivePerson lists no template
// for them (§8.4) and documents their payloads only per vendor, by example in its UI; so the shapes
// here are edgefn's choice, vendor-neutral and consistent with the Custom Integration template's:
//   pre hook   in { message, convId, context }                 answer: the same shape, to pass on
//   post hook  in { convId, message, response: { messages, context } }  answer: the response to send
//   error hook in { convId, message, error: { code, message } }  answer: ignored by the connector
// (LivePerson: "Third-Party Bots Error Hook event will not send back any payload to the bot").
import { SAMPLE_CONVERSATION_ID as CONV_ID, sample, type Template } from "./template";

const CONSUMER_TEXT = "Hi, my card 4111 1111 1111 1111 was charged twice,   mail me at jane.doe@example.com";

const preHook: Template = {
  templateId: "third-party-bots-pre-hook",
  name: "Third-Party Bots Pre Hook",
  eventId: "bot_connectors_pre_hook",
  description: "Masks card numbers and e-mails and adds customer data before the bot vendor sees it.",
  code: String.raw`function lambda(input, callback) {
  // Called with each consumer message before the bot connector hands it to the AI vendor. Answer
  // the payload to pass on, in the shape it came: { message, convId, context }. Whatever you
  // answer is what the vendor gets, so keep every field you do not change.
  // Keep it fast (well under a second): the consumer waits for the bot while this runs.
  const payload = input.payload || {};
  const context = Object.assign({}, payload.context);
  let message = String(payload.message || "");

  // Personal data the vendor need not see: card numbers (13-19 digits, spaces or dashes allowed)
  // and e-mail addresses are masked before they leave for the vendor.
  message = message
    .replace(/\b(?:\d[ -]?){12,18}\d\b/g, "[card number]")
    .replace(/[^\s@]+@[^\s@]+\.[^\s@]+/g, "[e-mail]")
    .replace(/\s+/g, " ")
    .trim();

  // Enrich: pass what LivePerson knows about the customer (the SDEs) as vendor parameters, so the
  // bot can greet a VIP differently without asking.
  const sdes = context.lpSdes || {};
  const customer = sdes.ctmrinfo || {};
  context.parameters = Object.assign({}, context.parameters, {
    customerType: customer.customerType || "unknown",
    customerId: customer.customerId || null,
  });

  callback(null, Object.assign({}, payload, { message: message, context: context }));
}
`,
  samplePayload: sample({
    message: CONSUMER_TEXT,
    convId: CONV_ID,
    context: {
      lpEvent: { type: "ContentEvent", contentType: "text/plain", message: CONSUMER_TEXT },
      lpSdes: { ctmrinfo: { customerId: "c-10023", customerType: "vip" } },
    },
  }),
};

const postHook: Template = {
  templateId: "third-party-bots-post-hook",
  name: "Third-Party Bots Post Hook",
  eventId: "bot_connectors_post_hook",
  description: "Drops empty and internal bot messages, and hands over to an agent when the bot is unsure.",
  code: String.raw`function lambda(input, callback) {
  // Called with the AI vendor's answer before the bot connector sends it on. Answer the response
  // to act on: { messages: [texts to send], context: { intentId, intentName, confidenceScore,
  // action, actionParameters } }; actions: "TRANSFER" (actionParameters.skill), "CLOSE_CONVERSATION".
  const MIN_CONFIDENCE = 0.6; // below this the bot is guessing: let a person answer
  const AGENT_SKILL = "human_agents"; // the skill that takes conversations the bot hands over

  const payload = input.payload || {}; // { convId, message (the consumer's), response }
  const response = payload.response || {};
  const context = Object.assign({}, response.context);

  // Filter: no empty bubbles, and nothing the bot designers marked as internal ("[debug] ...").
  const messages = (Array.isArray(response.messages) ? response.messages : [])
    .map((text) => String(text).trim())
    .filter((text) => text !== "" && !/^\[(debug|internal)\]/i.test(text));

  const unsure = typeof context.confidenceScore === "number" && context.confidenceScore < MIN_CONFIDENCE;
  if (unsure && !context.action) {
    messages.push("Let me bring in one of our agents to help with that.");
    context.action = "TRANSFER";
    context.actionParameters = { skill: AGENT_SKILL };
  }
  callback(null, Object.assign({}, response, { messages: messages, context: context }));
}
`,
  samplePayload: sample({
    convId: CONV_ID,
    message: "Can I change the delivery address of my order?",
    response: {
      messages: ["I think you are asking about deliveries.", "", "[debug] intent=delivery_faq score=0.42"],
      context: { intentId: "delivery_faq", intentName: "Delivery FAQ", confidenceScore: 0.42 },
    },
  }),
};

const errorHook: Template = {
  templateId: "third-party-bots-error-hook",
  name: "Third-Party Bots Error Hook",
  eventId: "bot_connectors_error_hook",
  description: "Logs a bot failure by kind, and alerts an allow-listed URL when ALERT_URL is set.",
  code: String.raw`async function lambda(input, callback) {
  // Called when the bot fails: the AI vendor is down or slow, or a hook or action failed. The bot
  // connector ignores the answer, so this is the place for side effects: record the failure and
  // tell someone. What the consumer sees (the fallback message, the transfer to an agent) is the
  // bot connector's own error handling, set up on the bot.
  // ALERT_URL (environment variable, optional): a URL to POST an alert to, e.g. a chat webhook;
  // its host must be on the domain allow-list.
  const payload = input.payload || {}; // { convId, message (the consumer's), error: { code, message } }
  const error = payload.error || {};
  const code = String(error.code || "unknown");

  // The vendor being unreachable is an outage to act on; a message it could not handle is not.
  const outage = /timeout|unavailable|invoke-lambda|failed-faas-request|\b5\d\d\b/i.test(code);
  const entry = { convId: payload.convId, code: code, message: error.message };
  if (outage) console.error("Bot outage", entry);
  else console.warn("Bot error", entry);

  let alerted = false;
  if (outage && process.env.ALERT_URL) {
    const { Toolbelt } = require("lp-faas-toolbelt");
    try {
      await Toolbelt.HTTPClient()({ method: "POST", uri: process.env.ALERT_URL, json: true, body: { text: "Bot outage on conversation " + payload.convId + ": " + code }, timeout: 3000 });
      alerted = true;
    } catch (failure) {
      console.warn("Alert not sent", { reason: failure.message });
    }
  }
  callback(null, { convId: payload.convId || null, code: code, outage: outage, alerted: alerted });
}
`,
  samplePayload: sample({
    convId: CONV_ID,
    message: "Where is my parcel?",
    // One of the connector's published error codes (reference §8.3).
    error: { code: "com.liveperson.bot-connectors-worker.error.aivendor.faas.failed-faas-request", message: "The bot's function did not answer in time" },
  }),
};

export const BOT_HOOK_TEMPLATES: Template[] = [preHook, postHook, errorHook];
