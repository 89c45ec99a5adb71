import { and, desc, eq, inArray, notExists, sql, type SQL } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { LambdaCreateSchema, LambdaUpdateSchema } from "../api/schemas";
import { actorName, type Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { accountLimits, deployFailures, deployments, lambdas, schedules } from "../db/schema";
import { ApiError, ErrorCodes, badInput, conflict, missingLambda } from "../errors";
import { nestsDeeperThan, storedValueOrNull } from "../json-nesting";
import { DEFAULT_RUNTIME, findRuntime } from "../runtime/runtimes";
import { auditIfChanged } from "./audit";
import { eventLimitReached, eventOfBinding, roomForBinding } from "./event-binding";
import { normaliseEventId } from "./events-catalogue";
import { dropVersionsStatement, getVersionRow, keepVersionStatements } from "./lambda-versions";
import { LIMITS, limitsOf } from "./limits";

type LambdaRow = typeof lambdas.$inferSelect;
type DeploymentRow = typeof deployments.$inferSelect;
type DeployFailureRow = typeof deployFailures.$inferSelect;
export type LambdaState = LambdaRow["state"];

const iso = (ms: number) => new Date(ms).toISOString();
const DEFAULT_SAMPLE_PAYLOAD = { headers: [], payload: {} };

export function deploymentDto(l: Pick<LambdaRow, "name">, d: DeploymentRow) {
  return {
    uuid: d.id,
    name: l.name,
    lambdaUUID: d.lambdaUuid,
    lambdaVersion: d.lambdaVersion,
    imageName: DEFAULT_RUNTIME.baseImageName,
    deploymentState: "Deploy Finish",
    codeHash: d.codeHash,
    createdAt: iso(d.deployedAt),
    updatedAt: iso(d.deployedAt),
    deployedAt: iso(d.deployedAt),
    createdBy: d.deployedBy,
    updatedBy: d.deployedBy,
  };
}

/**
 * The LivePerson V1 lambda object, plus `deployments` (the last five deployed versions), and
 * `warnings` when a stored JSON value is too deep to answer (then shown as null, see json-nesting),
 * and `lastDeployFailure`: why the latest deploy since the last successful one was refused.
 */
export function lambdaDto(l: LambdaRow, history: DeploymentRow[], failure: DeployFailureRow | null = null) {
  const current = history.find((d) => d.id === l.deploymentId) ?? null;
  const warnings: string[] = [];
  const dependencies = storedValueOrNull("implementation.dependencies", l.dependencies, warnings);
  const samplePayload = storedValueOrNull("samplePayload", l.samplePayload, warnings);
  return {
    uuid: l.uuid,
    version: l.version,
    name: l.name,
    description: l.description,
    state: l.state,
    eventId: l.eventId,
    skills: l.skills,
    runtime: { ...(findRuntime(l.runtimeUuid) ?? DEFAULT_RUNTIME) },
    implementation: { code: l.code, dependencies, environmentVariables: l.environmentVariables },
    samplePayload,
    createdAt: iso(l.createdAt),
    createdBy: l.createdBy,
    updatedAt: iso(l.updatedAt),
    updatedBy: l.updatedBy,
    lastDeployment: current ? deploymentDto(l, current) : null,
    deployments: history.map((d) => deploymentDto(l, d)),
    lastDeployFailure: failure
      ? { lambdaVersion: failure.lambdaVersion, errorCode: failure.errorCode, message: failure.message, failedAt: iso(failure.failedAt), failedBy: failure.failedBy }
      : null,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

async function historyOf(db: Db, accountId: string, uuids: string[]) {
  if (uuids.length === 0) return new Map<string, DeploymentRow[]>();
  const rows = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.accountId, accountId), inArray(deployments.lambdaUuid, uuids)))
    .orderBy(desc(deployments.deployedAt))
    .all();
  const byLambda = new Map<string, DeploymentRow[]>();
  for (const r of rows) byLambda.set(r.lambdaUuid, [...(byLambda.get(r.lambdaUuid) ?? []), r]);
  return byLambda;
}

