// Create or edit a schedule: a deployed function, a cron expression and an IANA time zone. The
// expression is checked by the server as it is typed (debounced) and the next five runs it would
// give are previewed; the API's message for a bad expression or zone is shown at its field.
// Leaving the page with unsaved changes asks first (a link of the console, a reload or closing the tab).
import { useEffect, useMemo, useState } from "preact/hooks";
import { Problem } from "../components/problem";
import { ApiError, call } from "../lib/api";
import { can } from "../lib/roles";
import { Link, navigate } from "../lib/router";
import { getSession } from "../lib/session";
import { useApi } from "../lib/use-api";
import { useLeaveGuard } from "../lib/leave-guard";
import { fieldOf, useCronPreview } from "./schedule-preview";
import { timeZones, viewerZone } from "./schedule-time";
import { When } from "./schedule-when";
import "./schedules.css";

interface Draft {
  lambdaUUID: string;
  cronExpression: string;
  timeZone: string;
  description: string;
}

const DEPLOYED = ["Productive", "Modified"];

export function ScheduleEdit({ id }: { id?: string }) {
  const writer = can(getSession(), "schedule:write");
  const title = id ? "Edit schedule" : "New schedule";
  if (!writer) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        <p>Your role may read schedules but not create or change them.</p>
        <Link href="/schedules">Back to the schedules</Link>
      </section>
    );
  }
  return <ScheduleForm id={id} title={title} />;
}

