// The host's side of one invocation, handed to the tenant isolate's run() as an RPC target: the
// isolate's fetch() and toolbelt calls come back through it, so the host observes them itself
// (runtime/observation.ts) in the same isolate that builds the invocation's record. Brand code can
// reach this channel (it is how its fetch works) but only to make real requests for its own
// function; nothing it sends changes what is recorded about them.
import { RpcTarget } from "cloudflare:workers";
import type { Env } from "../env";
import { sendOutbound, type EgressScope } from "./egress-fetch";
import type { Observation } from "./observation";
import { ORCHESTRATE_METHOD, type CallAnswer, type Orchestration } from "./orchestration";
import type { ChannelForIsolate } from "./sandbox/sandbox";
import { callToolbelt, ToolbeltService, type ToolbeltResult } from "./toolbelt";

export class InvocationChannel extends RpcTarget implements ChannelForIsolate {
  private readonly toolbeltService: ToolbeltService;

  constructor(
    private readonly env: Env,
    private readonly scope: EgressScope,
    private readonly observation: Observation,
    private readonly orchestration: Orchestration,
  ) {
    super();
    this.toolbeltService = new ToolbeltService(env, scope);
  }

  async fetch(request: Request, redirect: "follow" | "manual"): Promise<Response> {
    const response = await sendOutbound(this.env, this.scope, request, redirect !== "manual", (call) => this.observation.call(call));
    // A refusal is an Error entry of the invocation's log, written by the platform.
    if (response.headers.get("x-edgefn-egress") === "blocked") this.observation.note("Error", await response.clone().text());
    return response;
  }

  async toolbelt(method: string, args: unknown[]): Promise<ToolbeltResult<unknown>> {
    // OrchestratorClient: only here, where the host knows the calling invocation (and its depth).
    if (method === ORCHESTRATE_METHOD) return { ok: true, value: (await this.orchestration.call(args?.[0])) satisfies CallAnswer };
    const answer = await callToolbelt(this.toolbeltService, method, args);
    // The secret served (or the value the function meant to store) is redacted from this
    // invocation's logs, errors and outbound records.
    if (method === "readSecret" || method === "updateSecret") {
      if (answer.ok) {
        const { key, value } = answer.value as { key: string; value: unknown };
        this.observation.secret(key, value);
      }
      const given = method === "updateSecret" ? (args?.[0] as { key?: unknown; value?: unknown } | undefined) : undefined;
      if (given && typeof given === "object" && typeof given.key === "string") this.observation.secret(given.key, given.value);
    }
    return answer;
  }
}
