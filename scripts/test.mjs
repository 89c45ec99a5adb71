// `npm test`: every check, output live (the browser step, which runs beside the script tests, shows its
// output when it ends); the LAST line is exactly `N passed, N failed`
// (totals over all parts; CI reads it). Exits non-zero if anything failed.
//
//   libraries   the brand libraries' bundles (esbuild)         counts as one test; the Worker imports them
//   typecheck   tsc --noEmit (incremental, state in           counts as one test
//               node_modules/.cache/edgefn-tsc)
//   console     the web console's type check and build         counts as one test; wrangler needs
//               (console/ into console/dist)                   its output (the Worker's assets)
//   bundle      wrangler deploy --dry-run (offline)            counts as one test: a bundle
//               Cloudflare would reject fails here, not at deploy time
//   workers     vitest in the Workers runtime (test/*.test.ts) counted from its JSON report
//   scripts     node:test on scripts/test/*.test.mjs           counted from its TAP summary
//   browser     the console in headless Chromium (Playwright,  counted from its JSON report
//               console/test/*.spec.mjs) against a real local platform (scripts/console-test.mjs)
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPlatform } from "./lib/bench-platform.mjs";
import { buildConsole } from "./lib/console-build.mjs";
import { buildLibraries } from "./lib/libraries-build.mjs";
import { platformFixture, sharedPlatformEnv } from "./lib/test-platform.mjs";
import { ROOT, incrementalTscArgs, run, toolEnv } from "./lib/tools.mjs";

const tmp = mkdtempSync(path.join(tmpdir(), "edgefn-test-"));
const results = []; // { name, passed, failed, seconds }
const startedAt = new Map(); // step name → Date.now() at its banner
const runStarted = Date.now();

function banner(text) {
  startedAt.set(text, Date.now());
  console.log(`\n━━━ ${text} ${"━".repeat(Math.max(0, 70 - text.length))}`);
}

/** A step that is one test: passed when the tool exits 0. */
async function single(name, cmd, args) {
  banner(name);
  const code = await run(cmd, args);
  results.push({ endedAt: Date.now(), name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 });
}