async function failuresOf(db: Db, accountId: string, uuids: string[]) {
  if (uuids.length === 0) return new Map<string, DeployFailureRow>();
  const rows = await db
    .select()
    .from(deployFailures)
    .where(and(eq(deployFailures.accountId, accountId), inArray(deployFailures.lambdaUuid, uuids)))
    .all();
  return new Map(rows.map((r) => [r.lambdaUuid, r]));
}

export async function getLambdaRow(db: Db, accountId: string, uuid: string): Promise<LambdaRow> {
  const row = await db.select().from(lambdas).where(and(eq(lambdas.accountId, accountId), eq(lambdas.uuid, uuid))).get();
  if (!row) throw missingLambda(uuid);
  return row;
}

export async function getLambda(db: Db, p: Principal, uuid: string) {
  const row = await getLambdaRow(db, p.accountId, uuid);
  const [history, failures] = await Promise.all([historyOf(db, p.accountId, [uuid]), failuresOf(db, p.accountId, [uuid])]);
  return lambdaDto(row, history.get(uuid) ?? [], failures.get(uuid) ?? null);
}

export async function listLambdas(db: Db, p: Principal, filter: { name?: string; eventId?: string; states?: string[] }) {
  const where: SQL[] = [eq(lambdas.accountId, p.accountId)];
  if (filter.name) where.push(eq(lambdas.name, filter.name));
  if (filter.eventId) where.push(eq(lambdas.eventId, filter.eventId));
  const states = (filter.states ?? []).filter(Boolean);
  if (states.length) where.push(inArray(lambdas.state, states as LambdaState[]));
  const rows = await db.select().from(lambdas).where(and(...where)).orderBy(lambdas.createdAt).all();
  const uuids = rows.map((r) => r.uuid);
  const [history, failures] = await Promise.all([historyOf(db, p.accountId, uuids), failuresOf(db, p.accountId, uuids)]);
  return rows.map((r) => lambdaDto(r, history.get(r.uuid) ?? [], failures.get(r.uuid) ?? null));
}

function runtimeUuidOf(runtime: { uuid: string } | null | undefined): string {
  const found = findRuntime(runtime?.uuid);
  if (!found) throw badInput(`Unknown runtime ${runtime?.uuid}; GET /runtimes lists the available ones`);
  return found.uuid;
}

/** A create body whose template (if any) was applied (services/templates applyTemplate): the code is there. */
export type LambdaCreateInput = z.infer<typeof LambdaCreateSchema> & { implementation: NonNullable<z.infer<typeof LambdaCreateSchema>["implementation"]> };

export async function createLambda(db: Db, p: Principal, input: LambdaCreateInput) {
  const eventId = normaliseEventId(input.eventId);
  const skills = input.skills ?? [];
  eventOfBinding(eventId, skills);
  const taken = await db
    .select({ uuid: lambdas.uuid })
    .from(lambdas)
    .where(and(eq(lambdas.accountId, p.accountId), eq(lambdas.name, input.name)))
    .get();
  if (taken) throw conflict(`A function named ${input.name} already exists in this account`);
  const now = Date.now();
  const row: LambdaRow = {
    uuid: crypto.randomUUID(),
    accountId: p.accountId,
    name: input.name,
    description: input.description,
    eventId,
    skills,
    runtimeUuid: runtimeUuidOf(input.runtime),
    code: input.implementation.code,
    dependencies: input.implementation.dependencies,
    environmentVariables: input.implementation.environmentVariables,
    samplePayload: input.samplePayload ?? DEFAULT_SAMPLE_PAYLOAD,
    state: "Draft",
    version: 1,
    deploymentId: null,
    createdAt: now,
    createdBy: actorName(p),
    updatedAt: now,
    updatedBy: actorName(p),
  };
  let inserted: { uuid: string }[];
  try {
    [inserted] = await db.batch([
      insertWithinLimit(db, row),
      auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "lambda.create", target: row.uuid, detail: { name: row.name } }, now),
      ...keepVersionStatements(db, p.accountId, row.uuid, row.version),
    ]);
  } catch (e) {
    if (String(e).includes("UNIQUE")) throw conflict(`A function named ${input.name} already exists in this account`);
    throw e;
  }
  if (inserted.length === 0) {
    const limit = (await limitsOf(db, p.accountId)).functions;
    const held = await db.$count(lambdas, eq(lambdas.accountId, p.accountId));
    if (eventId !== null && held < limit) throw eventLimitReached(eventId, skills, "all");
    throw new ApiError(
      409,
      ErrorCodes.limitReached,
      `Function limit reached: account ${p.accountId} holds ${limit} functions, its limit (functions: ${limit}). ` +
        `Delete a function it no longer needs, or ask the operator to raise the limit (PUT /admin/accounts/${p.accountId}/limits).`,
      { limitName: "functions", limit },
    );
  }
  return lambdaDto(row, []);
}

