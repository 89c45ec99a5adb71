// Issue 5, binding functions to events: one catalogued event at creation (immutable), the event's
// function limit (409 naming it) at creation, on a skills edit and at deploy, and skills that never
// overlap between functions of a skill event.
import { describe, expect, it } from "vitest";
import { call, createLambda, deploy, deployed, env, json, newAccount, uniqueName, type TestAccount } from "./helpers/api";
import { CODES, expectError } from "./helpers/spec";

const LIMIT = "com.liveperson.faas.es.limitreached";
const SKILL_EVENT = "controllerbot_messaging_conversation_idle";

const create = (a: TestAccount, extra: Record<string, unknown>) =>
  call(`/api/account/${a.accountId}/lambdas`, {
    key: a.developer,
    body: { name: uniqueName(), description: "d", implementation: { code: "function lambda(i, cb) { cb(null, 1); }" }, ...extra },
  });

const edit = (a: TestAccount, uuid: string, body: Record<string, unknown>) =>
  call(`/api/account/${a.accountId}/lambdas/${uuid}`, { method: "PUT", key: a.developer, body });

async function expectLimit(res: Response, limit: number, context = "") {
  const body = await expectError(res, 409, LIMIT, context);
  expect(body).toMatchObject({ limitName: "functionLimit", limit });
  expect(body.errorMsg).toContain(`functionLimit: ${limit}`);
  return body;
}

describe("binding a function to an event at creation", () => {
  it("accepts only catalogued events (or none), and skills only for events that select by skill", async () => {
    const a = await newAccount();
    await expectError(await create(a, { eventId: "no_such_event" }), 400, CODES.badInput);
    await expectError(await create(a, { eventId: "conversational_command", skills: ["s1"] }), 400, CODES.badInput);
    await expectError(await create(a, { skills: ["s1"] }), 400, CODES.badInput);
    await expectError(await create(a, { eventId: SKILL_EVENT, skills: ["has space"] }), 400, CODES.badInput);
    await expectError(await create(a, { eventId: SKILL_EVENT, skills: ["s1", "s1"] }), 400, CODES.badInput);
    await expectError(await create(a, { eventId: SKILL_EVENT, skills: Array.from({ length: 501 }, (_, i) => `s${i}`) }), 400, CODES.badInput);
    for (const eventId of [null, "No Event", undefined]) {
      const res = await create(a, { eventId });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(await json(res)).toMatchObject({ eventId: null, skills: [] });
    }
    const skilled = await create(a, { eventId: SKILL_EVENT, skills: Array.from({ length: 500 }, (_, i) => `s${i}`) });
    expect(skilled.status).toBe(201);
    expect((await json(skilled)).skills).toHaveLength(500);
  });

  it("the event is immutable afterwards", async () => {
    const a = await newAccount();
    const uuid = await createLambda(a, undefined, { eventId: "conversational_command" });
    await expectError(await edit(a, uuid, { eventId: "bot_connectors_pre_hook" }), 400, CODES.badInput);
    await expectError(await edit(a, uuid, { eventId: null }), 400, CODES.badInput);
    expect((await edit(a, uuid, { eventId: "conversational_command", description: "same event" })).status).toBe(200);
  });

  it("an event admits functionLimit functions per account: the next one is 409 naming the limit; deleting one makes room", async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const ev = "denver_post_survey_email_transcript"; // functionLimit 10
    const uuids: string[] = [];
    for (let i = 0; i < 10; i++) uuids.push(await createLambda(a, undefined, { eventId: ev }));
    await expectLimit(await create(a, { eventId: ev }), 10);
    // Other events, functions without an event and other accounts are not affected.
    expect((await create(a, { eventId: "conversational_command" })).status).toBe(201);
    expect((await create(a, {})).status).toBe(201);
    expect((await create(b, { eventId: ev })).status).toBe(201);
    const del = await call(`/api/account/${a.accountId}/lambdas/${uuids[0]}`, { method: "DELETE", key: a.developer });
    expect(del.status, await del.text()).toBeLessThan(300);
    expect((await create(a, { eventId: ev })).status).toBe(201);
  });

  it("two creates at once for the last place: exactly one gets it", async () => {
    const a = await newAccount();
    const answers = await Promise.all([create(a, { eventId: SKILL_EVENT }), create(a, { eventId: SKILL_EVENT })]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
  });
});

describe("skills of a skill event", () => {
  it("functions of one skill event may not share a skill; a function without skills serves (and takes) every skill", async () => {
    const a = await newAccount();
    expect((await create(a, { eventId: SKILL_EVENT, skills: ["s1", "s2"] })).status).toBe(201);
    const clash = await expectLimit(await create(a, { eventId: SKILL_EVENT, skills: ["s2", "s3"] }), 1);
    expect(clash.errorMsg).toContain("s2");
    expect((await create(a, { eventId: SKILL_EVENT, skills: ["s3"] })).status).toBe(201);
    await expectLimit(await create(a, { eventId: SKILL_EVENT }), 1, "every skill overlaps");
    // Another skill event is separate.
    expect((await create(a, { eventId: "controllerbot_messaging_ttr" })).status).toBe(201);

    const b = await newAccount();
    expect((await create(b, { eventId: SKILL_EVENT, skills: [] })).status).toBe(201);
    await expectLimit(await create(b, { eventId: SKILL_EVENT, skills: ["s9"] }), 1);
  });

  it("skills can be edited without a redeploy (takes effect at once, state stays Productive), within the limit", async () => {
    const a = await newAccount();
    const first = await deployed(a, "function lambda(i, cb) { cb(null, 'first'); }", { eventId: SKILL_EVENT, skills: ["s1"] });
    const second = await deployed(a, "function lambda(i, cb) { cb(null, 'second'); }", { eventId: SKILL_EVENT, skills: ["s2"] });
    await expectLimit(await edit(a, second, { skills: ["s2", "s1"] }), 1);
    const moved = await edit(a, second, { skills: ["s3"] });
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect(await json(moved)).toMatchObject({ skills: ["s3"], state: "Productive" });
    const viaS3 = await call(`/api/account/${a.accountId}/events/${SKILL_EVENT}/invoke?skillId=s3`, { key: a.invocation, body: { headers: [], payload: {} } });
    expect(await json(viaS3)).toBe("second");
    // A skills edit on a function without skill event is bad input.
    const plain = await createLambda(a);
    await expectError(await edit(a, plain, { skills: ["s1"] }), 400, CODES.badInput);
    expect((await edit(a, first, { skills: ["s1", "s2"] })).status).toBe(200);
  });

  it("deploying is checked too: a function whose skills overlap a deployed one (stored before these rules) is refused with 409", async () => {
    const a = await newAccount();
    await deployed(a, undefined, { eventId: SKILL_EVENT, skills: ["s1"] });
    const late = await createLambda(a, undefined, { eventId: SKILL_EVENT, skills: ["s2"] });
    // As if stored before the skill rules existed: straight into D1, around the API.
    await env.DB.prepare("UPDATE lambdas SET skills = '[\"s1\"]' WHERE account_id = ? AND uuid = ?").bind(a.accountId, late).run();
    await expectLimit(await deploy(a, late), 1);
    const [stored] = await json(await call(`/api/account/${a.accountId}/lambdas/${late}`, { key: a.developer })); // LivePerson answers an array
    expect(stored.state).toBe("Draft");
  });
});
