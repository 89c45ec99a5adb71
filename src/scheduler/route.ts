// The internal route the scheduler fans out to (see ./dispatch.ts): fires one group of claimed runs
// in a request of its own and answers once their outcomes are written. Operator token only; not
// part of the public API (absent from /api/openapi.json).
import { z } from "@hono/zod-openapi";
import { newRouter } from "../api/route";
import { operatorOnly } from "../auth/operator";
import { badInput } from "../errors";
import { FIRE_PATH, GROUP_SIZE } from "./dispatch";
import { fireAndFinish, type DueRun } from "./runs";

const FireBody = z.object({
  runs: z
    .array(
      z.object({
        runId: z.string().min(1),
        accountId: z.string().min(1),
        scheduleId: z.string().min(1),
        lambdaUuid: z.string().min(1),
        scheduledFor: z.number(),
        invocationBody: z.object({ headers: z.array(z.object({ key: z.string(), value: z.unknown() })), payload: z.unknown() }),
      }),
    )
    .min(1)
    .max(GROUP_SIZE),
});

export const schedulerRoutes = newRouter();

schedulerRoutes.post(FIRE_PATH, operatorOnly, async (c) => {
  const parsed = FireBody.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw badInput(`runs: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const finished = await fireAndFinish(c.env, (p) => c.executionCtx.waitUntil(p), parsed.data.runs as DueRun[]);
  return c.json({ finished: finished.map((f) => ({ runId: f.runId, ok: f.ok, invocationId: f.invocationId, errorCode: f.errorCode })) }, 200);
});
