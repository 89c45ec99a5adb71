import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { INVOCATION_STATUSES, LOG_LEVELS, type InvocationStatus } from "../gate/data-plane/types";
import { exportLogs, parseLevels, type ExportFormat, type LogFilter } from "../services/logs";
import { searchLogs } from "../services/logs";
import { parseTime } from "../services/time-query";
import { json } from "./json";
import { accountRoute, errorResponses, newRouter } from "./route";
import { AccountIdParam, UuidParam } from "./schemas";

const time = (what: string) => z.string().optional().openapi({ description: `${what}: epoch ms or ISO-8601, inclusive` });
const repeatable = (description: string) => z.union([z.string(), z.array(z.string())]).optional().openapi({ description });

const LogItemSchema = z
  .object({
    lambdaUUID: z.string(),
    invocationId: z.string(),
    requestId: z.string(),
    level: z.enum(LOG_LEVELS as [string, ...string[]]),
    message: z.string(),
    extras: z.array(z.any()),
    timestamp: z.number().openapi({ description: "Epoch ms" }),
  })
  .openapi("LogItem");

const SearchQuery = z.object({
  q: z.string().optional().openapi({
    description: 'Full text over message and extras (SQLite FTS5): words, "a phrase", prefix*, AND, OR, NOT, parentheses. Empty: every entry',
    example: '"order failed" OR timeout*',
  }),
  lambdaUUID: z.string().optional(),
  levels: repeatable("Levels, comma-separated or repeated: Debug, Info, Warn, Error (default: all)"),
  requestId: z.string().optional(),
  status: z.enum(INVOCATION_STATUSES as [InvocationStatus, ...InvocationStatus[]]).optional().openapi({ description: "The status of the entry's invocation" }),
  from: time("Start"),
  to: time("End"),
  cursor: z.string().optional().openapi({ description: "nextCursor of the previous page" }),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

// LivePerson's export parameters (lpf logs), plus the format.
const ExportQuery = z.object({
  v: z.string().optional(),
  lambdaUUID: z.string().optional(),
  startTimestamp: time("Start"),
  endTimestamp: time("End"),
  filterLevels: repeatable("Levels, repeated or comma-separated (default: all)"),
  format: z.enum(["csv", "ndjson"]).optional().openapi({ description: "csv (LivePerson's, the default) or ndjson" }),
});

const exportResponse = {
  200: {
    description: "The entries, oldest first: CSV with LivePerson's header lambdaUUID;requestID;timestamp;level;message;extras, or NDJSON of LogItem",
    content: { "text/csv": { schema: z.string() }, "application/x-ndjson": { schema: z.string() } },
  },
  ...errorResponses,
};

function exportFilter(q: z.infer<typeof ExportQuery>, lambdaUUID?: string): LogFilter {
  return {
    lambdaUUID: lambdaUUID ?? q.lambdaUUID,
    levels: parseLevels(q.filterLevels),
    from: parseTime(q.startTimestamp, "startTimestamp"),
    to: parseTime(q.endTimestamp, "endTimestamp"),
  };
}

async function streamExport(c: Context<AppEnv>, accountId: string, filter: LogFilter, format: ExportFormat = "csv") {
  const body = await exportLogs(accountId, filter, format);
  const type = format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
  const name = `logs-${filter.lambdaUUID ?? accountId}.${format === "csv" ? "csv" : "ndjson"}`;
  return c.body(body, 200, { "content-type": type, "content-disposition": `attachment; filename="${name}"` });
}

export const logRoutes = newRouter()
  .openapi(
    accountRoute("log:read", {
      method: "get",
      path: "/api/account/{accountId}/logs",
      summary: "Search the account's stored logs, newest first",
      request: { params: z.object({ accountId: AccountIdParam }), query: SearchQuery },
      responses: { 200: json(z.object({ items: z.array(LogItemSchema), nextCursor: z.string().nullable() }), "A page of log entries"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const result = await searchLogs(c.get("principal").accountId, {
        q: q.q,
        lambdaUUID: q.lambdaUUID,
        levels: parseLevels(q.levels),
        requestId: q.requestId,
        status: q.status,
        from: parseTime(q.from, "from"),
        to: parseTime(q.to, "to"),
        cursor: q.cursor,
        limit: q.limit,
      });
      return c.json(result, 200);
    },
  )
  .openapi(
    accountRoute("log:read", {
      method: "get",
      path: "/api/account/{accountId}/logs/export",
      summary: "Export stored logs (LivePerson's CSV, as lpf logs reads it, or NDJSON), streamed, without a line limit",
      request: { params: z.object({ accountId: AccountIdParam }), query: ExportQuery },
      responses: exportResponse,
    }),
    async (c) => {
      const q = c.req.valid("query");
      return streamExport(c, c.get("principal").accountId, exportFilter(q), q.format) as never;
    },
  )
  .openapi(
    accountRoute("log:read", {
      method: "get",
      path: "/api/account/{accountId}/functions/{uuid}/logs/export",
      summary: "Export one function's stored logs (LivePerson V2's path)",
      request: { params: z.object({ accountId: AccountIdParam, uuid: UuidParam }), query: ExportQuery },
      responses: exportResponse,
    }),
    async (c) => {
      const q = c.req.valid("query");
      return streamExport(c, c.get("principal").accountId, exportFilter(q, c.req.valid("param").uuid), q.format) as never;
    },
  );
