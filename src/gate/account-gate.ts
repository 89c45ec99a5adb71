import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** Per-account concurrency gate (issue 4): leases for running invocations, expiring by alarm. */
export class AccountGate extends DurableObject<Env> {}
