// One function: for now what the list knows, read-only. The editor, versions and deploy come later.
import { Problem } from "../components/problem";
import { shortActor } from "../components/status";
import { call } from "../lib/api";
import { Link } from "../lib/router";
import { useApi } from "../lib/use-api";

export function FunctionDetail({ uuid }: { uuid: string }) {
  const one = useApi(() => call("get", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid } }), [uuid]);
  const f = one.data?.[0];
  return (
    <section aria-labelledby="page-title">
      <p>
        <Link href="/functions">← Functions</Link>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        {f ? f.name : "Function"}
      </h1>
      {one.error && <Problem error={one.error} what="the function" />}
      {f && (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd>
              <span class={`badge ${f.state.toLowerCase()}`}>{f.state}</span>
            </dd>
            <dt>Description</dt>
            <dd>{f.description || "—"}</dd>
            <dt>Event</dt>
            <dd>{f.eventId ?? "—"}</dd>
            <dt>Version</dt>
            <dd>{f.version}</dd>
            <dt>Last change</dt>
            <dd>
              {new Date(f.updatedAt).toLocaleString()} by <span title={f.updatedBy}>{shortActor(f.updatedBy)}</span>
            </dd>
          </dl>
          <p class="note">The editor, versions and deployment of a function come in a later version of the console.</p>
        </>
      )}
    </section>
  );
}
