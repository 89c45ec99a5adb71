// LivePerson's CLI `lpf` (liveperson-functions-cli 1.31.13, a pinned devDependency), unchanged,
// pointed at a local edgefn (LivePerson reference §2.5):
//   - lpf always speaks https to the hosts CSDS names, so a TLS front with a throwaway self-signed
//     certificate (made with openssl in a temporary directory, never a file in the repository)
//     forwards to the platform's front proxy; NODE_EXTRA_CA_CERTS makes lpf trust it;
//   - lpf's CSDS host is hard-coded: scripts/lib/lpf-preload.cjs, loaded through NODE_OPTIONS,
//     points it at the TLS front, whose baseURI.json (edgefn's own) names the front for every service;
//   - lpf keeps its login in os.tmpdir(), its update check's state in its cache folder: both live in
//     a folder per run, and the update check finds a fresh answer there so it never asks npm;
//     `lpf init` installs its toolbelt with npm, which is made to stay offline.
// Nothing leaves 127.0.0.1.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { HOST, freePort } from "./net.mjs";
import { BIN, ROOT } from "./tools.mjs";

const CLI_DIR = path.join(ROOT, "node_modules", "liveperson-functions-cli");
export const LPF_RUN = path.join(CLI_DIR, "bin", "run");
export const LPF_PRELOAD = path.join(ROOT, "scripts", "lib", "lpf-preload.cjs");
export const LPF_VERSION = JSON.parse(readFileSync(path.join(CLI_DIR, "package.json"), "utf8")).version;

export function hasOpenssl() {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for 127.0.0.1, valid one day, in `dir`. */
export function throwawayCertificate(dir) {
  const key = path.join(dir, "tls-key.pem");
  const cert = path.join(dir, "tls-cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { key, cert };
}

/**
 * An https server on 127.0.0.1 that forwards every request to `upstreamPort` (the platform's front
 * proxy), Host header kept (edgefn's baseURI.json answers a loopback Host as the host of every
 * service). `port`: a free one unless given. Resolves to { domain: "127.0.0.1:<port>", bundle (CA
 * file to trust), requests (each {method, path, userAgent, status}), close() }.
 */
export async function startTlsFront({ dir, upstreamPort, port }) {
  const { key, cert } = throwawayCertificate(dir);
  const requests = [];
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const seen = { method: req.method, path: req.url, userAgent: req.headers["user-agent"], status: 0 };
    requests.push(seen);
    const up = http.request({ host: HOST, port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      seen.status = r.statusCode;
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on("error", (e) => {
      seen.status = 502;
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(e));
    });
    req.pipe(up);
  });
  port ??= await freePort();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, resolve);
  });
  // Trust the throwaway certificate on top of whatever extra CAs are configured already.
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  const bundle = path.join(dir, "ca-bundle.pem");
  writeFileSync(bundle, (extra && existsSync(extra) ? readFileSync(extra, "utf8") + "\n" : "") + readFileSync(cert, "utf8"));
  return {
    domain: `${HOST}:${port}`,
    bundle,
    requests,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * The environment of an lpf run: its login file (os.tmpdir()), cache, config and home in `dir`;
 * the CSDS lookup pointed at `domain`; the front's certificate trusted; npm kept offline and on
 * 127.0.0.1 (`deadRegistry` is a port nothing listens on); no proxy.
 */
export function lpfEnv({ dir, domain, bundle, deadRegistryPort }) {
  const folder = (name) => {
    const p = path.join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const cache = folder("lpf-cache");
  // lpf's update check asks npm for the latest version unless its answer is fresher than 2 days.
  writeFileSync(path.join(cache, "version"), JSON.stringify({ latest: LPF_VERSION, current: LPF_VERSION }));
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(https?_proxy|all_proxy|npm_config_.*|NODE_OPTIONS)$/i.test(k)) delete env[k];
  return {
    ...env,
    PATH: BIN + path.delimiter + (process.env.PATH ?? ""), // Node 22 and npm for lpf and `lpf init`
    HOME: folder("home"),
    TMPDIR: folder("tmp"),
    LPF_CACHE_DIR: cache,
    XDG_CONFIG_HOME: folder("config"),
    XDG_DATA_HOME: folder("data"),
    NODE_OPTIONS: `--require ${JSON.stringify(LPF_PRELOAD)}`,
    NODE_COMPILE_CACHE: folder("compile-cache"), // lpf compiles its whole module graph on every command: ~15% less CPU with this
    LPF_CSDS_DOMAIN: domain,
    NODE_EXTRA_CA_CERTS: bundle,
    FORCE_COLOR: "0",
    NO_COLOR: "1",
    npm_config_offline: "true",
    npm_config_registry: `http://${HOST}:${deadRegistryPort}/`,
    npm_config_fetch_retries: "0",
    npm_config_cache: folder("npm-cache"),
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Runs `lpf ...args` with Node 22; resolves to { code, stdout, stderr, ms } (output without colour
 * codes). Killed, with its process group, after `timeoutMs` (code "timeout"). stdin is closed, so
 * a prompt lpf should not show fails instead of waiting.
 */
export function runLpf(args, { cwd, env, timeoutMs = 20_000 }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(BIN, "node"), [LPF_RUN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, timeoutMs);
    child.on("error", (err) => { stderr += String(err); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: timedOut ? "timeout" : code ?? signal,
        stdout: stdout.replace(ANSI, ""),
        stderr: stderr.replace(ANSI, ""),
        ms: Date.now() - started,
      });
    });
  });
}
