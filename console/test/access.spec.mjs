// Settings › Users, API keys and OAuth clients against a real platform, as the seeded Admin user:
// each action in the browser, its effect checked through the API (a created user signs in, its
// roles change, its sessions end, it is deleted; an invitation works once; a key and a client
// secret are shown once, work, and are gone from the page and the API's lists afterwards). As a
// Developer user and an Invocation key, the tabs are not offered. Names are prefixed "access-".
import { expect, expectAccessible, screenshot, seed, signIn, test } from "./fixtures.mjs";

const PASSWORD = "access-spec-password-1";
// The 400 of a short password, the 401 of a wrong invitation and the 404 of a user deleted meanwhile, on purpose.
test.use({ expectedErrors: [/status of 40[014]/] }); // one pattern: Playwright reads a second array item as options

/** The API as the test calls it: {status, body} (no assertion, so refusals can be checked). */
async function call(request, method, urlPath, { token = seed.adminKey, body, account = true } = {}) {
  const res = await request.fetch(account ? `/api/account/${seed.accountId}${urlPath}` : urlPath, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status(), text, body: text ? JSON.parse(text) : null };
}

const login = async (request, username) => (await call(request, "POST", "/login?v=1.3", { token: null, body: { username, password: PASSWORD } })).body?.bearer;
const dialog = (page) => page.getByRole("dialog").or(page.getByRole("alertdialog"));

/** A tab as loaded: axe, a screenshot, and no sideways scrolling. */
async function checkTab(page, testInfo, tab, title) {
  await expect(page.getByRole("heading", { level: 2, name: title })).toBeVisible();
  await expect(page.getByText("Loading…")).toHaveCount(0);
  await expect(page.locator(".access table").or(page.locator(".access > p", { hasText: /^No / }))).toBeVisible();
  await expectAccessible(page, `Settings › ${title}`);
  await screenshot(page, testInfo, `settings-${tab}`);
  const wide = await page.evaluate(() => [...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > innerWidth + 1).map((e) => e.tagName + "." + e.className).slice(0, 5));
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `no sideways scrolling (${wide})`).toBeLessThanOrEqual(page.viewportSize().width);
}

async function openAsAdmin(page, tab) {
  await page.goto(`/settings/${tab}`);
  await signIn(page, { user: seed.users.admin.loginName });
}

