// The account's schedules: which function runs when (cron and time zone), the next run in the
// viewer's zone and in the schedule's, the last run's outcome, and whether it is paused. Roles with
// schedule:write may pause, resume, run now, edit and delete; the others only read.
import type { Schemas } from "../../../cli/lib/client-types";
import { ConfirmAction } from "../components/confirm-action";
import { Problem } from "../components/problem";
import { ApiError, call } from "../lib/api";
import { can } from "../lib/roles";
import { Link } from "../lib/router";
import { getSession } from "../lib/session";
import { useApi } from "../lib/use-api";
import { useState } from "preact/hooks";
import { When } from "./schedule-when";
import "./schedules.css";

type Schedule = Schemas["Schedule"];
type RunNow = Schemas["ScheduleRunNow"];

/** What the last action did, for the live region above the list. */
interface Outcome {
  ok: boolean;
  text: string;
}

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

function runText(name: string, run: RunNow): Outcome {
  const ok = run.status === "succeeded";
  const parts = [`Run now of ${name}: ${run.status}`];
  if (run.invocationStatus) parts.push(`(${run.invocationStatus})`);
  if (run.errorMsg) parts.push(`— ${run.errorMsg}`);
  if (run.invocationId) parts.push(`· invocation ${run.invocationId}`);
  return { ok, text: parts.join(" ") };
}

export function Schedules() {
  const writer = can(getSession(), "schedule:write");
  const [version, setVersion] = useState(0);
  const list = useApi(() => call("get", "/api/account/{accountId}/schedules"), [version]);
  const functions = useApi(() => call("get", "/api/account/{accountId}/lambdas"), []);
  const names = new Map((functions.data ?? []).map((f) => [f.uuid, f.name]));
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const reload = () => setVersion((v) => v + 1);
  const nameOf = (s: Schedule) => names.get(s.lambdaUUID) ?? s.lambdaUUID;

  async function act(s: Schedule, what: string, action: () => Promise<Outcome>) {
    setBusy(`${s.id}:${what}`);
    try {
      setOutcome(await action());
    } catch (e) {
      setOutcome({ ok: false, text: `${what} of ${nameOf(s)} failed: ${errorText(e)}` });
    } finally {
      setBusy(null);
      reload();
    }
  }

  const setActive = (s: Schedule, isActive: boolean) =>
    act(s, isActive ? "Resume" : "Pause", async () => {
      await call("put", "/api/account/{accountId}/schedules/{id}", { params: { id: s.id }, body: { isActive } });
      return { ok: true, text: `${isActive ? "Resumed" : "Paused"} the schedule of ${nameOf(s)}.` };
    });
  const runNow = (s: Schedule) => act(s, "Run now", async () => runText(nameOf(s), await call("post", "/api/account/{accountId}/schedules/{id}/run", { params: { id: s.id } })));
  const remove = (s: Schedule) =>
    act(s, "Delete", async () => {
      await call("delete", "/api/account/{accountId}/schedules/{id}", { params: { id: s.id } });
      return { ok: true, text: `Deleted the schedule of ${nameOf(s)}.` };
    });

  const rows = list.data ?? [];
  return (
    <section aria-labelledby="page-title" class="schedules">
      <div class="sch-head">
        <h1 id="page-title" tabIndex={-1}>
          Schedules
        </h1>
        {writer && (
          <Link class="sch-new" href="/schedules/new">
            New schedule
          </Link>
        )}
      </div>
      <p class="note">Deployed functions run on a cron expression in a time zone. Times are shown in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}) and, when it differs, in the schedule's.</p>
      <p class={outcome?.ok === false ? "error" : "sch-outcome"} role="status" data-testid="schedule-outcome">
        {outcome?.text ?? ""}
      </p>
      {list.error && <Problem error={list.error} what="the schedules" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && rows.length === 0 && <p>No schedules yet.{writer ? " Create one to run a deployed function on a timetable." : ""}</p>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table class="sch-table">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col">Cron</th>
                <th scope="col">Time zone</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">State</th>
                {writer && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => {
                const last = s.lastRuns[0];
                const name = nameOf(s);
                return (
                  <tr key={s.id} data-testid="schedule-row" data-id={s.id}>
                    <th scope="row" data-label="Function">
                      {writer ? <Link href={`/schedules/${encodeURIComponent(s.id)}`}>{name}</Link> : name}
                      {s.description && <div class="desc">{s.description}</div>}
                    </th>
                    <td data-label="Cron">
                      <code>{s.cronExpression}</code>
                    </td>
                    <td data-label="Time zone">{s.timeZone}</td>
                    <td data-label="Next run" data-testid="next-run">
                      {s.nextExecution ? <When iso={s.nextExecution} zone={s.timeZone} /> : <span class="note">none while paused</span>}
                    </td>
                    <td data-label="Last run" data-testid="last-run">
                      {last ? (
                        <>
                          <span class={`badge sch-run-${last.status}`}>{last.status}</span>
                          {last.kind === "manual" && <span class="desc"> run now</span>}
                          {(last.finishedAt ?? last.startedAt) && <div class="desc">{new Date((last.finishedAt ?? last.startedAt)!).toLocaleString()}</div>}
                          {last.errorCode && <div class="desc">{last.errorCode}</div>}
                        </>
                      ) : (
                        <span class="note">never</span>
                      )}
                    </td>
                    <td data-label="State" data-testid="state">
                      <span class={`badge ${s.isActive ? "sch-active" : "sch-paused"}`}>{s.isActive ? "Active" : "Paused"}</span>
                      {s.pausedReason && <div class="desc">{s.pausedReason}</div>}
                    </td>
                    {writer && (
                      <td data-label="Actions" class="sch-actions">
                        <button type="button" class="secondary" disabled={busy !== null} onClick={() => setActive(s, !s.isActive)} aria-label={`${s.isActive ? "Pause" : "Resume"} ${name}`}>
                          {busy === `${s.id}:${s.isActive ? "Pause" : "Resume"}` ? (s.isActive ? "Pausing…" : "Resuming…") : s.isActive ? "Pause" : "Resume"}
                        </button>
                        <button type="button" class="secondary" disabled={busy !== null} onClick={() => runNow(s)} aria-label={`Run now: ${name}`}>
                          {busy === `${s.id}:Run now` ? "Running…" : "Run now"}
                        </button>
                        <Link class="sch-edit" href={`/schedules/${encodeURIComponent(s.id)}`} aria-label={`Edit the schedule of ${name}`}>
                          Edit
                        </Link>
                        <ConfirmAction
                          label="Delete"
                          ariaLabel={`Delete the schedule of ${name}`}
                          question={`Delete the schedule of ${name} and its run history?`}
                          confirm="Yes, delete"
                          busy="Deleting…"
                          onConfirm={() => remove(s)}
                        />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
