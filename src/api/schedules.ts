import { z } from "@hono/zod-openapi";
import { schedulerRoutes } from "../scheduler/route";
import { SCHEDULE_RULES } from "../services/schedule-rules";
import { PREVIEW_RUNS, createSchedule, deleteSchedule, getSchedule, listSchedules, previewSchedule, runScheduleNow, updateSchedule } from "../services/schedules";
import { json, jsonBody } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, IdParam, jsonValue } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });
const IdParams = z.object({ accountId: AccountIdParam, id: IdParam });

const RULES_DOC =
  `cronExpression: 5 fields (minute hour day-of-month month day-of-week), minute resolution, at most ${SCHEDULE_RULES.cronMax} characters, ` +
  `evaluated in timeZone (an IANA name, default UTC). Daylight saving: a fixed time (e.g. "30 2 * * *") that a spring-forward gap skips fires once at the first valid time after the gap, ` +
  `and once (the first occurrence) in a fall-back overlap; intervals (a * or step in minute or hour) follow elapsed time. ` +
  `Only deployed functions (Productive or Modified); at most the account's schedules limit (default 50); ` +
  `invocationBody at most ${SCHEDULE_RULES.invocationBodyMax} characters as JSON; description at most ${SCHEDULE_RULES.descriptionMax}.`;

const HeadersField = z
  .union([z.array(z.object({ key: z.string(), value: jsonValue() })), z.record(z.string(), jsonValue())])
  .openapi({ description: "A list [{key, value}] (LivePerson V1) or a map {name: value} (V2); stored and answered as the list" });

const InvocationBodyField = z
  .looseObject({ headers: HeadersField.optional(), payload: jsonValue().optional() })
  .nullable()
  .optional()
  .openapi({ description: `The input the function is invoked with: {headers, payload}; at most ${SCHEDULE_RULES.invocationBodyMax} characters as JSON` });

const inputFields = {
  lambdaUUID: z.string().optional().openapi({ description: "The uuid of a deployed function" }),
  functionUuid: z.string().optional().openapi({ description: "LivePerson V2's name for lambdaUUID" }),
  cronExpression: z.string().optional().openapi({ example: "*/15 * * * *" }),
  isActive: z.boolean().optional().openapi({ description: "false pauses the schedule (default true)" }),
  description: z.string().nullable().optional(),
  timeZone: z.string().nullable().optional().openapi({ example: "Europe/Berlin", description: "IANA time zone name (default UTC)" }),
  invocationBody: InvocationBodyField,
};

// faas-cli sends {lambdaUUID, cronExpression, isActive, uuid: '', timestamp: 0}: unknown fields are ignored.
const ScheduleCreateSchema = z.looseObject(inputFields).openapi("ScheduleCreate");
const ScheduleUpdateSchema = z.looseObject(inputFields).openapi("ScheduleUpdate");

const RunSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["cron", "manual"]),
    status: z.enum(["running", "succeeded", "failed", "skipped"]),
    scheduledFor: z.string().nullable().openapi({ description: "The due minute (a manual run: when it was asked for)" }),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    missed: z.number().openapi({ description: "Due minutes before this one that passed without firing (platform down); this run covers them" }),
    invocationId: z.string().nullable(),
    errorCode: z.string().nullable(),
  })
  .openapi("ScheduleRun");

const ScheduleSchema = z
  .object({
    id: z.string(),
    uuid: z.string().openapi({ description: "Same as id (faas-cli's name)" }),
    lambdaUUID: z.string(),
    functionUuid: z.string().openapi({ description: "Same as lambdaUUID (LivePerson V2's name)" }),
    cronExpression: z.string(),
    timeZone: z.string(),
    isActive: z.boolean(),
    pausedReason: z.string().nullable().openapi({ description: 'Why the platform paused it (e.g. "function undeployed"); null when active or paused by a user' }),
    description: z.string(),
    invocationBody: z
      .object({ headers: z.array(z.object({ key: z.string(), value: z.any() })), payload: z.any() })
      .nullable()
      .openapi({ description: "null only with a warning: a stored body too deep to answer (see warnings)" }),
    nextExecution: z.string().nullable(),
    lastExecution: z.string().nullable(),
    didLastExecutionFail: z.boolean().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    lastRuns: z.array(RunSchema).openapi({ description: "The last 10 runs, newest first" }),
    warnings: z.array(z.string()).optional().openapi({
      description: "Present when the stored invocationBody is too deep to answer (written before the nesting limit): PUT a new one or DELETE the schedule",
    }),
  })
  .openapi("Schedule");

const RunNowSchema = RunSchema.extend({
  invocationStatus: z.enum(["SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"]).nullable().openapi({
    description: "The invocation's status; null when no invocation ran (e.g. refused by the concurrency gate)",
  }),
  errorMsg: z.string().nullable(),
}).openapi("ScheduleRunNow");

