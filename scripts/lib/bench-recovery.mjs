// `npm run bench` (or BENCH_ONLY=recovery): how soon another account is served again after one
// account's function starts a CPU loop, and after one starts allocating without bound (issue 11:
// at most 10 s each). Its own supervised instance (as `npm start` runs it), a few runs of each, all
// on 127.0.0.1; every run is bounded by GIVE_UP_MS.
import { accountWithFunction, api, startSupervisedPlatform } from "./bench-platform.mjs";
import { CPU_LOOP_CODE, invokeRequest, memoryBombCode, msUntilServed, request } from "./recovery.mjs";

const RUNS = 2;
const GIVE_UP_MS = 60_000;
const CEILING_MIB = 512;
const BOMB_MIB = 2000;
export const TARGET_RECOVERY_MS = 10_000;

/** Resolves { cpu: [ms], memory: [ms], stallMs, ceilingMiB, how }; null entries: never served again within GIVE_UP_MS. */
export async function measureRecovery({ tmp, vars, logFd, say, track }) {
  const platform = await startSupervisedPlatform({ name: "recovery", tmp, vars, logFd, say, ceilingMiB: CEILING_MIB });
  track(platform);
  const port = platform.port;
  const hostile = await accountWithFunction(port, vars.OPERATOR_TOKEN, CPU_LOOP_CODE, "cpu_loop");
  const { uuid: bomb } = await api(port, "POST", `${hostile.base}/lambdas`, hostile.key, { name: "memory_bomb", description: "bench", implementation: { code: memoryBombCode(BOMB_MIB) } });
  await api(port, "POST", `${hostile.base}/deployments/${bomb}`, hostile.key);
  const other = await accountWithFunction(port, vars.OPERATOR_TOKEN, "function lambda(input, callback) { callback(null, 'ok'); }", "hello");

  const once = async (uuid) => {
    if ((await msUntilServed(port, invokeRequest(other), Date.now(), GIVE_UP_MS)) === null) throw new Error("the platform did not serve before the run");
    const started = Date.now();
    const hostileCall = request(port, invokeRequest(hostile, uuid), GIVE_UP_MS);
    const ms = await msUntilServed(port, invokeRequest(other), started, GIVE_UP_MS);
    await hostileCall;
    return ms;
  };
  const cpu = [];
  const memory = [];
  for (let i = 1; i <= RUNS; i++) {
    say(`recovery run ${i}/${RUNS}: a CPU loop in one account, then a memory bomb (${BOMB_MIB} MiB) with the ceiling at ${CEILING_MIB} MiB`);
    cpu.push(await once(hostile.uuid));
    memory.push(await once(bomb));
  }
  const how = [...new Set(platform.runtime.recoveries.map((r) => `${r.cause} by ${r.how}`))];
  return { cpu, memory, stallMs: platform.runtime.stallMs, ceilingMiB: CEILING_MIB, how };
}

/** The report's lines and its targets ([ok, what, got]). */
export function recoveryReport(r) {
  const fmt = (xs) => xs.map((ms) => (ms === null ? "never" : `${(ms / 1000).toFixed(1)} s`)).join(", ");
  const worst = (xs) => (xs.includes(null) ? Infinity : Math.max(...xs));
  const lines = `
  recovery (its own supervised instance; stall threshold ${r.stallMs / 1000} s, memory ceiling ${r.ceilingMiB} MiB):
    another account served again after a CPU loop started:     ${fmt(r.cpu)}
    another account served again after a memory bomb started:  ${fmt(r.memory)}
    (${r.how.join("; ")})`;
  const targets = [
    [worst(r.cpu) <= TARGET_RECOVERY_MS, `served again within ${TARGET_RECOVERY_MS / 1000} s of a CPU loop`, fmt(r.cpu)],
    [worst(r.memory) <= TARGET_RECOVERY_MS, `served again within ${TARGET_RECOVERY_MS / 1000} s of a memory bomb`, fmt(r.memory)],
  ];
  return { lines, targets };
}
