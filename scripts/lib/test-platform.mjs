// The life of a real local platform in a node:test file: a temporary directory holding the
// runtime's log, throwaway secrets, and one stop that after(), a signal and the watchdog share, so
// that nothing started is ever left running.
//
// `npm test` starts one platform for the script test files that only need a platform to talk to
// (efn, lp-client, lpf-cli: each works in an account of its own) and names it in
// EDGEFN_TEST_PLATFORM; startTestPlatform() uses it instead of starting one per file (three
// platform starts fewer: 8–12 s each beside the browser tests). A file run on its own starts its own.
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPlatform } from "./bench-platform.mjs";
import { generateSecrets } from "./dev-vars.mjs";

export const SHARED_PLATFORM_ENV = "EDGEFN_TEST_PLATFORM";

/**
 * `name` names the temporary directory and the watchdog's message; `watchdogMs` (optional) bounds
 * the whole file. Set `fixture.platform` once started (anything with stop()); `fixture.stop()` ends
 * it and removes the directory; `fixture.logTail()` is the runtime's last lines, for failure messages.
 */
export function platformFixture(name, { watchdogMs } = {}) {
  const tmp = mkdtempSync(path.join(tmpdir(), `edgefn-${name}-`));
  const logFile = path.join(tmp, "runtime.log");
  const logFd = openSync(logFile, "w");
  let stopping;
  const fixture = {
    tmp,
    logFile, // the shared platform's log instead, once startTestPlatform() chose it
    logFd,
    vars: generateSecrets(), // throwaway values for this run only
    platform: undefined,
    stop() {
      // The log stays open until the process ends: wrangler's last lines can still arrive after it
      // has exited (they were buffered), and a write to a closed descriptor threw EBADF as an
      // uncaught exception after a file's tests had passed. The removed file takes them harmlessly.
      stopping ??= (async () => {
        try {
          await fixture.platform?.stop();
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
    logTail() {
      try {
        return readFileSync(fixture.logFile, "utf8").split("\n").slice(-40).join("\n");
      } catch {
        return "(no log)";
      }
    },
  };
  for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => fixture.stop().finally(() => process.exit(130)));
  if (watchdogMs) {
    setTimeout(() => {
      console.error(`${name}: gave up after ${watchdogMs / 1000} s`);
      fixture.stop().finally(() => process.exit(2));
    }, watchdogMs).unref();
  }
  return fixture;
}

/** What a file needs to use the platform `npm test` started: its port, operator token and log. */
export function sharedPlatformEnv(fixture) {
  const { port } = fixture.platform;
  return { [SHARED_PLATFORM_ENV]: JSON.stringify({ port, operatorToken: fixture.vars.OPERATOR_TOKEN, logFile: fixture.logFile }) };
}

/**
 * The platform of a file of tests (wrangler dev behind the front proxy, fresh state): the one
 * `npm test` shares when it names one (the file then never stops it; `fixture.vars.OPERATOR_TOKEN`
 * becomes its token), else one started for this file alone. Sets and returns `fixture.platform`.
 */
export async function startTestPlatform(fixture, name) {
  const shared = process.env[SHARED_PLATFORM_ENV];
  if (shared) {
    const { port, operatorToken, logFile } = JSON.parse(shared);
    fixture.vars.OPERATOR_TOKEN = operatorToken;
    fixture.logFile = logFile;
    fixture.platform = { name, port, async stop() {} };
  } else {
    fixture.platform = await startPlatform({ name, tmp: fixture.tmp, vars: fixture.vars, logFd: fixture.logFd, say: () => {} });
  }
  return fixture.platform;
}
