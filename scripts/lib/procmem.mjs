// Memory of the runtime's processes, from Linux /proc (other systems: no figures, not an error).
import { readdirSync, readFileSync } from "node:fs";

function read(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null; // the process is gone, or this is not Linux
  }
}

/** Pids of every live descendant of `root`, found through the parent pid in /proc/<pid>/stat. */
export function descendants(root) {
  const children = new Map();
  let entries = [];
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const pid of entries) {
    const stat = read(`/proc/${pid}/stat`);
    // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after its ")".
    const ppid = stat && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!ppid) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(pid));
  }
  const out = [];
  const queue = [root];
  while (queue.length) for (const c of children.get(queue.shift()) ?? []) { out.push(c); queue.push(c); }
  return out;
}

/** { pid, name, cmdline, rssKiB, hwmKiB } of a process (VmHWM = the kernel's record of its peak RSS). */
export function memoryOf(pid) {
  const status = read(`/proc/${pid}/status`);
  if (!status) return null;
  const kib = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
  const name = status.match(/^Name:\s+(.*)$/m)?.[1] ?? "?";
  const cmdline = (read(`/proc/${pid}/cmdline`) ?? "").split("\0").join(" ");
  return { pid, name, cmdline, rssKiB: kib("VmRSS"), hwmKiB: kib("VmHWM") };
}

/** Every workerd process under `root`, with its memory. */
export function workerdUnder(root) {
  return descendants(root).map(memoryOf).filter((m) => m && m.name === "workerd");
}

/**
 * Counters of the workerd processes under `root`, summed, from one walk of /proc:
 *   cpuMs        CPU time (user + system, ms) used so far: a cost per request that the machine's
 *                other load barely moves, unlike latency (the kernel counts it in clock ticks,
 *                10 ms here, so measure over many requests);
 *   majorFaults  pages read back from disk so far: time the runtime waited for memory rather than
 *                worked (a machine that pages out memory it deems cold).
 */
export function workerdCounters(root) {
  let ticks = 0;
  let majorFaults = 0;
  for (const pid of descendants(root)) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat || read(`/proc/${pid}/comm`)?.trim() !== "workerd") continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    ticks += fields[11] + fields[12]; // utime, stime (fields 14 and 15 of stat)
    majorFaults += fields[9]; // majflt (field 12 of stat)
  }
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND, majorFaults };
}

/** The CPU time of the workerd processes under `root` so far (workerdCounters). */
export const workerdCpuMs = (root) => workerdCounters(root).cpuMs;

// getconf CLK_TCK: 100 on every Linux Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;
