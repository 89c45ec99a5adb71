// The local runtime under supervision (policy and thresholds: ./supervisor.mjs). Used by
// `npm start`, `npm run bench` and the recovery tests.
//
// wrangler dev runs two workerd processes: its own dev proxy (which owns the internal port) and the
// Worker runtime (the platform and every loaded function isolate). When the runtime stalls (a
// function in a CPU loop) or passes the memory ceiling, only the Worker runtime process is ended:
// wrangler notices and starts a new one on the same port in about 1-2 s, much sooner than a new
// wrangler (about 5-8 s to bundle and boot). If that does not bring it back, or wrangler itself
// exits, the whole of wrangler is restarted on a new port (the front proxy asks for the current port
// per request). After each recovery the platform is told why (POST /admin/runtime/restarts), so the
// records of the invocations lost with it name the cause.
import http from "node:http";
import { freePort, HOST, probe } from "./net.mjs";
import { memoryOf, workerdUnder } from "./procmem.mjs";
import { startRuntime } from "./runtime.mjs";
import { backoffFor, ISOLATES_EVERY_MS, MEMORY_CEILING_MIB, memoryCeiling, PROBE_EVERY_MS, RECOVERY_GIVE_UP_MS, STALL_MS, stallClock, verdict } from "./supervisor.mjs";

const NOTICE_ATTEMPTS = 5;

const WHY = {
  "cpu-stall": (s) => `the runtime did not answer for ${(s.stalledMs / 1000).toFixed(1)} s (a function holding the CPU? the local runtime has no CPU limit)`,
  "memory-ceiling": (s) => `the runtime uses ${s.rssMiB.toFixed(0)} MiB, over its memory ceiling of ${s.ceilingMiB} MiB (${s.isolates ? `${s.baseMiB} MiB and an allowance for the ${s.isolates} function isolates it holds; ` : ""}a function that keeps allocating? the local runtime has no memory limit per isolate)`,
  exit: (s) => `the runtime exited unexpectedly (code ${s.code}, signal ${s.signal})`,
};

/**
 * Starts wrangler dev on `persistTo` and keeps it serving. Options as startRuntime's, plus
 *   operatorToken  the Worker's OPERATOR_TOKEN (for the restart notices)
 *   answers        the front proxy's answer log (lib/answered.mjs), handed over with each notice
 *   say            the supervisor's own messages
 *   stallMs, ceilingMiB  thresholds (defaults from supervisor.mjs / the environment)
 * Returns { port (current internal port), ready, recoveries, stop() }; `recoveries` lists
 * { cause, at, servedAgainMs (null until served again), how } of each recovery, in order.
 */
