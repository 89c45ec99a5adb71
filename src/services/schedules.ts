// Schedules of an account: list, read, create, edit, delete and "run now". Every query filters on
// the account; every change writes an audit row in the same batch; the rules that could be broken by
// a concurrent change (the per-account limit, "only deployed functions") sit in the write itself.
// Rules: ./schedule-rules.ts. Firing: ../scheduler.
import { and, asc, eq, sql } from "drizzle-orm";
import { actorName, type Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { lambdas, scheduleRuns, schedules } from "../db/schema";
import type { Env } from "../env";
import { ApiError, ErrorCodes, badInput, missingLambda } from "../errors";
import { nestsDeeperThan, storedValueOrNull } from "../json-nesting";
import { fireAndFinish, type DueRun } from "../scheduler/runs";
import { auditIfChanged, auditInsert } from "./audit";
import { limitsOf } from "./limits";
import { checkCron, checkDescription, checkInvocationBody, checkTimeZone, nextDue, nextDues, type RuleResult } from "./schedule-rules";

type ScheduleRow = typeof schedules.$inferSelect;
type RunRow = typeof scheduleRuns.$inferSelect;

/** Runs shown with each schedule, newest first. */
export const RUNS_SHOWN = 10;

/** What POST and PUT accept (PUT: every field optional; a field left out keeps its value). */
export interface ScheduleInput {
  lambdaUUID?: string;
  /** LivePerson V2's name for lambdaUUID. */
  functionUuid?: string;
  cronExpression?: unknown;
  isActive?: boolean;
  description?: unknown;
  timeZone?: unknown;
  invocationBody?: unknown;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function runDto(r: RunRow) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    scheduledFor: iso(r.scheduledFor),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    missed: r.missed,
    invocationId: r.invocationId,
    errorCode: r.errorCode,
  };
}

