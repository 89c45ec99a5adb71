import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountLimits, deployments, lambdas } from "../db/schema";
import { invocationLimitColumns, invocationLimits } from "../gate/lease";
import type { ServingLookup } from "../runtime/invoke";
import { servesSkill } from "./event-binding";
import { findEvent } from "./events-catalogue";

/** The account's functions bound to the event that serve a deployed version (Productive, or Modified: it still serves). */
const deployedForEvent = (accountId: string, eventId: string) =>
  and(eq(lambdas.accountId, accountId), eq(lambdas.eventId, eventId), isNotNull(lambdas.deploymentId));

/** A deployed function that answers an event, with what the invocation path needs to run it. */
export interface EventListener {
  uuid: string;
  serving: NonNullable<ServingLookup>;
}

/**
 * The deployed functions (Productive, or Modified: Modified still serves its deployed version) of the
 * account bound to the event that serve `skillId` (services/event-binding servesSkill), in their
 * documented order: oldest first (creation time, then uuid). One statement: the functions, their
 * serving versions and the account's invocation limits. Unknown events have none.
 */
export async function eventListeners(db: Db, accountId: string, eventId: string, skillId?: string): Promise<EventListener[]> {
  const event = findEvent(eventId);
  if (!event) return [];
  const rows = await db
    .select({ uuid: lambdas.uuid, name: lambdas.name, skills: lambdas.skills, deployment: deployments, ...invocationLimitColumns })
    .from(lambdas)
    .innerJoin(deployments, eq(deployments.id, lambdas.deploymentId))
    .leftJoin(accountLimits, eq(accountLimits.accountId, lambdas.accountId))
    .where(deployedForEvent(accountId, eventId))
    .orderBy(asc(lambdas.createdAt), asc(lambdas.uuid))
    .all();
  return rows
    .filter((r) => servesSkill(event, r.skills, skillId))
    .map((r) => ({ uuid: r.uuid, serving: { name: r.name, deployment: r.deployment, limits: invocationLimits(r) } }));
}

/**
 * Whether any deployed function of the account answers the event for `skillId` (the same selection
 * as eventListeners, without reading the deployments and their code); unknown events are simply
 * not implemented.
 */
export async function isImplemented(db: Db, accountId: string, eventId: string, skillId?: string): Promise<boolean> {
  const event = findEvent(eventId);
  if (!event) return false;
  const rows = await db.select({ skills: lambdas.skills }).from(lambdas).where(deployedForEvent(accountId, eventId)).all();
  return rows.some((r) => servesSkill(event, r.skills, skillId));
}
