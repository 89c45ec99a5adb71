// The invocation answers the local front proxy passed on, kept for a short while: after a restart
// of the runtime the supervisor hands them to the platform with its restart notice, so that an
// invocation answered just before the runtime died (its record not yet written) is recorded as its
// caller saw it, never as a PLATFORM_FAILURE that contradicts the answer (src/gate/reclaim.ts).
// The Worker names each answer's invocations and outcome in X-Invocation-Id and X-Edgefn-Outcome
// (src/api/invoke.ts).

const STATUSES = new Set(["SUCCEEDED", "CODING_FAILURE", "TIMEOUT", "PLATFORM_FAILURE"]);
const ID = /^[0-9a-f-]{36}$/;

/**
 * keepMs: how long an answer is remembered (a record is written about 50 ms after its answer, so
 * this is ample); max: how many at most (the oldest go first).
 */
export function answerLog({ keepMs = 30_000, max = 2000 } = {}) {
  const answers = new Map(); // invocation id -> { status, errorCode, at }, oldest first
  const forget = (now) => {
    for (const [id, a] of answers) {
      if (a.at >= now - keepMs && answers.size <= max) break;
      answers.delete(id);
    }
  };
  return {
    /** Notes an answer from its (lower-case) response headers; ignores anything else. */
    note(headers, now = Date.now()) {
      const outcome = headers["x-edgefn-outcome"];
      const ids = headers["x-invocation-id"];
      if (typeof outcome !== "string" || typeof ids !== "string") return;
      const [status, errorCode = null] = outcome.split(" ");
      if (!STATUSES.has(status)) return;
      for (const id of ids.split(",")) {
        if (!ID.test(id)) continue;
        answers.delete(id);
        answers.set(id, { status, errorCode, at: now });
      }
      forget(now);
    },
    /** The answers passed on up to `until` and within keepMs before it, by invocation id. */
    until(until = Date.now()) {
      const out = {};
      for (const [id, a] of answers) if (a.at <= until && a.at >= until - keepMs) out[id] = a;
      return out;
    },
  };
}