export function superviseRuntime({ persistTo, vars, onLine, say = () => {}, operatorToken, answers = null, stallMs = STALL_MS, ceilingMiB = MEMORY_CEILING_MIB }) {
  let runtime;
  let stopping = false;
  let recovering = false;
  let restartsInARow = 0;
  let probing = false;
  let serving = false; // watched only once ready: a starting runtime does not answer yet
  let workerPid = null; // the Worker runtime's workerd, found after each start
  let isolates = 0; // function isolates the runtime holds (GET /admin/runtime), asked every ISOLATES_EVERY_MS
  let askingIsolates = false;
  let isolatesAskedAt = 0;
  const clock = stallClock();
  const recoveries = [];

  async function launch() {
    // EDGEFN_SUPERVISED: the AccountGate waits a moment for this supervisor's restart notice
    // before closing the leases it found at its start (src/gate/account-gate.ts).
    const port = await freePort();
    if (stopping) return; // stopped while a restart was on its way: start nothing more
    const handle = startRuntime({ port, persistTo, vars: { ...vars, EDGEFN_SUPERVISED: "1" }, onLine });
    runtime = handle; // set at once, so that a stop() from now on ends this one
    workerPid = null;
    isolates = 0; // a new process holds none
    serving = false;
    await handle.ready;
    serving = true;
    clock.reset();
    handle.exited.then(({ code, signal }) => {
      if (stopping || recovering || runtime !== handle) return;
      void recover("exit", { code, signal });
    });
  }

  /** The Worker runtime's workerd: the one that does not own wrangler's internal port. */
  function findWorkerPid() {
    if (workerPid && memoryOf(workerPid)) return workerPid;
    const own = `entry=${HOST}:${runtime.port} `;
    workerPid = workerdUnder(runtime.pid).find((p) => !`${p.cmdline} `.includes(own))?.pid ?? null;
    return workerPid;
  }

  async function servedWithin(ms) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !stopping) {
      if ((await probe(runtime.port, "/healthz", 1000)) === 200) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  async function restartWrangler() {
    const wait = backoffFor(restartsInARow++);
    if (wait) say(`restarting wrangler in ${wait / 1000} s`);
    await runtime?.stop(1000);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    if (stopping) return;
    await launch();
  }

  async function recover(cause, state) {
    if (stopping || recovering) return;
    recovering = true;
    const at = Date.now();
    const recovery = { cause, at, servedAgainMs: null, how: "worker process" };
    recoveries.push(recovery);
    say(`${WHY[cause]({ ...state, ceilingMiB: state.ceilingMiB ?? ceilingMiB, baseMiB: ceilingMiB, isolates: state.isolates })}; restarting it (data in the local state is kept)`);
    try {
      const pid = cause === "exit" ? null : findWorkerPid();
      if (pid) process.kill(pid, "SIGKILL"); // a stalled process would not stop on a gentler signal
      if (!pid || !(await servedWithin(RECOVERY_GIVE_UP_MS))) {
        recovery.how = "wrangler";
        for (;;) {
          try {
            await restartWrangler();
            break;
          } catch (err) {
            if (stopping) return;
            say(`restart failed: ${err.message}`);
          }
        }
      }
      if (stopping) return;
      clock.reset();
      recovery.servedAgainMs = Date.now() - at;
      say(`runtime serving again ${(recovery.servedAgainMs / 1000).toFixed(1)} s after it was ended`);
      // The answers the front passed on before the runtime was ended: their records, if the runtime
      // died before writing them, take the outcome their callers saw.
      const answered = answers?.until(at);
      void notify({
        cause,
        at,
        ...(cause === "memory-ceiling" && { ceilingMiB: Math.round(state.ceilingMiB ?? ceilingMiB) }),
        ...(cause === "cpu-stall" && { stalledMs: Math.round(state.stalledMs) }),
        ...(answered && Object.keys(answered).length > 0 && { answered }),
      });
    } finally {
      recovering = false;
    }
  }

  /** Tells the platform why it restarted (the records of lost invocations name it). */
  async function notify(notice) {
    if (!operatorToken) return say("warning: no OPERATOR_TOKEN; the records of invocations lost in the restart will not name its cause");
    for (let attempt = 1; attempt <= NOTICE_ATTEMPTS && !stopping; attempt++) {
      if ((await postJson(runtime.port, "/admin/runtime/restarts", operatorToken, notice)) === 200) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
    say("warning: could not tell the platform why the runtime restarted; records of invocations lost in it will say only that they were lost");
  }

  function watch() {
    if (stopping || recovering || !serving || !runtime?.running) return;
    if (!probing) {
      probing = true;
      probe(runtime.port, "/healthz", stallMs + 1000).then((status) => {
        probing = false;
        if (status === 200) {
          clock.answered();
          restartsInARow = 0;
        }
      });
    }
    if (!askingIsolates && Date.now() - isolatesAskedAt >= ISOLATES_EVERY_MS && operatorToken) {
      askingIsolates = true;
      isolatesAskedAt = Date.now();
      const asked = runtime;
      getJson(runtime.port, "/admin/runtime", operatorToken).then((answer) => {
        askingIsolates = false;
        // A stalled runtime does not answer: the last count stands.
        if (asked === runtime && Number.isInteger(answer?.isolatesLoaded)) isolates = answer.isolatesLoaded;
      });
    }
    const pid = findWorkerPid();
    const rssMiB = pid ? (memoryOf(pid)?.rssKiB ?? 0) / 1024 : 0;
    const stalledMs = clock.stalledFor();
    const ceiling = memoryCeiling(ceilingMiB, isolates);
    const cause = verdict({ stalledMs, rssMiB, stallMs, ceilingMiB: ceiling });
    if (cause !== "ok") void recover(cause, { stalledMs, rssMiB, ceilingMiB: ceiling, isolates });
  }

  const ready = launch();
  const timer = setInterval(watch, PROBE_EVERY_MS);
  timer.unref();

  return {
    get port() {
      return runtime?.port ?? 0;
    },
    get pid() {
      return runtime?.pid;
    },
    ready,
    recoveries,
    /** The pid of the Worker runtime's workerd (null if not found), for tests that end it. */
    workerPid: () => (runtime ? findWorkerPid() : null),
    stallMs,
    ceilingMiB,
    /** The function isolates the runtime last said it holds. */
    get isolates() {
      return isolates;
    },
    async stop(graceMs) {
      stopping = true;
      clearInterval(timer);
      await runtime?.stop(graceMs);
    },
  };
}

/** GET of a JSON answer; null when it fails or is not JSON. */
function getJson(port, path, token) {
  return new Promise((resolve) => {
    const req = http.request({ host: HOST, port, path, method: "GET", agent: false, timeout: 2000, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { text += c; });
      res.on("end", () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(text) : null);
        } catch {
          resolve(null);
        }
      });
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(null));
    req.end();
  });
}

function postJson(port, path, token, body) {
  const data = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      { host: HOST, port, path, method: "POST", agent: false, timeout: 5000, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(data) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end(data);
  });
}
