import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";

export interface ToolbeltProps {
  accountId: string;
  lambdaUuid: string;
}

/**
 * Platform services for brand code, reached through the EDGEFN_TOOLBELT stub in the isolate's env.
 * The account comes only from props, set by the platform when it builds the isolate; nothing the
 * function passes can change it.
 */
export class Toolbelt extends WorkerEntrypoint<Env, ToolbeltProps> {
  async whoami(): Promise<ToolbeltProps> {
    return { accountId: this.ctx.props.accountId, lambdaUuid: this.ctx.props.lambdaUuid };
  }
}
