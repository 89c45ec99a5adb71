// The life of a real local platform in a node:test file: a temporary directory holding the
// runtime's log, throwaway secrets, and one stop that after(), a signal and the watchdog share, so
// that nothing started is ever left running.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateSecrets } from "./dev-vars.mjs";

/**
 * `name` names the temporary directory and the watchdog's message; `watchdogMs` bounds the whole
 * file. Set `fixture.platform` once started (anything with stop()); `fixture.stop()` ends it and
 * removes the directory; `fixture.logTail()` is the runtime's last lines, for failure messages.
 */
export function platformFixture(name, { watchdogMs }) {
  const tmp = mkdtempSync(path.join(tmpdir(), `edgefn-${name}-`));
  const logFile = path.join(tmp, "runtime.log");
  const logFd = openSync(logFile, "w");
  let stopping;
  const fixture = {
    tmp,
    logFile,
    logFd,
    vars: generateSecrets(), // throwaway values for this run only
    platform: undefined,
    stop() {
      stopping ??= (async () => {
        try {
          await fixture.platform?.stop();
        } finally {
          closeSync(logFd);
          rmSync(tmp, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
    logTail() {
      try {
        return readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
      } catch {
        return "(no log)";
      }
    },
  };
  for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => fixture.stop().finally(() => process.exit(130)));
  setTimeout(() => {
    console.error(`${name}: gave up after ${watchdogMs / 1000} s`);
    fixture.stop().finally(() => process.exit(2));
  }, watchdogMs).unref();
  return fixture;
}
