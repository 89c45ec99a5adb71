// Issue 15 §4: the Salesforce, Keyword Scanner, Replace Files for Conversation and Third-Party Bots
// hook templates, each created from {templateId}, deployed and invoked with its own sample payload,
// against the fakes of test/upstream-server.ts on loopback (Salesforce; CSDS, the Messaging
// Interactions API and the file storage), reached through Egress and the allow-list.
import { describe, expect, inject, it } from "vitest";
import { call, createSecret, deploy, invoke, json, newAccount, uniqueName, wireStatus, type TestAccount } from "./helpers/api";
import { useFakeCsds } from "./helpers/lp-fakes";

const PORT = inject("upstreamPort");
const UP = `http://127.0.0.1:${PORT}`;
// Keyword Scanner and Replace Files for Conversation find LivePerson through the fake CSDS.
useFakeCsds();

interface Template {
  templateId: string;
  eventId: string | null;
  code: string;
  samplePayload: { headers: unknown[]; payload: any };
}

async function template(a: TestAccount, templateId: string): Promise<Template> {
  const list = await json<Template[]>(await call(`/api/account/${a.accountId}/templates`, { key: a.developer }));
  const found = list.find((t) => t.templateId === templateId);
  if (!found) throw new Error(`no template ${templateId}`);
  return found;
}

/** Creates a function from the template with only a name, deploys it, answers it. */
async function deployedFrom(a: TestAccount, templateId: string) {
  const res = await call(`/api/account/${a.accountId}/lambdas`, { key: a.developer, body: { name: uniqueName("tpl"), templateId } });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const lambda = JSON.parse(text);
  const deployed = await deploy(a, lambda.uuid);
  expect(deployed.status, await deployed.text()).toBe(201);
  return lambda as { uuid: string; eventId: string | null; samplePayload: Template["samplePayload"] };
}

/** Invokes through the gateway; answers the wire status and the parsed body. */
async function run(a: TestAccount, uuid: string, body: unknown) {
  const res = await invoke(a, uuid, body);
  const text = await res.text();
  return { status: wireStatus(res), body: JSON.parse(text), text };
}

async function allowUpstream(a: TestAccount, host = "127.0.0.1") {
  const res = await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain: `${host}:${PORT}`, id: -1 } });
  expect(res.status, await res.text()).toBe(201);
}

async function hits(tag: string): Promise<{ method: string; url: string; headers: Record<string, string>; body: string; bodyBase64: string }[]> {
  return (await fetch(`${UP}/_hits?tag=${encodeURIComponent(tag)}`)).json();
}

const soqlOf = (url: string) => new URL(url, UP).searchParams.get("q");

