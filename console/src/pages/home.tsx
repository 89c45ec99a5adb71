// Home: the account at a glance, from GET /reports/summary (functions by state against the limit,
// this month's invocations against the fair-use figure, outcomes, the last 24 hours) and the
// activity stream for the roles that may read it.
import { call } from "../lib/api";
import { can } from "../lib/roles";
import { useSession } from "../lib/session";
import { useApi } from "../lib/use-api";
import { DayChart, type Hour } from "../components/day-chart";
import { formatNumber, shortActor, STATUS_LABEL } from "../components/status";
import { UsageBar } from "../components/usage-bar";
import { Link } from "../lib/router";
import { Problem } from "../components/problem";

const FAILURES = ["CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"] as const;

export function Home() {
  const session = useSession();
  const summary = useApi(() => call("get", "/api/account/{accountId}/reports/summary"), []);
  const s = summary.data;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Home
      </h1>
      {summary.error && <Problem error={summary.error} what="the account's summary" />}
      {!s && summary.loading && <p aria-live="polite">Loading…</p>}
      {s && (
        <div class="tiles">
          <article class="tile" aria-labelledby="t-functions">
            <h2 id="t-functions">Functions</h2>
            <UsageBar value={s.functions.total} limit={s.functions.limit} label="allowed" testId="functions-total" />
            <dl class="counts">
              {(["Draft", "Productive", "Modified"] as const).map((state) => (
                <div key={state}>
                  <dt>{state}</dt>
                  <dd data-testid={`functions-${state}`}>{formatNumber(s.functions[state])}</dd>
                </div>
              ))}
            </dl>
            <Link href="/functions">All functions</Link>
          </article>
          <article class="tile" aria-labelledby="t-invocations">
            <h2 id="t-invocations">Invocations in {s.invocationsThisMonth.month}</h2>
            <UsageBar value={s.invocationsThisMonth.admitted} limit={s.invocationsThisMonth.fairUse} label="(fair use)" testId="invocations-month" />
            <p class="note">{s.invocationsThisMonth.enforced ? "The monthly quota is enforced: invocations over it are refused." : "Fair use is reported, not enforced."}</p>
            <p>
              Running now: <span data-testid="running-now">{formatNumber(s.running.now)}</span> of {formatNumber(s.running.limit)}
            </p>
          </article>
          <article class="tile" aria-labelledby="t-failures">
            <h2 id="t-failures">Failures this month</h2>
            <dl class="counts">
              {FAILURES.map((status) => (
                <div key={status}>
                  <dt>{STATUS_LABEL[status]}</dt>
                  <dd data-testid={`outcome-${status}`}>{formatNumber(s.outcomesThisMonth[status])}</dd>
                </div>
              ))}
            </dl>
            <p>
              Succeeded: <span data-testid="outcome-SUCCEEDED">{formatNumber(s.outcomesThisMonth.SUCCEEDED)}</span>
            </p>
          </article>
          <article class="tile wide" aria-labelledby="t-day">
            <h2 id="t-day">Last 24 hours</h2>
            <DayChart hours={s.last24Hours as Hour[]} />
          </article>
        </div>
      )}
      {can(session, "activity:read") && <RecentActivity />}
    </section>
  );
}

function RecentActivity() {
  const activity = useApi(() => call("get", "/api/account/{accountId}/activities", { query: { limit: 10 } }), []);
  return (
    <section class="activity" aria-labelledby="t-activity">
      <h2 id="t-activity">Recent activity</h2>
      {activity.error && <Problem error={activity.error} what="the activity stream" />}
      {activity.data && activity.data.items.length === 0 && <p>Nothing has happened in this account yet.</p>}
      {activity.data && activity.data.items.length > 0 && (
        <ol class="events">
          {activity.data.items.map((a) => (
            <li key={a.id}>
              <time dateTime={a.at}>{new Date(a.at).toLocaleString()}</time> <span class="actor" title={a.actor}>{shortActor(a.actor)}</span> <span>{a.summary}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
