// Playwright for the console's browser tests. Run through scripts/console-test.mjs, which starts the
// platform and the browser and passes them in the environment (EDGEFN_CONSOLE_URL, EDGEFN_CHROMIUM).
// Two viewports: a laptop (1280×800) runs every test; a phone (390×844) the ones tagged @phone, those
// where the layout matters (every page with axe and a screenshot, sign-in, the Functions list).
import { defineConfig } from "@playwright/test";
import { tmpdir } from "node:os";
import path from "node:path";

const args = JSON.parse(process.env.EDGEFN_CHROMIUM_ARGS ?? "[]");

export default defineConfig({
  testDir: "./test",
  testMatch: "*.spec.mjs",
  // Playwright's own artifacts (traces, failure screenshots) stay out of the tree; the section
  // screenshots the tests take on purpose go to test-results/console/.
  outputDir: path.join(tmpdir(), "edgefn-console-playwright"),
  workers: 1, // one browser, one platform: the machine has 2 cores and the platform needs one
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [["list"], ["json"]],
  use: {
    baseURL: process.env.EDGEFN_CONSOLE_URL,
    launchOptions: { executablePath: process.env.EDGEFN_CHROMIUM, args },
    trace: "off",
    screenshot: "off",
  },
  projects: [
    { name: "desktop", use: { viewport: { width: 1280, height: 800 } } },
    { name: "phone", grep: /@phone/, use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 } },
  ],
});