describe("Salesforce template", () => {
  it("runs its sample query with an access token from the secret, through the allow-list", async () => {
    const a = await newAccount();
    const tag = `sft${crypto.randomUUID().slice(0, 8)}`;
    await createSecret(a, "salesforce-credentials", JSON.stringify({ instanceUrl: `${UP}/${tag}`, accessToken: "00Dfake!token", version: "59.0" }), "json");
    await allowUpstream(a);
    const lambda = await deployedFrom(a, "salesforce");
    expect(lambda.eventId).toBeNull();

    const out = await run(a, lambda.uuid, lambda.samplePayload);
    expect(out.status, out.text).toBe(200);
    expect(out.body).toEqual({ totalSize: 1, done: true, records: [{ Id: "001000000000001AAA", Name: "Acme" }] });
    const [hit] = await hits(tag);
    expect(hit!.url.startsWith(`/${tag}/services/data/v59.0/query`)).toBe(true);
    expect(soqlOf(hit!.url)).toBe(lambda.samplePayload.payload.query);
    expect(hit!.headers.authorization).toBe("Bearer 00Dfake!token");
  });

  it("logs in with username, password and a connected app (OAuth 2.0), then queries the instance it names", async () => {
    const a = await newAccount();
    const tag = `sfp${crypto.randomUUID().slice(0, 8)}`;
    const login = { loginUrl: `${UP}/${tag}`, username: "api@acme.example", clientId: "3MVGfake", clientSecret: "fake-client-secret", version: "59.0" };
    await createSecret(a, "salesforce-credentials", JSON.stringify({ ...login, password: "fake-password" }), "json");
    await allowUpstream(a);
    const lambda = await deployedFrom(a, "salesforce");

    const out = await run(a, lambda.uuid, { headers: [], payload: { query: "SELECT Id, Name FROM Account WHERE Name = 'Acme'" } });
    expect(out.status, out.text).toBe(200);
    expect(out.body.records).toEqual([{ Id: "001000000000001AAA", Name: "Acme" }]);
    const [token, query] = await hits(tag);
    expect(token!.method).toBe("POST");
    expect(token!.url).toBe(`/${tag}/services/oauth2/token`);
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toMatchObject({ grant_type: "password", username: login.username, client_id: login.clientId });
    expect(soqlOf(query!.url)).toBe("SELECT Id, Name FROM Account WHERE Name = 'Acme'");
    expect(query!.headers.authorization).toBe("Bearer 00Dfake!oauth");

    // A refused login fails the invocation with Salesforce's reason, not a crash.
    await createSecret(a, "salesforce-credentials-bad", JSON.stringify({ ...login, password: "wrong" }), "json");
    const edit = await call(`/api/account/${a.accountId}/lambdas/${lambda.uuid}`, {
      method: "PUT",
      key: a.developer,
      body: { implementation: { environmentVariables: [{ key: "SALESFORCE_SECRET", value: "salesforce-credentials-bad" }] } },
    });
    expect(edit.status, await edit.text()).toBe(200);
    expect((await deploy(a, lambda.uuid)).status).toBe(201);
    const refused = await run(a, lambda.uuid, lambda.samplePayload);
    expect(refused.status, refused.text).toBe(901);
    expect(refused.text).toContain("Salesforce query failed");
    expect(refused.text).toContain("authentication failure");
  });

  it("without its secret, or with a secret of neither shape, fails saying what to store", async () => {
    const a = await newAccount();
    const lambda = await deployedFrom(a, "salesforce");
    const missing = await run(a, lambda.uuid, lambda.samplePayload);
    expect(missing.status, missing.text).toBe(901);
    expect(missing.text).toContain("No Salesforce credentials");
    expect(missing.text).toContain("salesforce-credentials");

    await createSecret(a, "salesforce-credentials", JSON.stringify({ instanceUrl: "https://acme.my.salesforce.com" }), "json");
    const incomplete = await run(a, lambda.uuid, lambda.samplePayload);
    expect(incomplete.status, incomplete.text).toBe(901);
    expect(incomplete.text).toContain("accessToken");
  });
});

