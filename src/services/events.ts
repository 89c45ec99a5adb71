import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { lambdas } from "../db/schema";

/**
 * Whether a deployed (Productive or Modified: Modified still serves its deployed version) function
 * of the account is bound to the event. Unknown events are simply not implemented. Skills are not
 * stored yet, so `skillId` does not narrow the answer.
 */
export async function isImplemented(db: Db, accountId: string, eventId: string): Promise<boolean> {
  const row = await db
    .select({ uuid: lambdas.uuid })
    .from(lambdas)
    .where(and(eq(lambdas.accountId, accountId), eq(lambdas.eventId, eventId), inArray(lambdas.state, ["Productive", "Modified"])))
    .limit(1)
    .get();
  return row !== undefined;
}
