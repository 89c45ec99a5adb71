import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CRON, everyMinute, msUntilNextTick, scheduledPath, TICK_OFFSET_MS } from "../lib/cron-tick.mjs";
import { backoffFor, ISOLATE_ALLOWANCE_MIB, MEMORY_CEILING_MIB, memoryCeiling, RESTART_BACKOFF_MS, STALL_MS, stallClock, verdict } from "../lib/supervisor.mjs";

describe("cron tick", () => {
  test("waits until just after the next minute boundary", () => {
    const boundary = Date.UTC(2026, 10, 23, 10, 0, 0);
    assert.equal(msUntilNextTick(boundary + 15_000), 45_000 + TICK_OFFSET_MS);
    assert.equal(msUntilNextTick(boundary + 59_999), 1 + TICK_OFFSET_MS);
    // Exactly on a boundary (or inside the offset): the next minute, never a double tick.
    assert.equal(msUntilNextTick(boundary), 60_000 + TICK_OFFSET_MS);
    assert.equal(msUntilNextTick(boundary + TICK_OFFSET_MS), 60_000);
  });

  test("fires once per minute with waits computed from the clock, and stops", () => {
    let clock = Date.UTC(2026, 10, 23, 10, 0, 30);
    const timers = [];
    let fired = 0;
    const stop = everyMinute(() => fired++, { now: () => clock, setTimer: (fn, ms) => (timers.push({ fn, ms }), timers.length), clearTimer: () => {} });
    assert.equal(timers[0].ms, 30_000 + TICK_OFFSET_MS);
    clock += timers[0].ms + 700; // the timer ran late: the next wait is shorter, no drift
    timers[0].fn();
    assert.equal(fired, 1);
    assert.equal(timers[1].ms, 60_000 - 700);
    stop();
    clock += timers[1].ms;
    timers[1].fn();
    assert.equal(fired, 2);
    assert.equal(timers.length, 2, "a stopped ticker arms no further timer");
  });

  test("the path asks for the every-minute cron", () => {
    assert.equal(CRON, "* * * * *");
    assert.equal(scheduledPath(), "/cdn-cgi/handler/scheduled?cron=*%20*%20*%20*%20*");
  });
});

describe("supervisor", () => {
  test("a stall is the time since the runtime last answered; an answer or a restart resets it", () => {
    const c = stallClock(1000);
    assert.equal(c.stalledFor(4000), 3000);
    c.answered(3500);
    assert.equal(c.stalledFor(4000), 500);
    c.answered(2000); // a late answer to an older probe does not move the clock back
    assert.equal(c.stalledFor(4000), 500);
    c.reset(9000);
    assert.equal(c.stalledFor(9500), 500);
  });

  test("restarts for a stall of STALL_MS or more, or memory over the ceiling; memory is checked first", () => {
    assert.equal(verdict({ stalledMs: STALL_MS - 1, rssMiB: MEMORY_CEILING_MIB }), "ok");
    assert.equal(verdict({ stalledMs: STALL_MS, rssMiB: 100 }), "cpu-stall");
    assert.equal(verdict({ stalledMs: 0, rssMiB: MEMORY_CEILING_MIB + 1 }), "memory-ceiling");
    assert.equal(verdict({ stalledMs: STALL_MS * 2, rssMiB: 600, ceilingMiB: 512 }), "memory-ceiling");
    assert.equal(verdict({ stalledMs: 2000, rssMiB: 0, stallMs: 1500 }), "cpu-stall");
  });

  test("the memory ceiling grows by an allowance per function isolate the runtime holds, and only by that", () => {
    assert.equal(memoryCeiling(1024, 0), 1024);
    assert.equal(memoryCeiling(1024, undefined), 1024, "no count yet: the base");
    assert.equal(memoryCeiling(1024, 2000), 1024 + 2000 * ISOLATE_ALLOWANCE_MIB);
    assert.ok(ISOLATE_ALLOWANCE_MIB >= 3.5, "above the ~3 MiB an isolate measured");
    // 2,000 functions loaded (about 6.5 GiB): serving, not a restart; the same plus a bomb's base ceiling: a restart.
    const ceiling = memoryCeiling(MEMORY_CEILING_MIB, 2000);
    assert.equal(verdict({ stalledMs: 0, rssMiB: 2000 * 3.4 + 300, ceilingMiB: ceiling }), "ok");
    assert.equal(verdict({ stalledMs: 0, rssMiB: ceiling + 1, ceilingMiB: ceiling }), "memory-ceiling");
  });

  test("backs off on repeated restarts, capped", () => {
    assert.equal(backoffFor(0), 0);
    assert.ok(backoffFor(1) > 0);
    assert.equal(backoffFor(99), RESTART_BACKOFF_MS.at(-1));
  });
});
