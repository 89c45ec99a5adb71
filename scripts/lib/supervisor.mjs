// Supervision policy of the local runtime (the process side is scripts/lib/supervised-runtime.mjs).
//
// Locally workerd enforces neither a CPU limit nor a memory limit on loaded isolates (Cloudflare
// stops a function at its `limits.cpuMs` and an isolate at 128 MB). All isolates of the local
// runtime share one thread, so one function in a tight loop leaves every account unserved, and one
// that keeps allocating grows the process without bound. The supervisor watches for both:
//   - a stall: GET /healthz (answered by the platform itself, no function runs) has not been
//     answered for STALL_MS. That means some function held the runtime's only thread for that long
//     without pause. This is the local CPU threshold: a function may compute without pause for up
//     to STALL_MS (default 5 s) locally; on Cloudflare its CPU limit applies instead.
//   - the memory ceiling: the Worker runtime process (workerd) uses more than MEMORY_CEILING_MIB of
//     RSS (default 1024 MiB; the idle runtime uses about 140 MiB) plus ISOLATE_ALLOWANCE_MIB for
//     every function isolate it holds. workerd keeps each isolate it builds for the life of the
//     process (about 3 MiB each; Cloudflare evicts idle ones), so a fixed ceiling restarted the
//     runtime of a platform serving a few hundred functions over and over; the runtime says how
//     many it holds (GET /admin/runtime), and a function that keeps allocating still has only the
//     base ceiling's room above them.
// Either way it ends the Worker runtime process only; wrangler (which stays) starts a new one on the
// same port within about 1-2 s. Data in the local state is kept. The invocations running at that
// moment are lost; the supervisor tells the platform why (POST /admin/runtime/restarts), so their
// records, written when their leases expire (src/gate/reclaim.ts), name the cause.

const positive = (value, fallback) => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

/** How often the runtime is probed and its memory read. */
export const PROBE_EVERY_MS = 250;
/** See above; EDGEFN_STALL_MS overrides. */
export const STALL_MS = positive(process.env.EDGEFN_STALL_MS, 5_000);
/** See above; EDGEFN_MEMORY_CEILING_MIB overrides. */
export const MEMORY_CEILING_MIB = positive(process.env.EDGEFN_MEMORY_CEILING_MIB, 1024);
/** Memory allowed per function isolate the runtime holds (measured: 2.7–3.4 MiB; npm run bench, scale). */
export const ISOLATE_ALLOWANCE_MIB = 4;
/** How often the runtime is asked how many isolates it holds. */
export const ISOLATES_EVERY_MS = 2_000;

/** The memory ceiling for a runtime holding `isolates` function isolates. */
export const memoryCeiling = (baseMiB, isolates) => baseMiB + ISOLATE_ALLOWANCE_MIB * Math.max(0, isolates || 0);

/** How long a new Worker runtime process may take to answer before the whole of wrangler is restarted. */
export const RECOVERY_GIVE_UP_MS = 15_000;
/** Restarts back off when the runtime keeps dying at once (a broken build, a port clash). */
export const RESTART_BACKOFF_MS = [0, 2_000, 5_000, 15_000, 30_000];

/**
 * Tracks when the runtime last answered; `stalledFor(now)` is how long it has not. Restarting
 * (`reset`) gives the new runtime a fresh start.
 */
export function stallClock(now = Date.now()) {
  let lastAnswer = now;
  return {
    answered(at = Date.now()) {
      lastAnswer = Math.max(lastAnswer, at);
    },
    reset(at = Date.now()) {
      lastAnswer = at;
    },
    stalledFor(at = Date.now()) {
      return at - lastAnswer;
    },
  };
}

/** What to do about the runtime: "ok", or the cause to restart it for. */
export function verdict({ stalledMs, rssMiB, stallMs = STALL_MS, ceilingMiB = MEMORY_CEILING_MIB }) {
  if (rssMiB > ceilingMiB) return "memory-ceiling";
  if (stalledMs >= stallMs) return "cpu-stall";
  return "ok";
}

/** The wait before the n-th restart in a row (n from 0); a runtime that stayed up resets n. */
export const backoffFor = (n) => RESTART_BACKOFF_MS[Math.min(n, RESTART_BACKOFF_MS.length - 1)];
