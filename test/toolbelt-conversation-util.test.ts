// Toolbelt.ConversationUtil() and Toolbelt.SDEUtil() from brand code, against the fake CSDS and the
// fake Messaging Interactions API on loopback (test/upstream-server.ts): LivePerson's signatures,
// the conversation-not-found code, and that their LivePerson calls are LpClient's (signed, from the
// account's own app key, allow-listed) (sandbox/isolate/conversation-util.js).
import { describe, expect, it } from "vitest";
import { createSecret, deployed, json, newAccount, testInvoke, type TestAccount } from "./helpers/api";
import { allowFake, hitsFor, useFakeCsds } from "./helpers/lp-fakes";


useFakeCsds();

const KEY = { consumerKey: "ck-conv", consumerSecret: "cs-conv-secret", token: "tk-conv", tokenSecret: "ts-conv-secret" };

async function account(): Promise<TestAccount> {
  const a = await newAccount();
  await allowFake(a);
  await createSecret(a, "lp-faas-default-app-key", JSON.stringify(KEY), "json");
  return a;
}

async function run(a: TestAccount, body: string) {
  const uuid = await deployed(
    a,
    `const { Toolbelt, ConversationContentTypes, SDETypes } = require('lp-faas-toolbelt');
     async function lambda(input) {
       const conv = Toolbelt.ConversationUtil();
       const sde = Toolbelt.SDEUtil();
       try { ${body} } catch (e) { return { failed: true, name: e.name, code: e.code, message: e.message }; }
     }`,
  );
  return (await json(await testInvoke(a, uuid))).result;
}


describe("Toolbelt.ConversationUtil", () => {
  it("getConversationById asks the MI API (signed, through CSDS) and scanConversationForKeywords finds keywords case-insensitively", async () => {
    const a = await account();
    const result = await run(a, `
      const c = await conv.getConversationById('conv-1', [ConversationContentTypes.MESSAGE_RECORDS, ConversationContentTypes.SDES]);
      return { asked: c._metadata.asked, records: c.conversationHistoryRecords.length, hits: conv.scanConversationForKeywords(c, ['refund', 'THANKS', 'absent']) };`);
    expect(result.failed, JSON.stringify(result)).toBeUndefined();
    expect(result.asked).toEqual({ conversationId: "conv-1", contentToRetrieve: ["messageRecords", "sdes"] });
    expect(result.records).toBe(1);
    expect(result.hits).toEqual([
      { message: "Hello, I need a REFUND please", sentTimestamp: 1_700_000_000_000, sentBy: "Consumer", tag: "keywordRef:refund" },
      { message: "Sure, refund started; anything else?", sentTimestamp: 1_700_000_001_000, sentBy: "Agent", tag: "keywordRef:refund" },
      { message: "no thanks", sentTimestamp: 1_700_000_002_000, sentBy: "Consumer", tag: "keywordRef:THANKS" },
    ]);
    const [hit] = await hitsFor(`/messaging_history/api/account/${a.accountId}/conversations/conversation/search`);
    expect(hit!.url).toBe(`/messaging_history/api/account/${a.accountId}/conversations/conversation/search?v=2`);
    expect(hit!.headers.authorization).toMatch(/^OAuth .*oauth_consumer_key="ck-conv".*oauth_signature="/);
  });

  it("an unknown conversation is conversation-util.conversation.not-found", async () => {
    const a = await account();
    const result = await run(a, `return await conv.getConversationById('missing');`);
    expect(result).toMatchObject({ failed: true, name: "ConversationUtilError", code: "com.liveperson.faas.conversation-util.conversation.not-found" });
  });
});

describe("Toolbelt.SDEUtil", () => {
  it("getSDEsFromConv sorts both lists by server time; addSDEs posts to the Engagement Attributes API", async () => {
    const a = await account();
    const result = await run(a, `
      const c = await conv.getConversationById('conv-2');
      const found = sde.getSDEsFromConv(c);
      const added = await sde.addSDEs([{ type: SDETypes.PERSONAL_INFO, personal: { firstname: 'Ada' } }], 'visitor-1', 'session-1');
      return { sdes: found.sdes.events.map((e) => e.sdeType), unAuth: found.unAuthSdes.events.map((e) => e.sdeType), added: added === undefined, type: SDETypes.PERSONAL_INFO };`);
    expect(result).toEqual({ sdes: ["CUSTOMER_INFO", "PERSONAL_INFO"], unAuth: ["CART_STATUS", "SERVICE_ACTIVITY"], added: true, type: "personal" });
    const [hit] = await hitsFor(`/api/account/${a.accountId}/monitoring/visitors/`);
    expect(hit!.method).toBe("POST");
    expect(hit!.url).toBe(`/api/account/${a.accountId}/monitoring/visitors/visitor-1/visits/current/events?v=1&sid=session-1`);
    expect(JSON.parse(hit!.body)).toEqual([{ type: "personal", personal: { firstname: "Ada" } }]);
    expect(hit!.headers.authorization).toMatch(/^OAuth /);
  });
});
