// Composition root: the Hono app for HTTP, and the entrypoints the runtime hands to tenant isolates.
import { createApp } from "./app";
import type { Env } from "./env";
import { scheduled } from "./scheduler/scheduled";

export { AccountGate } from "./gate/account-gate";
export { Egress } from "./runtime/egress";
export { LogTail } from "./runtime/log-tail";
export { Toolbelt } from "./runtime/toolbelt";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