/**
 * The INSERT of a new function that happens only while the account holds fewer functions than its
 * `functions` limit (the override in account_limits, else the default) and its event has room for
 * it (services/event-binding). The limits sit in the statement itself, so two creates at once
 * cannot both pass them. drizzle lists every column in schema order; JSON columns are written as
 * drizzle would (JSON text).
 */
function insertWithinLimit(db: Db, r: LambdaRow) {
  const limit = sql`coalesce((SELECT ${accountLimits.functions} FROM ${accountLimits} WHERE ${accountLimits.accountId} = ${r.accountId}), ${LIMITS.functions.default})`;
  const eventRoom = roomForBinding(r, "all") ?? sql`1`;
  return db
    .insert(lambdas)
    .select(
      sql`SELECT ${r.uuid}, ${r.accountId}, ${r.name}, ${r.description}, ${r.eventId}, ${JSON.stringify(r.skills)}, ${r.runtimeUuid}, ${r.code},
                 ${JSON.stringify(r.dependencies)}, ${JSON.stringify(r.environmentVariables)}, ${JSON.stringify(r.samplePayload)},
                 ${r.state}, ${r.version}, ${r.deploymentId}, ${r.createdAt}, ${r.createdBy}, ${r.updatedAt}, ${r.updatedBy}
          WHERE (SELECT count(*) FROM ${lambdas} WHERE ${lambdas.accountId} = ${r.accountId}) < ${limit} AND ${eventRoom}`,
    )
    .returning({ uuid: lambdas.uuid });
}

// A stored value too deep to serialise (written before the nesting limit) always counts as changed,
// so a PUT can replace it; new values were checked on the way in.
const same = (a: unknown, b: unknown) => !nestsDeeperThan(a) && !nestsDeeperThan(b) && JSON.stringify(a) === JSON.stringify(b);

/** How a save is written to the audit log: an edit (the default) or a restore of a kept version. */
type SaveAudit = { action: "lambda.update" } | { action: "lambda.restore"; fromVersion: number };

