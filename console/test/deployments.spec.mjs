// Deployments, the test page and the conversation simulator against a real platform. Each test
// makes its own functions through the API (an ordinary one that logs at Debug, a bot of the
// Third-Party Bots Custom Integration template answering texts and quick replies, one whose deploy
// is refused), drives the pages, checks their effect through the API, and deletes what it made, so
// the other spec files' counts of the seeded account hold.
import { expect, expectAccessible, screenshot, seed, signIn, test } from "./fixtures.mjs";

// The pages are checked at 390×844 inside the desktop run (checkPage) rather than in the phone
// project: one sign-in and one set of functions for both sizes keeps the file fast.

const ORDER_CODE = `function lambda(input, callback) {
  console.debug("checking the order", { order: input.payload.order });
  console.info("order accepted");
  if (input.payload.fail) return callback(new Error("no such order"));
  const shop = (input.headers.find((h) => h.key === "X-Shop") || {}).value;
  callback(null, { accepted: input.payload.order, shop });
}`;
const ORDER_SAMPLE = { headers: [{ key: "X-Shop", value: "north" }], payload: { order: 41 } };

// The template's event and sample payload, with code that also answers quick replies.
const BOT_CODE = `function lambda(input, callback) {
  const text = String(input.payload.message || "").trim();
  const customer = input.payload.context.lpSdes.ctmrinfo.customerId;
  if (text === "" || /^hi\\b/i.test(text)) {
    return callback(null, {
      messages: [
        "Hello " + customer + "!",
        { structuredContent: { message: "What can I do for you?", quickReplies: { type: "quickReplies", itemsPerRow: 8, replies: [
          { type: "button", title: "Opening hours", click: { actions: [{ type: "publishText", text: "hours" }] } },
          { type: "button", title: "An agent", click: { actions: [{ type: "publishText", text: "agent" }] } },
        ] } } },
      ],
      context: { intentId: "welcome", intentName: "Welcome", confidenceScore: 1 },
    });
  }
  if (text === "hours") return callback(null, { messages: ["We are open 8:00-20:00."] });
  if (text === "agent") return callback(null, { messages: ["Connecting you."], context: { action: "TRANSFER", actionParameters: { skill: "human_agents" } } });
  callback(null, { messages: ["You said: " + text] });
}`;

const BROKEN_CODE = "function lambda(input, callback) { callback(null, ; }";

