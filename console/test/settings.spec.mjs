// Settings › Allow-list, Secrets and Email reports against a real platform. An Admin adds a refused
// domain (the API's own message at the field), a good one, edits and deletes it; stores a secret
// whose value is then nowhere (page, address, storage, API answers), rotates and deletes it; sets the
// report's frequency and adds and removes a recipient. Each change is checked through the API.
// A Developer sees the allow-list and the secrets read-only and the recipients only.
import { expect, expectAccessible, screenshot, seed, signIn, test } from "./fixtures.mjs";

async function send(request, method, urlPath, body, token = seed.adminKey) {
  return request.fetch(`/api/account/${seed.accountId}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
}
async function call(request, method, urlPath, body, token) {
  const res = await send(request, method, urlPath, body, token);
  expect(res.status(), `${method} ${urlPath}`).toBeLessThan(300);
  return res.status() === 204 ? null : res.json();
}
/** The API's message for a refused body, to compare with what the page shows. */
const refusal = async (request, urlPath, body) => (await (await send(request, "POST", urlPath, body)).json()).errorMsg;

// The refused values' 400 answers are caused on purpose.
test.use({ expectedErrors: [/status of 400/] });

const DOMAIN = "settings-spec.example.com";
const KEY = "SETTINGS_SPEC_TOKEN";
const VALUE = "s3cr3t-first-9f2c41";
const ROTATED = "s3cr3t-second-7d03aa";
const RECIPIENT = "settings-spec@example.com";

/** Whatever the page could have kept a value in: its markup, its address and its storage. */
const pageTraces = (page) =>
  page.evaluate(() => [document.documentElement.outerHTML, location.href, JSON.stringify({ ...sessionStorage }), JSON.stringify({ ...localStorage })].join("\n"));

/** Removes what this file creates (also what a run interrupted by a platform restart left behind). */
async function cleanUp(request) {
  for (const e of await call(request, "GET", "/proxy-settings")) if (e.domain.includes(DOMAIN)) await send(request, "DELETE", `/proxy-settings/${e.id}`);
  for (const key of [KEY, `${KEY}_DEV`]) await send(request, "DELETE", `/secrets/${key}`);
  await send(request, "DELETE", `/email-report/recipients/${encodeURIComponent(RECIPIENT)}`);
}
test.beforeEach(({ request }) => cleanUp(request));

async function phoneShot(page, testInfo, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: no sideways scrolling on a phone`).toBeLessThanOrEqual(390);
  await screenshot(page, testInfo, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("Settings as an Admin: allow-list, secrets and email reports", async ({ page, request }, testInfo) => {
  const before = await call(request, "GET", "/email-report");
  try {
    await page.goto("/settings/allow-list");
    await signIn(page, { key: seed.adminKey });
    await expect(page.getByRole("heading", { level: 2, name: "Allow-list" })).toBeVisible();

    // A refused domain: the API's message at the field.
    const domain = page.getByLabel("Domain", { exact: true });
    await domain.fill("https://bad domain/");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(page.getByTestId("domain-error")).toHaveText(await refusal(request, "/proxy-settings", { domain: "https://bad domain/" }));
    await expect(domain).toHaveAttribute("aria-invalid", "true");

    // A good one, stored normalised; then edited; then deleted.
    await domain.fill("Settings-Spec.Example.com");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const rows = page.getByTestId("domain-row");
    await expect(rows.filter({ hasText: DOMAIN })).toHaveCount(1);
    await expect(domain).toHaveValue("");
    expect((await call(request, "GET", "/proxy-settings")).map((e) => e.domain)).toContain(DOMAIN);
    await expectAccessible(page, "Settings › Allow-list");
    await screenshot(page, testInfo, "settings-allow-list");
    await phoneShot(page, testInfo, "settings-allow-list");

    await page.getByRole("button", { name: `Edit ${DOMAIN}` }).click();
    await page.getByLabel(`New domain for ${DOMAIN}`).fill(`*.${DOMAIN}`);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(rows.filter({ hasText: `*.${DOMAIN}` })).toHaveCount(1);
    let domains = (await call(request, "GET", "/proxy-settings")).map((e) => e.domain);
    expect(domains).toContain(`*.${DOMAIN}`);
    expect(domains).not.toContain(DOMAIN);
    await page.getByRole("button", { name: `Delete *.${DOMAIN}` }).click();
    await page.getByRole("button", { name: "Yes, remove" }).click();
    await expect(rows.filter({ hasText: DOMAIN })).toHaveCount(0);
    domains = (await call(request, "GET", "/proxy-settings")).map((e) => e.domain);
    expect(domains.filter((d) => d.includes(DOMAIN))).toEqual([]);

    // Secrets: a JSON value that is not JSON is refused at the field.
    await page.getByRole("link", { name: "Secrets" }).click();
    await expect(page).toHaveURL("/settings/secrets");
    await page.getByLabel("Key", { exact: true }).fill(KEY);
    await page.getByLabel("Type").selectOption("json");
    await page.getByLabel("Value", { exact: true }).fill("{not json");
    await page.getByRole("button", { name: "Save secret" }).click();
    await expect(page.getByTestId("secret-value-error")).toHaveText(await refusal(request, "/secrets", { key: KEY, type: "json", value: "{not json" }));

    // A string value: saved, the form cleared, and the value nowhere to be read again.
    await page.getByLabel("Type").selectOption("string");
    await page.getByLabel("Value", { exact: true }).fill(VALUE);
    await page.getByRole("button", { name: "Save secret" }).click();
    await expect(page.getByTestId("secrets-status")).toHaveText(`Saved ${KEY}. Its value will not be shown again.`);
    const row = page.getByTestId("secret-row").filter({ hasText: KEY });
    await expect(row).toContainText("String");
    await expect(page.getByLabel("Value", { exact: true })).toHaveValue("");
    await expect(page.getByLabel("Key", { exact: true })).toHaveValue("");
    expect(await pageTraces(page)).not.toContain(VALUE);
    const listed = await send(request, "GET", "/secrets");
    expect(await listed.text()).not.toContain(VALUE);
    const stored = (await listed.json()).find((s) => s.key === KEY);
    expect(stored).toMatchObject({ key: KEY, type: "string" });
    await expectAccessible(page, "Settings › Secrets");
    await screenshot(page, testInfo, "settings-secrets");
    await phoneShot(page, testInfo, "settings-secrets");

    // Rotate: a new value, again gone from the page once stored.
    await row.getByRole("button", { name: `Rotate ${KEY}` }).click();
    await page.getByLabel(`New value for ${KEY}`).fill(ROTATED);
    await page.getByRole("button", { name: "Save new value" }).click();
    await expect(page.getByTestId("secrets-status")).toContainText(`${KEY} has a new value`);
    await expect(page.getByLabel(`New value for ${KEY}`)).toHaveCount(0);
    expect(await pageTraces(page)).not.toContain(ROTATED);
    const rotated = await send(request, "GET", "/secrets");
    expect(await rotated.text()).not.toContain(ROTATED);
    expect(Date.parse((await rotated.json()).find((s) => s.key === KEY).updatedAt)).toBeGreaterThanOrEqual(Date.parse(stored.updatedAt));

    await row.getByRole("button", { name: `Delete ${KEY}` }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await expect(row).toHaveCount(0);
    expect((await call(request, "GET", "/secrets")).map((s) => s.key)).not.toContain(KEY);

    // Email reports: the frequency, and a recipient (a refused address first).
    await page.getByRole("link", { name: "Email reports" }).click();
    const next = before.frequency === "Weekly" ? "Daily" : "Weekly";
    await page.getByLabel("How often").selectOption(next);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByTestId("frequency-status")).toContainText(`Saved: ${next}`);
    expect((await call(request, "GET", "/email-report")).frequency).toBe(next);

    const email = page.getByLabel("Email address");
    await email.fill("not an address");
    await page.getByRole("button", { name: "Add recipient" }).click();
    await expect(page.getByTestId("email-error")).toHaveText(await refusal(request, "/email-report/recipients", { email: "not an address" }));
    await email.fill(RECIPIENT);
    await page.getByRole("button", { name: "Add recipient" }).click();
    const recipient = page.getByTestId("recipient-row").filter({ hasText: RECIPIENT });
    await expect(recipient).toHaveCount(1);
    expect((await call(request, "GET", "/email-report/recipients")).map((r) => r.email)).toContain(RECIPIENT);
    await expectAccessible(page, "Settings › Email reports");
    await screenshot(page, testInfo, "settings-email-reports");
    await phoneShot(page, testInfo, "settings-email-reports");
    await recipient.getByRole("button", { name: `Remove ${RECIPIENT}` }).click();
    await page.getByRole("button", { name: "Yes, remove" }).click();
    await expect(recipient).toHaveCount(0);
    expect((await call(request, "GET", "/email-report/recipients")).map((r) => r.email)).not.toContain(RECIPIENT);
  } finally {
    await send(request, "PUT", "/email-report", { frequency: before.frequency });
    await cleanUp(request);
  }
});

test("Settings as a Developer: the allow-list and secrets read-only, recipients only @phone", async ({ page, request }, testInfo) => {
  await call(request, "POST", "/proxy-settings", { domain: `dev.${DOMAIN}` });
  await call(request, "POST", "/secrets", { key: `${KEY}_DEV`, value: VALUE });
  try {
    await page.goto("/settings/allow-list");
    await signIn(page, { key: seed.developerKey });
    await expect(page.getByTestId("domain-row").filter({ hasText: `dev.${DOMAIN}` })).toHaveCount(1);
    await expect(page.getByTestId("read-only")).toBeVisible();
    await expect(page.getByLabel("Domain", { exact: true })).toHaveCount(0);
    await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);
    await expectAccessible(page, "Settings › Allow-list, read-only");
    await screenshot(page, testInfo, "settings-allow-list-read-only");

    await page.getByRole("link", { name: "Secrets" }).click();
    await expect(page.getByTestId("secret-row").filter({ hasText: `${KEY}_DEV` })).toContainText("String");
    await expect(page.getByTestId("read-only")).toBeVisible();
    await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);
    await expect(page.getByLabel("Value", { exact: true })).toHaveCount(0);
    expect(await pageTraces(page)).not.toContain(VALUE);
    await expectAccessible(page, "Settings › Secrets, read-only");

    // The report's frequency is the Admin's; recipients are the Developer's too.
    await page.getByRole("link", { name: "Email reports" }).click();
    await expect(page.getByRole("heading", { name: "Recipients" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Report", exact: true })).toHaveCount(0);
    await expect(page.getByLabel("Email address")).toBeVisible();
    await expectAccessible(page, "Settings › Email reports, Developer");
    await screenshot(page, testInfo, "settings-email-reports-developer");
  } finally {
    await cleanUp(request);
  }
});
