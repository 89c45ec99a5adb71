// One default template per Automatic Messages (Controller Bot) event (reference §8.2). Each answers
// a list of commands: {type: "systemMessage", text}, {type: "transfer", skillId?, agentId?},
// {type: "closeConversation"}; [] does nothing. One function serves every conversation event mapped
// to its function event, so each template looks at general.cbotEventType first.
//
// Also here: LivePerson's "Keyword Scanner" (Conversation End), which reads the ended conversation
// through Toolbelt.ConversationUtil and answers the keyword hits. "Replace Files for Conversation", on
// the same event, is in replace-files.ts.
// Left out: "Messaging Consumer Step Up", whose event id is not published (events-catalogue.ts).
import { SAMPLE_CONVERSATION_ID as CONV_ID, SAMPLE_START_MS as STARTED, sample, type SamplePayload, type Template } from "./template";

// The commands every template's comment explains once, so a brand reading any of them knows them all.
const COMMANDS = String.raw`  // Answer a list of commands (only the first of each type is used; [] does nothing):
  //   { type: "systemMessage", text: "..." }          a message to the consumer
  //   { type: "transfer", skillId: "...", agentId? }  route the conversation elsewhere
  //   { type: "closeConversation" }                   close it
  // callback(null) without a result sends the account's default automatic message instead.
  // Keep it under a second: a slow answer races the conversation. Errors and timeouts are retried
  // up to 3 times.
  const payload = input.payload || {};`;

