import { and, desc, eq, exists, isNotNull, ne, notExists, notInArray, sql } from "drizzle-orm";
import { LIMITS } from "../api/schemas";
import { actorName, type Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { deployFailures, deployments, lambdas, schedules } from "../db/schema";
import { ApiError, ErrorCodes, conflict } from "../errors";
import { readLimits } from "../runtime/invoke";
import { sandboxFor } from "../runtime/sandbox/sandbox";
import { resolveLibraries } from "../runtime/libraries/catalog";
import { codeHash, type HostExports } from "../runtime/sandbox/worker-code";
import { auditIfChanged } from "./audit";
import { eventLimitReached, roomForBinding } from "./event-binding";
import { deploymentDto, getLambda, getLambdaRow } from "./lambdas";
import { PAUSED_BY_UNDEPLOY } from "./schedule-rules";
import { advanceCacheGeneration } from "./cache-generation";
import { bumpEpoch } from "../gate/client";

export interface DeployDeps {
  db: Db;
  loader: WorkerLoader;
  host: HostExports;
  timeoutMs: number;
}

// How long loading and checking the code may take before the deploy is refused.
const VALIDATE_TIMEOUT_MS = 10_000;

/** Loads the code in its isolate and checks the contract; throws a contract-error if it fails. */
async function validateContract(deps: DeployDeps, spec: Parameters<typeof sandboxFor>[2], hash: string) {
  let verdict: Awaited<ReturnType<ReturnType<typeof sandboxFor>["validate"]>>;
  try {
    const sandbox = sandboxFor(deps.loader, deps.host, spec, hash, deps.timeoutMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`loading the code took longer than ${VALIDATE_TIMEOUT_MS} ms`)), VALIDATE_TIMEOUT_MS);
    });
    verdict = await Promise.race([sandbox.validate(), timeout]).finally(() => timer !== undefined && clearTimeout(timer));
  } catch (error) {
    // A syntax error makes the isolate fail to start: workerd reports it with file and position.
    const message = String(error instanceof Error ? error.message : error).replace(/^Failed to start Worker:\s*/, "");
    throw new ApiError(400, ErrorCodes.contractError, `The function is not a valid lambda: ${message}`);
  }
  if (!verdict.ok) {
    throw new ApiError(400, ErrorCodes.contractError, `The function is not a valid lambda: ${verdict.error.name}: ${verdict.error.message}`);
  }
}

// The answers of deploy and undeploy carry no top-level `uuid`: LivePerson's CLI (lpf 1.31.13)
// reads any `uuid` there as its own error object and reports the deploy or undeploy "skipped"
// without watching it. The deployment's id is `deploymentId`, the function's `lambdaUUID`.

/**
 * Deploys the function's current code as a new immutable version. The code is loaded and checked
 * first; if that fails nothing changes and the previous version keeps serving. Answers the
 * deployment (lastDeployment's fields, its id as `deploymentId`).
 */
export async function deployLambda(deps: DeployDeps, p: Principal, uuid: string) {
  const row = await getLambdaRow(deps.db, p.accountId, uuid);
  try {
    return await deployRow(deps, p, row);
  } catch (error) {
    if (error instanceof ApiError) await keepFailure(deps.db, p, row, error);
    throw error;
  }
}

/**
 * Keeps why a deploy was refused (one row per function, the latest), for the console's
 * Deployments page; only if the function still exists (it may have been deleted meanwhile).
 */
async function keepFailure(db: Db, p: Principal, row: { uuid: string; version: number }, error: ApiError) {
  const failure = {
    accountId: p.accountId,
    lambdaUuid: row.uuid,
    lambdaVersion: row.version,
    errorCode: error.errorCode,
    message: error.message.slice(0, 2_000),
    failedAt: Date.now(),
    failedBy: actorName(p),
  };
  await db.batch([
    db
      .insert(deployFailures)
      .select(
        sql`SELECT ${failure.accountId}, ${failure.lambdaUuid}, ${failure.lambdaVersion}, ${failure.errorCode}, ${failure.message}, ${failure.failedAt}, ${failure.failedBy}
            WHERE EXISTS (SELECT 1 FROM ${lambdas} WHERE ${lambdas.accountId} = ${p.accountId} AND ${lambdas.uuid} = ${row.uuid})`,
      )
      .onConflictDoUpdate({
        target: [deployFailures.accountId, deployFailures.lambdaUuid],
        set: { lambdaVersion: failure.lambdaVersion, errorCode: failure.errorCode, message: failure.message, failedAt: failure.failedAt, failedBy: failure.failedBy },
      }),
    // The message is not audited (the code's own error text may quote anything); the code is.
    auditIfChanged(db, { accountId: p.accountId, actor: failure.failedBy, action: "deployment.failed", target: row.uuid, detail: { version: row.version, errorCode: error.errorCode } }, failure.failedAt),
  ]);
}

