// The local Cron Trigger: wrangler dev does not fire `[triggers] crons` by itself, so `npm start`
// calls GET /cdn-cgi/handler/scheduled?cron=<expr> on the runtime once a minute, just after each
// minute boundary, as Cloudflare does. (Checked with wrangler 4.164; by hand:
//   curl "http://127.0.0.1:8787/cdn-cgi/handler/scheduled?cron=*+*+*+*+*" )

export const CRON = "* * * * *";
/** Fire this long after the boundary, so the handler's "now" is safely inside the new minute. */
export const TICK_OFFSET_MS = 200;

/** Milliseconds from `now` until the next minute boundary plus the offset. */
export function msUntilNextTick(now = Date.now(), offsetMs = TICK_OFFSET_MS) {
  const next = Math.floor(now / 60_000) * 60_000 + 60_000 + offsetMs;
  return next - now;
}

export const scheduledPath = (cron = CRON) => `/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}`;

/**
 * Calls `fire()` once a minute at each boundary (self-correcting: every wait is computed from the
 * clock, so delays never add up). Returns stop(). `fire` must not throw; its promise is not awaited
 * by the next tick (a slow minute does not delay the following one).
 */
export function everyMinute(fire, { now = () => Date.now(), setTimer = setTimeout, clearTimer = clearTimeout } = {}) {
  let timer;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimer(() => {
      fire();
      arm();
    }, msUntilNextTick(now()));
    timer?.unref?.();
  };
  arm();
  return () => {
    stopped = true;
    clearTimer(timer);
  };
}
