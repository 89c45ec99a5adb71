// Composition root: the Hono app for HTTP, and the entrypoints the runtime hands to tenant isolates.
import { createApp } from "./app";
import type { Env } from "./env";

export { Egress } from "./runtime/egress";
export { Toolbelt } from "./runtime/toolbelt";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
