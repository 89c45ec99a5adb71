// The console in a real browser against a real platform (scripts/console-test.mjs): sign-in with a
// user and with a key, a wrong password, sign-out, a 401 that returns to sign-in and back, Home's
// numbers against the API's, the Functions list's groups and filter, role-aware navigation; axe
// and a screenshot on every page, at 1280×800 and (the tests tagged @phone) 390×844.
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { api, expect, expectAccessible, screenshot, seed, signIn, test } from "./fixtures.mjs";

const SECTIONS = ["Home", "Functions", "Deployments", "Schedules", "Logs", "Settings"];
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "dist");
const nav = (page) => page.getByRole("navigation", { name: "Sections" });
const refused = [/status of 401/]; // the browser reports the 401 a test causes on purpose

test("the first load's JavaScript is at most 50 KB gzipped", async ({}, testInfo) => {
  const html = readFileSync(path.join(DIST, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g)].map((m) => m[1]);
  expect(scripts.length).toBeGreaterThan(0);
  const gzipped = scripts.reduce((n, src) => n + gzipSync(readFileSync(path.join(DIST, src))).length, 0);
  testInfo.annotations.push({ type: "initial JS gzipped", description: `${gzipped} bytes` });
  console.log(`initial JavaScript: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
  expect(gzipped).toBeLessThanOrEqual(50 * 1024);
});

test("a user signs in, visits every section and signs out; the session is then dead on the server", { tag: "@phone" }, async ({ page, request }, testInfo) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expectAccessible(page, "sign-in");
  await screenshot(page, testInfo, "sign-in");
  await signIn(page, { user: seed.users.admin.loginName });
  await expect(page.getByRole("banner")).toContainText(seed.users.admin.loginName);
  await expect(page.getByRole("banner")).toContainText("Admin, Developer");

  for (const name of SECTIONS) {
    await nav(page).getByRole("link", { name, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name, exact: true })).toBeVisible();
    await expect(nav(page).getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
    if (name === "Home") await expect(page.getByTestId("functions-total")).toBeVisible();
    if (name === "Functions") await expect(page.getByRole("link", { name: "hello" })).toBeVisible();
    await expectAccessible(page, name);
    await screenshot(page, testInfo, name.toLowerCase());
  }
  // The heading takes the focus after a navigation (screen readers announce the new page).
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeFocused();

  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem("edgefn.console.session"), local: localStorage.length }));
  expect(stored.local, "nothing in localStorage").toBe(0);
  const { token } = JSON.parse(stored.session);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to edgefn" })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem("edgefn.console.session"))).toBeNull();
  const after = await request.get(`/api/account/${seed.accountId}/lambdas`, { headers: { authorization: `Bearer ${token}` } });
  expect(after.status(), "the signed-out bearer is refused").toBe(401);
  await page.goto("/functions");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ffunctions$/);
});

test("an API key signs in with the name and roles GET /me tells: an Invocation key is not offered Settings or the activity stream", async ({ page }) => {
  // A crafted link cannot send the person elsewhere after sign-in: only the console's own paths are followed.
  await page.goto("/sign-in?next=//evil.example/x");
  await signIn(page, { key: seed.invocationKey });
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/");
  await expect(page.getByRole("banner")).toContainText("API key console-invoker");
  await expect(page.getByRole("banner")).toContainText("Invocation");
  await expect(page.getByTestId("functions-total")).toBeVisible();
  await expect(nav(page).getByRole("link")).toHaveText(SECTIONS.filter((s) => s !== "Settings"));
  await expect(page.getByRole("heading", { name: "Recent activity" })).toHaveCount(0);
});

test.describe("refusals", () => {
  test.use({ expectedErrors: refused });

  test("a wrong password shows the error and keeps the person on sign-in", { tag: "@phone" }, async ({ page }, testInfo) => {
    await page.goto("/");
    await signIn(page, { user: seed.users.admin.loginName, password: "not-the-password-at-all" });
    await expect(page.getByRole("alert")).toHaveText("The user name or the password is wrong.");
    await expect(page).toHaveURL(/\/sign-in$/);
    expect(await page.evaluate(() => sessionStorage.getItem("edgefn.console.session"))).toBeNull();
    await expectAccessible(page, "sign-in with an error");
    await screenshot(page, testInfo, "sign-in-error");
  });

  test("a 401 returns to sign-in and, after signing in again, to the page the person was on", async ({ page, request }) => {
    await page.goto("/functions?q=hel");
    await signIn(page, { user: seed.users.developer.loginName });
    await expect(page).toHaveURL(/\/functions\?q=hel$/);
    await expect(page.getByRole("link", { name: "hello" })).toBeVisible();
    // An Admin ends the user's sessions: the next call of the console gets a 401.
    await api(request, "DELETE", `/users/${seed.users.developer.id}/sessions`, seed.adminKey);
    await page.reload();
    await expect(page).toHaveURL(/\/sign-in\?next=%2Ffunctions%3Fq%3Dhel&ended=1$/);
    await expect(page.getByText("Your session has ended.")).toBeVisible();
    await expect(page.getByLabel("Account id")).toHaveValue(seed.accountId);
    await signIn(page, { user: seed.users.developer.loginName });
    await expect(page).toHaveURL(/\/functions\?q=hel$/);
    await expect(page.getByLabel("Filter by name or description")).toHaveValue("hel");
  });
});

test("Home shows the numbers the API gives", async ({ page, request }) => {
  const summary = await api(request, "GET", "/reports/summary", seed.adminKey);
  await page.goto("/");
  await signIn(page, { user: seed.users.admin.loginName });
  const n = (v) => v.toLocaleString("en-US");
  for (const state of ["Draft", "Productive", "Modified"]) await expect(page.getByTestId(`functions-${state}`)).toHaveText(n(summary.functions[state]));
  await expect(page.getByTestId("functions-total")).toHaveText(n(summary.functions.total));
  await expect(page.getByTestId("functions-total-limit")).toHaveText(n(summary.functions.limit));
  await expect(page.getByTestId("invocations-month")).toHaveText(n(summary.invocationsThisMonth.admitted));
  await expect(page.getByTestId("invocations-month-limit")).toHaveText(n(summary.invocationsThisMonth.fairUse));
  for (const status of ["SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"]) await expect(page.getByTestId(`outcome-${status}`)).toHaveText(n(summary.outcomesThisMonth[status]));
  // The seed's numbers, so that a summary of zeros cannot pass.
  expect(summary.functions).toMatchObject({ Draft: 1, Productive: 2, Modified: 1, total: 4 });
  expect(summary.outcomesThisMonth).toMatchObject({ SUCCEEDED: 3, CODING_FAILURE: 2 });
  // The chart: one bar slot per hour, and the same totals in its description.
  const day = summary.last24Hours.reduce((t, h) => t + h.SUCCEEDED + h.CODING_FAILURE + h.PLATFORM_FAILURE + h.TIMEOUT, 0);
  await expect(page.locator(".day-chart svg desc")).toContainText(`${n(day)} in all`);
  await page.getByText("Show as a table").click();
  await expect(page.locator(".day-chart tbody tr")).toHaveCount(summary.last24Hours.length);
  // Recent activity: the stream's latest entries, as the API gives them (the newest is this sign-in).
  await expect(page.getByRole("heading", { name: "Recent activity" })).toBeVisible();
  await expect(page.locator(".events li")).toHaveCount(10);
  const { items } = await api(request, "GET", "/activities?limit=10", seed.adminKey);
  await expect(page.locator(".events li").first()).toContainText(items[0].summary);
  expect(items[0].actor).toContain(seed.users.admin.loginName);
});

test("the Functions list groups by state and filters", { tag: "@phone" }, async ({ page }, testInfo) => {
  await page.goto("/functions");
  await signIn(page, { key: seed.developerKey });
  const draft = page.getByTestId("group-draft");
  const deployed = page.getByTestId("group-deployed");
  await expect(draft.getByRole("heading")).toHaveText("Draft (1)");
  await expect(deployed.getByRole("heading")).toHaveText("Productive and Modified (3)");
  await expect(draft.getByRole("link")).toHaveText(["draft_greeter"]);
  await expect(deployed.getByRole("link")).toHaveText(["broken", "changed", "hello"]);
  await expect(deployed.getByRole("row", { name: /changed/ })).toContainText("Modified");

  await page.getByLabel("Filter by name or description").fill("draft");
  await expect(page).toHaveURL(/\/functions\?q=draft$/);
  await expect(draft.getByRole("link")).toHaveText(["draft_greeter"]);
  await expect(deployed).toContainText("None.");
  await expect(page.getByRole("link", { name: "hello" })).toHaveCount(0);

  await page.getByLabel("Filter by name or description").fill("always fails"); // descriptions match too
  await expect(deployed.getByRole("link")).toHaveText(["broken"]);

  await page.getByLabel("Filter by name or description").fill("nothing-like-this");
  await expect(page.getByText("No function matches")).toBeVisible();
  await expectAccessible(page, "Functions without matches");
  await page.getByRole("button", { name: "Clear the filter" }).click();
  await expect(page).toHaveURL(/\/functions$/);
  await expect(deployed.getByRole("link")).toHaveCount(3);

  await deployed.getByRole("link", { name: "hello" }).click();
  await expect(page).toHaveURL(new RegExp(`/functions/${seed.functions.hello}$`));
  await expect(page.getByRole("heading", { level: 1, name: "hello" })).toBeVisible();
  await expect(page.getByTestId("fn-state")).toHaveText("Productive");
  await expectAccessible(page, "a function's page");
  await screenshot(page, testInfo, "function");
});

test("an Invocation-only user is not offered Settings or the activity stream", async ({ page }) => {
  await page.goto("/");
  await signIn(page, { user: seed.users.invocation.loginName });
  await expect(page.getByTestId("functions-total")).toBeVisible();
  await expect(nav(page).getByRole("link")).toHaveText(SECTIONS.filter((s) => s !== "Settings"));
  await expect(page.getByRole("heading", { name: "Recent activity" })).toHaveCount(0);
});

test.describe("serving", () => {
  test.use({ expectedErrors: [/status of 40[14]/] });

  test("a browser navigation to the Worker's paths reaches the Worker; any console address reloads the console", async ({ page }) => {
    // Sec-Fetch-Mode: navigate, as a person typing the address: run_worker_first keeps these from index.html.
    for (const [url, status] of [["/api/openapi.json", 200], ["/healthz", 200], ["/api/account/1/lambdas", 401], ["/admin/accounts", 404], ["/sentinel/nothing", 404]]) {
      const res = await page.goto(url);
      expect(res.status(), url).toBe(status);
      expect(res.headers()["content-type"], url).toContain("application/json");
    }
    // Every path of the API description is one the Worker gets first (a route added later under a
    // new prefix must be added to wrangler.toml's run_worker_first, or browsers would get the console).
    const globs = readFileSync(path.join(DIST, "..", "..", "wrangler.toml"), "utf8").match(/^run_worker_first\s*=\s*\[(.*)\]/m)[1].match(/"[^"]+"/g).map((g) => JSON.parse(g));
    const covered = (p) => globs.some((g) => (g.endsWith("/*") ? p.startsWith(g.slice(0, -1)) : p === g));
    const { paths } = await (await page.request.get("/api/openapi.json")).json();
    expect(Object.keys(paths).filter((p) => !covered(p)), "API paths the assets would answer instead").toEqual([]);

    for (const url of ["/functions", "/functions/some-uuid", "/no/such/page"]) {
      const res = await page.goto(url);
      expect(res.status(), url).toBe(200);
      expect(res.headers()["content-type"], url).toContain("text/html");
      await expect(page.getByRole("heading", { name: "Sign in to edgefn" })).toBeVisible();
    }
  });
});
