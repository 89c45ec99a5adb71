import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";

interface EgressProps {
  accountId: string;
  lambdaUuid: string;
}

/**
 * Every fetch() of brand code arrives here (the loader's globalOutbound). Until the account
 * allow-list exists, everything is refused; the refusal never reaches the network.
 */
export class Egress extends WorkerEntrypoint<Env, EgressProps> {
  override async fetch(request: Request): Promise<Response> {
    let host = "(invalid URL)";
    try {
      host = new URL(request.url).host;
    } catch {
      /* keep the placeholder */
    }
    const reason = "this account's outbound allow-list is empty, so no domain is allowed yet";
    return new Response(`Outbound request to ${host} blocked: ${reason}`, {
      status: 403,
      headers: { "x-edgefn-egress": "blocked", "content-type": "text/plain" },
    });
  }
}