function ScheduleForm({ id, title }: { id?: string; title: string }) {
  const existing = useApi(() => (id ? call("get", "/api/account/{accountId}/schedules/{id}", { params: { id } }) : Promise.resolve(null)), [id]);
  const functions = useApi(() => call("get", "/api/account/{accountId}/lambdas"), []);
  const zones = useMemo(timeZones, []);

  const blank: Draft = { lambdaUUID: "", cronExpression: "", timeZone: zones.includes(viewerZone()) ? viewerZone() : "UTC", description: "" };
  const [initial, setInitial] = useState<Draft>(blank);
  const [draft, setDraft] = useState<Draft>(blank);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<{ field: string; message: string } | null>(null);

  // An existing schedule fills the form once it has loaded.
  useEffect(() => {
    const s = existing.data;
    if (!s) return;
    const loaded = { lambdaUUID: s.lambdaUUID, cronExpression: s.cronExpression, timeZone: s.timeZone, description: s.description };
    setInitial(loaded);
    setDraft(loaded);
  }, [existing.data]);

  const dirty = (Object.keys(draft) as (keyof Draft)[]).some((k) => draft[k] !== initial[k]);
  useLeaveGuard(dirty && !saving, "Leave this schedule without saving your changes?");

  const preview = useCronPreview(draft.cronExpression, draft.timeZone);
  const set = (field: keyof Draft) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setDraft((d) => ({ ...d, [field]: value }));
    if (saveError?.field === field) setSaveError(null);
  };

  // The functions that can be scheduled: deployed ones, and the one an existing schedule names.
  const choices = (functions.data ?? []).filter((f) => DEPLOYED.includes(f.state) || f.uuid === initial.lambdaUUID).sort((a, b) => a.name.localeCompare(b.name));

  async function save(e: Event) {
    e.preventDefault();
    if (!draft.lambdaUUID) return setSaveError({ field: "lambdaUUID", message: "Choose the function to run." });
    setSaving(true);
    setSaveError(null);
    const body = { lambdaUUID: draft.lambdaUUID, cronExpression: draft.cronExpression, timeZone: draft.timeZone, description: draft.description };
    try {
      if (id) await call("put", "/api/account/{accountId}/schedules/{id}", { params: { id }, body });
      else await call("post", "/api/account/{accountId}/schedules", { body });
      setInitial(draft); // saved: leaving no longer warns
      navigate("/schedules");
    } catch (err) {
      const message = err instanceof ApiError ? err.message : String(err);
      const field = err instanceof ApiError && err.status === 400 ? fieldOf(message) : "other";
      setSaveError({ field, message });
    } finally {
      setSaving(false);
    }
  }

  const cronError = (saveError?.field === "cronExpression" && saveError.message) || preview.cronError || "";
  const zoneError = (saveError?.field === "timeZone" && saveError.message) || preview.zoneError || "";
  const fnError = saveError?.field === "lambdaUUID" ? saveError.message : "";
  const formError = saveError && !["cronExpression", "timeZone", "lambdaUUID"].includes(saveError.field) ? saveError.message : "";

  return (
    <section aria-labelledby="page-title" class="schedules">
      <h1 id="page-title" tabIndex={-1}>
        {title}
        {dirty && <span class="note"> · unsaved changes</span>}
      </h1>
      {existing.error && <Problem error={existing.error} what="the schedule" />}
      {functions.error && <Problem error={functions.error} what="the functions" />}
      {id && !existing.data && existing.loading && <p aria-live="polite">Loading…</p>}
      {(!id || existing.data) && (
        <form class="sch-form" onSubmit={save} noValidate>
          <label for="sch-fn">Function</label>
          <select id="sch-fn" value={draft.lambdaUUID} onChange={set("lambdaUUID")} aria-describedby="sch-fn-error" aria-invalid={fnError ? "true" : undefined}>
            <option value="">{functions.loading ? "Loading…" : choices.length ? "Choose a deployed function" : "No deployed function"}</option>
            {choices.map((f) => (
              <option key={f.uuid} value={f.uuid}>
                {f.name}
                {DEPLOYED.includes(f.state) ? "" : ` (${f.state})`}
              </option>
            ))}
          </select>
          <p id="sch-fn-error" class="error" aria-live="polite">
            {fnError}
          </p>

          <label for="sch-cron">Cron expression</label>
          <input
            id="sch-cron"
            value={draft.cronExpression}
            onInput={set("cronExpression")}
            autocomplete="off"
            spellcheck={false}
            placeholder="*/15 * * * *"
            aria-describedby="sch-cron-hint sch-cron-error"
            aria-invalid={cronError ? "true" : undefined}
          />
          <p id="sch-cron-hint" class="sch-hint">
            Five fields: minute hour day-of-month month day-of-week, e.g. <code>0 9 * * 1-5</code> (09:00 Monday to Friday).
          </p>
          <p id="sch-cron-error" class="error" aria-live="polite" data-testid="cron-error">
            {cronError}
          </p>

          <label for="sch-zone">Time zone</label>
          <select id="sch-zone" value={draft.timeZone} onChange={set("timeZone")} aria-describedby="sch-zone-error" aria-invalid={zoneError ? "true" : undefined}>
            {!zones.includes(draft.timeZone) && <option value={draft.timeZone}>{draft.timeZone}</option>}
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          <p id="sch-zone-error" class="error" aria-live="polite">
            {zoneError}
          </p>

          <label for="sch-desc">Description (optional)</label>
          <input id="sch-desc" value={draft.description} onInput={set("description")} maxLength={200} />

          <section class="sch-preview" aria-labelledby="sch-preview-title" aria-live="polite" data-testid="schedule-preview">
            <h2 id="sch-preview-title">Next five runs</h2>
            {preview.checking && <p class="note">Checking…</p>}
            {!preview.checking && !preview.runs && <p class="note">{preview.error ?? (draft.cronExpression.trim() ? "Fix the expression to see its runs." : "Type a cron expression to see when it runs.")}</p>}
            {!preview.checking && preview.runs && preview.runs.length === 0 && <p class="note">This expression never runs again.</p>}
            {!preview.checking && preview.runs && preview.runs.length > 0 && (
              <ol>
                {preview.runs.map((iso) => (
                  <li key={iso}>
                    <When iso={iso} zone={draft.timeZone} />
                  </li>
                ))}
              </ol>
            )}
          </section>

          <p class="error" role="alert">
            {formError}
          </p>
          <div class="sch-buttons">
            <button type="submit" disabled={saving}>
              {saving ? "Saving…" : id ? "Save schedule" : "Create schedule"}
            </button>
            <Link href="/schedules">Cancel</Link>
          </div>
        </form>
      )}
    </section>
  );
}
