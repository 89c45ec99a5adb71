// The account's cache generation (accounts.cache_generation): a number in D1 that grows in the same
// batch as every change the gateway may hold in its cache (a key, OAuth client, session or user
// revoked or changed, a function deployed or undeployed, limits changed). The services also bump
// the account gate's epoch after such a change, which the gateway learns at the very next admission;
// the generation is the backstop for a bump that never reached the gate: the gateway reads it with
// every lookup, and a lookup read again every 10 s per account confirms or ends all the account's
// cached lookups at once (services/gateway-cache.ts), instead of each being read again by itself.
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts } from "../db/schema";

/** The statement to put last in a change's batch (last: audit rows are written on changes() of the statement before). */
export const advanceCacheGeneration = (db: Db, accountId: string) =>
  db
    .update(accounts)
    .set({ cacheGeneration: sql`${accounts.cacheGeneration} + 1` })
    .where(eq(accounts.id, accountId));

