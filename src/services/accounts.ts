import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, apiKeys } from "../db/schema";
import { ApiError, conflict } from "../errors";
import { mintApiKey } from "./api-keys";
import { auditInsert } from "./audit";

const OPERATOR = "operator";

function randomAccountId(): string {
  // LivePerson account ids are numeric strings; 8 random digits, first one non-zero.
  const n = crypto.getRandomValues(new Uint32Array(1))[0]! % 90_000_000;
  return String(10_000_000 + n);
}

/** Creates an account and its first FaaS-Admin key in one batch. */
export async function createAccount(db: Db, input: { accountId?: string; name: string }) {
  if (input.accountId !== undefined) return insertAccount(db, input.accountId, input.name);
  // A generated id that happens to be taken is our problem, not the operator's: draw again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertAccount(db, randomAccountId(), input.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409) || attempt === 5) throw e;
    }
  }
}

async function insertAccount(db: Db, accountId: string, name: string) {
  const input = { name };
  const existing = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)).get();
  if (existing) throw conflict(`Account ${accountId} already exists`);
  const now = Date.now();
  const { key, row } = await mintApiKey({ accountId, name: "initial-admin", roles: ["FaaS-Admin"], createdBy: OPERATOR }, now);
  try {
    await db.batch([
      db.insert(accounts).values({ id: accountId, name: input.name, createdAt: now }),
      db.insert(apiKeys).values(row),
      auditInsert(db, { accountId, actor: OPERATOR, action: "account.create", target: accountId, detail: { name: input.name } }, now),
    ]);
  } catch (e) {
    // Two operators creating the same id at once: the primary key decides, the loser gets 409.
    if (String(e).includes("UNIQUE")) throw conflict(`Account ${accountId} already exists`);
    throw e;
  }
  return { accountId, adminKey: key };
}
