// Default templates of the events outside Automatic Messages (reference §8.3): Chat Post Survey
// E-Mail Transcript, Conversational Command, the legacy survey bot's Survey Started / Ended and
// Third-Party Bots Custom Integration. The bot connectors' pre/post/error hooks have theirs in
// bot-hooks.ts.
import { SAMPLE_CONVERSATION_ID as CONV_ID, SAMPLE_START_MS as STARTED, sample, type Template } from "./template";

const chatPostSurvey: Template = {
  templateId: "chat-post-survey-email-transcript",
  name: "Chat Post Survey E-Mail Transcript",
  eventId: "denver_post_survey_email_transcript",
  description: "Mails the transcript to the consumer's survey address, and to supervisors on a low rating.",
  code: String.raw`function lambda(input, callback) {
  // Fired after a chat ended and its post-chat survey was submitted. Answer the e-mails the chat
  // server should send the transcript with: a list of { targetEmail, senderName, senderEmail, subject };
  // [] sends none. An error sends no e-mail at all and is not retried.
  const SENDER_NAME = "Customer Care"; // change to your brand's
  const SENDER_EMAIL = "care@brand.example";
  const SUPERVISOR_EMAIL = "supervisors@brand.example"; // gets the transcripts of unhappy customers

  const survey = input.payload || {}; // { csatRank (1-5), skillName, agentName, questionWithAnswers }
  const answers = Array.isArray(survey.questionWithAnswers) ? survey.questionWithAnswers : [];
  const emails = [];

  // The consumer's own address, when the survey asked for it.
  const emailAnswer = answers.find((qa) => /e-?mail/i.test(qa.question) && /^[^@\s;]+@[^@\s;]+$/.test(String(qa.answer).trim()));
  if (emailAnswer) {
    emails.push({ targetEmail: emailAnswer.answer.trim(), senderName: SENDER_NAME, senderEmail: SENDER_EMAIL, subject: "Your chat with " + (survey.agentName || "us") });
  }
  if (Number(survey.csatRank) <= 2) {
    emails.push({ targetEmail: SUPERVISOR_EMAIL, senderName: SENDER_NAME, senderEmail: SENDER_EMAIL, subject: "Low satisfaction (" + survey.csatRank + "/5) on " + survey.skillName });
  }
  callback(null, emails);
}
`,
  samplePayload: sample({
    csatRank: 2,
    skillName: "Billing",
    agentName: "Alex",
    questionWithAnswers: [
      { question: "How satisfied were you with this chat?", answer: "2" },
      { question: "What could we do better?", answer: "Faster answers;Clearer prices" }, // multiple choice: "a;b"
      { question: "Your e-mail address for the transcript", answer: "jane.doe@example.com" },
    ],
  }),
};

const conversationalCommand: Template = {
  templateId: "conversational-command",
  name: "Conversational Command",
  eventId: "conversational_command",
  description: "[topic] - a canned answer the agent can paste (shipping, returns, hours)",
  code: String.raw`function lambda(input, callback) {
  // An agent types /<function name> [arguments] in the Agent Workspace; the function's description
  // is shown as help (LivePerson recommends "[arg, opt:optional] - what it does").
  // Answer a string or number: only the agent sees it, it is not stored in the transcript.
  // callback(new Error("...")) shows the agent the error's message.
  const ANSWERS = {
    shipping: "Orders ship within 2 working days; delivery takes 3-5 days.",
    returns: "You can return anything within 30 days - the return label is in your order e-mail.",
    hours: "We are here Monday to Friday, 8:00-20:00, and Saturday 9:00-14:00.",
  };
  const payload = input.payload || {}; // { conversationId, arguments: [the words after the command] }
  const args = Array.isArray(payload.arguments) ? payload.arguments : [];
  const topic = String(args[0] || "").toLowerCase();
  const answer = ANSWERS[topic] || (topic ? "Unknown topic '" + topic + "'. " : "") + "Topics: " + Object.keys(ANSWERS).join(", ");
  callback(null, answer);
}
`,
  samplePayload: sample({ conversationId: CONV_ID, arguments: ["shipping"] }),
};

