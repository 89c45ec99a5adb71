// One platform instance for the bench, as `npm start` runs it: wrangler dev on a fresh temporary
// state behind the front proxy (its own process, so it does not share an event loop with the load
// generator). All on 127.0.0.1.
import { spawn } from "node:child_process";
import { writeSync } from "node:fs";
import path from "node:path";
import { send } from "./load.mjs";
import { freePort, probe } from "./net.mjs";
import { startRuntime } from "./runtime.mjs";
import { migratedState } from "./migrated-state.mjs";
import { superviseRuntime } from "./supervised-runtime.mjs";
import { createFrontProxy } from "../front-proxy.mjs";
import { answerLog } from "./answered.mjs";
import { ROOT, run, toolEnv } from "./tools.mjs";

/**
 * The state directory `<tmp>/<name>` of an instance and its log line writer. The state is fresh
 * (every migration applied) unless `keepState`: then it is what a stopped instance of the name left.
 */
async function instanceState({ name, tmp, logFd, say, keepState }) {
  const persistTo = path.join(tmp, name);
  if (!keepState) {
    say(`${name}: applying migrations to a fresh temporary state`);
    if ((await migratedState({ persistTo, stdio: ["ignore", logFd, logFd] })) !== 0) throw new Error(`${name}: migrations failed`);
  }
  return { persistTo, log: (l) => writeSync(logFd, `[${name}] ${l}\n`) };
}

/**
 * Starts an instance whose state lives in `<tmp>/<name>`; `vars` are passed with --var.
 * `keepState`: start on the state a stopped instance of the same name left (a restart), instead of
 * a fresh one. Resolves to { name, port (front proxy), runtime, persistTo, stop() }.
 */
export async function startPlatform({ name, tmp, vars, logFd, say, keepState = false }) {
  const { persistTo, log } = await instanceState({ name, tmp, logFd, say, keepState });
  say(`${name}: starting wrangler dev`);
  const runtime = startRuntime({ port: await freePort(), persistTo, vars, onLine: log });
  await runtime.ready; // stops wrangler itself when it never gets ready
  let proxy;
  let port;
  try {
    port = await freePort();
    proxy = spawn(process.execPath, [path.join(ROOT, "scripts", "front-proxy.mjs"), "--port", String(port), "--upstream-port", String(runtime.port)], { stdio: ["ignore", logFd, logFd] });
    for (let i = 0; i < 100 && (await probe(port)) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    if ((await probe(port)) !== 200) throw new Error(`${name}: the front proxy did not come up`);
  } catch (error) {
    // Nobody gets a handle to stop them with: leave no wrangler, workerd or proxy behind.
    proxy?.kill("SIGTERM");
    await runtime.stop();
    throw error;
  }
  return {
    name,
    port,
    runtime,
    persistTo,
    async stop() {
      proxy.kill("SIGTERM");
      await runtime.stop();
    },
  };
}

/**
 * An instance as `npm start` runs it, supervised (scripts/lib/supervised-runtime.mjs): the front
 * proxy runs in this process so that it follows the runtime to a new port after a restart.
 * `stallMs` and `ceilingMiB` set the supervisor's thresholds; `keepState` as for startPlatform. Resolves to { name, port, runtime
 * (the supervisor: port, recoveries), persistTo, stop() }.
 */
export async function startSupervisedPlatform({ name, tmp, vars, logFd, say, stallMs, ceilingMiB, keepState = false }) {
  const { persistTo, log } = await instanceState({ name, tmp, logFd, say, keepState });
  say(`${name}: starting wrangler dev, supervised`);
  const answers = answerLog();
  const runtime = superviseRuntime({ persistTo, vars, onLine: log, say: (m) => log(`[supervisor] ${m}`), operatorToken: vars.OPERATOR_TOKEN, answers, stallMs, ceilingMiB });
  const proxy = createFrontProxy({ upstream: () => ({ host: "127.0.0.1", port: runtime.port }), log: (m) => log(`[front] ${m}`), answers });
  const stop = async () => {
    proxy.close();
    proxy.closeAllConnections();
    await runtime.stop();
  };
  try {
    await runtime.ready;
    const port = await freePort();
    await new Promise((resolve, reject) => {
      proxy.once("error", reject);
      proxy.listen(port, "127.0.0.1", resolve);
    });
    return { name, port, runtime, persistTo, stop };
  } catch (error) {
    await stop(); // nobody gets a handle to stop them with: leave nothing running
    throw error;
  }
}

/** JSON API call through an instance's front proxy. */
export async function api(port, method, urlPath, token, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await send(false, port, { method, path: urlPath, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${urlPath} answered ${res.status}: ${res.body}`);
  return res.body ? JSON.parse(res.body) : null;
}

/** An account, a developer key and a deployed function on an instance. */
export async function accountWithFunction(port, operatorToken, code, name = "hello") {
  const { accountId, adminKey } = await api(port, "POST", "/admin/accounts", operatorToken, { name: "bench" });
  const { key } = await api(port, "POST", `/api/account/${accountId}/api-keys`, adminKey, { name: "bench", role: "FaaS-Developer" });
  const base = `/api/account/${accountId}`;
  const { uuid } = await api(port, "POST", `${base}/lambdas`, key, { name, description: "bench", implementation: { code } });
  await api(port, "POST", `${base}/deployments/${uuid}`, key);
  return { accountId, adminKey, key, base, uuid };
}

/** Rows of a read-only SQL query against an instance's local D1 (wrangler d1 execute --json). */
export async function queryD1(persistTo, sql) {
  const chunks = [];
  const code = await new Promise((resolve) => {
    const child = spawn("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql], {
      cwd: ROOT,
      env: toolEnv({ CI: "true" }),
      stdio: ["ignore", "pipe", "ignore"],
    });
    child.stdout.on("data", (d) => chunks.push(d));
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`wrangler d1 execute failed (exit ${code})`);
  const out = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  return out.flatMap((r) => r.results ?? []);
}

export { run };
