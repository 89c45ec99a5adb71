// The bench's helpers: percentiles and finding the runtime's processes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { percentile } from "../lib/load.mjs";
import { descendants, memoryOf } from "../lib/procmem.mjs";

test("percentile is nearest-rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("descendants and memoryOf find a child process and its memory", { skip: process.platform !== "linux" && "needs /proc", timeout: 10_000 }, async () => {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], { stdio: "ignore" });
  try {
    await new Promise((resolve) => child.once("spawn", resolve));
    assert.ok(descendants(process.pid).includes(child.pid));
    const mem = memoryOf(child.pid);
    assert.ok(mem.rssKiB > 0 && mem.hwmKiB >= mem.rssKiB, JSON.stringify(mem));
  } finally {
    child.kill();
  }
});
