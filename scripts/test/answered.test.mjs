// The front proxy's memory of the answers it passed on (scripts/lib/answered.mjs): what the
// supervisor hands to the platform after a restart, so records agree with the answers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { answerLog } from "../lib/answered.mjs";

const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

test("notes each invocation of an answer with its outcome, and ignores answers that name none", () => {
  const log = answerLog();
  log.note({ "x-invocation-id": id(1), "x-edgefn-outcome": "SUCCEEDED" }, 1000);
  log.note({ "x-invocation-id": `${id(2)},${id(3)}`, "x-edgefn-outcome": "SUCCEEDED" }, 1001);
  log.note({ "x-invocation-id": id(4), "x-edgefn-outcome": "CODING_FAILURE com.liveperson.faas.handler.custom-failure" }, 1002);
  log.note({ "x-invocation-id": id(5) }, 1003); // not an invocation answer
  log.note({ "x-invocation-id": id(6), "x-edgefn-outcome": "FORGED" }, 1003);
  log.note({ "x-invocation-id": "not-an-id", "x-edgefn-outcome": "SUCCEEDED" }, 1003);
  assert.deepEqual(log.until(1002), {
    [id(1)]: { status: "SUCCEEDED", errorCode: null, at: 1000 },
    [id(2)]: { status: "SUCCEEDED", errorCode: null, at: 1001 },
    [id(3)]: { status: "SUCCEEDED", errorCode: null, at: 1001 },
    [id(4)]: { status: "CODING_FAILURE", errorCode: "com.liveperson.faas.handler.custom-failure", at: 1002 },
  });
  assert.deepEqual(Object.keys(log.until(1000)), [id(1)], "only what was answered up to the restart");
});

test("keeps at most `max` answers and none older than keepMs", () => {
  const now = Date.now();
  const log = answerLog({ keepMs: 1000, max: 3 });
  for (let n = 1; n <= 5; n++) log.note({ "x-invocation-id": id(n), "x-edgefn-outcome": "SUCCEEDED" }, now);
  assert.deepEqual(Object.keys(log.until(now)), [id(3), id(4), id(5)]);
  log.note({ "x-invocation-id": id(6), "x-edgefn-outcome": "SUCCEEDED" }, now - 5000);
  assert.equal(log.until(now)[id(6)], undefined, "an answer older than keepMs is forgotten");
});
