import type { Principal } from "./auth/principal";
import type { ServingLookup } from "./runtime/invoke";

// Bindings of the host Worker (wrangler.toml, secrets from .dev.vars or `wrangler secret put`).
export interface Env {
  DB: D1Database;
  KV: KVNamespace;
  LOADER: WorkerLoader;
  /** AccountGate Durable Objects, one per account (src/gate). */
  GATE: DurableObjectNamespace<import("./gate/account-gate").AccountGate>;
  OPERATOR_TOKEN?: string;
  SECRETS_KEK?: string;
  JWT_SIGNING_KEY?: string;
  /**
   * The host name (with :port if any) clients should use for this deployment, e.g.
   * "functions.example.com": named by the domain API (baseURI.json) and the tokens' `iss`. Unset,
   * only a loopback Host is named (api/domain.ts); required on Cloudflare (scripts/deploy.mjs).
   */
  PUBLIC_HOST?: string;
  /**
   * LivePerson's CSDS (service discovery) that Toolbelt.LpClient asks for a service's host: a host
   * name (https) or an origin with its scheme (tests point it at a loopback http server). Default
   * api.liveperson.net (wrangler.toml [vars]).
   */
  CSDS_HOST?: string;
  /** Wall-clock limit of one invocation, in ms (LivePerson: 30 s). */
  INVOKE_TIMEOUT_MS?: string;
  /** Largest accepted invocation body, in bytes (default 1 MiB). */
  MAX_BODY_BYTES?: string;
  /** Cloudflare's send_email binding: the email reports go out through it (services/email-reports.ts). */
  EMAIL?: SendEmail;
  /** The reports' From address (wrangler.toml [vars]); it must be a sender the binding may use. */
  EMAIL_FROM?: string;
  /** "1" turns the AccountGate off; only `npm run bench` sets it, for its control run (src/gate/client.ts). */
  GATE_BYPASS?: string;
  /** "1" opens POST /admin/bench/seed (synthetic records for `npm run bench`); never set it elsewhere (src/api/bench-seed.ts). */
  EDGEFN_BENCH?: string;
  /** "1" when `npm start`'s supervisor runs this Worker: lost leases wait for its restart notice (src/gate/account-gate.ts). */
  EDGEFN_SUPERVISED?: string;
  /** The most function isolates the Worker Loader keeps (runtime/sandbox/sandbox.ts); set by the local launchers. */
  ISOLATE_BUDGET?: string;
  /** "0": a cold isolate is built after the gate admits, not while (runtime/sandbox/sandbox.ts); set by the local launchers. */
  OVERLAP_COLD_BUILDS?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    /** The invoke routes' function lookup, done together with the key (api/invoke.ts). */
    serving?: ServingLookup;
    /** How the invocation path checks that lookup against the account's gate (api/gateway-auth.ts). */
    freshness?: import("./runtime/invoke").Freshness;
  };
}
