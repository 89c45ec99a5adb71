// The Logs page against a real platform: a function that logs is created, deployed and invoked
// through the API, then searched, filtered, expanded, exported and tailed in the browser. The
// function is deleted at the end, so the other tests' counts of the seeded account stay as they are
// (this file runs after console.spec.mjs; one worker). Its words (parcel, refund) are its own: other
// specs log into the same account.
import { readFileSync } from "node:fs";
import { expect, expectAccessible, screenshot, seed, signIn, test } from "./fixtures.mjs";

const CODE = `function lambda(input, callback) {
  console.info("parcel placed", { order: input.payload.order, items: ["tea", "<b>cake</b>"] });
  if (input.payload.fail) console.error("refund declined", { code: 402 });
  callback(null, "ok");
}`;

async function call(request, method, urlPath, body) {
  const res = await request.fetch(`/api/account/${seed.accountId}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${seed.developerKey}`, "content-type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status(), `${method} ${urlPath}`).toBeLessThan(300);
  return res.status() === 204 ? null : res.json().catch(() => null);
}

// The browser reports the malformed query's 400 on purpose.
test.use({ expectedErrors: [/status of 400/] });

const invoke = (request, uuid, payload) => call(request, "POST", `/lambdas/${uuid}/invoke`, { headers: [], payload });

test("Logs: search grouped by invocation, level filter, extras, a malformed query, CSV export and the live tail", async ({ page, request }, testInfo) => {
  test.setTimeout(45_000);
  const { uuid } = await call(request, "POST", "/lambdas", { name: "order_logger", description: "logs orders", implementation: { code: CODE } });
  try {
    await call(request, "POST", `/deployments/${uuid}`);
    await invoke(request, uuid, { order: 7001 });
    await invoke(request, uuid, { order: 7002, fail: true });
    // Entries are stored just after the answer.
    await expect.poll(async () => (await call(request, "GET", `/logs?lambdaUUID=${uuid}`)).items.length, { timeout: 10_000 }).toBe(3); // Debug is kept for tests only

    await page.goto("/logs");
    await signIn(page, { key: seed.developerKey });
    await expect(page.getByRole("heading", { level: 1, name: "Logs" })).toBeVisible();

    // A word: its entries, grouped by invocation, newest first.
    await page.getByLabel("Search the messages and extras").fill("parcel OR refund");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/\/logs\?q=parcel\+OR\+refund$/);
    const groups = page.getByTestId("invocation");
    await expect(groups).toHaveCount(2);
    await expect(groups.first()).toContainText("order_logger");
    await expect(groups.first().locator(".entry")).toHaveCount(2);
    await expect(groups.first()).toContainText("7002");
    await expect(page.getByTestId("log-count")).toHaveText("3 entries in 2 invocations");

    // A level filter, kept in the address with the function.
    await page.getByLabel("Function").selectOption({ label: "order_logger" });
    await page.getByRole("checkbox", { name: "Info" }).check();
    await expect(page).toHaveURL(new RegExp(`lambdaUUID=${uuid}.*levels=Info`));
    await expect(page.locator(".entry")).toHaveCount(2);
    await expect(page.locator(".entry .level")).toHaveText(["Info", "Info"]);

    // Extras: pretty-printed JSON, as text (the <b> stays text).
    await page.locator(".entry summary").first().click();
    const extras = page.locator(".extras").first();
    await expect(extras).toContainText('"order": 7002');
    await expect(extras).toContainText('"<b>cake</b>"');
    await expect(extras.locator("b")).toHaveCount(0);
    await expectAccessible(page, "Logs");
    await screenshot(page, testInfo, "logs");
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scrolling on a phone").toBeLessThanOrEqual(390);
    await screenshot(page, testInfo, "logs-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    // Export: the current function and span as LivePerson's CSV, fetched with the bearer.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = readFileSync(await download.path(), "utf8");
    expect(csv.split("\n")[0]).toBe("lambdaUUID;requestID;timestamp;level;message;extras");
    expect(csv).toContain("parcel placed");
    expect(csv).not.toContain("refund declined"); // Info only

    // The live tail: a new invocation's entry appears without a reload.
    await page.getByRole("checkbox", { name: /Live tail/ }).check();
    await invoke(request, uuid, { order: 7003 });
    await expect(page.getByTestId("invocation").first()).toContainText("7003", { timeout: 8_000 });
    await page.getByRole("checkbox", { name: /Live tail/ }).uncheck();

    // A malformed query: the API's 400 message next to the box.
    await page.getByLabel("Search the messages and extras").fill('"unclosed');
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.locator("#log-q-error")).not.toBeEmpty();
    await expect(page.getByLabel("Search the messages and extras")).toHaveAttribute("aria-invalid", "true");

    // An invocation's logs by address: its request's link.
    await page.getByLabel("Search the messages and extras").fill("");
    await page.getByRole("button", { name: "Search" }).click();
    const requestLink = page.getByTestId("invocation").first().getByRole("link");
    const requestId = await requestLink.textContent();
    await requestLink.click();
    await expect(page).toHaveURL(`/logs?requestId=${requestId}`);
    await expect(page.getByTestId("invocation")).toHaveCount(1);
    await expect(page.getByText(`Request ${requestId} only.`)).toBeVisible();
  } finally {
    await call(request, "DELETE", `/deployments/${uuid}`).catch(() => undefined);
    await call(request, "DELETE", `/lambdas/${uuid}`).catch(() => undefined);
  }
});