test("Users: add with a password (a short one refused), sign in, change roles, end sessions, delete; invite once", async ({ page, request }, testInfo) => {
  const name = `access-${testInfo.project.name}-pat@brand.example`;
  const invited = `access-${testInfo.project.name}-ivy@brand.example`;
  await openAsAdmin(page, "users");
  await checkTab(page, testInfo, "users", "Users");
  await expect(page.getByTestId("user-row").filter({ hasText: seed.users.admin.loginName })).toContainText("(you)");

  // A short password: the API's message next to the field, nothing created.
  await page.getByLabel("Login name").fill(name);
  await page.getByRole("checkbox", { name: /^Invocation/ }).check();
  await page.getByLabel("Password", { exact: true }).fill("too-short");
  await page.getByRole("button", { name: "Add the user" }).click();
  await expect(page.locator("#user-password-error")).toHaveText("the password must have at least 12 characters");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Add the user" }).click();
  await expect(page.getByRole("status")).toHaveText(`${name} was added.`);
  const row = page.getByTestId("user-row").filter({ hasText: name });
  await expect(row).toContainText("Developer, Invocation");
  await expect(row).toContainText("Active");
  const user = (await call(request, "GET", "/users")).body.find((u) => u.loginName === name);

  // The new user signs in.
  const bearer = await login(request, name);
  expect((await call(request, "GET", "/me", { token: bearer })).body.roles).toEqual(["FaaS-Developer", "FaaS-Invocation"]);

  // Roles: Developer taken away; the API has it, and the old session ended with the change.
  await row.getByRole("button", { name: `Change roles of ${name}` }).click();
  await dialog(page).getByRole("checkbox", { name: /^Developer/ }).uncheck();
  await expectAccessible(page, "Users: the roles dialog");
  await dialog(page).getByRole("button", { name: "Save the roles" }).click();
  await expect(page.getByRole("status")).toContainText(`The roles of ${name} are now Invocation`);
  await expect(row).toContainText("Invocation");
  expect((await call(request, "GET", "/users")).body.find((u) => u.id === user.id).roles).toEqual(["FaaS-Invocation"]);
  expect((await call(request, "GET", "/me", { token: bearer })).status).toBe(401);

  // End sessions: a fresh bearer is refused afterwards.
  const again = await login(request, name);
  expect((await call(request, "GET", "/me", { token: again })).status).toBe(200);
  await row.getByRole("button", { name: `End sessions of ${name}` }).click();
  await dialog(page).getByRole("button", { name: "End every session" }).click();
  await expect(page.getByRole("status")).toHaveText(`Every session of ${name} ended.`);
  expect((await call(request, "GET", "/me", { token: again })).status).toBe(401);

  // Delete, after a confirmation that can be cancelled.
  await row.getByRole("button", { name: `Delete ${name}` }).click();
  await dialog(page).getByRole("button", { name: "Cancel" }).click();
  await expect(dialog(page)).toHaveCount(0);
  await row.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(dialog(page)).toContainText("cannot be undone");
  await dialog(page).getByRole("button", { name: "Delete the user" }).click();
  await expect(row).toHaveCount(0);
  expect((await call(request, "GET", "/users")).body.some((u) => u.loginName === name)).toBe(false);

  // An invitation: its token shown once, in a dialog; it works (once) through the API.
  await page.getByLabel("Login name").fill(invited);
  await page.getByRole("radio", { name: /one-time invitation/ }).check();
  await page.getByRole("button", { name: "Add and invite" }).click();
  await expect(dialog(page)).toContainText("it will not be shown again");
  const token = await dialog(page).getByLabel("Invitation token").inputValue();
  expect(token).toMatch(/^efi_/);
  await expectAccessible(page, "Users: the invitation");
  await screenshot(page, testInfo, "settings-users-invitation");
  await dialog(page).getByRole("button", { name: "Done, I have copied it" }).click();
  await expect(dialog(page)).toHaveCount(0);
  expect(await page.content(), "the token is gone from the page").not.toContain(token);
  await expect(page.getByTestId("user-row").filter({ hasText: invited })).toContainText("Invited");
  const accepted = await call(request, "POST", "/invitation", { token: null, body: { token, password: PASSWORD } });
  expect(accepted.status).toBe(200);
  expect((await call(request, "POST", "/invitation", { token: null, body: { token, password: PASSWORD } })).status, "an invitation works once").toBe(401);

  // A refusal is shown in the dialog, which stays open: here the user was deleted behind the page's back.
  await call(request, "DELETE", `/users/${accepted.body.userId}`);
  await page.getByTestId("user-row").filter({ hasText: invited }).getByRole("button", { name: `Delete ${invited}` }).click();
  await dialog(page).getByRole("button", { name: "Delete the user" }).click();
  await expect(dialog(page).getByRole("alert")).toContainText(`No user with id ${accepted.body.userId}`);
  await dialog(page).getByRole("button", { name: "Cancel" }).click();
  await expect(dialog(page)).toHaveCount(0);
});