export function scheduleDto(s: ScheduleRow, runs: RunRow[]) {
  const warnings: string[] = [];
  const invocationBody = storedValueOrNull("invocationBody", s.invocationBody, warnings);
  return {
    id: s.id,
    // faas-cli's ISchedule calls the id `uuid`; V2 calls the function `functionUuid`.
    uuid: s.id,
    lambdaUUID: s.lambdaUuid,
    functionUuid: s.lambdaUuid,
    cronExpression: s.cronExpression,
    timeZone: s.timeZone,
    isActive: s.isActive,
    pausedReason: s.pausedReason,
    description: s.description,
    invocationBody,
    nextExecution: iso(s.nextExecution),
    lastExecution: iso(s.lastExecution),
    didLastExecutionFail: s.didLastExecutionFail,
    createdAt: iso(s.createdAt)!,
    createdBy: s.createdBy,
    updatedAt: iso(s.updatedAt)!,
    updatedBy: s.updatedBy,
    lastRuns: runs.map(runDto),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

export type ScheduleDto = ReturnType<typeof scheduleDto>;

const scheduleNotFound = (id: string) => new ApiError(404, ErrorCodes.notFound, `No schedule with id ${id} in this account`);

function must<T>(r: RuleResult<T>): T {
  if (!r.ok) throw badInput(r.message, { errors: [{ path: r.field, message: r.message }] });
  return r.value;
}

/** How many due times a preview lists (the console's "next five runs"). */
export const PREVIEW_RUNS = 5;

/**
 * The next runs of a cron expression in a time zone, as a schedule created with them now would
 * fire; checked by the same rules as a schedule (400 naming cronExpression or timeZone). Nothing is stored.
 */
export function previewSchedule(input: { cronExpression?: unknown; timeZone?: unknown }, now = Date.now()) {
  const timeZone = must(checkTimeZone(input.timeZone));
  const cronExpression = must(checkCron(input.cronExpression, timeZone));
  const nextRuns = nextDues(cronExpression, timeZone, now, PREVIEW_RUNS).map((ms) => new Date(ms).toISOString());
  return { cronExpression, timeZone, nextRuns };
}

/** lambdaUUID, or V2's functionUuid; both given must agree. */
function lambdaUuidOf(input: ScheduleInput): string | undefined {
  const { lambdaUUID, functionUuid } = input;
  if (lambdaUUID && functionUuid && lambdaUUID !== functionUuid) {
    throw badInput("lambdaUUID and functionUuid name different functions; send one of them", {
      errors: [{ path: "lambdaUUID", message: "differs from functionUuid" }],
    });
  }
  return lambdaUUID || functionUuid || undefined;
}

/** The function must exist in the account (404) and serve a deployed version (409). */
async function requireDeployed(db: Db, accountId: string, uuid: string): Promise<void> {
  const fn = await db
    .select({ name: lambdas.name, state: lambdas.state, deploymentId: lambdas.deploymentId })
    .from(lambdas)
    .where(and(eq(lambdas.accountId, accountId), eq(lambdas.uuid, uuid)))
    .get();
  if (!fn) throw missingLambda(uuid);
  if (!fn.deploymentId) {
    throw new ApiError(
      409,
      ErrorCodes.conflict,
      `Function ${fn.name} (${uuid}) is not deployed (state ${fn.state}); only deployed functions can be scheduled or activated — deploy it with POST /deployments/${uuid} first`,
    );
  }
}

/** SQL: the function is deployed (used inside conditional writes, so an undeploy cannot slip in between). */
const deployedSql = (accountId: string, uuid: string) =>
  sql`EXISTS (SELECT 1 FROM lambdas WHERE lambdas.account_id = ${accountId} AND lambdas.uuid = ${uuid} AND lambdas.deployment_id IS NOT NULL)`;

async function runsOf(db: Db, accountId: string, scheduleIds: string[], perSchedule = RUNS_SHOWN): Promise<Map<string, RunRow[]>> {
  const out = new Map<string, RunRow[]>();
  if (scheduleIds.length === 0) return out;
  // The newest `perSchedule` runs of each schedule, in one statement (the runs index serves it).
  const rows = await db.all<RunRow>(sql`
    SELECT id, account_id AS accountId, schedule_id AS scheduleId, scheduled_for AS scheduledFor, kind, status, missed,
           invocation_id AS invocationId, error_code AS errorCode, started_at AS startedAt, finished_at AS finishedAt
    FROM (
      SELECT r.*, row_number() OVER (PARTITION BY r.schedule_id ORDER BY r.scheduled_for DESC, r.started_at DESC) AS rn
      FROM schedule_runs AS r
      WHERE r.account_id = ${accountId} AND r.schedule_id IN (SELECT value FROM json_each(${JSON.stringify(scheduleIds)}))
    ) WHERE rn <= ${perSchedule} ORDER BY scheduled_for DESC, started_at DESC`);
  for (const r of rows) out.set(r.scheduleId, [...(out.get(r.scheduleId) ?? []), r]);
  return out;
}

async function getRow(db: Db, accountId: string, id: string): Promise<ScheduleRow> {
  const row = await db.select().from(schedules).where(and(eq(schedules.accountId, accountId), eq(schedules.id, id))).get();
  if (!row) throw scheduleNotFound(id);
  return row;
}

export async function listSchedules(db: Db, accountId: string, filter: { lambdaUUID?: string } = {}): Promise<ScheduleDto[]> {
  const where = [eq(schedules.accountId, accountId)];
  if (filter.lambdaUUID) where.push(eq(schedules.lambdaUuid, filter.lambdaUUID));
  const rows = await db.select().from(schedules).where(and(...where)).orderBy(asc(schedules.createdAt), asc(schedules.id)).all();
  const runs = await runsOf(db, accountId, rows.map((r) => r.id));
  return rows.map((r) => scheduleDto(r, runs.get(r.id) ?? []));
}

export async function getSchedule(db: Db, accountId: string, id: string): Promise<ScheduleDto> {
  const row = await getRow(db, accountId, id);
  const runs = await runsOf(db, accountId, [id]);
  return scheduleDto(row, runs.get(id) ?? []);
}

export async function createSchedule(db: Db, p: Principal, input: ScheduleInput): Promise<ScheduleDto> {
  const lambdaUuid = lambdaUuidOf(input);
  if (!lambdaUuid) {
    const message = "lambdaUUID is required: the uuid of a deployed function (LivePerson V2's functionUuid is accepted too)";
    throw badInput(message, { errors: [{ path: "lambdaUUID", message }] });
  }
  const timeZone = must(checkTimeZone(input.timeZone));
  const cronExpression = must(checkCron(input.cronExpression, timeZone));
  const invocationBody = must(checkInvocationBody(input.invocationBody));
  const description = must(checkDescription(input.description));
  await requireDeployed(db, p.accountId, lambdaUuid);
  const limit = (await limitsOf(db, p.accountId)).schedules;

  const now = Date.now();
  const actor = actorName(p);
  const isActive = input.isActive ?? true;
  const row: ScheduleRow = {
    id: crypto.randomUUID(),
    accountId: p.accountId,
    lambdaUuid,
    cronExpression,
    timeZone,
    isActive,
    pausedReason: null,
    description,
    invocationBody,
    nextExecution: isActive ? nextDue(cronExpression, timeZone, now) : null,
    lastExecution: null,
    didLastExecutionFail: null,
    createdAt: now,
    createdBy: actor,
    updatedAt: now,
    updatedBy: actor,
  };
  // The limit and "deployed" sit in the INSERT itself, so neither a concurrent create nor a
  // concurrent undeploy can get past them. drizzle lists every column in schema order.
  const insert = db
    .insert(schedules)
    .select(
      sql`SELECT ${row.id}, ${row.accountId}, ${row.lambdaUuid}, ${row.cronExpression}, ${row.timeZone}, ${row.isActive ? 1 : 0},
                 NULL, ${row.description}, ${JSON.stringify(row.invocationBody)}, ${row.nextExecution}, NULL, NULL,
                 ${row.createdAt}, ${row.createdBy}, ${row.updatedAt}, ${row.updatedBy}
          WHERE (SELECT count(*) FROM schedules WHERE account_id = ${p.accountId}) < ${limit}
            AND ${deployedSql(p.accountId, lambdaUuid)}`,
    );
  const audit = auditIfChanged(db, { accountId: p.accountId, actor, action: "schedule.create", target: row.id, detail: { lambdaUUID: lambdaUuid, cronExpression, timeZone, isActive } }, now);
  const [result] = await db.batch([insert, audit]);
  if (result.meta.changes === 0) {
    const count = await db.$count(schedules, eq(schedules.accountId, p.accountId));
    if (count >= limit) {
      throw new ApiError(409, ErrorCodes.conflict, `This account already has ${count} schedules; the limit (schedules) is ${limit}. Delete a schedule or ask the operator to raise the limit`);
    }
    await requireDeployed(db, p.accountId, lambdaUuid);
    throw new ApiError(409, ErrorCodes.conflict, "The schedule could not be created because the function changed meanwhile; try again");
  }
  return scheduleDto(row, []);
}

export async function updateSchedule(db: Db, p: Principal, id: string, input: ScheduleInput): Promise<ScheduleDto> {
  const row = await getRow(db, p.accountId, id);
  const lambdaUuid = lambdaUuidOf(input) ?? row.lambdaUuid;
  const timeZone = input.timeZone === undefined ? row.timeZone : must(checkTimeZone(input.timeZone));
  const cronExpression = input.cronExpression === undefined && timeZone === row.timeZone ? row.cronExpression : must(checkCron(input.cronExpression ?? row.cronExpression, timeZone));
  const invocationBody = input.invocationBody === undefined ? row.invocationBody : must(checkInvocationBody(input.invocationBody));
  const description = input.description === undefined ? row.description : must(checkDescription(input.description));
  const isActive = input.isActive ?? row.isActive;

  const next = { lambdaUuid, timeZone, cronExpression, invocationBody, description, isActive };
  // A stored body too deep to serialise (written before the nesting limit) counts as changed.
  const same = (a: unknown, b: unknown) => !nestsDeeperThan(a) && !nestsDeeperThan(b) && JSON.stringify(a) === JSON.stringify(b);
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => !same(next[k], row[k]));
  if (changed.length === 0) return getSchedule(db, p.accountId, id);

  // Only a deployed function may be (re)activated or newly pointed at.
  const needsDeployed = isActive && (lambdaUuid !== row.lambdaUuid || !row.isActive);
  if (lambdaUuid !== row.lambdaUuid || needsDeployed) await requireDeployed(db, p.accountId, lambdaUuid);
  const timing = changed.some((k) => k === "cronExpression" || k === "timeZone" || k === "isActive");
  const now = Date.now();
  const actor = actorName(p);
  const set: Partial<ScheduleRow> = { ...next, updatedAt: now, updatedBy: actor };
  if (timing) {
    // A new timing counts from now; a paused schedule has no due time.
    set.nextExecution = isActive ? nextDue(cronExpression, timeZone, now) : null;
  }
  // The user activating or pausing replaces any reason the platform paused it for.
  if (changed.includes("isActive")) set.pausedReason = null;
  const where = and(eq(schedules.accountId, p.accountId), eq(schedules.id, id), needsDeployed ? deployedSql(p.accountId, lambdaUuid) : undefined);
  const [result] = await db.batch([
    db.update(schedules).set(set).where(where),
    auditIfChanged(db, { accountId: p.accountId, actor, action: "schedule.update", target: id, detail: { changed } }, now),
  ]);
  if (result.meta.changes === 0) {
    await getRow(db, p.accountId, id); // deleted meanwhile: 404
    await requireDeployed(db, p.accountId, lambdaUuid); // undeployed meanwhile: 409
  }
  return getSchedule(db, p.accountId, id);
}

export async function deleteSchedule(db: Db, p: Principal, id: string): Promise<void> {
  const [deleted] = await db.batch([
    db.delete(schedules).where(and(eq(schedules.accountId, p.accountId), eq(schedules.id, id))),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "schedule.delete", target: id }),
    // Its runs go with it (none exist for an id of another account).
    db.delete(scheduleRuns).where(and(eq(scheduleRuns.accountId, p.accountId), eq(scheduleRuns.scheduleId, id))),
  ]);
  if (deleted.meta.changes === 0) throw scheduleNotFound(id);
}

