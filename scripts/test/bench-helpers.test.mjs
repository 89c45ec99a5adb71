// The bench's helpers: percentiles, finding the runtime's processes, and the observability
// section's seeding plan, export spans and query mix.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { DAY_MS, LOGS_PER_RECORD, NEWEST_AGE_DAYS, OLDEST_AGE_DAYS, RARE_WORDS, entriesFrom, flatMemory, rareWord, recordSpan, searchMix, seedPlan } from "../lib/bench-observability.mjs";
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

test("seedPlan covers the entries in calls of at most 1,000 records, 3 to 20 days old, spread over the functions", () => {
  const now = Date.UTC(2026, 0, 31);
  const plan = seedPlan(1_000_000, now, ["a", "b", "c"]);
  assert.equal(plan.records, 100_000);
  assert.equal(plan.entries, 1_000_000);
  assert.equal(plan.calls.reduce((n, c) => n + c.records, 0), plan.records);
  assert.ok(plan.calls.every((c) => c.records <= 1_000));
  assert.equal(plan.first, now - OLDEST_AGE_DAYS * DAY_MS);
  assert.ok(plan.last <= now - NEWEST_AGE_DAYS * DAY_MS, "the newest entry is old enough for a retention of 1 day (and more)");
  assert.ok(plan.stepMs > LOGS_PER_RECORD, "a record's entries never reach the next record");
  // Calls are contiguous: call k starts where call k-1 ended.
  plan.calls.forEach((c, k) => k > 0 && assert.equal(c.startedAt, plan.calls[k - 1].startedAt + plan.calls[k - 1].records * plan.stepMs));
  const share = (u) => plan.calls.filter((c) => c.lambdaUuid === u).length / plan.calls.length;
  assert.deepEqual([share("a"), share("b"), share("c")], [0.6, 0.3, 0.1]);
  assert.equal(seedPlan(25, now, ["a"]).entries, 30, "whole records");
  assert.throws(() => seedPlan(2e9, now, ["a"]), /too many/);
});

test("recordSpan selects exactly the entries of n records; entriesFrom counts what is left from a timestamp", () => {
  const plan = seedPlan(100_000, Date.UTC(2026, 0, 31), ["a"]);
  const span = recordSpan(plan, 500, 1_000);
  // Entries of record i are at first + i * stepMs + j, j < LOGS_PER_RECORD.
  const inSpan = (i, j) => { const t = plan.first + i * plan.stepMs + j; return t >= span.startTimestamp && t <= span.endTimestamp; };
  assert.ok(inSpan(500, 0) && inSpan(1_499, LOGS_PER_RECORD - 1));
  assert.ok(!inSpan(499, LOGS_PER_RECORD - 1) && !inSpan(1_500, 0));
  assert.throws(() => recordSpan(plan, plan.records - 10, 11), /not all seeded/);
  assert.equal(entriesFrom(plan, plan.first), plan.entries);
  assert.equal(entriesFrom(plan, plan.first + 3), plan.entries - 3);
  assert.equal(entriesFrom(plan, plan.first + 10 * plan.stepMs), plan.entries - 100);
  assert.equal(entriesFrom(plan, plan.last), 1);
  assert.equal(entriesFrom(plan, plan.last + 1), 0);
});

test("searchMix: at least 100 requests of every kind, from the seed route's vocabulary, the same every run", () => {
  const plan = seedPlan(1_000_000, Date.UTC(2026, 0, 31), ["a", "b", "c"]);
  const mix = searchMix(plan, ["a", "b", "c"]);
  assert.deepEqual(searchMix(plan, ["a", "b", "c"]), mix);
  assert.ok(mix.reduce((n, m) => n + m.pages, 0) >= 100);
  const kinds = new Set(mix.map((m) => m.kind));
  for (const k of ["word, common", "word, rare", "phrase", "prefix", "+ lambdaUUID", "+ levels=Error", "+ 1-day span", "3 pages deep"]) assert.ok(kinds.has(k), k);
  const rare = new Set(Array.from({ length: RARE_WORDS }, (_, i) => rareWord(i)));
  for (const m of mix.filter((m) => m.kind === "word, rare")) assert.ok(rare.has(m.params.q), m.params.q);
  for (const m of mix.filter((m) => m.kind === "phrase")) assert.match(m.params.q, /^"[a-z]+ token[0-9a-z]+"$/);
  for (const m of mix.filter((m) => m.kind === "prefix")) assert.match(m.params.q, /^token[0-9a-z]{1,2}\*$/);
  for (const m of mix.filter((m) => m.kind === "+ 1-day span")) {
    assert.equal(Number(m.params.to) - Number(m.params.from), DAY_MS - 1);
    assert.ok(Number(m.params.from) >= plan.first && Number(m.params.to) <= plan.last);
  }
  assert.ok(mix.filter((m) => m.kind === "+ lambdaUUID").every((m) => ["a", "b", "c"].includes(m.params.lambdaUUID)));
  assert.ok(mix.filter((m) => m.kind === "3 pages deep").every((m) => m.pages === 3));
});

test("flatMemory allows the larger export 1.5 × the smaller one's growth + 20 MiB", () => {
  assert.equal(flatMemory(10 * 1024, 35 * 1024).ok, true);
  assert.equal(flatMemory(10 * 1024, 35 * 1024 + 1).ok, false);
  assert.equal(flatMemory(-4096, 20 * 1024).ok, true, "a negative growth counts as none");
});
