// Issue 5, events: the catalogue (GET /events), isImplemented in V1 and V2 style, and V2's GET /functions.
import { describe, expect, it } from "vitest";
import { call, createLambda, deploy, deployed, json, newAccount, type TestAccount } from "./helpers/api";
import { ROLES, expectError } from "./helpers/spec";

const events = (a: TestAccount, key = a.invocation) => call(`/api/account/${a.accountId}/events`, { key });

async function implemented(a: TestAccount, eventId: string, query = "", opts: { key?: string; headers?: Record<string, string> } = {}) {
  const res = await call(`/api/account/${a.accountId}/events/${eventId}/isImplemented${query}`, { key: opts.key ?? a.invocation, headers: opts.headers });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const body = JSON.parse(text);
  expect(Object.keys(body)).toEqual(["implemented"]);
  return body.implemented as boolean;
}

const V1 = "?v=1&skillId=&externalSystem=Unknown";

describe("GET /events: the event catalogue", () => {
  it("lists every catalogued event with id, name, source, function limit and whether skills apply, for every role", async () => {
    const a = await newAccount();
    for (const role of ROLES) {
      const res = await events(a, a.keyOf(role));
      expect(res.status, role).toBe(200);
      const list = await json<any[]>(res);
      expect(list).toHaveLength(15);
      expect(new Set(list.map((e) => e.eventId)).size).toBe(15);
      expect(list).toContainEqual({ eventId: "conversational_command", eventName: "Conversational Command", source: "Agent Workspace (new AW only)", functionLimit: 30, skillsApply: false });
      expect(list).toContainEqual({ eventId: "controllerbot_messaging_new_conversation", eventName: "Messaging New Conversation", source: "Controller Bot", functionLimit: 1, skillsApply: true });
      expect(list).toContainEqual({ eventId: "bot_connectors_error_hook", eventName: "Third-Party Bots Error Hook", source: "Bot Connector", functionLimit: 15, skillsApply: false });
      expect(list).toContainEqual({ eventId: "denver_post_survey_email_transcript", eventName: "Chat Post Survey E-Mail Transcript", source: "Chat Service (Denver)", functionLimit: 10, skillsApply: false });
      expect(list).toContainEqual(expect.objectContaining({ eventId: "surveybot_messaging_survey_ended", functionLimit: 1, skillsApply: true }));
      expect(list.map((e) => e.eventId)).not.toContain("No Event");
    }
  });

  it("needs a key of the account", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    await expectError(await call(`/api/account/${a.accountId}/events`), 401);
    await expectError(await events(a, b.admin), 404);
  });
});

describe("GET /events/{eventId}/isImplemented", () => {
  it("is true only while a deployed (Productive or Modified) function of the account is bound to the event", async () => {
    const a = await newAccount();
    const ev = "bot_connectors_pre_hook";
    expect(await implemented(a, ev, V1)).toBe(false);
    const uuid = await createLambda(a, undefined, { eventId: ev });
    expect(await implemented(a, ev, V1), "a Draft does not implement the event").toBe(false);
    expect((await deploy(a, uuid)).status).toBe(201);
    expect(await implemented(a, ev, V1)).toBe(true);
    // Modified still serves its deployed version.
    const edit = await call(`/api/account/${a.accountId}/lambdas/${uuid}`, { method: "PUT", key: a.developer, body: { description: "changed" } });
    expect(edit.status, await edit.text()).toBe(200);
    expect(await implemented(a, ev, V1)).toBe(true);
    const undeploy = await call(`/api/account/${a.accountId}/deployments/${uuid}`, { method: "DELETE", key: a.developer });
    expect(undeploy.status, await undeploy.text()).toBeLessThan(300);
    expect(await implemented(a, ev, V1)).toBe(false);
    // Another event of the same account is not implemented by it.
    expect(await implemented(a, "bot_connectors_post_hook", V1)).toBe(false);
  });

  it("accepts V1 (v=1, empty skillId/externalSystem) and V2 (no query or skillId/userId, LP-EventSource header) calls alike", async () => {
    const a = await newAccount();
    const ev = "conversational_command";
    await deployed(a, undefined, { eventId: ev });
    expect(await implemented(a, ev, "?v=1&skillId=&externalSystem=demoSystem")).toBe(true);
    expect(await implemented(a, ev, "?v=1&skillId=42&externalSystem=")).toBe(true);
    expect(await implemented(a, ev, "", { headers: { "LP-EventSource": "demoSystem" } })).toBe(true);
    expect(await implemented(a, ev, "?userId=u9&skillId=7", { headers: { "LP-EventSource": "Unknown" } })).toBe(true);
    expect(await implemented(a, ev, "", { key: a.developer })).toBe(true);
  });

  it("answers {implemented: false} for an unknown event", async () => {
    const a = await newAccount();
    expect(await implemented(a, "no_such_event", V1)).toBe(false);
    expect(await implemented(a, "No%20Event")).toBe(false);
  });

  it("Developer and Invocation may ask, Admin may not", async () => {
    const a = await newAccount();
    await expectError(await call(`/api/account/${a.accountId}/events/conversational_command/isImplemented${V1}`, { key: a.admin }), 403);
  });

  it("is per account: another account's deployed function never makes it true, and another account's path is 404", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const ev = "bot_connectors_custom_integration";
    await deployed(b, undefined, { eventId: ev });
    expect(await implemented(b, ev, V1)).toBe(true);
    expect(await implemented(a, ev, V1)).toBe(false);
    expect(await implemented(a, ev)).toBe(false);
    await expectError(await call(`/api/account/${b.accountId}/events/${ev}/isImplemented${V1}`, { key: a.invocation }), 404);
  });
});

describe("GET /functions (V2 list)", () => {
  it("lists the account's functions like GET /lambdas, filtered by eventId, repeated state and functionName", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const ev = "bot_connectors_post_hook";
    const live = await deployed(a, undefined, { eventId: ev });
    const draft = await createLambda(a, undefined, { eventId: ev });
    const plain = await createLambda(a);
    await deployed(b, undefined, { eventId: ev });

    const list = async (query: string, key = a.invocation) => {
      const res = await call(`/api/account/${a.accountId}/functions${query}`, { key });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      return JSON.parse(text) as any[];
    };
    const all = await list("?eventId=&userId=&functionName=");
    expect(all.map((f) => f.uuid).sort()).toEqual([live, draft, plain].sort());
    const v1 = await json<any[]>(await call(`/api/account/${a.accountId}/lambdas/?eventId=&state=&externalSystem=&userId=&v=1`, { key: a.invocation }));
    expect(all).toEqual(v1);

    expect((await list(`?eventId=${ev}&state=Productive&state=Draft&userId=&functionName=`)).map((f) => f.uuid).sort()).toEqual([live, draft].sort());
    expect((await list(`?eventId=${ev}&state=Productive&userId=&functionName=`)).map((f) => f.uuid)).toEqual([live]);
    const name = all.find((f) => f.uuid === plain).name;
    expect((await list(`?eventId=&userId=&functionName=${name}`)).map((f) => f.uuid)).toEqual([plain]);
    expect(await list("", a.admin)).toHaveLength(3);
    await expectError(await call(`/api/account/${a.accountId}/functions?state=Bogus`, { key: a.developer }), 400);
    await expectError(await call(`/api/account/${b.accountId}/functions`, { key: a.developer }), 404);
  });
});
