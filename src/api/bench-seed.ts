// POST /admin/bench/seed: fills an account's data plane with synthetic invocation records and log
// entries, for `npm run bench` (search over a million entries, a large export, retention under
// load). Only with the var EDGEFN_BENCH=1 (the bench's own instances); everywhere else it is 404,
// and it is left out of the API document. Operator token required either way.
import { z } from "@hono/zod-openapi";
import { operatorOnly } from "../auth/operator";
import { ApiError, ErrorCodes } from "../errors";
import { dataPlaneOf } from "../gate/client";
import type { RecordWithLogs } from "../gate/data-plane/types";
import { newRouter } from "./route";

const SeedSchema = z.object({
  accountId: z.string().min(1).max(64),
  lambdaUuid: z.string().min(1).max(64),
  records: z.number().int().min(1).max(2_000),
  logsPerRecord: z.number().int().min(0).max(10),
  startedAt: z.number().int().positive(),
  stepMs: z.number().int().min(0).max(3_600_000),
  seed: z.number().int().min(0),
});

// Words of the synthetic messages: a few frequent ones, many rare ones, as real logs have.
const COMMON = ["order", "request", "customer", "message", "processed", "conversation", "status", "received"];
const RARE = Array.from({ length: 5_000 }, (_, i) => `token${i.toString(36)}`);

/** A small deterministic generator, so that a seed always makes the same entries. */
function random(seed: number) {
  let x = seed * 2654435761 + 1;
  return () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

export const benchSeedRoutes = newRouter().post("/admin/bench/seed", operatorOnly, async (c) => {
  if (c.env.EDGEFN_BENCH !== "1") throw new ApiError(404, ErrorCodes.notFound, "No route for POST /admin/bench/seed");
  const parsed = SeedSchema.safeParse(await c.req.json());
  if (!parsed.success) throw new ApiError(400, ErrorCodes.badInput, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const s = parsed.data;
  const next = random(s.seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
  const statuses = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "CODING_FAILURE", "TIMEOUT", "PLATFORM_FAILURE"] as const;
  const levels = ["Info", "Info", "Info", "Warn", "Error"] as const;
  const batch: RecordWithLogs[] = Array.from({ length: s.records }, (_, i) => {
    const id = crypto.randomUUID();
    const startedAt = s.startedAt + i * s.stepMs;
    return {
      record: { id, lambdaUuid: s.lambdaUuid, deploymentId: null, version: 1, trigger: "http", status: pick([...statuses]), errorCode: null, startedAt, durationMs: Math.floor(next() * 200), requestId: `req-${id}`, outbound: [], scheduleId: null },
      logs: Array.from({ length: s.logsPerRecord }, (_, j) => ({
        level: pick([...levels]),
        message: `${pick(COMMON)} ${pick(RARE)} ${pick(COMMON)} step ${j} ${pick(RARE)}`,
        extras: [{ n: Math.floor(next() * 1000), tag: pick(RARE) }],
        timestamp: startedAt + j,
      })),
    };
  });
  const stored = await dataPlaneOf(s.accountId).settleMany({ records: batch });
  return c.json({ stored });
});
