// The runtime's side of an invocation's logs. Every tenant isolate is loaded with this Tail
// (worker-code.ts `tails`): workerd hands it each call's console output once the call is over,
// even when the call never answered (the host gave up at the timeout, the isolate hit its CPU or
// memory limit, crashed or exited). The isolate writes an invocation's log entries to it as they
// happen (isolate/main.js "trail"), and closes the trail when it answered with its capture. An
// open trail is what the invocation's own answer never delivered: its entries are redacted with
// the account's secrets, cut to LivePerson's limits and added to the record in the account's
// data plane (AccountGate.amendLogs).
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { dataPlaneOf } from "../gate/client";
import type { StoredLog } from "../gate/data-plane/types";
import { listSecrets, readSecretValue } from "../services/secrets";
import { limitLogs } from "./logs";
import type { NotedSecret } from "./observation";
import { redactorFor } from "./redaction";
import type { LogEntry } from "./sandbox/sandbox";

/** The isolate's prefix of a trail line (isolate/main.js TRAIL). */
export const TRAIL_PREFIX = "\u0001edgefn-trail ";

export interface LogTailProps {
  accountId: string;
  lambdaUuid: string;
}

// Invocations this host isolate gave up on (a timeout, an isolate failure) and whose trail it
// waits for, even if the isolate closed it later (it answered after the host stopped waiting).
const awaited = new Map<string, number>();
const AWAIT_MS = 60_000;

/** The host stopped waiting for this invocation: its trail is wanted even if it ends up closed. */
export function awaitTrail(invocationId: string, now = Date.now()) {
  awaited.set(invocationId, now + AWAIT_MS);
  // Oldest first (insertion order): drop what expired, and anything beyond the cap.
  for (const [id, until] of awaited) {
    if (until >= now && awaited.size <= 10_000) break;
    awaited.delete(id);
  }
}

interface Trail {
  invocationId: string;
  token: string;
  entries: LogEntry[];
  closed: boolean;
}

const LEVELS = new Set(["Debug", "Info", "Warn", "Error"]);

/** The trail in one call's console output, if the isolate opened one (it names the invocation first). */
export function trailOf(logs: readonly { message: unknown }[]): Trail | null {
  let trail: Trail | null = null;
  for (const log of logs) {
    const first = Array.isArray(log.message) ? log.message[0] : log.message;
    if (typeof first !== "string" || !first.startsWith(TRAIL_PREFIX)) continue;
    let line: { invocation?: unknown; token?: unknown; entry?: Partial<LogEntry>; done?: unknown };
    try {
      line = JSON.parse(first.slice(TRAIL_PREFIX.length));
    } catch {
      continue;
    }
    if (trail === null) {
      // The first line names the invocation and its token; a line forged by brand code (through a
      // console method the platform leaves alone) cannot know the token, and the gate checks it.
      if (typeof line.invocation !== "string" || line.invocation === "" || typeof line.token !== "string") return null;
      trail = { invocationId: line.invocation, token: line.token, entries: [], closed: false };
      continue;
    }
    if (line.done === true) trail.closed = true;
    const e = line.entry;
    if (e && typeof e.message === "string" && LEVELS.has(e.level as string) && Array.isArray(e.extras)) {
      trail.entries.push({ level: e.level as LogEntry["level"], message: e.message, extras: e.extras, timestamp: Number(e.timestamp) || Date.now() });
    }
  }
  return trail;
}

/** Every secret of the account (the isolate may hold any of them), for redaction. */
async function accountSecrets(env: Env, accountId: string): Promise<NotedSecret[]> {
  const infos = await listSecrets(env, accountId);
  const values = await Promise.all(infos.map((i) => readSecretValue(env, accountId, i.key).then((s): NotedSecret => [s.key, s.value], () => null)));
  return values.filter((v): v is NotedSecret => v !== null);
}

export class LogTail extends WorkerEntrypoint<Env, LogTailProps> {
  override async tail(events: TraceItem[]) {
    const { accountId } = this.ctx.props;
    const wanted = events
      .map((item) => trailOf(item.logs))
      .filter((t): t is Trail => t !== null && t.entries.length > 0 && (!t.closed || awaited.has(t.invocationId)));
    if (wanted.length === 0) return;
    const redact = redactorFor(await accountSecrets(this.env, accountId));
    for (const t of wanted) {
      awaited.delete(t.invocationId);
      const logs = redact(limitLogs(t.entries.filter((e) => e.level !== "Debug")).entries) as StoredLog[];
      try {
        await dataPlaneOf(accountId).amendLogs(accountId, t.invocationId, t.token, logs);
      } catch (error) {
        console.error(JSON.stringify({ msg: "could not add the runtime's logs to an invocation record", accountId, invocationId: t.invocationId, error: String(error) }));
      }
    }
  }
}