describe("Third-Party Bots hook templates", () => {
  it("each is listed for its hook event and bound to it when created", async () => {
    const a = await newAccount();
    for (const [eventId, templateId] of [
      ["bot_connectors_pre_hook", "third-party-bots-pre-hook"],
      ["bot_connectors_post_hook", "third-party-bots-post-hook"],
      ["bot_connectors_error_hook", "third-party-bots-error-hook"],
    ]) {
      const listed = await json<Template[]>(await call(`/api/account/${a.accountId}/templates?eventId=${eventId}`, { key: a.developer }));
      expect(listed.map((t) => t.templateId)).toEqual([templateId]);
    }
  });

  it("pre hook: masks the card number and e-mail, tidies spaces and passes the customer's SDEs on", async () => {
    const a = await newAccount();
    const lambda = await deployedFrom(a, "third-party-bots-pre-hook");
    expect(lambda.eventId).toBe("bot_connectors_pre_hook");
    const sample = lambda.samplePayload.payload;
    const out = await run(a, lambda.uuid, lambda.samplePayload);
    expect(out.status, out.text).toBe(200);
    expect(out.body).toEqual({
      ...sample,
      message: "Hi, my card [card number] was charged twice, mail me at [e-mail]",
      context: { ...sample.context, parameters: { customerType: "vip", customerId: "c-10023" } },
    });
  });

  it("post hook: drops empty and internal messages and hands an unsure answer to an agent", async () => {
    const a = await newAccount();
    const lambda = await deployedFrom(a, "third-party-bots-post-hook");
    expect(lambda.eventId).toBe("bot_connectors_post_hook");
    const out = await run(a, lambda.uuid, lambda.samplePayload);
    expect(out.status, out.text).toBe(200);
    expect(out.body).toEqual({
      messages: ["I think you are asking about deliveries.", expect.stringContaining("agent")],
      context: { intentId: "delivery_faq", intentName: "Delivery FAQ", confidenceScore: 0.42, action: "TRANSFER", actionParameters: { skill: "human_agents" } },
    });
    // A confident answer passes as it came.
    const confident = { messages: ["Yes: open the order and choose 'Change address'."], context: { intentId: "delivery_faq", confidenceScore: 0.93 } };
    const passed = await run(a, lambda.uuid, { headers: [], payload: { ...lambda.samplePayload.payload, response: confident } });
    expect(passed.body).toEqual(confident);
  });

  it("error hook: classifies the failure, and alerts ALERT_URL (allow-listed) on an outage", async () => {
    const a = await newAccount();
    const lambda = await deployedFrom(a, "third-party-bots-error-hook");
    expect(lambda.eventId).toBe("bot_connectors_error_hook");
    const sample = lambda.samplePayload.payload;
    const out = await run(a, lambda.uuid, lambda.samplePayload);
    expect(out.status, out.text).toBe(200);
    expect(out.body).toEqual({ convId: sample.convId, code: sample.error.code, outage: true, alerted: false });

    const tag = `hook${crypto.randomUUID().slice(0, 8)}`;
    await allowUpstream(a);
    const edit = await call(`/api/account/${a.accountId}/lambdas/${lambda.uuid}`, {
      method: "PUT",
      key: a.developer,
      body: { implementation: { environmentVariables: [{ key: "ALERT_URL", value: `${UP}/${tag}/alert` }] } },
    });
    expect(edit.status, await edit.text()).toBe(200);
    expect((await deploy(a, lambda.uuid)).status).toBe(201);
    expect((await run(a, lambda.uuid, lambda.samplePayload)).body).toMatchObject({ outage: true, alerted: true });
    const [alert] = await hits(tag);
    expect(alert!.method).toBe("POST");
    expect(JSON.parse(alert!.body).text).toContain(sample.convId);

    // A message the bot could not handle is no outage: no alert.
    const minor = await run(a, lambda.uuid, { headers: [], payload: { ...sample, error: { code: "com.liveperson.bot-connectors-worker.error.aivendor.faas.parse-message.malformed-alternative-intents", message: "bad intents" } } });
    expect(minor.body).toMatchObject({ outage: false, alerted: false });
    expect(await hits(tag)).toHaveLength(1);
  });
});