export interface RunNowResult {
  run: ReturnType<typeof runDto>;
  invocationStatus: string | null;
  errorMsg: string | null;
}

/**
 * "Run now": fires the schedule once, immediately, through the same path as the scheduler (kind
 * manual; a paused schedule may be run too), and answers the finished run. The function must be
 * deployed; the run is not skipped when another run is still going.
 */
export async function runScheduleNow(env: Env, db: Db, waitUntil: (p: Promise<unknown>) => void, p: Principal, id: string): Promise<RunNowResult> {
  const row = await getRow(db, p.accountId, id);
  await requireDeployed(db, p.accountId, row.lambdaUuid);
  const now = Date.now();
  const run: DueRun = { runId: crypto.randomUUID(), accountId: p.accountId, scheduleId: id, lambdaUuid: row.lambdaUuid, scheduledFor: now, invocationBody: row.invocationBody };
  await db.batch([
    db.insert(scheduleRuns).values({ id: run.runId, accountId: p.accountId, scheduleId: id, scheduledFor: now, kind: "manual", status: "running", missed: 0, startedAt: now }),
    auditInsert(db, { accountId: p.accountId, actor: actorName(p), action: "schedule.run", target: id, detail: { runId: run.runId } }, now),
  ]);
  const [finished] = await fireAndFinish(env, waitUntil, [run]);
  const stored = await db.select().from(scheduleRuns).where(and(eq(scheduleRuns.accountId, p.accountId), eq(scheduleRuns.id, run.runId))).get();
  const fallback: RunRow = {
    id: run.runId,
    accountId: p.accountId,
    scheduleId: id,
    scheduledFor: now,
    kind: "manual",
    status: finished!.ok ? "succeeded" : "failed",
    missed: 0,
    invocationId: finished!.invocationId,
    errorCode: finished!.errorCode,
    startedAt: finished!.startedAt,
    finishedAt: finished!.finishedAt,
  };
  return { run: runDto(stored ?? fallback), invocationStatus: finished!.invocationStatus, errorMsg: finished!.errorMsg };
}
