// The outbound rate limit: requests per second per function (LivePerson: 20 req/s per function;
// per-account override in account_limits.outbound_per_second, see services/limits.ts).
//
// A sliding one-second window per (account, function), kept in memory in the host isolate. This
// is exact within one isolate (the local runtime has one), but on Cloudflare each isolate of the
// host Worker counts on its own, so the effective limit there is "per function per isolate". The
// AccountGate Durable Object (issue 4) will hold the shared counter; until then this is the
// documented approximation. Memory is bounded: a window keeps at most `limit` timestamps
// (limit ≤ 1000), and idle windows are swept once the map grows past MAX_KEYS.

const WINDOW_MS = 1000;
const MAX_KEYS = 10_000;

export class SlidingWindowLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly windowMs = WINDOW_MS,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  /**
   * Counts one request for `key` at `now` if fewer than `limit` were counted in the last window;
   * returns false (and counts nothing) otherwise.
   */
  take(key: string, limit: number, now = Date.now()): boolean {
    let times = this.windows.get(key);
    if (!times) {
      if (this.windows.size >= this.maxKeys) this.sweep(now);
      times = [];
      this.windows.set(key, times);
    }
    const since = now - this.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= since) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= limit) return false;
    times.push(now);
    return true;
  }

  private sweep(now: number): void {
    const since = now - this.windowMs;
    for (const [key, times] of this.windows) {
      if (times.length === 0 || times[times.length - 1]! <= since) this.windows.delete(key);
    }
    // Still full of live windows (more than maxKeys functions active within one second): forget
    // the oldest half rather than grow without bound.
    if (this.windows.size >= this.maxKeys) {
      let n = Math.floor(this.maxKeys / 2);
      for (const key of this.windows.keys()) {
        if (n-- <= 0) break;
        this.windows.delete(key);
      }
    }
  }
}

/** The host isolate's limiter for outbound requests of brand code. */
export const outboundLimiter = new SlidingWindowLimiter();

export const outboundKey = (accountId: string, lambdaUuid: string) => `${accountId}/${lambdaUuid}`;