async function workersSuite() {
  const name = "workers runtime suite (vitest)";
  banner(name);
  const report = path.join(tmp, "vitest.json");
  const code = await run("vitest", ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`]);
  let passed = 0;
  let failed = 0;
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed = r.numPassedTests;
    failed = r.numFailedTests;
    // A test file that fails to load has no tests to count; each such file counts as one failure.
    failed += (r.testResults ?? []).filter((f) => f.status === "failed" && !f.assertionResults?.length).length;
  }
  // vitest failed without a failing test to show for it (crash, bad config, no report): one failure.
  if (code !== 0 && failed === 0) failed = 1;
  results.push({ endedAt: Date.now(), name, passed, failed });
}

async function scriptsSuite(env) {
  const name = "script tests (node:test)";
  banner(name);
  const dir = path.join(ROOT, "scripts", "test");
  const files = readdirSync(dir).filter((f) => f.endsWith(".test.mjs")).map((f) => path.join(dir, f));
  const tap = path.join(tmp, "scripts.tap");
  // Two reporters: spec for people (live), TAP to a file for the counts. Two files at a time: the
  // long ones mostly wait on the platforms they start (node's default on 2 cores is one at a time;
  // 184 s became 112 s).
  const code = await run(process.execPath, ["--test", "--test-concurrency=2", "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files], { env: toolEnv(env) });
  const summary = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  const count = (key) => Number(summary.match(new RegExp(`^# ${key} (\\d+)$`, "m"))?.[1] ?? 0);
  const passed = count("pass");
  let failed = count("fail") + count("cancelled");
  if (code !== 0 && failed === 0) failed = 1;
  results.push({ endedAt: Date.now(), name, passed, failed });
}

async function consoleBuild() {
  const name = "console build (tsc, vite build)";
  banner(name);
  const code = await buildConsole({ typecheck: true });
  results.push({ endedAt: Date.now(), name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 });
}

function librariesBuild() {
  const name = "brand libraries (esbuild into src/runtime/libraries/generated)";
  banner(name);
  const code = buildLibraries();
  results.push({ endedAt: Date.now(), name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 });
}

/**
 * The browser step, in two parts. Prepared (platform, Chromium, seeded account: 10–15 s) as soon as
 * the console is built, while the main type check leaves a core idle; its tests run after the
 * Workers suite, beside the script tests (both mostly wait on the platforms they use: 111 s + 100 s
 * one after the other, 152 s side by side here). Its output goes to a file, shown whole when it
 * ends, so the two reports do not interleave. Resolves once it is ready (or has ended) to
 * { go() → resolves to a function that shows its output }.
 */
async function prepareBrowserSuite() {
  const name = "console in a browser (Playwright)";
  const report = path.join(tmp, "playwright.json");
  const outputFile = path.join(tmp, "playwright.out");
  const out = openSync(outputFile, "w");
  const child = spawn(process.execPath, [path.join(ROOT, "scripts", "console-test.mjs")], {
    cwd: ROOT,
    env: toolEnv({ EDGEFN_CONSOLE_REPORT: report, EDGEFN_CONSOLE_BUILT: "1", EDGEFN_CONSOLE_HOLD: "1" }),
    stdio: ["ignore", out, out, "ipc"],
  });
  const exited = new Promise((resolve) => {
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  await Promise.race([new Promise((resolve) => child.once("message", resolve)), exited]);
  return {
    async go() {
      startedAt.set(name, Date.now());
      if (child.connected) child.send("go");
      const code = await exited;
      closeSync(out);
      let passed = 0;
      let failed = 0;
      if (existsSync(report)) {
        const { stats } = JSON.parse(readFileSync(report, "utf8"));
        passed = stats.expected + stats.flaky;
        failed = stats.unexpected;
      }
      if (code !== 0 && failed === 0) failed = 1;
      results.push({ endedAt: Date.now(), name, passed, failed });
      return () => {
        console.log(`\n━━━ ${name} (ran beside the script tests) ${"━".repeat(Math.max(0, 40 - name.length))}`);
        process.stdout.write(readFileSync(outputFile, "utf8"));
      };
    },
    stop: () => child.connected && child.disconnect(), // unless it got the go: it stops its platform and exits
  };
}

/**
 * The platform the script test files efn, lp-client and lpf-cli share (scripts/lib/test-platform.mjs),
 * started beside the type check once the browser step's is up. Resolves to its fixture, or to
 * undefined when it did not start (each file then starts its own, as when run alone).
 */
async function startSharedPlatform() {
  const fixture = platformFixture("npm-test-shared");
  try {
    fixture.platform = await startPlatform({ name: "shared", tmp: fixture.tmp, vars: fixture.vars, logFd: fixture.logFd, say: () => {} });
    return fixture;
  } catch (err) {
    console.error(`the script tests' shared platform did not start (each file starts its own): ${err.message}\n${fixture.logTail()}`);
    await fixture.stop();
    return undefined;
  }
}

let browser;
let shared;
try {
  // The brand libraries first: tsc, wrangler's dry run and vitest all read them.
  librariesBuild();
  // Both tsc runs are single-threaded and quiet when they pass: side by side on two cores (~8 s less).
  // Once the console is built, the Worker is bundled and the browser step's and the script tests'
  // platforms start (all need console/dist) beside what is left of the main type check (a cold one
  // takes 25 s, an incremental one 7 s); the platforms then wait, idle, through the Workers suite.
  // (The one-test checks beside the Workers suite cost it 40 s and saved 9 s in all.)
  const typecheck = single("typecheck (tsc --noEmit)", "tsc", ["--noEmit", ...incrementalTscArgs("typecheck")]);
  await consoleBuild();
  const browserReady = prepareBrowserSuite();
  // One platform start at a time: freePort() names a port that stays free only until wrangler binds
  // it, seconds later; two starts at once were once given the same one (and one of them failed).
  const sharedReady = browserReady.then(startSharedPlatform);
  await single("bundle (wrangler deploy --dry-run)", "wrangler", ["deploy", "--dry-run", "--outdir", path.join(tmp, "dist")]);
  [browser, shared] = await Promise.all([browserReady, sharedReady, typecheck]);
  await workersSuite();
  const [, showBrowserOutput] = await Promise.all([scriptsSuite(shared ? sharedPlatformEnv(shared) : {}), browser.go()]);
  showBrowserOutput();
} finally {
  browser?.stop();
  await shared?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

banner("summary");
for (const r of results) {
  const seconds = startedAt.has(r.name) ? ` (${Math.round((r.endedAt - startedAt.get(r.name)) / 1000)} s)` : "";
  console.log(`  ${r.failed ? "FAIL" : "ok  "}  ${r.name}: ${r.passed} passed, ${r.failed} failed${seconds}`);
}
console.log(`  whole run: ${Math.round((Date.now() - runStarted) / 1000)} s`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