/** Applies an edit. Returns null when nothing changed (the API answers 304). */
export async function updateLambda(db: Db, p: Principal, uuid: string, input: z.infer<typeof LambdaUpdateSchema>, audit: SaveAudit = { action: "lambda.update" }) {
  const row = await getLambdaRow(db, p.accountId, uuid);
  if (input.name !== undefined && input.name !== row.name) throw badInput("name is immutable; create a new function to rename");
  if (input.eventId !== undefined && normaliseEventId(input.eventId) !== row.eventId) {
    throw badInput("eventId is immutable; create a new function to bind it to another event");
  }
  const next = {
    skills: input.skills ?? row.skills,
    description: input.description ?? row.description,
    runtimeUuid: input.runtime === undefined ? row.runtimeUuid : runtimeUuidOf(input.runtime),
    code: input.implementation?.code ?? row.code,
    dependencies: input.implementation?.dependencies ?? row.dependencies,
    environmentVariables: input.implementation?.environmentVariables ?? row.environmentVariables,
    samplePayload: input.samplePayload === undefined ? row.samplePayload : input.samplePayload,
  };
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => !same(next[k], row[k]));
  if (changed.length === 0) return null;
  // Skills take effect at once, without a redeploy (as in LivePerson), so they alone do not make a
  // deployed function Modified; they must still fit the event's limit.
  const skillsChanged = changed.includes("skills");
  if (skillsChanged) eventOfBinding(row.eventId, next.skills);
  const onlySkills = changed.length === 1 && skillsChanged;
  const now = Date.now();
  const state: LambdaState = row.state === "Draft" || onlySkills ? row.state : "Modified";
  const binding = { accountId: p.accountId, uuid, eventId: row.eventId, skills: next.skills };
  const room = skillsChanged ? roomForBinding(binding, "all") : undefined;
  const detail = audit.action === "lambda.restore" ? { changed, fromVersion: audit.fromVersion, version: row.version + 1 } : { changed };
  // A new version of the code is kept only when the code or the environment variables changed.
  const keepsVersion = changed.includes("code") || changed.includes("environmentVariables");
  const [result] = await db.batch([
    // Conditional on the version read above: a concurrent edit makes this one fail instead of
    // silently overwriting it.
    db
      .update(lambdas)
      .set({ ...next, state, version: row.version + 1, updatedAt: now, updatedBy: actorName(p) })
      .where(and(eq(lambdas.accountId, p.accountId), eq(lambdas.uuid, uuid), eq(lambdas.version, row.version), room)),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: audit.action, target: uuid, detail }, now),
    ...(keepsVersion ? keepVersionStatements(db, p.accountId, uuid, row.version + 1) : []),
  ]);
  if (result.meta.changes === 0) {
    const current = await getLambdaRow(db, p.accountId, uuid);
    if (room && current.version === row.version) throw eventLimitReached(row.eventId!, next.skills, "all");
    throw conflict("The function was changed by someone else meanwhile; read it again and retry");
  }
  return getLambda(db, p, uuid);
}

export async function deleteLambda(db: Db, p: Principal, uuid: string) {
  const row = await getLambdaRow(db, p.accountId, uuid);
  if (row.state !== "Draft") {
    throw new ApiError(409, ErrorCodes.conflict, `Function ${row.name} is deployed (state ${row.state}); undeploy it before deleting it`);
  }
  const [result] = await db.batch([
    db.delete(lambdas).where(and(eq(lambdas.accountId, p.accountId), eq(lambdas.uuid, uuid), eq(lambdas.state, "Draft"))),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "lambda.delete", target: uuid, detail: { name: row.name } }),
    // Runs only if the delete above happened (same transaction): history goes with its function.
    db
      .delete(deployments)
      .where(
        and(
          eq(deployments.accountId, p.accountId),
          eq(deployments.lambdaUuid, uuid),
          notExists(db.select({ one: sql`1` }).from(lambdas).where(eq(lambdas.uuid, uuid))),
        ),
      ),
    dropVersionsStatement(db, p.accountId, uuid),
    db
      .delete(deployFailures)
      .where(
        and(
          eq(deployFailures.accountId, p.accountId),
          eq(deployFailures.lambdaUuid, uuid),
          notExists(db.select({ one: sql`1` }).from(lambdas).where(eq(lambdas.uuid, uuid))),
        ),
      ),
    // So do its (paused) schedules: a schedule of a function that no longer exists can never fire.
    db
      .delete(schedules)
      .where(
        and(
          eq(schedules.accountId, p.accountId),
          eq(schedules.lambdaUuid, uuid),
          notExists(db.select({ one: sql`1` }).from(lambdas).where(eq(lambdas.uuid, uuid))),
        ),
      ),
  ]);
  if (result.meta.changes === 0) throw conflict("The function was deployed meanwhile; undeploy it before deleting it");
}

/**
 * Restores a kept version: saves its code and environment variables as a new version (an edit
 * like any other: a deployed function becomes Modified; audited as lambda.restore). Restoring what
 * the function already holds changes nothing and answers the function as it is.
 */
export async function restoreVersion(db: Db, p: Principal, uuid: string, version: number) {
  await getLambdaRow(db, p.accountId, uuid); // 404 for an unknown or another account's function first
  const kept = await getVersionRow(db, p.accountId, uuid, version);
  const input = { implementation: { code: kept.code, environmentVariables: kept.environmentVariables } } as z.infer<typeof LambdaUpdateSchema>;
  return (await updateLambda(db, p, uuid, input, { action: "lambda.restore", fromVersion: version })) ?? getLambda(db, p, uuid);
}