async function deployRow(deps: DeployDeps, p: Principal, row: Awaited<ReturnType<typeof getLambdaRow>>) {
  const { db } = deps;
  const uuid = row.uuid;
  // The libraries are resolved once, here, and kept with the deployment: what was validated is what serves.
  const libraries = resolveLibraries(row.code, row.dependencies);
  const spec = { accountId: p.accountId, lambdaUuid: uuid, code: row.code, environmentVariables: row.environmentVariables, libraries };
  const hash = await codeHash(spec);
  // Same isolate id as the invocations will use (the CPU limit of the account's timeout is part of
  // it), so the first invoke after a deploy is warm.
  const configuredTimeoutMs = (await readLimits(db, p.accountId)).timeoutMs ?? deps.timeoutMs;
  await validateContract({ ...deps, timeoutMs: configuredTimeoutMs }, spec, hash);

  // The event's limit, counted among the deployed functions (services/event-binding).
  const room = roomForBinding({ accountId: p.accountId, uuid, eventId: row.eventId, skills: row.skills }, "deployed");
  const now = Date.now();
  const deployment = {
    id: crypto.randomUUID(),
    accountId: p.accountId,
    lambdaUuid: uuid,
    lambdaVersion: row.version,
    code: row.code,
    environmentVariables: row.environmentVariables,
    libraries,
    codeHash: hash,
    deployedAt: now,
    deployedBy: actorName(p),
  };
  // Whether the function serves this deployment: looked up by its key (only this function can
  // serve it), not by deployment_id, which no index covers: that read every function of every account.
  const servingIt = db.select({ one: sql`1` }).from(lambdas).where(and(eq(lambdas.uuid, uuid), eq(lambdas.deploymentId, deployment.id)));
  const [, switched] = await db.batch([
    db.insert(deployments).values(deployment),
    // Conditional on the version that was validated: an edit in between fails the deploy rather
    // than serving code nobody checked.
    db
      .update(lambdas)
      .set({ state: "Productive", deploymentId: deployment.id, updatedAt: now, updatedBy: actorName(p) })
      .where(and(eq(lambdas.accountId, p.accountId), eq(lambdas.uuid, uuid), eq(lambdas.version, row.version), room)),
    auditIfChanged(db, { accountId: p.accountId, actor: actorName(p), action: "lambda.deploy", target: uuid, detail: { deploymentId: deployment.id, version: row.version, codeHash: hash } }, now),
    // A version that lost the race above serves nobody: drop it in the same transaction.
    db
      .delete(deployments)
      .where(
        and(
          eq(deployments.id, deployment.id),
          notExists(servingIt),
        ),
      ),
    // A deploy that succeeded clears the cause of an earlier refused one.
    db
      .delete(deployFailures)
      .where(
        and(
          eq(deployFailures.accountId, p.accountId),
          eq(deployFailures.lambdaUuid, uuid),
          exists(servingIt),
        ),
      ),
    advanceCacheGeneration(db, p.accountId),
  ]);
  if (switched.meta.changes === 0) {
    const current = await getLambdaRow(db, p.accountId, uuid);
    if (room && current.version === row.version) throw eventLimitReached(row.eventId!, row.skills, "deployed");
    throw conflict("The function was changed while it was being deployed; deploy again");
  }
  await bumpEpoch(p.accountId); // the gateway may hold the previous version in its cache
  await pruneHistory(db, p.accountId, uuid);
  const { uuid: deploymentId, ...answer } = deploymentDto(row, deployment);
  return { deploymentId, ...answer };
}

/** Keeps the newest LIMITS.keptDeployments versions of a function (never the serving one). */
async function pruneHistory(db: Db, accountId: string, uuid: string) {
  const keep = await db
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.accountId, accountId), eq(deployments.lambdaUuid, uuid)))
    .orderBy(desc(deployments.deployedAt))
    .limit(LIMITS.keptDeployments)
    .all();
  const serving = await db.select({ id: lambdas.deploymentId }).from(lambdas).where(and(eq(lambdas.accountId, accountId), eq(lambdas.uuid, uuid))).get();
  const ids = [...keep.map((k) => k.id), ...(serving?.id ? [serving.id] : [])];
  await db
    .delete(deployments)
    .where(and(eq(deployments.accountId, accountId), eq(deployments.lambdaUuid, uuid), notInArray(deployments.id, ids)));
}

/**
 * Takes the function out of service: state back to Draft, its history kept. Its active schedules
 * are paused in the same transaction (isActive false, pausedReason "function undeployed"), nothing
 * deleted; a redeploy does not resume them (the user re-activates each one with PUT isActive true).
 * Answers the function with its uuid as `lambdaUUID`.
 */
export async function undeployLambda(db: Db, p: Principal, uuid: string) {
  const row = await getLambdaRow(db, p.accountId, uuid);
  if (row.state !== "Draft") {
    const now = Date.now();
    const actor = actorName(p);
    await db.batch([
      db
        .update(lambdas)
        .set({ state: "Draft", deploymentId: null, updatedAt: now, updatedBy: actor })
        .where(and(eq(lambdas.accountId, p.accountId), eq(lambdas.uuid, uuid), ne(lambdas.state, "Draft"))),
      auditIfChanged(db, { accountId: p.accountId, actor, action: "lambda.undeploy", target: uuid }, now),
      // Only if the function no longer serves (the update above happened, or someone else's did).
      db
        .update(schedules)
        .set({ isActive: false, pausedReason: PAUSED_BY_UNDEPLOY, nextExecution: null, updatedAt: now, updatedBy: actor })
        .where(
          and(
            eq(schedules.accountId, p.accountId),
            eq(schedules.lambdaUuid, uuid),
            eq(schedules.isActive, true),
            notExists(
              db
                .select({ one: sql`1` })
                .from(lambdas)
                .where(and(eq(lambdas.accountId, p.accountId), eq(lambdas.uuid, uuid), isNotNull(lambdas.deploymentId))),
            ),
          ),
        ),
      auditIfChanged(db, { accountId: p.accountId, actor, action: "schedule.pause", target: uuid, detail: { reason: PAUSED_BY_UNDEPLOY } }, now),
      advanceCacheGeneration(db, p.accountId),
    ]);
    await bumpEpoch(p.accountId); // the gateway may hold the function in its cache
  }
  const { uuid: lambdaUUID, ...answer } = await getLambda(db, p, uuid);
  return { lambdaUUID, ...answer };
}