describe("Keyword Scanner template", () => {
  it("reads the ended conversation through CSDS and the MI API (fakes), answers the hits, and without the app key says what to store", async () => {
    const a = await newAccount();
    await allowUpstream(a);
    const lambda = await deployedFrom(a, "keyword-scanner");
    expect(lambda.eventId).toBe("controllerbot_messaging_conversation_end");

    const missing = await run(a, lambda.uuid, lambda.samplePayload);
    expect(missing.status, missing.text).toBe(901);
    expect(missing.text).toContain("No LivePerson app key");
    expect(missing.text).toContain("lp-faas-default-app-key");

    const key = { consumerKey: "ck-kw", consumerSecret: "cs-kw-secret", token: "tk-kw", tokenSecret: "ts-kw-secret" };
    await createSecret(a, "lp-faas-default-app-key", JSON.stringify(key), "json");
    const out = await run(a, lambda.uuid, lambda.samplePayload);
    expect(out.status, out.text).toBe(200);
    // The fake MI API's sample conversation, scanned for the template's default keywords.
    expect(out.body).toEqual([
      { message: "Hello, I need a REFUND please", sentTimestamp: 1_700_000_000_000, sentBy: "Consumer", tag: "keywordRef:refund" },
      { message: "Sure, refund started; anything else?", sentTimestamp: 1_700_000_001_000, sentBy: "Agent", tag: "keywordRef:refund" },
    ]);
    const search = (await hits(`/messaging_history/api/account/${a.accountId}/conversations/conversation/search`)).at(-1)!;
    expect(JSON.parse(search.body)).toEqual({ conversationId: lambda.samplePayload.payload.general.convId, contentToRetrieve: ["messageRecords"] });
    expect(search.headers.authorization).toMatch(/^OAuth .*oauth_consumer_key="ck-kw"/);

    // An end event without a conversation id answers no hits rather than failing.
    const empty = await run(a, lambda.uuid, { headers: [], payload: {} });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body).toEqual([]);
  });
});

describe("Replace Files for Conversation template", () => {
  it("reads the ended conversation, replaces its files in the (fake) storage with a black PNG, and without credentials says what to store", async () => {
    // Conversation End serves one function per account: this test has its own account.
    const a = await newAccount();
    await allowUpstream(a); // CSDS and the MI API
    await allowUpstream(a, "localhost"); // the file storage (swift)
    const lambda = await deployedFrom(a, "replace-files-for-conversation");
    expect(lambda.eventId).toBe("controllerbot_messaging_conversation_end");

    const missing = await run(a, lambda.uuid, lambda.samplePayload);
    expect(missing.status, missing.text).toBe(901);
    expect(missing.text).toContain("No file storage credentials");
    expect(missing.text).toContain("gdpr-file-storage-credentials");

    const user = `gdpr-${a.accountId}`;
    const password = `good-${crypto.randomUUID()}-TOPSECRET`;
    await createSecret(a, "gdpr-file-storage-credentials", JSON.stringify({ username: user, password }), "json");
    await createSecret(a, "lp-faas-default-app-key", JSON.stringify({ consumerKey: "ck-rf", consumerSecret: "cs-rf-secret", token: "tk-rf", tokenSecret: "ts-rf-secret" }), "json");
    const out = await run(a, lambda.uuid, lambda.samplePayload);
    expect(out.status, out.text).toBe(200);
    const convId = lambda.samplePayload.payload.general.convId;
    // The fake MI API's conversation shares two files with a path (and one without).
    const files = `/v1/AUTH_files/${a.accountId}/${convId}`;
    expect(out.body).toEqual({ conversationId: convId, replacedFiles: [`${files}/receipt.jpg`, `${files}/id-card.jpg`] });
    expect(out.text).not.toContain("TOPSECRET");

    const login = (await hits("/auth/v1.0")).filter((h) => h.headers["x-auth-user"] === user);
    expect(login).toHaveLength(1);
    const puts = await hits(files);
    expect(puts.map((h) => [h.method, h.url]).sort()).toEqual([["PUT", `${files}/id-card.jpg`], ["PUT", `${files}/receipt.jpg`]]);
    const token = puts[0]!.headers["x-auth-token"];
    expect(token).toMatch(/^swift-/);
    for (const put of puts) {
      expect(put.headers["x-auth-token"]).toBe(token);
      expect(put.headers["content-type"]).toBe("image/png");
      // GDPRUtil's 1×1 black PNG (decoded in test/toolbelt-gdpr-util.test.ts).
      expect(put.bodyBase64).toBe("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==");
    }
  });
});
