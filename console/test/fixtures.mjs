// What every console test shares: the seeded account, a page that fails its test on any console
// error or uncaught exception (unless the test expects that exact one), sign-in, the axe check and
// the section screenshots.
import { test as base, expect } from "@playwright/test";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const seed = JSON.parse(process.env.EDGEFN_CONSOLE_SEED ?? "{}");
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "test-results", "console");

export const test = base.extend({
  /**
   * Patterns of console errors this test causes on purpose (a 401 the browser reports, say). Give
   * ONE pattern (`[/status of (400|409)/]`): Playwright reads a second item of a fixture's array
   * as the fixture's options.
   */
  expectedErrors: [[], { option: true }],
  page: async ({ page, expectedErrors }, use) => {
    const errors = [];
    page.on("console", (m) => {
      if (m.type() === "error" && !expectedErrors.some((re) => re.test(m.text()))) errors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`exception: ${e.message}`));
    await use(page);
    expect(errors, "no console errors on any page").toEqual([]);
  },
});
export { expect };

/** Signs in through the form: `{ user: loginName }` or `{ key }`. */
export async function signIn(page, { user, key, password = seed.password }) {
  await expect(page.getByRole("heading", { name: "Sign in to edgefn" })).toBeVisible();
  await page.getByLabel("Account id").fill(seed.accountId);
  if (key) {
    await page.getByRole("radio", { name: "API key" }).check();
    await page.getByLabel("API key", { exact: true }).and(page.locator("input[type=password]")).fill(key);
  } else {
    await page.getByLabel("User name", { exact: true }).fill(user);
    await page.getByLabel("Password", { exact: true }).fill(password);
  }
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * axe on the whole page: no serious or critical violation (WCAG 2.1 A and AA rules). axe-core is
 * injected once per document and run in the page: @axe-core/playwright's AxeBuilder took about 2 s
 * per check here (it injects axe again and opens a page of its own each time), this about 0.2 s.
 */
export async function expectAccessible(page, what) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] }).then((r) =>
      r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })),
    ),
  );
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(", ")}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

/**
 * A full-page screenshot into test-results/console/. A value shown once (a new key, a client
 * secret, an invitation token) and a secret value being typed are painted over (the console marks
 * their fields data-secret), so no credential lands in an image, even of a throwaway platform.
 */
export async function screenshot(page, testInfo, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${testInfo.project.name}-${name}.png`), fullPage: true, mask: [page.locator("[data-secret]")] });
}

/** The API as the test itself calls it (to compare what the page shows, or to end sessions). */
export async function api(request, method, urlPath, token) {
  const res = await request.fetch(`/api/account/${seed.accountId}${urlPath}`, { method, headers: { authorization: `Bearer ${token}` } });
  expect(res.status(), `${method} ${urlPath}`).toBeLessThan(300);
  return res.status() === 204 ? null : res.json();
}