// The legacy post conversation survey bot ignores the function's answer; "ok" is the convention.
const surveyPayload = (state: string, lastQuestionId: string, lastAnswer: string) =>
  sample({
    conversationId: CONV_ID,
    accountId: "12345678",
    surveyId: "3310226310",
    surveyRevision: 2,
    skillId: "3225719410",
    lastContentEventNotification: {
      sequence: 14,
      originatorId: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96",
      originatorMetadata: { id: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96", role: "CONSUMER" },
      serverTimestamp: STARTED + 900_000,
      event: { type: "ContentEvent", message: lastAnswer, contentType: "text/plain" },
      dialogId: "5d0e7a91-2c4b-4f36-8e1a-9b7c3d2f6e08",
    },
    campaignInfo: { campaignId: 3217452910, engagementId: 3217453010 },
    closeReason: "AGENT",
    context: { type: "SharkContext", lang: "en-US", clientProperties: { type: ".ClientProperties", appId: "webAsync", deviceFamily: "DESKTOP", os: "WINDOWS" } },
    dialogs: [
      { dialogId: CONV_ID, dialogType: "MAIN", state: "CLOSE", channelType: "MESSAGING" },
      { dialogId: "5d0e7a91-2c4b-4f36-8e1a-9b7c3d2f6e08", dialogType: "POST_SURVEY", state, channelType: "MESSAGING" },
    ],
    participants: [
      { id: "b1d9c2e7-6a4f-4c8e-9d2b-7f3a1e5c0b96", role: "CONSUMER" },
      { id: "12345678.3310226410", role: "CONTROLLER" },
    ],
    state: "OPEN",
    startTs: STARTED,
    ttr: { ttrType: "NORMAL", value: 3600 },
    lastQuestionId,
  });

const surveyStarted: Template = {
  templateId: "messaging-survey-started",
  name: "Messaging Survey Started",
  eventId: "surveybot_messaging_survey_started",
  description: "Logs which survey started for which conversation and skill.",
  code: String.raw`function lambda(input, callback) {
  // Fired when the (legacy) post conversation survey bot starts a survey. The survey bot ignores the
  // answer, so this is the place for side effects: record the start in your CRM, for instance.
  const survey = input.payload || {};
  console.info("Survey started", { conversationId: survey.conversationId, surveyId: survey.surveyId, skillId: survey.skillId });
  callback(null, "ok");
}
`,
  samplePayload: surveyPayload("OPEN", "", "Sure"),
};

const surveyEnded: Template = {
  templateId: "messaging-survey-ended",
  name: "Messaging Survey Ended",
  eventId: "surveybot_messaging_survey_ended",
  description: "Logs the end of a survey with its last question and answer.",
  code: String.raw`function lambda(input, callback) {
  // Fired when the (legacy) post conversation survey bot ends a survey. The survey bot ignores the
  // answer; send the results on from here (e.g. with Toolbelt.HTTPClient to an allow-listed host).
  const survey = input.payload || {};
  const last = survey.lastContentEventNotification || {};
  const lastAnswer = last.event ? last.event.message : undefined;
  console.info("Survey ended", { conversationId: survey.conversationId, surveyId: survey.surveyId, lastQuestionId: survey.lastQuestionId, lastAnswer: lastAnswer });
  callback(null, "ok");
}
`,
  samplePayload: surveyPayload("CLOSE", "q3", "5"),
};

const customIntegration: Template = {
  templateId: "third-party-bots-custom-integration",
  name: "Third-Party Bots Custom Integration",
  eventId: "bot_connectors_custom_integration",
  description: "A small bot: hands over to an agent on request, closes on goodbye, else echoes.",
  code: String.raw`function lambda(input, callback) {
  // This function is the bot: the bot connector calls it with each consumer message and sends what
  // it answers: { messages: [texts to send], context: { intentId, intentName, confidenceScore,
  // action, actionParameters } }. Actions: "TRANSFER" (actionParameters.skill), "CLOSE_CONVERSATION",
  // or none to keep talking.
  const AGENT_SKILL = "human_agents"; // the skill that takes conversations the bot hands over

  const payload = input.payload || {}; // { message, convId, context }
  const message = String(payload.message || "").trim();
  let answer;
  if (message === "") {
    answer = { messages: ["Hi! How can I help you today?"], context: { intentId: "welcome", intentName: "Welcome", confidenceScore: 1 } };
  } else if (/\b(agent|human|person)\b/i.test(message)) {
    answer = {
      messages: ["Sure - let me connect you with one of our agents."],
      context: { intentId: "escalate", intentName: "Talk to an agent", confidenceScore: 1, action: "TRANSFER", actionParameters: { skill: AGENT_SKILL } },
    };
  } else if (/^(bye|goodbye|thanks|thank you)\b/i.test(message)) {
    answer = {
      messages: ["Happy to help. Goodbye!"],
      context: { intentId: "goodbye", intentName: "Goodbye", confidenceScore: 1, action: "CLOSE_CONVERSATION" },
    };
  } else {
    answer = {
      messages: ["You said: " + message, "Type 'agent' to talk to a person."],
      context: { intentId: "fallback", intentName: "Fallback", confidenceScore: 0.5 },
    };
  }
  callback(null, answer);
}
`,
  // LivePerson documents this payload only by example in its UI; this follows the connector's
  // message event: the consumer's text, the conversation and the connector's context.
  samplePayload: sample({
    message: "Can I talk to an agent please?",
    convId: CONV_ID,
    context: {
      lpEvent: { type: "ContentEvent", contentType: "text/plain", message: "Can I talk to an agent please?" },
      lpSdes: { ctmrinfo: { customerId: "c-10023", customerType: "vip" } },
    },
  }),
};

export const OTHER_EVENT_TEMPLATES: Template[] = [chatPostSurvey, conversationalCommand, surveyStarted, surveyEnded, customIntegration];