// A realistic Controller Bot payload: the `general` block every event carries, plus its own block.
function controllerBotPayload(cbotEventType: string, own: Record<string, unknown>, general: Record<string, unknown> = {}): SamplePayload {
  return sample({
    general: {
      cbotEventType,
      type: "MESSAGING",
      convId: CONV_ID,
      dialogId: CONV_ID,
      sessionId: "3e4d7c2a-1f0b-4b9e-8a6d-5c2f9e1b0a73",
      startTs: STARTED,
      effectiveTTR: STARTED + 3_600_000,
      oldConvState: "OPEN",
      newConvState: "OPEN",
      contexttype: "SharkContext",
      campaignInfo: { id: "3217452910", engangementId: "3217453010" },
      clientLanguage: "en-US",
      clientFeatures: ["PHOTO_SHARING", "QUICK_REPLIES", "MARKDOWN_HYPERLINKS"],
      inOffHours: false,
      visitorId: "Q4ZmM2ODE4Y2ExZWQ3NDlm",
      originatorId: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96",
      originatorPid: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96",
      originatorMetadata: { id: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96", role: "CONSUMER" },
      serverTimestamp: STARTED + 120_000,
      clientIpAdress: "203.0.113.24",
      manualETTR: 0,
      lastMessageComposer: "CONSUMER",
      lastMessageTs: STARTED + 110_000,
      lastAgentMsgTs: 0,
      backToQueueTs: 0,
      ...general,
    },
    ...own,
  });
}

/** A Controller Bot template: its code is the header comment plus `body` inside lambda. */
function controllerBotTemplate(t: { templateId: string; name: string; eventId: string; description: string; handles: string; body: string; samplePayload: SamplePayload }): Template {
  return {
    templateId: t.templateId,
    name: t.name,
    eventId: t.eventId,
    description: t.description,
    code: `function lambda(input, callback) {\n  // ${t.handles}\n${COMMANDS}\n${t.body}}\n`,
    samplePayload: t.samplePayload,
  };
}

const newConversation = controllerBotTemplate({
  templateId: "messaging-new-conversation",
  name: "Messaging New Conversation",
  eventId: "controllerbot_messaging_new_conversation",
  description: "Welcomes the consumer, with other words for a first conversation or off-hours.",
  handles: "Fired for CONSUMER_OPEN_NEW_CONVERSATION[_FIRST_TIME][_OFF_HOURS] and ..._AFTER_AUTOCLOSE.",
  body: String.raw`  const general = payload.general || {};
  const start = payload.start || {};
  let commands = [];
  if (String(general.cbotEventType).startsWith("CONSUMER_OPEN_NEW_CONVERSATION")) {
    let text = "Welcome back! An agent will be with you shortly.";
    if (general.inOffHours) text = "Thanks for your message! We are closed right now and will answer as soon as we open.";
    else if (start.firstConversation) text = "Welcome! Nice to meet you - an agent will be with you shortly.";
    commands = [{ type: "systemMessage", text: text }];
  }
  callback(null, commands);
`,
  samplePayload: controllerBotPayload("CONSUMER_OPEN_NEW_CONVERSATION_FIRST_TIME", { start: { firstConversation: true } }, { oldConvState: "CLOSE" }),
});

const conversationEnd = controllerBotTemplate({
  templateId: "messaging-conversation-end",
  name: "Messaging Conversation End",
  eventId: "controllerbot_messaging_conversation_end",
  description: "Says goodbye when an agent, the consumer or the system closes the conversation.",
  handles: "Fired for AGENT_END_CONVERSATION, CONSUMER_END_CONVERSATION and SYSTEM_END_CONVERSATION.",
  body: String.raw`  const general = payload.general || {};
  const GOODBYES = {
    AGENT_END_CONVERSATION: "Thanks for chatting with us today. Have a great day!",
    CONSUMER_END_CONVERSATION: "Thanks for reaching out - we are here whenever you need us.",
    SYSTEM_END_CONVERSATION: "We closed this conversation after a while without messages. Write again any time!",
  };
  const text = GOODBYES[general.cbotEventType];
  callback(null, text ? [{ type: "systemMessage", text: text }] : []);
`,
  samplePayload: controllerBotPayload("AGENT_END_CONVERSATION", { end: { closeReason: "AGENT" } }, { newConvState: "CLOSE", lastMessageComposer: "AGENT", lastAgentMsgTs: STARTED + 600_000 }),
});

const conversationIdle = controllerBotTemplate({
  templateId: "messaging-conversation-idle",
  name: "Messaging Conversation Idle",
  eventId: "controllerbot_messaging_conversation_idle",
  description: "Nudges the consumer, or apologises for the wait when the agent or the queue is slow.",
  handles: "Fired for CONV_AWAITING_IN_QUEUE, AGENT_NON_RESPONSIVE and CONSUMER_NON_RESPONSIVE.",
  body: String.raw`  const general = payload.general || {};
  const REMINDERS = {
    CONSUMER_NON_RESPONSIVE: "Are you still there? Just reply here and we will carry on.",
    AGENT_NON_RESPONSIVE: "Sorry for the wait - your agent will get back to you in a moment.",
    CONV_AWAITING_IN_QUEUE: "All our agents are busy right now. Thanks for your patience, you are next in line soon.",
  };
  const text = REMINDERS[general.cbotEventType];
  // To move a long-waiting conversation elsewhere, add e.g. { type: "transfer", skillId: "<skill id>" }.
  callback(null, text ? [{ type: "systemMessage", text: text }] : []);
`,
  samplePayload: controllerBotPayload(
    "CONSUMER_NON_RESPONSIVE",
    {
      idle: {
        lastConsumerMsgTs: STARTED + 110_000,
        agentNonResponsive: { time: 5, timeUnits: "MINUTES" },
        consumserNonResponsive: { time: 10, timeUnits: "MINUTES" }, // LivePerson's spelling
        convNotTakenTime: { time: 3, timeUnits: "MINUTES" },
      },
    },
    { lastMessageComposer: "AGENT", lastAgentMsgTs: STARTED + 300_000 },
  ),
});

const conversationRouting = controllerBotTemplate({
  templateId: "messaging-conversation-routing",
  name: "Messaging Conversation Routing",
  eventId: "controllerbot_messaging_conversation_routing",
  description: "Tells the consumer the conversation moves to another team.",
  handles: "Fired for ENGAGEMENT_TRANSFERED (LivePerson's spelling) when the skill changes.",
  body: String.raw`  const general = payload.general || {};
  const routing = payload.routing || {};
  let commands = [];
  if (general.cbotEventType === "ENGAGEMENT_TRANSFERED" && routing.newSkillId !== routing.oldSkillId) {
    commands = [{ type: "systemMessage", text: "We are passing your conversation to the right team - one moment please." }];
  }
  callback(null, commands);
`,
  samplePayload: controllerBotPayload("ENGAGEMENT_TRANSFERED", { routing: { oldSkillId: "3225719410", newSkillId: "3225719510" } }),
});

const lineInOffHours = controllerBotTemplate({
  templateId: "messaging-line-in-off-hours",
  name: "Messaging Line in Off-Hours",
  eventId: "controllerbot_messaging_mid_conversation_msg",
  description: "Answers a consumer who writes after hours in a conversation opened during opening hours.",
  handles: "Fired for CONSUMER_SEND_MESSAGE_ON_OFFHOURS.",
  body: String.raw`  const general = payload.general || {};
  let commands = [];
  if (general.cbotEventType === "CONSUMER_SEND_MESSAGE_ON_OFFHOURS") {
    commands = [{ type: "systemMessage", text: "Thanks for your message! We are closed now and will reply first thing when we open." }];
  }
  callback(null, commands);
`,
  samplePayload: controllerBotPayload("CONSUMER_SEND_MESSAGE_ON_OFFHOURS", { mid: { openedInOffHours: false } }, { inOffHours: true }),
});

const participantsChange = controllerBotTemplate({
  templateId: "messaging-participants-change",
  name: "Messaging Participants Change",
  eventId: "controllerbot_messaging_participants_change",
  description: "Tells the consumer when an agent joins, leaves, or the conversation goes back to the queue.",
  handles: "Fired for YOU_ARE_CONNECTED_TO, BACK_TO_QUEUE, JOINED_AGENT_LEFT_CONVERSATION and ANOTHER_AGENT_JOINED_CONVERSATION.",
  body: String.raw`  const general = payload.general || {};
  const NOTICES = {
    YOU_ARE_CONNECTED_TO: "You are now connected to an agent.",
    ANOTHER_AGENT_JOINED_CONVERSATION: "Another agent joined to help you.",
    JOINED_AGENT_LEFT_CONVERSATION: "An agent left the conversation; the others are still with you.",
    BACK_TO_QUEUE: "We are finding the next available agent for you.",
  };
  const text = NOTICES[general.cbotEventType];
  callback(null, text ? [{ type: "systemMessage", text: text }] : []);
`,
  samplePayload: controllerBotPayload("YOU_ARE_CONNECTED_TO", {
    participantChange: {
      oldParticipants: [{ id: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96", role: "CONSUMER" }],
      newParticipants: [
        { id: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96", role: "CONSUMER" },
        { id: "12345678.3204731710", role: "ASSIGNED_AGENT" },
      ],
    },
  }),
});

const ttr = controllerBotTemplate({
  templateId: "messaging-ttr",
  name: "Messaging TTR",
  eventId: "controllerbot_messaging_ttr",
  description: "Confirms an urgent request, or tells the consumer the new response time.",
  handles: "Fired for CONSUMER_ASKED_URGENT_RESPONSE_TIME, CONSUMER_CANCELED_URGENT_RESPONSE_TIME and AGENT_UPDATED_RESPONSE_TIME.",
  body: String.raw`  const general = payload.general || {};
  const newTtr = (payload.ttr && payload.ttr.newTtr) || {};
  const seconds = Number(newTtr.value); // the new response time, in seconds
  const TEXTS = {
    CONSUMER_ASKED_URGENT_RESPONSE_TIME: "Got it - we marked your conversation as urgent.",
    CONSUMER_CANCELED_URGENT_RESPONSE_TIME: "Your conversation is no longer marked as urgent.",
    AGENT_UPDATED_RESPONSE_TIME: seconds > 0
      ? "We expect to reply within about " + Math.max(1, Math.round(seconds / 60)) + " minutes."
      : "We updated the time we expect to reply in.",
  };
  const text = TEXTS[general.cbotEventType];
  callback(null, text ? [{ type: "systemMessage", text: text }] : []);
`,
  samplePayload: controllerBotPayload("CONSUMER_ASKED_URGENT_RESPONSE_TIME", {
    ttr: { oldTtr: { ttrType: "NORMAL", value: 3600 }, newTtr: { ttrType: "URGENT", value: 600 } },
  }),
});

/** Conversation End as the consumer ended it: the sample of the templates that read the conversation back. */
export const consumerEndedSample = () => controllerBotPayload("CONSUMER_END_CONVERSATION", { end: { closeReason: "CONSUMER" } }, { newConvState: "CLOSE" });

// LivePerson's "Keyword Scanner": the same event as Conversation End (an account binds one of the
// two), but it reads the conversation back through ConversationUtil (LpClient: CSDS + the app key in
// the secret lp-faas-default-app-key) and answers its keyword hits instead of commands.
const keywordScanner: Template = {
  templateId: "keyword-scanner",
  name: "Keyword Scanner",
  eventId: "controllerbot_messaging_conversation_end",
  description: "Scans the ended conversation's messages for keywords (KEYWORDS) with ConversationUtil.",
  code: String.raw`async function lambda(input, callback) {
  // Fired when a conversation ends: reads the conversation back from the Messaging Interactions API
  // with Toolbelt.ConversationUtil and answers the messages that contain one of the keywords:
  //   [{ message, sentTimestamp, sentBy, tag: "keywordRef:<keyword>" }, ...]
  // Each hit is logged too. The hits carry no "type", so the Controller Bot sends nothing for them.
  //
  // Keywords: the KEYWORDS environment variable (comma-separated, e.g. "refund,cancel") or the list
  // below. Matching is case-insensitive and finds a keyword inside longer words too.
  // Needs: the account's LivePerson app key as a secret of type json named lp-faas-default-app-key,
  //   { "consumerKey": "...", "consumerSecret": "...", "token": "...", "tokenSecret": "..." }
  // (an API key with the Messaging Interactions API's read permission), and the Messaging History
  // domain CSDS names for the account on the domain allow-list.
  const { Toolbelt, ConversationContentTypes } = require("lp-faas-toolbelt");
  const DEFAULT_KEYWORDS = ["refund", "cancel", "complaint", "manager"];

  const payload = input.payload || {};
  const general = payload.general || {};
  const conversationId = general.convId || payload.conversationId;
  const keywords = process.env.KEYWORDS
    ? process.env.KEYWORDS.split(",").map((k) => k.trim()).filter((k) => k !== "")
    : DEFAULT_KEYWORDS;
  if (!conversationId) {
    console.warn("No conversation id in payload.general.convId: nothing to scan");
    callback(null, []);
    return;
  }

  const conversationUtil = Toolbelt.ConversationUtil();
  let conversation;
  try {
    conversation = await conversationUtil.getConversationById(conversationId, [ConversationContentTypes.MESSAGE_RECORDS]);
  } catch (error) {
    if (error.code === "com.liveperson.faas.lp-client.get-credentials-failure") {
      callback(new Error("No LivePerson app key: add a secret of type json named lp-faas-default-app-key holding " +
        '{ "consumerKey", "consumerSecret", "token", "tokenSecret" } (' + error.message + ")"));
    } else if (error.code === "com.liveperson.faas.conversation-util.conversation.not-found") {
      console.warn("Conversation not found (yet) in the Messaging Interactions API", { conversationId: conversationId });
      callback(null, []);
    } else {
      // A refused or unreachable host usually means the Messaging History domain is not allow-listed.
      callback(new Error("Could not read conversation " + conversationId + ": " + (error.code ? error.code + ": " : "") + error.message));
    }
    return;
  }

  const hits = conversationUtil.scanConversationForKeywords(conversation, keywords);
  for (const hit of hits) console.info("Keyword found", { conversationId: conversationId, tag: hit.tag, sentBy: hit.sentBy, sentTimestamp: hit.sentTimestamp });
  console.info("Keyword scan done", { conversationId: conversationId, keywords: keywords.length, hits: hits.length });
  callback(null, hits);
}
`,
  samplePayload: consumerEndedSample(),
};

export const MESSAGING_TEMPLATES: Template[] = [newConversation, conversationEnd, keywordScanner, conversationIdle, conversationRouting, lineInOffHours, participantsChange, ttr];
