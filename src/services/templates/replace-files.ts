// LivePerson's "Replace Files for Conversation" (Messaging Conversation End, reference §8.4): when a
// conversation ends, every file it shared (HOSTED_FILE messages: photos, documents) is overwritten in
// LivePerson's file storage with a 1×1 black PNG, through Toolbelt.ConversationUtil (reads the
// conversation back) and Toolbelt.GDPRUtil (replaces the files). Like Keyword Scanner it takes the
// account's one Conversation End function.
//
// The file storage's login is not LivePerson's app key: an account manager enables the feature and
// hands out a username and password, kept in a json secret named "gdpr-file-storage-credentials"
// (or the GDPR_CREDENTIALS_SECRET environment variable's value), { "username", "password" }. The
// name and the shape are edgefn's choice; LivePerson's template leaves storing them to the brand.
import { consumerEndedSample } from "./messaging";
import type { Template } from "./template";

export const replaceFiles: Template = {
  templateId: "replace-files-for-conversation",
  name: "Replace Files for Conversation",
  eventId: "controllerbot_messaging_conversation_end",
  description: "Replaces the files an ended conversation shared with a 1×1 black PNG (GDPRUtil).",
  code: String.raw`async function lambda(input, callback) {
  // Fired when a conversation ends: reads the conversation's messages back with
  // Toolbelt.ConversationUtil and replaces every file it shared (photos, documents) in LivePerson's
  // file storage with a 1×1 black PNG, with Toolbelt.GDPRUtil. This cannot be undone.
  // Answers { conversationId, replacedFiles: [path, ...] } and logs each path; the answer carries no
  // "type", so the Controller Bot sends nothing for it.
  //
  // Needs:
  //  - the file storage's credentials (your LivePerson account manager enables the feature and gives
  //    them) as a secret of type json named gdpr-file-storage-credentials (or the
  //    GDPR_CREDENTIALS_SECRET environment variable's value): { "username": "...", "password": "..." }
  //  - the account's LivePerson app key as a secret of type json named lp-faas-default-app-key,
  //    { "consumerKey", "consumerSecret", "token", "tokenSecret" } (Messaging Interactions read access)
  //  - on the domain allow-list: the Messaging History (msgHist) and file storage (swift) domains
  //    CSDS names for the account.
  const { Toolbelt, ConversationContentTypes } = require("lp-faas-toolbelt");
  const secretName = process.env.GDPR_CREDENTIALS_SECRET || "gdpr-file-storage-credentials";
  // Which files to replace: all of them. To keep some, e.g.: (path) => !path.endsWith(".pdf")
  const shouldReplace = (path) => true;

  const payload = input.payload || {};
  const general = payload.general || {};
  const conversationId = general.convId || payload.conversationId;
  if (!conversationId) {
    console.warn("No conversation id in payload.general.convId: no files to replace");
    callback(null, { conversationId: null, replacedFiles: [] });
    return;
  }

  let credentials;
  try {
    const secret = await Toolbelt.SecretClient().readSecret(secretName);
    credentials = typeof secret.value === "string" ? JSON.parse(secret.value) : secret.value;
  } catch (error) {
    callback(new Error("No file storage credentials: add a secret of type json named " + secretName +
      ' holding { "username", "password" } (' + error.message + ")"));
    return;
  }
  if (!credentials || typeof credentials.username !== "string" || typeof credentials.password !== "string") {
    callback(new Error("The secret " + secretName + ' must hold { "username", "password" } (the file storage\'s login)'));
    return;
  }

  let conversation;
  try {
    conversation = await Toolbelt.ConversationUtil().getConversationById(conversationId, [ConversationContentTypes.MESSAGE_RECORDS]);
  } catch (error) {
    if (error.code === "com.liveperson.faas.lp-client.get-credentials-failure") {
      callback(new Error("No LivePerson app key: add a secret of type json named lp-faas-default-app-key holding " +
        '{ "consumerKey", "consumerSecret", "token", "tokenSecret" } (' + error.message + ")"));
    } else if (error.code === "com.liveperson.faas.conversation-util.conversation.not-found") {
      console.warn("Conversation not found (yet) in the Messaging Interactions API", { conversationId: conversationId });
      callback(null, { conversationId: conversationId, replacedFiles: [] });
    } else {
      callback(new Error("Could not read conversation " + conversationId + ": " + (error.code ? error.code + ": " : "") + error.message));
    }
    return;
  }

  try {
    const replaced = await Toolbelt.GDPRUtil().replaceConversationFiles(conversation, credentials, shouldReplace);
    for (const path of replaced) console.info("File replaced", { conversationId: conversationId, path: path });
    console.info("File replacement done", { conversationId: conversationId, files: replaced.length });
    callback(null, { conversationId: conversationId, replacedFiles: replaced });
  } catch (error) {
    // auth-failed: wrong credentials; a refused host: the swift domain is not on the allow-list.
    callback(new Error("Could not replace the files of conversation " + conversationId + ": " + (error.code ? error.code + ": " : "") + error.message));
  }
}
`,
  samplePayload: consumerEndedSample(),
};
