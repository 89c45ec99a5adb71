// The outbound gateway of tenant isolates: their globalOutbound. During an invocation the isolate's
// fetch() goes to the host through the invocation's channel instead (runtime/invocation-channel.ts),
// so what arrives here is what bypassed it: a fetch made outside an invocation (module scope, work
// left running after the answer), one made by other means than the global fetch, and raw sockets.
// How workerd routes these (checked with workerd 2026-11):
// - fetch() arrives at fetch() below with `redirect: "manual"`, whatever mode the brand asked for,
//   so the isolate's fetch sends the mode in REDIRECT_MODE_HEADER (absent: follow).
// - connect() from `cloudflare:sockets` (and node:net) arrives at connect() below with the socket's
//   target in `(await socket.opened).localAddress`. The allow-list admits http: and https: only (as
//   LivePerson's), so raw sockets are always refused and never reach the network.
// Such requests are listed in the record of every invocation of the function running at the time,
// marked `unattributed`, so that going around the channel never hides a request.
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { REDIRECT_MODE_HEADER, displayHost, sendOutbound, type EgressScope } from "./egress-fetch";
import { runningInvocations } from "./observation";
import type { OutboundCall } from "./sandbox/sandbox";

/** Lists a request in every running invocation of the function (see the module comment). */
function recordUnattributed(scope: EgressScope, call: OutboundCall): void {
  for (const observation of runningInvocations(scope.accountId, scope.lambdaUuid)) observation.call({ ...call, unattributed: true });
}

/**
 * The account and function come from props, set by the platform when it builds the isolate;
 * nothing brand code sends changes them.
 */
export class Egress extends WorkerEntrypoint<Env, EgressScope> {
  override async fetch(request: Request): Promise<Response> {
    const scope = this.ctx.props;
    const follow = request.headers.get(REDIRECT_MODE_HEADER) !== "manual";
    return sendOutbound(this.env, scope, request, follow, (call) => recordUnattributed(scope, call));
  }

  /** Raw sockets: always refused with a one-line reason, then closed; nothing is dialled. */
  override async connect(socket: Socket): Promise<void> {
    let target = "(unknown)";
    try {
      target = (await socket.opened).localAddress ?? target;
    } catch {
      /* keep the placeholder */
    }
    const scope = this.ctx.props;
    console.log(JSON.stringify({ msg: "egress: raw socket refused", accountId: scope.accountId, lambdaUuid: scope.lambdaUuid, target }));
    recordUnattributed(scope, { host: hostOfTarget(target), method: "CONNECT", status: "blocked", durationMs: 0 });
    const reason = `Outbound connection to ${target} blocked: raw TCP sockets are not allowed; only http: and https: requests through fetch() are\r\n`;
    const writer = socket.writable.getWriter();
    // The reason is written for a function that reads the socket; one that never reads must not
    // keep this handler waiting on back-pressure.
    const written = writer
      .write(new TextEncoder().encode(reason))
      .then(() => writer.close())
      .catch(() => {});
    await Promise.race([written, new Promise((resolve) => setTimeout(resolve, 250))]);
    await socket.close().catch(() => {});
  }
}

/** "host:port" of a socket target, normalised as the hosts of HTTP records are (displayHost). */
function hostOfTarget(target: string): string {
  try {
    return displayHost(new URL(`tcp://${target}`));
  } catch {
    return target;
  }
}
