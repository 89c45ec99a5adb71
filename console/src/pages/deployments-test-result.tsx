// What one test run answered: the outcome and HTTP status, the duration, the result (pretty-printed
// JSON, shown as text) or the error, the function's logs with their levels (Debug included), and a
// link to this invocation's entries on the Logs page.
import { STATUS_LABEL, type Status } from "../components/status";
import { Link } from "../lib/router";
import type { TestRun } from "./deployments-run";

const pretty = (value: unknown) => (value === undefined ? "(nothing)" : JSON.stringify(value, null, 2));

export function TestResult({ run }: { run: TestRun }) {
  const label = STATUS_LABEL[run.outcome as Status] ?? "Not run";
  return (
    <section class="ft-result" aria-labelledby="ft-result-title" data-testid="ft-result">
      <h2 id="ft-result-title">Result</h2>
      <dl class="facts">
        <dt>Outcome</dt>
        <dd>
          <span class={`badge ${run.ok ? "ok" : "failed"}`} data-testid="ft-outcome">
            {label}
          </span>
        </dd>
        <dt>HTTP status</dt>
        <dd data-testid="ft-status">{run.httpStatus || "no answer"}</dd>
        <dt>Duration</dt>
        <dd data-testid="ft-duration">{run.durationMs === undefined ? "—" : `${run.durationMs} ms`}</dd>
        {run.invocationId && (
          <>
            <dt>Invocation</dt>
            <dd>
              <code>{run.invocationId}</code>
            </dd>
          </>
        )}
      </dl>
      {run.ok ? (
        <>
          <h3>Returned</h3>
          <pre class="ft-json" data-testid="ft-returned">
            {pretty(run.result)}
          </pre>
        </>
      ) : (
        <div class="dep-failure">
          <p class="dep-cause" data-testid="ft-error">
            {run.errorMsg}
          </p>
          {run.errorCode && (
            <p class="desc">
              <code>{run.errorCode}</code>
            </p>
          )}
        </div>
      )}
      <h3>Logs ({run.logs.length})</h3>
      {run.logs.length === 0 ? (
        <p class="note">The function wrote no logs.</p>
      ) : (
        <ul class="ft-logs" data-testid="ft-logs">
          {run.logs.map((entry, i) => (
            <li key={i} class={`level-${entry.level}`}>
              <span class="level">{entry.level}</span> {entry.message}
              {entry.extras.length > 0 && <pre class="ft-json">{pretty(entry.extras)}</pre>}
            </li>
          ))}
        </ul>
      )}
      {run.requestId && run.invocationId && (
        <p>
          <Link href={`/logs?requestId=${encodeURIComponent(run.requestId)}`}>This invocation's stored logs</Link>{" "}
          <span class="desc">(Debug entries are kept for tests only)</span>
        </p>
      )}
    </section>
  );
}