test("API keys and OAuth clients: shown once, working, gone from the page and the lists after closing; revoke and delete", async ({ page, request }, testInfo) => {
  const keyName = `access-key-${testInfo.project.name}`;
  await openAsAdmin(page, "api-keys");
  await checkTab(page, testInfo, "api-keys", "API keys");
  await page.getByLabel("Name").fill(keyName);
  await page.getByRole("checkbox", { name: /^Developer/ }).check();
  await page.getByRole("button", { name: "Create the key" }).click();
  await expect(dialog(page)).toContainText("it will not be shown again");
  const key = await dialog(page).getByLabel("API key").inputValue();
  expect(key).toMatch(/^efk_/);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await dialog(page).getByRole("button", { name: "Copy API key" }).click();
  await expect(dialog(page)).toContainText("Copied.");
  expect(await page.evaluate(() => navigator.clipboard.readText()), "the copy button copies the key").toBe(key);
  const me = await call(request, "GET", "/me", { token: key });
  expect(me.body).toMatchObject({ kind: "key", name: keyName, roles: ["FaaS-Developer", "FaaS-Invocation"] });
  await screenshot(page, testInfo, "settings-api-key-once");
  await page.keyboard.press("Escape"); // closing in any way forgets it
  await expect(dialog(page)).toHaveCount(0);
  expect(await page.content(), "the key is gone from the page").not.toContain(key);
  const listed = await call(request, "GET", "/api-keys");
  expect(listed.text).not.toContain(key);
  expect(listed.body.some((k) => k.name === keyName)).toBe(true);
  const row = page.getByTestId("key-row").filter({ hasText: keyName });
  await expect(row).toContainText("Developer, Invocation");
  await row.getByRole("button", { name: `Revoke ${keyName}` }).click();
  await dialog(page).getByRole("button", { name: "Revoke the key" }).click();
  await expect(row).toHaveCount(0);
  expect((await call(request, "GET", "/me", { token: key })).status, "a revoked key is refused").toBe(401);

  // OAuth clients: id and secret shown once; the pair gets a token; deleting ends that.
  const clientName = `access-client-${testInfo.project.name}`;
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "OAuth clients" }).click();
  await checkTab(page, testInfo, "oauth-clients", "OAuth clients");
  await page.getByLabel("Name").fill(clientName);
  await page.getByRole("button", { name: "Create the client" }).click();
  await expect(dialog(page)).toContainText("it will not be shown again");
  const clientId = await dialog(page).getByLabel("Client id").inputValue();
  const secret = await dialog(page).getByLabel("Client secret").inputValue();
  const tokenAnswer = await request.post(`/sentinel/api/account/${seed.accountId}/app/token`, {
    form: { grant_type: "client_credentials", client_id: clientId, client_secret: secret },
  });
  expect(tokenAnswer.status()).toBe(200);
  await expectAccessible(page, "OAuth clients: the new secret");
  await dialog(page).getByRole("button", { name: "Done, I have copied it" }).click();
  expect(await page.content(), "the secret is gone from the page").not.toContain(secret);
  const clientRow = page.getByTestId("client-row").filter({ hasText: clientName });
  await expect(clientRow).toContainText(clientId);
  expect((await call(request, "GET", "/oauth-clients")).text).not.toContain(secret);
  await clientRow.getByRole("button", { name: `Delete ${clientName}` }).click();
  await dialog(page).getByRole("button", { name: "Delete the client" }).click();
  await expect(clientRow).toHaveCount(0);
  expect((await call(request, "GET", "/oauth-clients")).body.some((c) => c.clientId === clientId)).toBe(false);
});

// On a laptop the journeys above check each tab; here the same checks at 390×844.
test("the access tabs on a phone: axe, screenshots, no sideways scrolling", { tag: "@phone" }, async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "checked by the journeys at 1280×800");
  await openAsAdmin(page, "users");
  for (const [tab, title] of [["users", "Users"], ["api-keys", "API keys"], ["oauth-clients", "OAuth clients"]]) {
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: title }).click();
    await checkTab(page, testInfo, tab, title);
  }
});

