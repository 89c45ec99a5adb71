import { z } from "@hono/zod-openapi";
import { badInput } from "../errors";
import { INVOCATION_STATUSES, type InvocationStatus } from "../gate/data-plane/types";
import { percentiles, series } from "../services/metrics";
import { accountSummary } from "../services/summary";
import { parseTime } from "../services/time-query";
import { json } from "./json";
import { accountRoute, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, UuidParam } from "./schemas";

// LivePerson's states, with its client's spelling of UNKNOWN (lpf 1.31.13 sends and prints UNKOWN).
const LP_STATES = ["SUCCEEDED", "UNKOWN", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"] as const;
type LpState = (typeof LP_STATES)[number];
const BUCKET_SIZES = { "300": 300_000, "3600": 3_600_000, "86400": 86_400_000 } as const;
const DAY_MS = 86_400_000;

const time = (what: string) => z.string().optional().openapi({ description: `${what}: epoch ms (as lpf sends) or ISO-8601` });

function span(fromRaw: string | undefined, toRaw: string | undefined, names: [string, string], defaultMs: number) {
  const now = Date.now();
  const to = parseTime(toRaw, names[1]) ?? now;
  const from = parseTime(fromRaw, names[0]) ?? to - defaultMs;
  if (from > to) throw badInput(`${names[0]} must not be after ${names[1]}`);
  return { from, to };
}

const StatisticSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    ...Object.fromEntries(LP_STATES.map((s) => [s, z.number().int().optional()])),
  })
  .openapi("InvocationStatistic")
  .openapi({ description: "One bucket: [from, to) in epoch ms and the invocations that started in it, by the states asked for (no other keys: lpf prints every key as a column)" });

const MetricsBucketSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    ...Object.fromEntries(INVOCATION_STATUSES.map((s) => [s, z.number().int()])),
    p50: z.number().nullable().openapi({ description: "Median duration, ms (interpolated within fixed duration classes; null: no invocation)" }),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
  })
  .openapi("MetricsBucket");

const SummarySchema = z
  .object({
    functions: z.object({ Draft: z.number(), Productive: z.number(), Modified: z.number(), total: z.number(), limit: z.number() }),
    invocationsThisMonth: z.object({ month: z.string(), admitted: z.number(), fairUse: z.number(), enforced: z.boolean() }),
    outcomesThisMonth: z.object(Object.fromEntries(INVOCATION_STATUSES.map((s) => [s, z.number()]))),
    running: z.object({ now: z.number(), limit: z.number() }),
    last24Hours: z.array(z.object({ from: z.number(), to: z.number(), ...Object.fromEntries(INVOCATION_STATUSES.map((s) => [s, z.number()])) })),
  })
  .openapi("AccountSummary");

const statesOf = (raw: string | string[] | undefined): LpState[] => {
  if (raw === undefined) return [...LP_STATES];
  const names = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(",")).filter(Boolean);
  for (const n of names) if (!(LP_STATES as readonly string[]).includes(n) && n !== "UNKNOWN") throw badInput(`${n} is not an invocation state; states are ${LP_STATES.join(", ")}`);
  return [...new Set(names.map((n) => (n === "UNKNOWN" ? "UNKOWN" : n) as LpState))];
};

export const metricsRoutes = newRouter()
  .openapi(
    accountRoute("report:read", {
      method: "get",
      path: "/api/account/{accountId}/reports/invocations/{uuid}",
      summary: "A function's invocations per bucket and state (LivePerson's, as lpf metrics reads it)",
      request: {
        params: z.object({ accountId: AccountIdParam, uuid: UuidParam }),
        query: z.object({
          v: z.string().optional(),
          startTimestamp: time("Start (default: a day before the end)"),
          endTimestamp: time("End (default: now)"),
          bucketSize: z.enum(["300", "3600", "86400"]).optional().openapi({ description: "Seconds per bucket (default 3600)" }),
          invocationStates: z.union([z.string(), z.array(z.string())]).optional().openapi({ description: "States to count, repeated (default: all)" }),
        }),
      },
      responses: { 200: json(z.object({ invocationStatistics: z.array(StatisticSchema) }), "Buckets in time order"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { from, to } = span(q.startTimestamp, q.endTimestamp, ["startTimestamp", "endTimestamp"], DAY_MS);
      const states = statesOf(q.invocationStates);
      const buckets = await series(c.get("principal").accountId, from, to + 1, BUCKET_SIZES[q.bucketSize ?? "3600"], c.req.valid("param").uuid);
      const invocationStatistics = buckets.map((b) => ({
        from: b.from,
        to: b.to,
        ...Object.fromEntries(states.map((s) => [s, s === "UNKOWN" ? 0 : b.counts[s as InvocationStatus]])),
      }));
      return c.json({ invocationStatistics }, 200);
    },
  )
  .openapi(
    accountRoute("report:read", {
      method: "get",
      path: "/api/account/{accountId}/metrics",
      summary: "Invocations per bucket and status with duration percentiles, for one function or the whole account",
      request: {
        params: z.object({ accountId: AccountIdParam }),
        query: z.object({
          lambdaUUID: z.string().optional().openapi({ description: "One function (default: every function of the account)" }),
          from: time("Start (default: a day before the end)"),
          to: time("End (default: now)"),
          bucket: z.coerce.number().int().min(300).optional().openapi({ description: "Seconds per bucket, a multiple of 300 (default 3600)" }),
        }),
      },
      responses: { 200: json(z.object({ buckets: z.array(MetricsBucketSchema) }), "Buckets in time order"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { from, to } = span(q.from, q.to, ["from", "to"], DAY_MS);
      const buckets = await series(c.get("principal").accountId, from, to + 1, (q.bucket ?? 3600) * 1000, q.lambdaUUID);
      return c.json({ buckets: buckets.map((b) => ({ from: b.from, to: b.to, ...b.counts, ...percentiles(b.histogram) })) }, 200);
    },
  )
  .openapi(
    accountRoute("report:read", {
      method: "get",
      path: "/api/account/{accountId}/reports/summary",
      summary: "The home page's numbers: functions by state, this month's invocations and outcomes, the last 24 hours by hour",
      request: { params: z.object({ accountId: AccountIdParam }) },
      responses: { 200: json(SummarySchema, "The account's summary"), ...errorResponses },
    }),
    async (c) => c.json(await accountSummary(dbOf(c), c.get("principal").accountId), 200),
  );