async function call(request, method, urlPath, body, token = seed.developerKey) {
  const res = await request.fetch(`/api/account/${seed.accountId}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status(), body: res.status() === 204 ? null : await res.json().catch(() => null) };
}
async function ok(request, method, urlPath, body, token) {
  const res = await call(request, method, urlPath, body, token);
  expect(res.status, `${method} ${urlPath}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}
const lambda = async (request, uuid) => (await ok(request, "GET", `/lambdas/${uuid}`))[0];

/** Functions of this test, named uniquely (other spec files share the account), deleted by `cleanup`. */
async function makeFunctions(request, testInfo, kinds) {
  const tag = `${testInfo.project.name}_${Date.now().toString(36)}`;
  const made = {};
  await Promise.all(
    kinds.map(async (kind) => {
      const name = `dep_${kind}_${tag}`;
      const body =
        kind === "bot"
          ? { name, description: "a bot with quick replies", templateId: "third-party-bots-custom-integration", implementation: { code: BOT_CODE } }
          : kind === "broken"
            ? { name, description: "does not compile", implementation: { code: BROKEN_CODE } }
            : { name, description: "accepts orders", implementation: { code: ORDER_CODE }, samplePayload: ORDER_SAMPLE };
      const { uuid } = await ok(request, "POST", "/lambdas", body);
      made[kind] = { uuid, name };
      const deploy = await call(request, "POST", `/deployments/${uuid}`);
      expect(deploy.status, `deploy of ${kind}: ${JSON.stringify(deploy.body)}`).toBe(kind === "broken" ? 400 : 201); // the broken one is refused
    }),
  );
  return made;
}
async function cleanup(request, made) {
  await Promise.all(
    Object.values(made).map(async ({ uuid }) => {
      await call(request, "DELETE", `/deployments/${uuid}`);
      await call(request, "DELETE", `/lambdas/${uuid}`);
    }),
  );
}

/** axe and a screenshot at 1280×800, then the same page at 390×844: no sideways scrolling, and a screenshot. */
async function checkPage(page, testInfo, name) {
  await expectAccessible(page, name);
  await screenshot(page, testInfo, name);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: no sideways scrolling on a phone`).toBeLessThanOrEqual(390);
  await screenshot(page, testInfo, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

const card = (page, name) => page.getByTestId("dep-card").filter({ has: page.getByRole("heading", { name, exact: true }) });

// The browser reports the refused redeploy (400) and the failed function's answer (901 through the
// front proxy) that the tests cause on purpose.
test.use({ expectedErrors: [/status of (400|901|422)/] });

test("a Developer sees deployments with version, deployer and a failed deploy's cause, tests a function with Debug logs, talks to a bot, redeploys and undeploys", async ({ page, request }, testInfo) => {
  test.setTimeout(60_000); // about 20 s alone; more while the machine is busy
  const made = await makeFunctions(request, testInfo, ["order", "bot", "broken"]);
  try {
    await page.goto("/deployments");
    await signIn(page, { user: seed.users.developer.loginName });
    await expect(page.getByRole("heading", { level: 1, name: "Deployments" })).toBeVisible();

    // The list: state, version and who deployed, as the API tells them.
    const order = card(page, made.order.name);
    let fn = await lambda(request, made.order.uuid);
    await expect(order.locator(".badge")).toHaveText("Productive");
    await expect(order.getByTestId("dep-version")).toHaveText(`v${fn.lastDeployment.lambdaVersion}`);
    await expect(order.getByTestId("dep-by")).toHaveText(fn.lastDeployment.createdBy.replace(/#.*$/, ""));
    await expect(order.getByRole("link", { name: "Logs" })).toHaveAttribute("href", `/logs?lambdaUUID=${made.order.uuid}`);
    await expect(order.getByRole("link", { name: "Simulator" })).toHaveCount(0);
    await expect(card(page, made.bot.name).getByRole("link", { name: "Simulator" })).toBeVisible();
    // The refused deploy: not deployed, with its cause.
    const broken = page.getByTestId("dep-failed").getByTestId("dep-card").filter({ hasText: made.broken.name });
    await expect(broken.getByTestId("dep-failure")).toContainText("The deploy of v1 failed");
    await expect(broken.getByTestId("dep-failure")).toContainText((await lambda(request, made.broken.uuid)).lastDeployFailure.message);
    await expect(broken.getByRole("link", { name: "Test" })).toHaveCount(0);
    await checkPage(page, testInfo, "deployments-list");

    // The test page: prefilled with the sample payload; invalid JSON is named under its field.
    await order.getByRole("link", { name: "Test" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `Test ${made.order.name}` })).toBeVisible();
    const headers = page.getByLabel("Headers (JSON)");
    const payload = page.getByLabel("Payload (JSON)");
    await expect(headers).toHaveValue(JSON.stringify(ORDER_SAMPLE.headers, null, 2));
    await expect(payload).toHaveValue(JSON.stringify(ORDER_SAMPLE.payload, null, 2));
    await payload.fill('{"order": 42,}');
    await expect(page.locator("#ft-payload-problem")).toContainText("This is not valid JSON");
    await expect(payload).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByRole("button", { name: "Run" })).toBeDisabled();
    await headers.fill('[{"value": 1}]');
    await expect(page.locator("#ft-headers-problem")).toHaveText('Header 1 needs a non-empty "key" and a "value".');
    await headers.fill('[{"key": "X-Shop", "value": "south"}]');
    await payload.fill('{"order": 42}');
    await expect(page.locator("#ft-payload-problem")).toHaveText("");
    await page.getByRole("button", { name: "Run" }).click();
    const result = page.getByTestId("ft-result");
    await expect(result.getByTestId("ft-outcome")).toHaveText("Succeeded");
    await expect(result.getByTestId("ft-status")).toHaveText("200");
    await expect(result.getByTestId("ft-duration")).toHaveText(/^\d+ ms$/);
    expect(JSON.parse(await result.getByTestId("ft-returned").textContent())).toEqual({ accepted: 42, shop: "south" });
    await expect(result.getByTestId("ft-logs").locator("li")).toHaveText([/^Debug checking the order/, /^Info order accepted/]);
    await expect(result.getByRole("link", { name: "This invocation's stored logs" })).toHaveAttribute("href", /^\/logs\?requestId=.+/);
    // A failing run: the error and the logs up to it (Ctrl+Enter runs from the field).
    await payload.fill('{"order": 43, "fail": true}');
    await payload.press("Control+Enter");
    await expect(result.getByTestId("ft-error")).toContainText("no such order");
    await expect(result.getByTestId("ft-outcome")).toHaveText("Function failed");
    await expect(result.getByTestId("ft-logs").locator("li").first()).toContainText("Debug");
    await checkPage(page, testInfo, "deployments-test");

    // The simulator: the customer's message goes in the sample payload; texts and quick replies come back.
    await page.getByRole("link", { name: "← Deployments" }).click();
    await card(page, made.bot.name).getByRole("link", { name: "Simulator" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `Conversation simulator: ${made.bot.name}` })).toBeVisible();
    const log = page.getByRole("log", { name: "Conversation" });
    await page.getByLabel("Message as the customer").fill("hi there");
    await page.getByLabel("Message as the customer").press("Enter");
    await expect(log.getByTestId("sim-customer")).toHaveText(["Youhi there"]);
    await expect(log.getByTestId("sim-bot").first()).toContainText("Hello c-10023!"); // from the template's sample payload
    await expect(log.getByRole("group", { name: "Quick replies" }).getByRole("button")).toHaveText(["Opening hours", "An agent"]);
    await expect(page.getByLabel("Message as the customer")).toBeFocused();
    await log.getByRole("button", { name: "Opening hours" }).click();
    await expect(log.getByTestId("sim-customer").last()).toHaveText("Youhours");
    await expect(log.getByTestId("sim-bot").last()).toHaveText("BotWe are open 8:00-20:00.");
    await expect(log.getByRole("button", { name: "An agent" })).toBeDisabled(); // only the latest question's replies
    await page.getByLabel("Message as the customer").fill("agent");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(log).toContainText("The bot transfers the conversation to skill human_agents.");
    await checkPage(page, testInfo, "deployments-simulator");

    // Back to the list after an edit of the code: Modified; redeploy it, then a redeploy that fails, then undeploy.
    await ok(request, "PUT", `/lambdas/${made.order.uuid}`, { implementation: { code: ORDER_CODE.replace("order accepted", "order taken") } });
    await page.getByRole("link", { name: "← Deployments" }).click();
    await expect(order.locator(".badge")).toHaveText("Modified");
    await expect(order.getByTestId("dep-version")).toContainText("v1 (the code is at v2, not deployed yet)");

    await order.getByRole("button", { name: "Redeploy" }).click();
    await expect(page.getByTestId("dep-result")).toHaveText(`${made.order.name}: version 2 deployed.`);
    await expect(order.locator(".badge")).toHaveText("Productive");
    fn = await lambda(request, made.order.uuid);
    expect([fn.state, fn.lastDeployment.lambdaVersion]).toEqual(["Productive", 2]);
    expect(fn.lastDeployment.createdBy).toContain(seed.users.developer.loginName);
    await expect(order.getByTestId("dep-by")).toHaveText(`user:${seed.users.developer.loginName}`);

    // A redeploy the platform refuses: its cause at the top and on the card; v2 keeps serving.
    await ok(request, "PUT", `/lambdas/${made.order.uuid}`, { implementation: { code: BROKEN_CODE } });
    await order.getByRole("button", { name: "Redeploy" }).click();
    await expect(page.getByTestId("dep-result")).toContainText(`${made.order.name} was not deployed. The function is not a valid lambda`);
    await expect(order.getByTestId("dep-failure")).toContainText("The deploy of v3 failed");
    await expect(order.getByTestId("dep-failure")).toContainText("the deployed version keeps serving");
    await expect(order.locator(".badge")).toHaveText("Modified");
    fn = await lambda(request, made.order.uuid);
    expect([fn.lastDeployment.lambdaVersion, fn.lastDeployFailure.lambdaVersion]).toEqual([2, 3]);

    // Undeploy asks first; Cancel keeps it deployed.
    await order.getByRole("button", { name: "Undeploy" }).click();
    await expect(order.getByRole("button", { name: `Undeploy ${made.order.name}` })).toBeFocused();
    await order.getByRole("button", { name: "Cancel" }).click();
    expect((await lambda(request, made.order.uuid)).state).toBe("Modified");
    await order.getByRole("button", { name: "Undeploy" }).click();
    await order.getByRole("button", { name: `Undeploy ${made.order.name}` }).click();
    await expect(page.getByTestId("dep-result")).toHaveText(`${made.order.name} was undeployed: it no longer serves and is a Draft again.`);
    await expect(page.getByTestId("dep-deployed").getByTestId("dep-card").filter({ hasText: made.order.name })).toHaveCount(0);
    fn = await lambda(request, made.order.uuid);
    expect(fn.state).toBe("Draft");
  } finally {
    await cleanup(request, made);
  }
});

test("an Admin-only user and an Invocation key are offered no undeploy, redeploy or test", async ({ page, request }, testInfo) => {
  const made = await makeFunctions(request, testInfo, ["order", "bot"]);
  const loginName = `dep-admin-${testInfo.project.name}-${Date.now().toString(36)}@brand.example`;
  const admin = await ok(request, "POST", "/users", { loginName, roles: ["FaaS-Admin"], password: seed.password }, seed.adminKey);
  try {
    for (const who of [{ user: loginName }, { key: seed.invocationKey }]) {
      await page.goto("/deployments");
      await signIn(page, who);
      const order = card(page, made.order.name);
      await expect(order.locator(".badge")).toHaveText("Productive");
      await expect(page.getByText("Your role may not deploy")).toBeVisible();
      await expect(order.getByRole("button")).toHaveCount(0);
      await expect(order.getByRole("link", { name: "Test" })).toHaveCount(0);
      await expect(order.getByRole("link", { name: "Logs" })).toBeVisible();
      // The Invocation key may invoke, so it may talk to the bot (through the invoke route).
      await expect(card(page, made.bot.name).getByRole("link", { name: "Simulator" })).toHaveCount(who.key ? 1 : 0);
      await page.goto(`/deployments/${made.order.uuid}/test`);
      await expect(page.getByTestId("ft-not-allowed")).toBeVisible();
      await expect(page.getByRole("button", { name: "Run" })).toHaveCount(0);
      if (who.key) {
        await page.goto(`/deployments/${made.bot.uuid}/simulator`);
        await page.getByRole("button", { name: "Send the welcome event (an empty message)" }).click();
        await expect(page.getByRole("log").getByRole("button", { name: "Opening hours" })).toBeVisible();
      } else {
        await page.goto(`/deployments/${made.bot.uuid}/simulator`);
        await expect(page.getByTestId("sim-not-allowed")).toBeVisible();
      }
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("heading", { name: "Sign in to edgefn" })).toBeVisible();
    }
  } finally {
    await call(request, "DELETE", `/users/${admin.id}`, undefined, seed.adminKey);
    await cleanup(request, made);
  }
});
