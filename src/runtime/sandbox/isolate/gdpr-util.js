// @ts-check
// `gdpr-util.js` in the tenant isolate of code that names the toolbelt (CommonJS): Toolbelt.GDPRUtil(), LivePerson's
//   replaceConversationFiles(conversation, {username, password}, shouldReplace?, replacementFile?)
//     → Promise<string[]> (the paths replaced)
// which overwrites the files a messaging conversation shared (HOSTED_FILE messages) in LivePerson's
// file storage ("swift", an OpenStack Swift store found through CSDS) with a replacement file: by
// default a 1×1 black PNG. LivePerson's protocol:
//   1. the paths: the first conversation record's messageRecords of type HOSTED_FILE →
//      messageData.file.relativePath, kept where shouldReplace(path) is true; none → [] with no
//      request at all;
//   2. GET https://{swift}/auth/v1.0 with X-Auth-User / X-Auth-Key → the token in x-auth-token;
//   3. PUT https://{swift}{path} with the token and the replacement, all paths in parallel.
// The swift host comes from the same CSDS lookup and cache as LpClient's (lp-client.js), and every
// request is the isolate's own fetch, so the allow-list and the outbound record apply. The password
// and the token are noted for redaction before any request, so neither reaches a log, a record or
// an error message (not even when the storage echoes the password back).
"use strict";
const platform = require("./platform.js");
const { serviceBaseUrl } = require("./lp-client.js");

const GDPRUtilCodes = {
  General: "com.liveperson.faas.gdpr-util-general",
  AuthFailure: "com.liveperson.faas.gdpr-util.auth-failed",
  ReplaceFileFailed: "com.liveperson.faas.gdpr-util.replace-file-failed",
};

class GDPRUtilError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "GDPRUtilError";
    this.code = code;
  }
}

// A 1×1 black PNG (8-bit greyscale; its one pixel is 0): signature, IHDR, IDAT (the zlib stream of
// the scanline [filter 0, pixel 0]) and IEND, with their CRCs. test/toolbelt-gdpr-util.test.ts
// decodes it.
const BLACK_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==";

/** @returns {{ contentType: string, body: Uint8Array }} a fresh copy, so no caller can change the default */
const defaultReplacement = () => ({ contentType: "image/png", body: Uint8Array.from(atob(BLACK_PIXEL_PNG), (c) => c.charCodeAt(0)) });

const messageOf = (/** @type {unknown} */ e) => (e && /** @type {{ message?: unknown }} */ (e).message ? String(/** @type {{ message?: unknown }} */ (e).message) : String(e));

/**
 * The relative paths of the files the conversation's first record shared.
 * @param {any} conversation
 * @returns {string[] | null} null: the conversation has no records
 */
function hostedFilePaths(conversation) {
  const records = conversation && conversation.conversationHistoryRecords;
  if (!Array.isArray(records) || records.length === 0) return null;
  const messages = records[0] && records[0].messageRecords;
  if (!Array.isArray(messages)) {
    throw new GDPRUtilError(GDPRUtilCodes.General, "The conversation has no messageRecords: read it with ConversationUtil().getConversationById(id, [ConversationContentTypes.MESSAGE_RECORDS])");
  }
  return messages
    .filter((m) => m && m.type === "HOSTED_FILE")
    .map((m) => m.messageData && m.messageData.file && m.messageData.file.relativePath)
    .filter((path) => typeof path === "string" && path !== "");
}

/**
 * Logs in to the file storage; answers its token.
 * @param {string} base
 * @param {string} username
 * @param {string} password
 */
async function storageToken(base, username, password) {
  let res;
  try {
    res = await fetch(base + "/auth/v1.0", { headers: { "X-Auth-User": username, "X-Auth-Key": password } });
  } catch (error) {
    throw new GDPRUtilError(GDPRUtilCodes.AuthFailure, "Could not reach the file storage to log in: " + messageOf(error));
  }
  const token = res.headers.get("x-auth-token");
  let text = (await res.text().catch(() => "")).slice(0, 300);
  if (!res.ok || !token) {
    // A storage that echoes the key it was sent must not put the password into this error: brand
    // code often returns error messages as its answer, which redaction never changes.
    for (const form of new Set([password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1)])) text = text.split(form).join("[password]");
    throw new GDPRUtilError(GDPRUtilCodes.AuthFailure, "The file storage refused the login (HTTP " + res.status + "): " + text);
  }
  platform.noteSecret("gdpr-util:file-storage-token", token);
  return token;
}

/**
 * @param {unknown} conversation as ConversationUtil().getConversationById answers it
 * @param {{ username?: unknown, password?: unknown }} credentials the file storage's login
 * @param {(path: string) => boolean} [shouldReplace] which files to replace (default: all)
 * @param {{ contentType: string, body: any }} [replacementFile] default: a 1×1 black PNG
 * @returns {Promise<string[]>}
 */
async function replaceConversationFiles(conversation, credentials, shouldReplace = () => true, replacementFile = defaultReplacement()) {
  const { username, password } = credentials || {};
  if (typeof username !== "string" || typeof password !== "string" || !username || !password) {
    throw new GDPRUtilError(GDPRUtilCodes.General, "replaceConversationFiles needs the file storage's credentials { username, password } as strings");
  }
  // Noted before anything can fail, so no message below can show it.
  platform.noteSecret("gdpr-util:file-storage-password", password);
  if (typeof shouldReplace !== "function") throw new TypeError("replaceConversationFiles: shouldReplace must be a function (path) => boolean");
  if (!replacementFile || typeof replacementFile.contentType !== "string" || replacementFile.body === undefined || replacementFile.body === null) {
    throw new GDPRUtilError(GDPRUtilCodes.General, "replaceConversationFiles: replacementFile must be { contentType, body }");
  }
  const found = hostedFilePaths(conversation);
  if (found === null) return [];
  const paths = found.filter((path) => shouldReplace(path));
  if (paths.length === 0) return [];

  const base = await serviceBaseUrl("swift");
  const token = await storageToken(base, username, password);
  await Promise.all(paths.map(async (path) => {
    let res;
    try {
      res = await fetch(base + (path.startsWith("/") ? path : "/" + path), {
        method: "PUT",
        headers: { "content-type": replacementFile.contentType, "x-auth-token": token },
        body: replacementFile.body,
      });
    } catch (error) {
      throw new GDPRUtilError(GDPRUtilCodes.ReplaceFileFailed, "Could not replace " + path + ": " + messageOf(error));
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new GDPRUtilError(GDPRUtilCodes.General, "The file storage did not replace " + path + " (HTTP " + res.status + ")");
  }));
  return paths;
}

const GDPRUtil = () => ({ replaceConversationFiles });

module.exports = { GDPRUtil, GDPRUtilError, GDPRUtilCodes };
