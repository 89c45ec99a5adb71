// Function templates (LivePerson §8.4): GET /templates, POST /lambdas with {templateId}, and every
// template runnable as shipped: created, deployed and invoked with its own sample payload, its
// answer has the shape its event source expects (§8.2, §8.3).
import { describe, expect, inject, it } from "vitest";
import { call, createSecret, deploy, distinctive, invoke, json, newAccount, testInvoke, uniqueName, wireStatus, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const PORT = inject("upstreamPort");

interface Template {
  templateId: string;
  name: string;
  eventId: string | null;
  description: string;
  code: string;
  samplePayload: { headers: unknown[]; payload: any };
}

const templates = async (a: TestAccount, query = "", key = a.invocation) => {
  const res = await call(`/api/account/${a.accountId}/templates${query}`, { key });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Template[]>(res);
};

const createFrom = (a: TestAccount, templateId: string, extra: Record<string, unknown> = {}) =>
  call(`/api/account/${a.accountId}/lambdas`, { key: a.developer, body: { name: uniqueName("tpl"), templateId, ...extra } });

/** Creates a function from the template and deploys it; answers the created function. */
async function deployedFrom(a: TestAccount, templateId: string, extra: Record<string, unknown> = {}) {
  const res = await createFrom(a, templateId, extra);
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const lambda = JSON.parse(text);
  const deployed = await deploy(a, lambda.uuid);
  expect(deployed.status, await deployed.text()).toBe(201);
  return lambda;
}

async function invokeOk(a: TestAccount, uuid: string, body: unknown) {
  const res = await invoke(a, uuid, body);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { result: JSON.parse(text), text };
}

const systemMessage = (result: any) => {
  expect(Array.isArray(result)).toBe(true);
  expect(result).toHaveLength(1);
  expect(result[0]).toEqual({ type: "systemMessage", text: expect.stringMatching(/\S/) });
};

// What each template answers for its own sample payload, in the shape its event source reads.
const EXPECTED: Record<string, (result: any) => void> = {
  greeting: (r) => expect(r).toBe("Hello World!"),
  // The sample URL's host is on no allow-list, so the template reports it instead of crashing.
  http: (r) => expect(r).toMatchObject({ url: "https://www.example.com/", reachable: false, error: expect.stringContaining("www.example.com") }),
  logging: (r) => expect(r).toEqual({ orderId: "A-10023", pricedItems: 1, total: 39.8 }),
  "secret-storage": (r) => expect(r).toEqual({ secretName: "my-secret", found: false, message: expect.stringContaining("my-secret") }),
  "chat-post-survey-email-transcript": (r) => {
    expect(r).toHaveLength(2);
    for (const mail of r) expect(Object.keys(mail).sort()).toEqual(["senderEmail", "senderName", "subject", "targetEmail"]);
    expect(r[0].targetEmail).toBe("jane.doe@example.com");
    expect(r[1].subject).toContain("2/5");
  },
  "conversational-command": (r) => expect(r).toEqual(expect.stringContaining("ship")),
  "messaging-survey-started": (r) => expect(r).toBe("ok"),
  "messaging-survey-ended": (r) => expect(r).toBe("ok"),
  "third-party-bots-custom-integration": (r) =>
    expect(r).toEqual({
      messages: [expect.any(String)],
      context: expect.objectContaining({ intentId: "escalate", action: "TRANSFER", actionParameters: { skill: expect.any(String) } }),
    }),
  "messaging-new-conversation": systemMessage,
  "messaging-conversation-end": systemMessage,
  "messaging-conversation-idle": systemMessage,
  "messaging-conversation-routing": systemMessage,
  "messaging-line-in-off-hours": systemMessage,
  "messaging-participants-change": systemMessage,
  "messaging-ttr": systemMessage,
};

// Templates that need a fake upstream or a secret to answer their sample: test/templates-integrations.test.ts.
const TESTED_ELSEWHERE = ["salesforce", "third-party-bots-pre-hook", "third-party-bots-post-hook", "third-party-bots-error-hook", "keyword-scanner", "replace-files-for-conversation"];
const ALL_TEMPLATES = [...Object.keys(EXPECTED), ...TESTED_ELSEWHERE];

describe("GET /templates", () => {
  it("lists every template once, each bound to a catalogued event or none, in the V1 contract", async () => {
    const a = await newAccount();
    const list = await templates(a);
    expect(list.map((t) => t.templateId).sort()).toEqual(ALL_TEMPLATES.sort());
    const events = await json<{ eventId: string }[]>(await call(`/api/account/${a.accountId}/events`, { key: a.invocation }));
    const catalogued = events.map((e) => e.eventId);
    for (const t of list) {
      expect(Object.keys(t).sort(), t.templateId).toEqual(["code", "description", "eventId", "name", "samplePayload", "templateId"]);
      expect(t.eventId === null || catalogued.includes(t.eventId), `${t.templateId}: ${t.eventId}`).toBe(true);
      expect(t.code, t.templateId).toMatch(/^(async )?function lambda\(input(, callback)?\) \{/);
      expect(t.samplePayload, t.templateId).toEqual({ headers: [], payload: expect.anything() });
      expect(t.description.length, t.templateId).toBeLessThanOrEqual(100); // fits a function's description
    }
    // Every catalogued event has a template.
    const withTemplate = new Set(list.map((t) => t.eventId));
    expect(catalogued.filter((e) => !withTemplate.has(e))).toEqual([]);
    // Greeting is the default: the first template without an event.
    expect(list.find((t) => t.eventId === null)?.templateId).toBe("greeting");
  });

  it("filters by eventId; 'No Event' or empty means the templates bound to no event", async () => {
    const a = await newAccount();
    expect((await templates(a, "?eventId=controllerbot_messaging_ttr")).map((t) => t.templateId)).toEqual(["messaging-ttr"]);
    const noEvent = ["greeting", "http", "logging", "secret-storage", "salesforce"];
    expect((await templates(a, "?eventId=No%20Event")).map((t) => t.templateId)).toEqual(noEvent);
    expect((await templates(a, "?eventId=")).map((t) => t.templateId)).toEqual(noEvent);
    expect(await templates(a, "?eventId=no_such_event")).toEqual([]);
  });

  it("is readable by every role and needs a key of the account", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    for (const key of [a.admin, a.developer, a.invocation]) expect((await templates(a, "", key)).length).toBe(ALL_TEMPLATES.length);
    await expectError(await call(`/api/account/${a.accountId}/templates`), 401);
    await expectError(await call(`/api/account/${a.accountId}/templates`, { key: b.admin }), 404);
  });
});

describe("every template runs as shipped", () => {
  it.each(Object.keys(EXPECTED))("%s: created from {name, templateId}, deployed and invoked with its sample payload", async (templateId) => {
    // A fresh account each: Controller Bot events take one function per account.
    const a = await newAccount();
    const template = (await templates(a)).find((t) => t.templateId === templateId)!;
    const lambda = await deployedFrom(a, templateId);
    expect(lambda.eventId).toBe(template.eventId);
    expect(lambda.implementation).toEqual({ code: template.code, dependencies: [], environmentVariables: [] });
    expect(lambda.samplePayload).toEqual(template.samplePayload);
    const { result } = await invokeOk(a, lambda.uuid, template.samplePayload);
    EXPECTED[templateId]!(result);
  });

  it("an empty payload crashes none of them (HTTP and Salesforce fail, by choice, asking for payload.url / a secret)", async () => {
    const first = await newAccount();
    const failures: string[] = [];
    // Every template in one account: a Controller Bot event takes one function, so a template whose
    // event is taken already (Keyword Scanner shares Conversation End's) goes to an account of its own.
    const taken = new Set<string>();
    for (const t of await templates(first)) {
      const a = t.eventId !== null && taken.has(t.eventId) ? await newAccount() : first;
      if (t.eventId !== null && a === first) taken.add(t.eventId);
      const lambda = await deployedFrom(a, t.templateId);
      const res = await invoke(a, lambda.uuid, { headers: [], payload: {} });
      const text = await res.text();
      const expectedStatus = t.templateId === "http" || t.templateId === "salesforce" ? 901 : 200;
      if (wireStatus(res) !== expectedStatus) failures.push(`${t.templateId}: ${wireStatus(res)} ${text}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("templates with platform features", () => {
  it("Logging writes Info, Debug, Warn and Error entries with extras", async () => {
    const a = await newAccount();
    const lambda = await deployedFrom(a, "logging");
    const res = await testInvoke(a, lambda.uuid, lambda.samplePayload.payload);
    const out = await json(res);
    expect(res.status, JSON.stringify(out)).toBe(200);
    expect(out.logs.map((l: any) => l.level)).toEqual(["Info", "Debug", "Warn", "Error"]);
    expect(out.logs[3]).toMatchObject({ message: "Unknown products in the order", extras: [{ orderId: "A-10023", skus: ["HAT-XL"] }] });
  });

  it("HTTP answers the allow-listed upstream's status and body", async () => {
    const a = await newAccount();
    const listed = await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain: `127.0.0.1:${PORT}`, id: -1 } });
    expect(listed.status, await listed.text()).toBe(201);
    const lambda = await deployedFrom(a, "http");
    const tag = `t${crypto.randomUUID().slice(0, 8)}`;
    const url = `http://127.0.0.1:${PORT}/${tag}/hello`;
    const { result } = await invokeOk(a, lambda.uuid, { headers: [], payload: { url } });
    expect(result).toMatchObject({ url, statusCode: 200, body: { method: "GET", url: `/${tag}/hello` } });
    // A non-2xx is answered too (simple: false), not thrown.
    const missing = `http://127.0.0.1:${PORT}/${tag}/status?code=404`;
    expect((await invokeOk(a, lambda.uuid, { headers: [], payload: { url: missing } })).result).toMatchObject({ url: missing, statusCode: 404 });
  });

  it("HTTP without payload.url fails with a message that says what to send", async () => {
    const a = await newAccount();
    const lambda = await deployedFrom(a, "http");
    const res = await invoke(a, lambda.uuid, { headers: [], payload: {} });
    expect(await res.text()).toContain("payload.url");
  });

  it("Secret Storage reports an existing secret without ever answering or logging its value", async () => {
    const a = await newAccount();
    const value = distinctive("tpl-secret");
    await createSecret(a, "my-secret", value);
    const lambda = await deployedFrom(a, "secret-storage");
    const { result, text } = await invokeOk(a, lambda.uuid, lambda.samplePayload);
    expect(result).toEqual({ secretName: "my-secret", found: true, valueLength: value.length });
    expect(text).not.toContain(value);
    const tested = await (await testInvoke(a, lambda.uuid, {})).text();
    expect(tested).toContain('"found":true');
    expect(tested).not.toContain(value);
  });

  it("Secret Storage takes the name from SECRET_NAME first, then payload.secretName", async () => {
    const a = await newAccount();
    await createSecret(a, "crm-token", "crm-token-value");
    await createSecret(a, "pinned", "pinned-value");
    const lambda = await deployedFrom(a, "secret-storage");
    expect((await invokeOk(a, lambda.uuid, { headers: [], payload: { secretName: "crm-token" } })).result).toMatchObject({ secretName: "crm-token", found: true });
    expect((await invokeOk(a, lambda.uuid, { headers: [], payload: { secretName: "absent" } })).result).toMatchObject({ secretName: "absent", found: false });

    const edit = await call(`/api/account/${a.accountId}/lambdas/${lambda.uuid}`, {
      method: "PUT",
      key: a.developer,
      body: { implementation: { environmentVariables: [{ key: "SECRET_NAME", value: "pinned" }] } },
    });
    expect(edit.status, await edit.text()).toBe(200);
    expect((await deploy(a, lambda.uuid)).status).toBe(201);
    const { result, text } = await invokeOk(a, lambda.uuid, { headers: [], payload: { secretName: "crm-token" } });
    expect(result).toEqual({ secretName: "pinned", found: true, valueLength: "pinned-value".length });
    expect(text).not.toContain("pinned-value");
  });
});

describe("POST /lambdas with templateId", () => {
  it("an explicit implementation wins over the template's code; the event still comes from the template", async () => {
    const a = await newAccount();
    const code = "function lambda(input, callback) { callback(null, [{ type: 'closeConversation' }]); }";
    const res = await createFrom(a, "messaging-conversation-idle", { implementation: { code } });
    const lambda = await json(res);
    expect(res.status, JSON.stringify(lambda)).toBe(201);
    expect(lambda.implementation.code).toBe(code);
    expect(lambda.eventId).toBe("controllerbot_messaging_conversation_idle");
  });

  it("keeps a given samplePayload and accepts the template's own eventId", async () => {
    const a = await newAccount();
    const samplePayload = { headers: [], payload: { conversationId: "c1", arguments: ["returns"] } };
    const res = await createFrom(a, "conversational-command", { eventId: "conversational_command", samplePayload });
    const lambda = await json(res);
    expect(res.status, JSON.stringify(lambda)).toBe(201);
    expect(lambda.samplePayload).toEqual(samplePayload);
    expect(lambda.eventId).toBe("conversational_command");
  });

  it("refuses an unknown templateId, an eventId the template is not for, and a body with neither code nor template", async () => {
    const a = await newAccount();
    const unknown = await expectError(await createFrom(a, "no-such-template"), 400, CODES.badInput);
    expect(unknown.errorMsg).toContain("no-such-template");
    await expectError(await createFrom(a, "messaging-ttr", { eventId: "conversational_command" }), 400, CODES.badInput, "event template, other event");
    await expectError(await createFrom(a, "greeting", { eventId: "controllerbot_messaging_ttr" }), 400, CODES.badInput, "no-event template, an event");
    const neither = await call(`/api/account/${a.accountId}/lambdas`, { key: a.developer, body: { name: uniqueName("tpl") } });
    await expectError(neither, 400, CODES.badInput, "neither");
    // Nothing was created by the refused requests.
    const list = await json(await call(`/api/account/${a.accountId}/lambdas`, { key: a.developer }));
    expect(list).toEqual([]);
  });
});
