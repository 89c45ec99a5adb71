// Supervision of the local runtime. workerd enforces no CPU limit locally, so a brand function in
// a tight loop stalls the whole runtime (every isolate shares its thread); on Cloudflare
// `limits.cpuMs` stops such a function. `npm start` probes the runtime and restarts it when it
// stops answering or exits, so the platform serves again within a minute. Records and leases of the
// invocations that died with it are closed on restart by the AccountGate's lease alarms.

/** Probe period and how many failed probes in a row mean "hung". */
export const HEALTH_EVERY_MS = 5_000;
export const HEALTH_TIMEOUT_MS = 3_000;
export const FAILURES_BEFORE_RESTART = 3;
/** Restarts back off when the runtime keeps dying at once (a broken build, a port clash). */
export const RESTART_BACKOFF_MS = [0, 2_000, 5_000, 15_000, 30_000];

/**
 * Counts failed health probes; `record(ok)` answers "restart" once FAILURES_BEFORE_RESTART probes
 * in a row failed, then starts counting again.
 */
export function hangDetector(limit = FAILURES_BEFORE_RESTART) {
  let failures = 0;
  return {
    get failures() {
      return failures;
    },
    record(ok) {
      if (ok) {
        failures = 0;
        return "healthy";
      }
      failures += 1;
      if (failures >= limit) {
        failures = 0;
        return "restart";
      }
      return "failing";
    },
  };
}

/** The wait before the n-th restart in a row (n from 0); a runtime that stayed up resets n. */
export const backoffFor = (n) => RESTART_BACKOFF_MS[Math.min(n, RESTART_BACKOFF_MS.length - 1)];