test("a Developer user and an Invocation key are not offered the access tabs", async ({ page }) => {
  const tabs = page.getByRole("navigation", { name: "Settings" });
  await page.goto("/settings/users");
  await signIn(page, { user: seed.users.developer.loginName });
  await expect(page.getByText("this session may not see it")).toBeVisible();
  await expect(tabs.getByRole("link")).not.toHaveCount(0);
  for (const name of ["Users", "API keys", "OAuth clients"]) await expect(tabs.getByRole("link", { name })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Users" })).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to edgefn" })).toBeVisible(); // signed out before the next address

  await page.goto("/settings/api-keys");
  await signIn(page, { key: seed.invocationKey });
  await expect(page.getByText("this session may not see it")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Settings" })).toHaveCount(0);
  for (const name of ["Users", "API keys", "OAuth clients"]) await expect(tabs.getByRole("link", { name })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create the key" })).toHaveCount(0);
});

// The Change password page (/password, the header's link for user sessions).
test("a user changes their own password: the rule's message, then signed out everywhere, the new one works", async ({ page, request }, testInfo) => {
  const name = `access-${testInfo.project.name}-pia@brand.example`;
  const created = await call(request, "POST", "/users", { body: { loginName: name, roles: ["FaaS-Developer"], password: PASSWORD } });
  expect(created.status).toBe(201);
  try {
    await page.goto("/");
    await signIn(page, { user: name, password: PASSWORD });
    await page.getByRole("banner").getByRole("link", { name: "Change password" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Your password" })).toBeVisible();
    const bearer = await login(request, name);
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill("short");
    await page.getByLabel("New password again").fill("short");
    await page.getByRole("button", { name: "Change the password" }).click();
    await expect(page.locator("#password-new-error")).toHaveText("the password must have at least 12 characters");
    await expectAccessible(page, "Change password");
    await screenshot(page, testInfo, "settings-password");
    const next = `${PASSWORD}-new`;
    await page.getByLabel("New password", { exact: true }).fill(next);
    await page.getByLabel("New password again").fill(next);
    await page.getByRole("button", { name: "Change the password" }).click();
    await expect(page.getByRole("heading", { name: "Sign in to edgefn" })).toBeVisible();
    await expect(page.getByText("Your password is changed")).toBeVisible();
    expect((await call(request, "GET", "/me", { token: bearer })).status, "every session ended").toBe(401);
    const again = await call(request, "POST", "/login?v=1.3", { token: null, body: { username: name, password: next } });
    expect(again.status).toBe(200);
  } finally {
    await call(request, "DELETE", `/users/${created.body.id}`);
  }
});

// The invitation page (/invitation, linked from sign-in), for people without a session.
test("an invited person sets their password on the invitation page, once", async ({ page, request }, testInfo) => {
  const name = `access-${testInfo.project.name}-ines@brand.example`;
  const created = await call(request, "POST", "/users", { body: { loginName: name, roles: ["FaaS-Invocation"] } });
  expect(created.status).toBe(201);
  try {
    await page.goto("/");
    await page.getByRole("link", { name: "Set your password with the invitation" }).click();
    await expect(page).toHaveURL(/\/invitation$/);
    await expect(page.getByRole("heading", { level: 1, name: "Accept an invitation" })).toBeVisible();
    await page.getByLabel("Account id").fill(seed.accountId);
    await page.getByLabel("Invitation token").fill("efi_not-a-real-one");
    await page.getByLabel("Your new password").fill(PASSWORD);
    await page.getByLabel("The new password again").fill(PASSWORD);
    await page.getByRole("button", { name: "Set my password" }).click();
    await expect(page.locator("#invitation-token-error")).toContainText("This invitation is not valid");
    await expectAccessible(page, "the invitation page");
    await screenshot(page, testInfo, "invitation");
    await page.getByLabel("Invitation token").fill(created.body.invitation.token);
    await page.getByRole("button", { name: "Set my password" }).click();
    await expect(page.getByRole("heading", { name: "Your password is set" })).toBeVisible();
    await expect(page.getByText(name)).toBeVisible();
    expect(await login(request, name), "the new password signs in").toMatch(/^efu_/);
  } finally {
    await call(request, "DELETE", `/users/${created.body.id}`);
  }
});
