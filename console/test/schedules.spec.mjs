// Schedules against a real platform: a function of this file (sched_ping) is created and deployed
// through the API; a Developer then creates its schedule in the browser (a bad cron shows the API's
// message at the field, a good one previews five runs computed by the server), pauses, resumes,
// runs it now, edits and deletes it, each checked through the API. An Invocation key sees the list
// without any action. The browser runs in New York (24-hour British format) so the viewer's zone
// differs from the schedule's.
import { expect, expectAccessible, screenshot, seed, signIn, test } from "./fixtures.mjs";

const CODE = `function lambda(input, callback) { callback(null, "pong"); }`;
const NAME = "sched_ping";

async function call(request, method, urlPath, body, token = seed.developerKey) {
  const res = await request.fetch(`/api/account/${seed.accountId}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status(), `${method} ${urlPath}`).toBeLessThan(300);
  return res.status() === 204 ? null : res.json().catch(() => null);
}

// The preview's 400 for a bad expression is caused on purpose.
test.use({ timezoneId: "America/New_York", locale: "en-GB", expectedErrors: [/status of 400/] });

let uuid;
const schedulesOf = async (request) => (await call(request, "GET", `/schedules?lambdaUUID=${uuid}`)) ?? [];

test.beforeAll(async ({ request }) => {
  ({ uuid } = await call(request, "POST", "/lambdas", { name: NAME, description: "answers pong on a timetable", implementation: { code: CODE } }));
  await call(request, "POST", `/deployments/${uuid}`);
});

test.afterAll(async ({ request }) => {
  for (const s of await schedulesOf(request).catch(() => [])) await call(request, "DELETE", `/schedules/${s.id}`).catch(() => undefined);
  await call(request, "DELETE", `/deployments/${uuid}`).catch(() => undefined);
  await call(request, "DELETE", `/lambdas/${uuid}`).catch(() => undefined);
});

test("Schedules: create with validation and a preview, pause, resume, run now, edit, delete", async ({ page, request }, testInfo) => {
  await page.goto("/schedules");
  await signIn(page, { key: seed.developerKey });
  await expect(page.getByRole("heading", { level: 1, name: "Schedules" })).toBeVisible();
  await page.getByRole("link", { name: "New schedule" }).click();
  await expect(page).toHaveURL("/schedules/new");

  // A bad expression: the API's message at the field, as it is typed.
  await page.getByLabel("Function").selectOption({ label: NAME });
  const cron = page.getByLabel("Cron expression");
  await cron.fill("61 * * * *");
  await expect(page.getByTestId("cron-error")).toContainText("cronExpression");
  await expect(cron).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("unsaved changes");

  // A good one in Berlin: five runs as the server computes them, in New York time and Berlin time.
  await cron.fill("0 9 * * 1-5");
  await page.getByLabel("Time zone").selectOption("Europe/Berlin");
  const runs = page.getByTestId("schedule-preview").locator("li");
  await expect(runs).toHaveCount(5);
  await expect(page.getByTestId("cron-error")).toBeEmpty();
  const expected = await call(request, "POST", "/schedules/preview", { cronExpression: "0 9 * * 1-5", timeZone: "Europe/Berlin" });
  expect(await runs.locator("time").evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")))).toEqual(expected.nextRuns);
  await expect(runs.first()).toContainText("(America/New_York)");
  await expect(runs.first()).toContainText("09:00 (Europe/Berlin)");
  await page.getByLabel("Description (optional)").fill("weekday mornings");
  await expectAccessible(page, "Schedule editor");
  await screenshot(page, testInfo, "schedule-edit");
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scrolling on a phone").toBeLessThanOrEqual(390);
  await screenshot(page, testInfo, "schedule-edit-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // Save: the list shows the cron, the zone and the next run in both zones.
  await page.getByRole("button", { name: "Create schedule" }).click();
  await expect(page).toHaveURL("/schedules");
  const [created] = await schedulesOf(request);
  expect(created).toMatchObject({ cronExpression: "0 9 * * 1-5", timeZone: "Europe/Berlin", isActive: true, description: "weekday mornings" });
  const row = page.locator(`[data-testid=schedule-row][data-id="${created.id}"]`);
  await expect(row).toContainText(NAME);
  await expect(row).toContainText("0 9 * * 1-5");
  await expect(row.getByTestId("next-run")).toContainText("(America/New_York)");
  await expect(row.getByTestId("next-run")).toContainText("09:00 (Europe/Berlin)");
  await expect(row.getByTestId("next-run").locator("time")).toHaveAttribute("datetime", created.nextExecution);
  await expect(row.getByTestId("last-run")).toContainText("never");

  // Pause and resume, checked through the API.
  await row.getByRole("button", { name: `Pause ${NAME}` }).click();
  await expect(row.getByTestId("state")).toHaveText("Paused");
  expect((await schedulesOf(request))[0].isActive).toBe(false);
  await row.getByRole("button", { name: `Resume ${NAME}` }).click();
  await expect(row.getByTestId("state")).toHaveText("Active");
  expect((await schedulesOf(request))[0].isActive).toBe(true);

  // Run now: the outcome is shown, and the run is in the schedule's history.
  await row.getByRole("button", { name: `Run now: ${NAME}` }).click();
  await expect(page.getByTestId("schedule-outcome")).toContainText(`Run now of ${NAME}: succeeded (SUCCEEDED)`);
  await expect(row.getByTestId("last-run")).toContainText("succeeded");
  expect((await schedulesOf(request))[0].lastRuns[0]).toMatchObject({ kind: "manual", status: "succeeded" });
  await expectAccessible(page, "Schedules");
  await screenshot(page, testInfo, "schedules");
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scrolling on a phone").toBeLessThanOrEqual(390);
  await screenshot(page, testInfo, "schedules-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // Edit: the form is filled from the schedule; the change is saved.
  await row.getByRole("link", { name: `Edit the schedule of ${NAME}` }).click();
  await expect(page).toHaveURL(`/schedules/${created.id}`);
  await expect(page.getByLabel("Cron expression")).toHaveValue("0 9 * * 1-5");
  await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
  await page.getByLabel("Cron expression").fill("*/30 * * * *");
  await expect(page.getByTestId("schedule-preview").locator("li")).toHaveCount(5);
  // Leaving by a link with unsaved changes asks first; declining stays.
  const asked = new Promise((resolve) => page.once("dialog", (d) => resolve(d.message()) || d.dismiss()));
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Schedules" }).click();
  expect(await asked).toBe("Leave this schedule without saving your changes?");
  await expect(page).toHaveURL(`/schedules/${created.id}`);
  await page.getByRole("button", { name: "Save schedule" }).click();
  await expect(page).toHaveURL("/schedules");
  await expect(row).toContainText("*/30 * * * *");
  expect((await schedulesOf(request))[0]).toMatchObject({ cronExpression: "*/30 * * * *", timeZone: "Europe/Berlin" });

  // Delete, after a confirmation.
  await row.getByRole("button", { name: `Delete the schedule of ${NAME}` }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(row).toHaveCount(0);
  expect(await schedulesOf(request)).toEqual([]);
});

test("Schedules: an Invocation key sees the list without actions @phone", async ({ page, request }, testInfo) => {
  const schedule = await call(request, "POST", "/schedules", { lambdaUUID: uuid, cronExpression: "15 6 * * *", timeZone: "Asia/Tokyo" });
  try {
    await page.goto("/schedules");
    await signIn(page, { key: seed.invocationKey });
    const row = page.locator(`[data-testid=schedule-row][data-id="${schedule.id}"]`);
    await expect(row).toContainText("15 6 * * *");
    await expect(row.getByTestId("next-run")).toContainText("06:15 (Asia/Tokyo)");
    await expect(page.getByRole("link", { name: "New schedule" })).toHaveCount(0);
    await expect(page.getByRole("button")).toHaveText(["Sign out"]);
    await expect(row.getByRole("link")).toHaveCount(0);
    await expectAccessible(page, "Schedules, read-only");
    expect(await page.evaluate(() => document.documentElement.scrollWidth), "no sideways scrolling").toBeLessThanOrEqual(page.viewportSize().width);
    await screenshot(page, testInfo, "schedules-read-only");
    await page.goto(`/schedules/${schedule.id}`);
    await expect(page.getByText("Your role may read schedules but not create or change them.")).toBeVisible();
  } finally {
    await call(request, "DELETE", `/schedules/${schedule.id}`);
  }
});