const PreviewBodySchema = z
  .object({ cronExpression: inputFields.cronExpression, timeZone: inputFields.timeZone })
  .openapi("SchedulePreviewRequest");

const PreviewSchema = z
  .object({
    cronExpression: z.string().openapi({ description: "The expression as it would be stored (whitespace normalised)" }),
    timeZone: z.string(),
    nextRuns: z.array(z.string()).openapi({ description: `The next ${PREVIEW_RUNS} runs from now, ISO-8601 in UTC, oldest first (fewer if the expression runs out)` }),
  })
  .openapi("SchedulePreview");

export const scheduleRoutes = newRouter()
  .openapi(
    accountRoute("schedule:read", {
      method: "post",
      path: "/api/account/{accountId}/schedules/preview",
      summary: `Check a cron expression and time zone and preview their next ${PREVIEW_RUNS} runs (nothing is stored)`,
      description: `The same rules as creating a schedule: a bad expression or time zone answers 400 naming cronExpression or timeZone and what is wrong. ${RULES_DOC}`,
      request: { params: Params, body: jsonBody(PreviewBodySchema) },
      responses: { 200: json(PreviewSchema, "The next runs"), ...errorResponses },
    }),
    async (c) => c.json(previewSchedule(c.req.valid("json")), 200),
  )
  .openapi(
    accountRoute("schedule:read", {
      method: "get",
      path: "/api/account/{accountId}/schedules",
      summary: "The account's schedules, each with its last runs",
      request: { params: Params, query: z.object({ lambdaUUID: z.string().optional(), functionUuid: z.string().optional() }) },
      responses: { 200: json(z.array(ScheduleSchema), "Schedules, oldest first"), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const dtos = await listSchedules(dbOf(c), c.get("principal").accountId, { lambdaUUID: q.lambdaUUID || q.functionUuid });
      return c.json(dtos, 200);
    },
  )
  .openapi(
    accountRoute("schedule:write", {
      method: "post",
      path: "/api/account/{accountId}/schedules",
      summary: "Schedule a deployed function with a cron expression",
      description: RULES_DOC,
      request: { params: Params, body: jsonBody(ScheduleCreateSchema) },
      responses: { 201: json(ScheduleSchema, "The schedule, with its nextExecution"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => c.json(await createSchedule(dbOf(c), c.get("principal"), c.req.valid("json")), 201),
  )
  .openapi(
    accountRoute("schedule:read", {
      method: "get",
      path: "/api/account/{accountId}/schedules/{id}",
      summary: "One schedule, with its last runs",
      request: { params: IdParams },
      responses: { 200: json(ScheduleSchema, "The schedule"), ...errorResponses },
    }),
    async (c) => c.json(await getSchedule(dbOf(c), c.get("principal").accountId, c.req.valid("param").id), 200),
  )
  .openapi(
    accountRoute("schedule:write", {
      method: "put",
      path: "/api/account/{accountId}/schedules/{id}",
      summary: "Edit a schedule; a field left out keeps its value. isActive false pauses, true resumes (deployed functions only)",
      description: `${RULES_DOC} A changed cron expression, time zone or activation counts from now.`,
      request: { params: IdParams, body: jsonBody(ScheduleUpdateSchema) },
      responses: { 200: json(ScheduleSchema, "The schedule after the change"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => c.json(await updateSchedule(dbOf(c), c.get("principal"), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(
    accountRoute("schedule:write", {
      method: "delete",
      path: "/api/account/{accountId}/schedules/{id}",
      summary: "Delete a schedule and its runs",
      request: { params: IdParams },
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    }),
    async (c) => {
      await deleteSchedule(dbOf(c), c.get("principal"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  )
  .openapi(
    accountRoute("schedule:write", {
      method: "post",
      path: "/api/account/{accountId}/schedules/{id}/run",
      summary: "Run now: fire the schedule once, immediately (kind manual), and answer the finished run",
      description:
        "Fires through the same path as the scheduler (trigger schedule, the schedule id on the invocation record), also when the schedule is paused. " +
        "The answer is the run with its invocationId and outcome; a failed function is a run with status failed (HTTP 200). The function must be deployed (409).",
      request: { params: IdParams },
      responses: { 200: json(RunNowSchema, "The finished run"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const r = await runScheduleNow(c.env, dbOf(c), (p) => c.executionCtx.waitUntil(p), c.get("principal"), c.req.valid("param").id);
      return c.json({ ...r.run, invocationStatus: r.invocationStatus as z.infer<typeof RunNowSchema>["invocationStatus"], errorMsg: r.errorMsg }, 200);
    },
  );

// The scheduler's internal fan-out route (operator token; not in the OpenAPI document).
scheduleRoutes.route("/", schedulerRoutes);
