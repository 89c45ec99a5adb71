// Toolbelt.GDPRUtil().replaceConversationFiles from brand code (sandbox/isolate/gdpr-util.js),
// against the fake CSDS and the fake LivePerson file storage (Swift) of test/upstream-server.ts:
// which files it replaces, the login and the uploads, LivePerson's error codes, the allow-list, and
// that the storage's password and token never reach an answer, a log or a record.
import { describe, expect, it } from "vitest";
import { deployed, json, newAccount, storedInvocation, testInvoke, type TestAccount } from "./helpers/api";
import { PORT, allowFake, hitsFor, useFakeCsds } from "./helpers/lp-fakes";


useFakeCsds();

/** Allow-lists the fake CSDS (127.0.0.1) and, unless told not to, the fake storage (localhost). */
async function allow(a: TestAccount, storage = true) {
  await allowFake(a);
  if (storage) await allowFake(a, "localhost");
}

/** A conversation as ConversationUtil answers it, with a file message per path (undefined: no path). */
const conversation = (paths: (string | undefined)[]) => ({
  _metadata: { count: 1 },
  conversationHistoryRecords: [{
    info: { conversationId: "c-1" },
    messageRecords: [
      { type: "TEXT_PLAIN", messageData: { msg: { text: "hi" } } },
      ...paths.map((relativePath) => ({ type: "HOSTED_FILE", messageData: { file: { relativePath, fileType: "JPG" } } })),
    ],
  }],
});

/** Runs `body` in a function of the account with `gdpr` (the GDPRUtil) and `conv` (the given conversation) in scope. */
async function run(a: TestAccount, conv: unknown, body: string) {
  const uuid = await deployed(
    a,
    `const { Toolbelt, ErrorCodes } = require('lp-faas-toolbelt');
     async function lambda(input) {
       const gdpr = Toolbelt.GDPRUtil();
       const conv = ${JSON.stringify(conv)};
       try { ${body} } catch (e) { console.error('replace failed', e.message); return { failed: true, name: e.name, code: e.code, message: e.message }; }
     }`,
  );
  const out = await json(await testInvoke(a, uuid));
  return { out, result: out.result };
}

const logins = async (user: string) => (await hitsFor("/auth/v1.0")).filter((h) => h.headers["x-auth-user"] === user);
const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

function crc32(bytes: Uint8Array) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

/** Decodes a PNG far enough to say what it shows: its chunks (CRCs checked), size, type and pixels. */
async function decodePng(bytes: Uint8Array) {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = view.getUint32(at);
    const typeAndData = bytes.subarray(at + 4, at + 8 + length);
    expect(view.getUint32(at + 8 + length), "chunk CRC").toBe(crc32(typeAndData));
    chunks.push({ type: new TextDecoder().decode(typeAndData.subarray(0, 4)), data: typeAndData.subarray(4) });
    at += 12 + length;
  }
  const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
  const idat = chunks.filter((c) => c.type === "IDAT").map((c) => c.data);
  const scanlines = new Uint8Array(await new Response(new Blob(idat).stream().pipeThrough(new DecompressionStream("deflate"))).arrayBuffer());
  return {
    types: chunks.map((c) => c.type),
    width: ihdr.getUint32(0), height: ihdr.getUint32(4), bitDepth: ihdr.getUint8(8), colourType: ihdr.getUint8(9),
    scanlines: [...scanlines],
  };
}

