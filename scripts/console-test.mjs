// The web console's browser tests (console/test/*.spec.mjs, Playwright), against a real local edgefn:
// the console built into console/dist, wrangler dev on a fresh temporary state behind the front
// proxy (as `npm start` runs it) on free 127.0.0.1 ports, and an account seeded through the API.
// The browser is the headless Chromium of the npm package @sparticuz/chromium (a devDependency,
// unpacked in a few seconds): Playwright's own browser download needs a host that CI cannot reach.
//
//   node scripts/console-test.mjs [playwright test arguments, e.g. --project=desktop -g sign-in]
//
// EDGEFN_CONSOLE_REPORT names the JSON report (scripts/test.mjs counts its tests from it).
// EDGEFN_CONSOLE_HOLD=1, started by scripts/test.mjs with an IPC channel: get the platform, browser
// and account ready, tell the parent, and run the tests only at its "go" (npm test prepares them
// while its type check leaves a core idle and runs them after the Workers suite); the channel closed
// before that: stop.
// Screenshots of every section go to test-results/console/ (git-ignored).
import chromium from "@sparticuz/chromium";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildConsole } from "./lib/console-build.mjs";
import { seedConsoleAccount } from "./lib/console-seed.mjs";
import { HOST } from "./lib/net.mjs";
import { platformFixture } from "./lib/test-platform.mjs";
import { startPlatform } from "./lib/bench-platform.mjs";
import { ROOT, run, toolEnv } from "./lib/tools.mjs";

const say = (msg) => console.log(`[console-test] ${msg}`);
// The watchdog only stops a hung run (a browser or platform that never answers): 31 tests take about
// 95 s alone and up to 180 s beside the script tests, more on a loaded machine; held, the Workers
// suite's time comes before them.
const hold = process.env.EDGEFN_CONSOLE_HOLD === "1" && typeof process.send === "function";
const fixture = platformFixture("console-test", { watchdogMs: (hold ? 15 : 8) * 60_000 });

/** Tells the parent it is ready; resolves at its go, rejects when the channel closes first. */
function readyThenGo() {
  return new Promise((resolve, reject) => {
    process.once("message", () => resolve(process.disconnect()));
    process.once("disconnect", () => reject(new Error("the parent closed the channel before the go: no tests run")));
    process.send("ready");
  });
}

// Chromium's flags for a container without a sandbox, minus the ones that would weaken what the
// tests check (web security), that Playwright sets itself (headless mode), --single-process, with
// which the browser dies when a second context opens a page (one context per test), and the GPU
// emulated on the CPU (SwiftShader, for WebGL the console does not use): with --disable-gpu pages
// are composited in software, the same pages and screenshots for about 17% less CPU (16 of the
// tests: 67-74 -> 56 CPU-seconds, 66-72 -> 47-57 s).
const GPU_FLAGS = /^--(use-gl|use-angle|enable-unsafe-swiftshader|in-process-gpu|ignore-gpu-blocklist)\b/;
const chromiumArgs = () => [
  ...chromium.args.filter((a) => !/^--(headless|disable-web-security|allow-running-insecure-content|single-process)/.test(a) && !GPU_FLAGS.test(a)),
  "--disable-gpu",
];

let code = 1;
try {
  const started = Date.now();
  // npm test has just built it (its own step); on its own, this script builds it first.
  if (!process.env.EDGEFN_CONSOLE_BUILT && (await buildConsole()) !== 0) throw new Error("the console's build failed");
  const [executablePath, platform] = await Promise.all([
    chromium.executablePath(),
    (async () => (fixture.platform = await startPlatform({ name: "console", tmp: fixture.tmp, vars: fixture.vars, logFd: fixture.logFd, say })))(),
  ]);
  const seed = await seedConsoleAccount(platform.port, fixture.vars.OPERATOR_TOKEN);
  say(`platform, browser and account ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (hold) await readyThenGo();
  const report = process.env.EDGEFN_CONSOLE_REPORT ?? path.join(mkdtempSync(path.join(tmpdir(), "edgefn-console-report-")), "report.json");
  code = await run("playwright", ["test", "--config", path.join(ROOT, "console", "playwright.config.mjs"), ...process.argv.slice(2)], {
    env: toolEnv({
      EDGEFN_CONSOLE_URL: `http://${HOST}:${platform.port}`,
      EDGEFN_CHROMIUM: executablePath,
      EDGEFN_CHROMIUM_ARGS: JSON.stringify(chromiumArgs()),
      EDGEFN_CONSOLE_SEED: JSON.stringify(seed),
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
    }),
  });
  if (code !== 0) console.error(`--- last lines of the platform's output ---\n${fixture.logTail()}`);
} catch (err) {
  console.error(`[console-test] ${err.message}\n--- last lines of the platform's output ---\n${fixture.logTail()}`);
} finally {
  await fixture.stop();
}
process.exit(code);
