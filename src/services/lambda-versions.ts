// The saved code of a function's last versions (the console's "last five versions, with a diff and
// a restore"). A version is kept whenever a save changes the code or the environment variables
// (create, edit, restore); the statements below join the save's own db.batch, so a version exists
// exactly when the save happened, and the history never holds more than KEPT_VERSIONS rows.
import { and, desc, eq, notExists, notInArray, sql } from "drizzle-orm";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { deployments, lambdaVersions, lambdas } from "../db/schema";
import { ApiError, ErrorCodes, missingLambda } from "../errors";

export const KEPT_VERSIONS = 5;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Copies the function as it is after the save (its row at `version`) into the history, then keeps
 * the newest KEPT_VERSIONS. Copied from the row itself, not from the request: if a concurrent save
 * won the version, its code is what gets kept (and the OR IGNORE makes the second copy a no-op).
 */
export function keepVersionStatements(db: Db, accountId: string, uuid: string, version: number) {
  const keep = db
    .select({ version: lambdaVersions.version })
    .from(lambdaVersions)
    .where(and(eq(lambdaVersions.accountId, accountId), eq(lambdaVersions.lambdaUuid, uuid)))
    .orderBy(desc(lambdaVersions.version))
    .limit(KEPT_VERSIONS);
  return [
    db
      .insert(lambdaVersions)
      .select(
        db
          .select({
            accountId: lambdas.accountId,
            lambdaUuid: lambdas.uuid,
            version: lambdas.version,
            code: lambdas.code,
            environmentVariables: lambdas.environmentVariables,
            savedAt: lambdas.updatedAt,
            savedBy: lambdas.updatedBy,
          })
          .from(lambdas)
          .where(and(eq(lambdas.accountId, accountId), eq(lambdas.uuid, uuid), eq(lambdas.version, version))),
      )
      .onConflictDoNothing(),
    db
      .delete(lambdaVersions)
      .where(and(eq(lambdaVersions.accountId, accountId), eq(lambdaVersions.lambdaUuid, uuid), notInArray(lambdaVersions.version, keep))),
  ] as const;
}

/** Deletes the history of a function, only once the function itself is gone (same batch as its delete). */
export function dropVersionsStatement(db: Db, accountId: string, uuid: string) {
  return db
    .delete(lambdaVersions)
    .where(
      and(
        eq(lambdaVersions.accountId, accountId),
        eq(lambdaVersions.lambdaUuid, uuid),
        notExists(db.select({ one: sql`1` }).from(lambdas).where(eq(lambdas.uuid, uuid))),
      ),
    );
}

type VersionRow = typeof lambdaVersions.$inferSelect;

/** A kept version: its code and the names of its environment variables (values stay in the function). */
export function versionDto(v: VersionRow, current: { version: number; deployedVersion: number | null }) {
  return {
    version: v.version,
    code: v.code,
    environmentVariableKeys: v.environmentVariables.map((e) => e.key),
    savedAt: iso(v.savedAt),
    savedBy: v.savedBy,
    isCurrent: v.version === current.version,
    isDeployed: v.version === current.deployedVersion,
  };
}

async function deployedVersionOf(db: Db, accountId: string, deploymentId: string | null): Promise<number | null> {
  if (!deploymentId) return null;
  const row = await db
    .select({ version: deployments.lambdaVersion })
    .from(deployments)
    .where(and(eq(deployments.accountId, accountId), eq(deployments.id, deploymentId)))
    .get();
  return row?.version ?? null;
}

/** The kept versions of one function of the principal's account, newest first (404 for another account's). */
export async function listVersions(db: Db, p: Principal, uuid: string) {
  const lambda = await db
    .select({ version: lambdas.version, deploymentId: lambdas.deploymentId })
    .from(lambdas)
    .where(and(eq(lambdas.accountId, p.accountId), eq(lambdas.uuid, uuid)))
    .get();
  if (!lambda) throw missingLambda(uuid);
  const rows = await db
    .select()
    .from(lambdaVersions)
    .where(and(eq(lambdaVersions.accountId, p.accountId), eq(lambdaVersions.lambdaUuid, uuid)))
    .orderBy(desc(lambdaVersions.version))
    .limit(KEPT_VERSIONS)
    .all();
  const current = { version: lambda.version, deployedVersion: await deployedVersionOf(db, p.accountId, lambda.deploymentId) };
  return rows.map((r) => versionDto(r, current));
}

/** One kept version, or a 404 naming the versions that are kept. */
export async function getVersionRow(db: Db, accountId: string, uuid: string, version: number): Promise<VersionRow> {
  const row = await db
    .select()
    .from(lambdaVersions)
    .where(and(eq(lambdaVersions.accountId, accountId), eq(lambdaVersions.lambdaUuid, uuid), eq(lambdaVersions.version, version)))
    .get();
  if (!row) {
    throw new ApiError(404, ErrorCodes.notFound, `Version ${version} of function ${uuid} is not kept; GET .../versions lists the last ${KEPT_VERSIONS} saved versions`);
  }
  return row;
}