describe("Toolbelt.GDPRUtil().replaceConversationFiles", () => {
  it("logs in to the storage CSDS names, replaces every HOSTED_FILE with a 1×1 black PNG and answers the paths", async () => {
    const a = await newAccount();
    await allow(a);
    const tag = `gd${crypto.randomUUID().slice(0, 8)}`;
    const paths = [`/v1/AUTH_x/${tag}/a.jpg`, `/v1/AUTH_x/${tag}/b.jpg`];
    const user = `user-${tag}`;
    const password = `good-${crypto.randomUUID()}-TOPSECRET`;
    const { out, result } = await run(a, conversation([paths[0], undefined, paths[1]]), `
      return await gdpr.replaceConversationFiles(conv, { username: ${JSON.stringify(user)}, password: ${JSON.stringify(password)} });`);
    expect(result).toEqual(paths);

    const [login] = await logins(user);
    expect(login!.method).toBe("GET");
    expect(login!.headers["x-auth-key"]).toBe(password);
    const puts = await hitsFor(tag);
    expect(puts.map((h) => [h.method, h.url]).sort()).toEqual(paths.map((p) => ["PUT", p]));
    const token = puts[0]!.headers["x-auth-token"]!;
    expect(token).toMatch(/^swift-/);
    for (const put of puts) {
      expect(put.headers["x-auth-token"]).toBe(token);
      expect(put.headers["content-type"]).toBe("image/png");
      expect(await decodePng(bytesOf(put.bodyBase64))).toEqual({
        types: ["IHDR", "IDAT", "IEND"], width: 1, height: 1, bitDepth: 8, colourType: 0,
        scanlines: [0, 0], // filter "none", then one pixel of grey level 0: black
      });
    }
    // Neither the password nor the token is in the answer or the record (outbound calls included).
    const stored = JSON.stringify(await storedInvocation(a, out.invocationId));
    for (const text of [JSON.stringify(out), stored]) {
      expect(text).not.toContain("TOPSECRET");
      expect(text).not.toContain(token);
    }
    expect(stored).toContain(`localhost:${PORT}`);
  });

  it("replaces only what shouldReplace picks, with the replacement file given", async () => {
    const a = await newAccount();
    await allow(a);
    const tag = `gs${crypto.randomUUID().slice(0, 8)}`;
    const { result } = await run(a, conversation([`/${tag}/keep.pdf`, `/${tag}/photo.jpg`]), `
      return await gdpr.replaceConversationFiles(conv, { username: "u-${tag}", password: "good-pw-${tag}" },
        (path) => path.endsWith(".jpg"), { contentType: "text/plain", body: Buffer.from("removed under GDPR") });`);
    expect(result).toEqual([`/${tag}/photo.jpg`]);
    const puts = await hitsFor(tag);
    expect(puts.map((h) => [h.method, h.url, h.headers["content-type"], h.body])).toEqual([["PUT", `/${tag}/photo.jpg`, "text/plain", "removed under GDPR"]]);
  });

  it("without records or files to replace answers [] and sends nothing (no allow-list needed); without messageRecords it is gdpr-util-general", async () => {
    const a = await newAccount(); // nothing allow-listed: any request would be refused
    const tag = `gn${crypto.randomUUID().slice(0, 8)}`;
    const { result } = await run(a, conversation([`/${tag}/a.jpg`]), `
      const creds = { username: "u-${tag}", password: "good-${tag}" };
      const none = await gdpr.replaceConversationFiles({ conversationHistoryRecords: [] }, creds);
      const missing = await gdpr.replaceConversationFiles({}, creds);
      const skipped = await gdpr.replaceConversationFiles(conv, creds, () => false);
      const noFiles = await gdpr.replaceConversationFiles({ conversationHistoryRecords: [{ messageRecords: [] }] }, creds);
      let general; try { await gdpr.replaceConversationFiles({ conversationHistoryRecords: [{ info: {} }] }, creds); } catch (e) { general = e.code; }
      let badFile; try { await gdpr.replaceConversationFiles(conv, creds, undefined, { body: 'no type' }); } catch (e) { badFile = e.code + ' ' + e.message; }
      return { none, missing, skipped, noFiles, general, badFile, codes: ErrorCodes.GDPRUtil };`);
    expect(result).toEqual({
      none: [], missing: [], skipped: [], noFiles: [], general: "com.liveperson.faas.gdpr-util-general",
      badFile: "com.liveperson.faas.gdpr-util-general replaceConversationFiles: replacementFile must be { contentType, body }",
      codes: { General: "com.liveperson.faas.gdpr-util-general", AuthFailure: "com.liveperson.faas.gdpr-util.auth-failed", ReplaceFileFailed: "com.liveperson.faas.gdpr-util.replace-file-failed" },
    });
    expect(await hitsFor(tag)).toEqual([]);
    expect(await logins(`u-${tag}`)).toEqual([]);
  });

  it("a refused login is auth-failed with the status; the password the storage echoes is in no answer, log or record", async () => {
    const a = await newAccount();
    await allow(a);
    const tag = `ga${crypto.randomUUID().slice(0, 8)}`;
    const password = `bad-${crypto.randomUUID()}-TOPSECRET`;
    const { out, result } = await run(a, conversation([`/${tag}/a.jpg`]), `
      return await gdpr.replaceConversationFiles(conv, { username: "u-${tag}", password: ${JSON.stringify(password)} });`);
    expect(result).toMatchObject({ failed: true, name: "GDPRUtilError", code: "com.liveperson.faas.gdpr-util.auth-failed" });
    expect(result.message).toContain("HTTP 401");
    expect(result.message).toContain(`Invalid credentials for u-${tag}`);
    // The fake did echo it; nothing of ours repeats it.
    const [login] = await logins(`u-${tag}`);
    expect(login!.headers["x-auth-key"]).toBe(password);
    expect(JSON.stringify(out)).not.toContain("TOPSECRET");
    expect(JSON.stringify(await storedInvocation(a, out.invocationId))).not.toContain("TOPSECRET");
    expect(await hitsFor(tag)).toEqual([]);
  });

  it("an upload the storage refuses is gdpr-util-general with its status; a connection lost is replace-file-failed", async () => {
    const a = await newAccount();
    await allow(a);
    const tag = `gu${crypto.randomUUID().slice(0, 8)}`;
    const { result } = await run(a, conversation([`/${tag}/a.jpg/status?code=503`, `/${tag}/b.jpg/hang-up`]), `
      const creds = { username: "u-${tag}", password: "good-${tag}" };
      const codes = [];
      for (const end of ['status?code=503', 'hang-up']) {
        try { await gdpr.replaceConversationFiles(conv, creds, (p) => p.endsWith(end)); codes.push('replaced'); } catch (e) { codes.push(e.code + ' ' + e.message); }
      }
      return codes;`);
    expect(result[0]).toMatch(/^com\.liveperson\.faas\.gdpr-util-general .*a\.jpg\/status\?code=503.*HTTP 503/);
    expect(result[1]).toMatch(/^com\.liveperson\.faas\.gdpr-util\.replace-file-failed .*b\.jpg\/hang-up/);
  });

  it("an un-allow-listed storage host is refused and never reached", async () => {
    const a = await newAccount();
    await allow(a, false); // CSDS allowed, the storage (localhost) not
    const tag = `gb${crypto.randomUUID().slice(0, 8)}`;
    const { out, result } = await run(a, conversation([`/${tag}/a.jpg`]), `
      return await gdpr.replaceConversationFiles(conv, { username: "u-${tag}", password: "good-${tag}" });`);
    expect(result).toMatchObject({ failed: true, code: "com.liveperson.faas.gdpr-util.auth-failed" });
    expect(result.message).toContain(`localhost:${PORT} blocked`);
    expect(await logins(`u-${tag}`)).toEqual([]);
    expect(await hitsFor(tag)).toEqual([]);
    const stored = await storedInvocation(a, out.invocationId);
    expect(stored.outbound.map((c: any) => [c.host, c.status])).toEqual([
      [`127.0.0.1:${PORT}`, 200],
      [`localhost:${PORT}`, "blocked"],
    ]);
  });
});
