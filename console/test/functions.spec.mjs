// The Functions section's create wizard, editor, deploy review and versions in a real browser
// against a real platform: a Developer creates a function from a template, edits it (the lint marks
// a syntax error), saves with Ctrl+S, deploys through the review's diff, edits again, compares and
// restores a version and deletes the function once it is a Draft again; every step is checked
// through the API. An Admin-only user and an Invocation user see the editor read-only and are
// offered none of the writes. The functions made here are named fnspec_* and deleted again.
import { api, expect, expectAccessible, screenshot, seed, signIn, test } from "./fixtures.mjs";

const FIXED = 'function lambda(input, callback) {\n  callback(null, "Hi " + input.payload.name);\n}\n';
const BROKEN = 'function lambda(input, callback) {\n  callback(null, "Hi " + );\n}\n';
const EDITED = `function lambda(input, callback) {
  const greeting = process.env.GREETING || "Hi";
  callback(null, greeting + " " + input.payload.name);
}
`;

async function send(request, method, urlPath, body, token = seed.developerKey) {
  const res = await request.fetch(`/api/account/${seed.accountId}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status(), body: await res.json().catch(() => null) };
}
const lambdaOf = async (request, uuid) => (await api(request, "GET", `/lambdas/${uuid}`, seed.developerKey))[0];

/** Replaces the whole text of one of the page's code editors, as a paste would. */
async function replaceText(page, testId, text) {
  await page.getByTestId(testId).locator(".cm-content").click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
}

const noSidewaysScroll = async (page) => expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scrolling on a phone").toBeLessThanOrEqual(390);

// The API's refusals the test causes on purpose (a bad or taken name, a bad variable name, a refused deploy).
test.use({ expectedErrors: [/status of (400|409)/] }); // one pattern: a second one would read as fixture options

test("a Developer creates from a template, edits, saves with Ctrl+S, deploys with a review, restores a version and deletes the draft", async ({ page, request }, testInfo) => {
  test.setTimeout(60_000); // about 15 s on a quiet machine; the whole lifecycle of a function
  const name = `fnspec_greeter_${testInfo.project.name}_${Date.now().toString(36)}`;
  let uuid;
  try {
    await page.goto("/functions");
    await signIn(page, { user: seed.users.developer.loginName });
    await page.getByRole("link", { name: "New function" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New function" })).toBeVisible();

    // (1) The template: its code previewed as the choice changes, with its event.
    const preview = page.getByTestId("template-code");
    await page.getByRole("radio", { name: /^HTTP/ }).check();
    await expect(preview).toContainText("Toolbelt.HTTPClient");
    await page.getByRole("radio", { name: /^Greeting/ }).check();
    await expect(preview).toContainText('"Hello " + name');
    await expect(page.getByTestId("template-event")).toContainText("No event");
    await expectAccessible(page, "the create wizard");
    await screenshot(page, testInfo, "function-create");
    await page.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll(page);
    await screenshot(page, testInfo, "function-create-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("button", { name: "Next" }).click();

    // (2) The allow-list: a Developer may not write it, and is told so.
    await expect(page.getByTestId("allow-list-read-only")).toBeVisible();
    await expect(page.getByLabel("Domain")).toHaveCount(0);
    await page.getByRole("button", { name: "Next (or skip)" }).click();

    // (3) Name and description: the API's rule at the field.
    await page.getByLabel("Name").fill("fnspec bad-name!");
    await page.getByRole("button", { name: "Create function" }).click();
    await expect(page.locator("#fc-name-error")).toContainText("letters, digits and _");
    await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
    await page.getByLabel("Name").fill("hello"); // the seeded function's
    await page.getByRole("button", { name: "Create function" }).click();
    await expect(page.locator("#fc-name-error")).toContainText("A function named hello already exists");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Description").fill("made by functions.spec");
    await page.getByRole("button", { name: "Create function" }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page).toHaveURL(/\/functions\/(?!new$)[^/]+$/);
    uuid = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());

    // Created from the template: its code, event and sample payload.
    const greeting = (await api(request, "GET", "/templates", seed.developerKey)).find((t) => t.templateId === "greeting");
    let f = await lambdaOf(request, uuid);
    expect(f).toMatchObject({ name, description: "made by functions.spec", state: "Draft", eventId: null, samplePayload: greeting.samplePayload });
    expect(f.implementation.code).toBe(greeting.code);

    // The editor: the lint marks a syntax error, which goes once fixed.
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByTestId("code")).toHaveAttribute("data-ready", "true");
    await expect(page.getByRole("textbox", { name: `Code of ${name}` })).toBeVisible();
    await replaceText(page, "code", BROKEN);
    await expect(page.getByTestId("unsaved")).toBeVisible();
    await expect(page.getByTestId("code").locator(".cm-lint-marker-error")).toBeVisible();
    await replaceText(page, "code", FIXED);
    await expect(page.getByTestId("code").locator(".cm-lint-marker-error")).toHaveCount(0);

    // A variable whose name the API refuses: its message at the variables, nothing saved.
    await page.getByRole("button", { name: "Add variable" }).click();
    await page.getByLabel("Name of variable 1").fill("1BAD");
    await page.getByLabel("Value of variable 1").fill("x");
    const refused = page.waitForResponse((r) => r.request().method() === "PUT");
    await page.keyboard.press("ControlOrMeta+s");
    expect((await refused).status(), "the API refuses the variable's name").toBe(400);
    await expect(page.locator("#fn-env-error")).toContainText("POSIX");
    expect((await lambdaOf(request, uuid)).version).toBe(1);

    // Fixed, with a sample payload of its own: Ctrl+S saves.
    await page.getByLabel("Name of variable 1").fill("GREETING");
    await page.getByLabel("Value of variable 1").fill("Hello");
    await replaceText(page, "payload", '{ "headers": [], "payload": { "name": "Ada" } }');
    await page.keyboard.press("ControlOrMeta+s");
    await expect(page.getByRole("status").filter({ hasText: "Saved as version 2." })).toBeVisible();
    await expect(page.getByTestId("unsaved")).toHaveCount(0);
    f = await lambdaOf(request, uuid);
    expect(f.version).toBe(2);
    expect(f.implementation.code).toBe(FIXED);
    expect(f.implementation.environmentVariables).toEqual([{ key: "GREETING", value: "Hello" }]);
    expect(f.samplePayload).toEqual({ headers: [], payload: { name: "Ada" } });
    await expectAccessible(page, "the editor");
    await screenshot(page, testInfo, "function-editor");
    // (The editor's phone screenshot is the read-only test's, run at 390×844 too.)
    await page.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll(page);
    await page.setViewportSize({ width: 1280, height: 800 });

    // Deploy, with the review: a first deploy shows all of the code as new.
    await page.getByRole("button", { name: "Deploy…" }).click();
    const review = page.getByTestId("deploy-review");
    await expect(review.getByText("Not deployed yet")).toBeVisible();
    await expect(review.getByTestId("deploy-diff")).toHaveAttribute("data-ready", "true");
    await review.getByRole("button", { name: "Deploy version 2" }).click();
    await expect(review.getByRole("status")).toHaveText("Deployed version 2. The function is now Productive.");
    await review.getByRole("button", { name: "Close" }).click();
    await expect(page.getByTestId("fn-state")).toHaveText("Productive");
    expect((await lambdaOf(request, uuid)).state).toBe("Productive");
    // A deployed function is not offered for deletion.
    await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);

    // Edit again: the review shows the diff against the deployed version 2.
    await replaceText(page, "code", EDITED);
    await page.getByRole("button", { name: "Save and deploy…" }).click();
    await expect(page.getByTestId("fn-state")).toHaveText("Modified");
    await expect(review.getByText("Changes since the deployed version 2:")).toBeVisible();
    const diff = review.getByTestId("deploy-diff");
    await expect(diff.locator(".cm-deletedChunk")).toContainText('callback(null, "Hi " + input.payload.name);');
    await expect(diff.locator(".cm-changedLine").first()).toContainText("process.env.GREETING");
    await expectAccessible(page, "the deploy review");
    await screenshot(page, testInfo, "function-deploy-review");
    await review.getByRole("button", { name: "Cancel" }).click();
    f = await lambdaOf(request, uuid);
    expect(f).toMatchObject({ version: 3, state: "Modified" });
    expect(f.implementation.code).toBe(EDITED);

    // Versions: three, newest first, with who saved them; a diff of the first against the editor.
    const versions = page.locator(".fn-versions tbody tr");
    await expect(versions).toHaveCount(3);
    await expect(versions.first()).toContainText("current");
    await expect(page.getByTestId("version-2")).toContainText("deployed");
    await expect(page.getByTestId("version-2")).toContainText(seed.users.developer.loginName);
    await page.getByRole("button", { name: "Compare version 1 with the editor" }).click();
    await expect(page.getByTestId("version-diff").locator(".cm-deletedChunk")).toContainText('callback(null, "Hello " + name + "!");');
    await expectAccessible(page, "the versions");
    await screenshot(page, testInfo, "function-versions");

    // Restore version 2, after a confirmation: saved as version 4, the editor shows it.
    await page.getByRole("button", { name: "Restore version 2" }).click();
    const confirm = page.getByTestId("confirm");
    await expect(confirm).toContainText("saved as a new version");
    await confirm.getByRole("button", { name: "Restore" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Restored as version 4." })).toBeVisible();
    await expect(page.getByTestId("code").locator(".cm-content")).toContainText('"Hi " + input.payload.name');
    f = await lambdaOf(request, uuid);
    expect(f).toMatchObject({ version: 4, state: "Modified" });
    expect(f.implementation.code).toBe(FIXED);

    // Leaving with unsaved changes asks first (a link, Back): declined, the page stays; accepted, it goes.
    await replaceText(page, "code", `${FIXED}// not saved\n`);
    page.once("dialog", (d) => d.dismiss());
    await page.getByRole("link", { name: "← Functions" }).click();
    await expect(page).toHaveURL(new RegExp(`/functions/${uuid}$`));
    const asked = page.waitForEvent("dialog");
    await page.evaluate(() => history.back()); // the browser's Back, declined: the page and its changes stay
    const question = await asked;
    expect(question.message()).toContain("unsaved changes");
    await question.dismiss();
    await expect(page).toHaveURL(new RegExp(`/functions/${uuid}$`));
    await expect(page.getByTestId("unsaved")).toBeVisible();
    page.once("dialog", (d) => d.accept());
    await page.getByRole("link", { name: "← Functions" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Functions" })).toBeVisible();
    expect((await lambdaOf(request, uuid)).implementation.code).toBe(FIXED);

    // Undeployed (the Deployments page's job, here through the API), it is a Draft: delete it.
    expect((await send(request, "DELETE", `/deployments/${uuid}`)).status).toBe(200);
    await page.getByRole("link", { name }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByTestId("confirm").getByRole("button", { name: "Delete" }).click();
    await expect(page).toHaveURL(/\/functions$/);
    await expect(page.getByRole("link", { name })).toHaveCount(0);
    expect((await send(request, "GET", `/lambdas/${uuid}`)).status).toBe(404);
    uuid = undefined;
  } finally {
    if (uuid) {
      await send(request, "DELETE", `/deployments/${uuid}`);
      await send(request, "DELETE", `/lambdas/${uuid}`);
    }
  }
});

test("an Admin-only user and an Invocation user see the editor read-only, and are offered no create, save, deploy, restore or delete", { tag: "@phone" }, async ({ page, request }, testInfo) => {
  // An Admin who is not a Developer (the seeded admin user is both).
  const loginName = `fnspec-admin-${testInfo.project.name}@brand.example`;
  const made = await send(request, "POST", "/users", { loginName, roles: ["FaaS-Admin"], password: seed.password }, seed.adminKey);
  expect([201, 409]).toContain(made.status);
  const uuid = seed.functions.changed; // deployed, then edited: Modified, with versions
  const before = await lambdaOf(request, uuid);

  // At 390×844 the Admin alone: the layout is the same for both, the roles are checked at 1280×800.
  const viewers = testInfo.project.name === "phone" ? [{ user: loginName }] : [{ user: loginName }, { user: seed.users.invocation.loginName }];
  for (const who of viewers) {
    await page.goto("/functions");
    await signIn(page, who);
    await expect(page.getByRole("heading", { level: 1, name: "Functions" })).toBeVisible();
    await expect(page.getByRole("link", { name: "New function" })).toHaveCount(0);

    await page.getByRole("link", { name: "changed", exact: true }).click();
    await expect(page.getByTestId("read-only")).toBeVisible();
    await expect(page.getByTestId("code")).toHaveAttribute("data-ready", "true");
    await expect(page.getByRole("textbox", { name: "Code of changed" })).toHaveAttribute("aria-readonly", "true");
    await expect(page.getByTestId("code").locator(".cm-content")).toContainText("'v2'");
    for (const action of ["Save", "Deploy…", "Save and deploy…", "Delete", "Add variable"]) await expect(page.getByRole("button", { name: action, exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Restore/ })).toHaveCount(0);
    await page.keyboard.press("ControlOrMeta+s"); // does nothing for them
    await expect(page.getByRole("status")).toHaveCount(0);
    // Versions can still be compared.
    await page.getByRole("button", { name: "Compare version 1 with the editor" }).click();
    await expect(page.getByTestId("version-diff").locator(".cm-deletedChunk")).toContainText("'v1'");
    if (who.user === loginName) {
      await expectAccessible(page, "the read-only editor");
      await screenshot(page, testInfo, "function-editor-read-only");
      if (testInfo.project.name === "phone") await noSidewaysScroll(page);
    }

    // The wizard's address says the role may not create.
    await page.goto("/functions/new");
    await expect(page.getByText("Your role may not create functions.")).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("heading", { name: "Sign in to edgefn" })).toBeVisible();
  }
  expect(await lambdaOf(request, uuid), "nothing changed").toMatchObject({ version: before.version, state: before.state, updatedAt: before.updatedAt });
});

test("an Admin who is also a Developer adds a domain in the wizard; a deploy blocked by a syntax error, and a refused one's cause", async ({ page, request }, testInfo) => {
  const domain = `fnspec-${testInfo.project.name}-${Date.now().toString(36)}.example.com`;
  const created = await send(request, "POST", "/lambdas", { name: `fnspec_refused_${Date.now().toString(36)}`, implementation: { code: BROKEN } });
  expect(created.status).toBe(201);
  const { uuid, name } = created.body;
  try {
    await page.goto("/functions/new");
    await signIn(page, { user: seed.users.admin.loginName });
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Domain").fill("not a domain!");
    await page.getByRole("button", { name: "Add to allow-list" }).click();
    await expect(page.locator("#fc-domain-error")).not.toBeEmpty();
    await expect(page.getByLabel("Domain")).toHaveAttribute("aria-invalid", "true");
    await page.getByLabel("Domain").fill(domain);
    await page.getByRole("button", { name: "Add to allow-list" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Added: ${domain}.` })).toBeVisible();
    await expect(page.locator("#fc-domain-error")).toBeEmpty();
    const list = await api(request, "GET", "/proxy-settings", seed.adminKey);
    expect(list.map((d) => d.domain)).toContain(domain);
    await expectAccessible(page, "the wizard's allow-list step");
    await screenshot(page, testInfo, "function-create-allow-list");
    await page.getByRole("button", { name: "Next (or skip)" }).click();
    await expect(page.getByText("From the template Greeting")).toBeVisible();

    // A syntax error: the review says where, and offers no deploy.
    await page.goto(`/functions/${uuid}`);
    await page.getByRole("button", { name: "Deploy…" }).click();
    const review = page.getByTestId("deploy-review");
    await expect(review.getByRole("alert")).toContainText("Syntax error on line 2");
    await expect(review.getByRole("button", { name: /^Deploy version/ })).toHaveCount(0);
    await review.getByRole("button", { name: "Cancel" }).click();

    // Valid code without a lambda function: the platform refuses it, and the cause is shown.
    await replaceText(page, "code", "module.exports = 1;\n");
    await page.getByRole("button", { name: "Save and deploy…" }).click();
    await review.getByRole("button", { name: "Deploy version 2" }).click();
    await expect(review.getByRole("alert")).toContainText("The deploy was refused");
    await review.getByRole("button", { name: "Close" }).click();
    const failure = (await lambdaOf(request, uuid)).lastDeployFailure;
    expect(failure).toMatchObject({ lambdaVersion: 2 });
    await expect(page.getByTestId("deploy-failure")).toContainText(failure.message);
    await expect(page.getByTestId("fn-state")).toHaveText("Draft");
  } finally {
    const list = (await send(request, "GET", "/proxy-settings", undefined, seed.adminKey)).body ?? [];
    for (const d of list.filter((d) => d.domain === domain)) await send(request, "DELETE", `/proxy-settings/${d.id}`, undefined, seed.adminKey);
    await send(request, "DELETE", `/lambdas/${uuid}`);
  }
});
