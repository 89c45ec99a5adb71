// Operator: rotation of the master key. Every data key (of every account) is re-wrapped under the
// current SECRETS_KEK version; secrets themselves are never touched (they are sealed by the data
// keys, whose key material does not change), so a page may be run again or concurrently.
import { DecryptError, MissingKekError, rewrapDataKey, type WrappedDataKey } from "../crypto/envelope";
import { keyringOf, type Keyring } from "../crypto/keyring";
import { createDb } from "../db/client";
import { auditInsert } from "./audit";
import { DATA_KEY_PREFIX, parseJson, type SecretsEnv, type SecretsWriteEnv } from "./secrets";


export interface RewrapFailure {
  accountId: string;
  dataKeyId: string;
  kekVersion: string | null;
  reason: string;
}

export interface RewrapResult {
  /** The KEK version every data key is being wrapped under. */
  kekVersion: string;
  rewrapped: number;
  alreadyCurrent: number;
  /** Data keys left as they were because they do not unwrap with SECRETS_KEK (nothing is lost). */
  failed: RewrapFailure[];
  /** Pass it back as ?cursor= for the next page; null when every data key has been visited. */
  nextCursor: string | null;
}

export const REWRAP_PAGE_DEFAULT = 100;
export const REWRAP_PAGE_MAX = 1000;

/**
 * One page of the rotation: every data key (of every account) on the page is re-wrapped under the
 * current KEK version. Only data-key records are written, each with the same key material, so no
 * secret is touched and a page may be run again (or concurrently) safely.
 */
export async function rewrapDataKeys(env: SecretsWriteEnv, opts: { cursor?: string; limit?: number } = {}): Promise<RewrapResult> {
  const ring = await keyringOf(env);
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? REWRAP_PAGE_DEFAULT), 1), REWRAP_PAGE_MAX);
  const page = await env.KV.list<{ kek?: string }>({ prefix: DATA_KEY_PREFIX, limit, cursor: opts.cursor || undefined });
  const result: RewrapResult = { kekVersion: ring.current, rewrapped: 0, alreadyCurrent: 0, failed: [], nextCursor: page.list_complete ? null : page.cursor };
  const db = createDb(env.DB);
  const audits: ReturnType<typeof auditInsert>[] = [];
  try {
    for (const entry of page.keys) await rewrapOne(ring, env, entry.name, result, db, audits);
  } finally {
    // The audit rows of what was re-wrapped, even if a later entry failed on KV itself.
    if (audits.length > 0) await db.batch(audits as [(typeof audits)[0], ...typeof audits]);
  }
  return result;
}

type Db = ReturnType<typeof createDb>;

/** One data key of the rotation: re-wrapped, already current, or reported as failed (untouched). */
async function rewrapOne(ring: Keyring, env: SecretsEnv, name: string, result: RewrapResult, db: Db, audits: ReturnType<typeof auditInsert>[]) {
  const [accountId = "", dataKeyId = ""] = name.slice(DATA_KEY_PREFIX.length).split(":");
  let record: WrappedDataKey | null = null;
  try {
    record = parseJson<WrappedDataKey>(await env.KV.get(name), "data key");
    if (!record) return; // deleted meanwhile
    const rewrapped = await rewrapDataKey(ring, record, { accountId, dataKeyId });
    if (!rewrapped) {
      result.alreadyCurrent++;
      return;
    }
    await env.KV.put(name, JSON.stringify(rewrapped), { metadata: { kek: rewrapped.kek } });
    result.rewrapped++;
    audits.push(
      auditInsert(db, { accountId, actor: "operator", action: "secret.rewrap", target: `data-key:${dataKeyId}`, detail: { from: record.kek, to: rewrapped.kek } }),
    );
  } catch (e) {
    if (!(e instanceof MissingKekError || e instanceof DecryptError)) throw e;
    result.failed.push({ accountId, dataKeyId, kekVersion: typeof record?.kek === "string" ? record.kek : null, reason: e.message });
  }
}
