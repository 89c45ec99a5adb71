// Reading an account's data plane (the SQLite tables of its AccountGate) directly, as tests read
// D1: rows of invocations, logs (joined with their text) and metrics.
import { env, runInDurableObject } from "cloudflare:test";
import type { AccountGate } from "../../src/gate/account-gate";

export const gateOf = (accountId: string) => env.GATE.get(env.GATE.idFromName(accountId)) as DurableObjectStub<AccountGate>;

/** Runs one SQL statement in the account's data plane and answers its rows. */
export function storedRows<T = any>(accountId: string, query: string, ...args: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(gateOf(accountId), (_: AccountGate, state) => state.storage.sql.exec(query, ...args).toArray() as T[]);
}

/** How many records the account holds (optionally: matching a condition on the invocations table). */
export async function storedCount(accountId: string, where = "1 = 1", ...args: SqlStorageValue[]): Promise<number> {
  return (await storedRows<{ n: number }>(accountId, `SELECT count(*) AS n FROM invocations WHERE ${where}`, ...args))[0]!.n;
}

/** Polls until the account holds at least `n` records matching `where` (records arrive just after the answer). */
export async function waitForStored(accountId: string, n: number, where = "1 = 1", ...args: SqlStorageValue[]): Promise<number> {
  let count = 0;
  for (let i = 0; i < 150; i++) {
    count = await storedCount(accountId, where, ...args);
    if (count >= n) return count;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`expected ${n} invocation records of ${accountId}, found ${count}`);
}

/** The log rows of one invocation, with their text, in order. */
export const storedLogs = (accountId: string, invocationId: string) =>
  storedRows(accountId, "SELECT * FROM logs WHERE invocation_id = ? ORDER BY seq", invocationId);
