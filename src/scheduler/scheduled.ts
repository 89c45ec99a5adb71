import type { Env } from "../env";

/** The Cron Trigger (every minute): claims and fires due schedules (issue 4). */
export async function scheduled(_controller: ScheduledController, _env: Env, _ctx: ExecutionContext): Promise<void> {}
