// Settings › Email reports: how often the account's usage report is mailed (the Admin's: read and
// written with email-report:*) and who receives it (Admin and Developer: email-recipients:*). Each
// part is shown only to the roles that may read it, and changed only by those that may write it;
// the API's message for a refused value is shown at its field.
import { useEffect, useState } from "preact/hooks";
import type { Schemas } from "../../../../cli/lib/client-types";
import { ConfirmAction } from "../../components/confirm-action";
import { Problem } from "../../components/problem";
import { shortActor } from "../../components/status";
import { ApiError, call } from "../../lib/api";
import { can } from "../../lib/roles";
import { getSession } from "../../lib/session";
import { useApi } from "../../lib/use-api";
import "./settings-tabs.css";
import { WhenBy } from "../../components/when-by";

type Frequency = Schemas["EmailReportSettings"]["frequency"];

const FREQUENCIES: { id: Frequency; label: string }[] = [
  { id: "None", label: "None (no report)" },
  { id: "Daily", label: "Daily" },
  { id: "Weekly", label: "Weekly" },
];

const messageOf = (err: unknown) => (err instanceof ApiError ? err.message : String(err));

function ReportFrequency({ writable }: { writable: boolean }) {
  const settings = useApi(() => call("get", "/api/account/{accountId}/email-report"), []);
  const [shown, setShown] = useState(settings.data);
  const [frequency, setFrequency] = useState<Frequency>("None");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (!settings.data) return;
    setShown(settings.data);
    setFrequency(settings.data.frequency);
  }, [settings.data]);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const saved = await call("put", "/api/account/{accountId}/email-report", { body: { frequency } });
      setShown(saved);
      setStatus({ ok: true, text: `Saved: ${FREQUENCIES.find((f) => f.id === saved.frequency)?.label ?? saved.frequency}.` });
    } catch (err) {
      setStatus({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="st-block" aria-labelledby="er-settings-title">
      <h3 id="er-settings-title">Report</h3>
      {settings.error && <Problem error={settings.error} what="the report's settings" />}
      {shown && (
        <form class="st-form" onSubmit={save} noValidate>
          <label for="er-frequency">How often</label>
          <div class="st-row">
            <select id="er-frequency" value={frequency} disabled={!writable} onChange={(e) => setFrequency(e.currentTarget.value as Frequency)} aria-describedby="er-frequency-note er-frequency-status">
              {FREQUENCIES.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
            {writable && (
              <button type="submit" disabled={busy || frequency === shown.frequency}>
                {busy ? "Saving…" : "Save"}
              </button>
            )}
          </div>
          <p id="er-frequency-note" class="note">
            {shown.updatedAt ? `Last changed ${new Date(shown.updatedAt).toLocaleString()} by ${shortActor(shown.updatedBy ?? "")}.` : "Never changed."}
          </p>
          <p id="er-frequency-status" class={status?.ok === false ? "error" : "st-status"} role="status" data-testid="frequency-status">
            {status?.text ?? ""}
          </p>
        </form>
      )}
    </section>
  );
}

function Recipients({ writable }: { writable: boolean }) {
  const [version, setVersion] = useState(0);
  const list = useApi(() => call("get", "/api/account/{accountId}/email-report/recipients"), [version]);
  const [email, setEmail] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const reload = () => setVersion((v) => v + 1);

  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const added = await call("post", "/api/account/{accountId}/email-report/recipients", { body: { email: email.trim() } });
      setEmail("");
      setStatus({ ok: true, text: `Added ${added.email}.` });
      reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }
  async function remove(address: string) {
    try {
      await call("delete", "/api/account/{accountId}/email-report/recipients/{email}", { params: { email: address } });
      setStatus({ ok: true, text: `Removed ${address}.` });
    } catch (err) {
      setStatus({ ok: false, text: `Could not remove ${address}: ${messageOf(err)}` });
    }
    reload();
  }

  const recipients = list.data ?? [];
  return (
    <section class="st-block" aria-labelledby="er-recipients-title">
      <h3 id="er-recipients-title">Recipients</h3>
      {writable && (
        <form class="st-form" onSubmit={add} noValidate>
          <label for="er-email">Email address</label>
          <div class="st-row">
            <input
              id="er-email"
              type="email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              autocomplete="off"
              placeholder="ops@example.com"
              aria-describedby="er-email-error"
              aria-invalid={error ? "true" : undefined}
            />
            <button type="submit" disabled={busy}>
              {busy ? "Adding…" : "Add recipient"}
            </button>
          </div>
          <p id="er-email-error" class="error" aria-live="polite" data-testid="email-error">
            {error}
          </p>
        </form>
      )}
      <p class={status?.ok === false ? "error" : "st-status"} role="status">
        {status?.text ?? ""}
      </p>
      {list.error && <Problem error={list.error} what="the recipients" />}
      {list.data && recipients.length === 0 && <p>No recipients: the report goes to no one.</p>}
      {recipients.length > 0 && (
        <div class="table-wrap">
          <table class="st-table">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Added</th>
                {writable && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {recipients.map((r) => (
                <tr key={r.email} data-testid="recipient-row">
                  <th scope="row">{r.email}</th>
                  <td>
                    <WhenBy at={r.createdAt} by={r.createdBy} />
                  </td>
                  {writable && (
                    <td>
                      <ConfirmAction
                        label="Remove"
                        ariaLabel={`Remove ${r.email}`}
                        question={`Stop sending the report to ${r.email}?`}
                        confirm="Yes, remove"
                        busy="Removing…"
                        onConfirm={() => remove(r.email)}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function EmailReports() {
  const session = getSession();
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">Email reports</h2>
      <p class="note">A summary of the account's invocations and failures, mailed to the recipients below.</p>
      {can(session, "email-report:read") && <ReportFrequency writable={can(session, "email-report:write")} />}
      {can(session, "email-recipients:read") && <Recipients writable={can(session, "email-recipients:write")} />}
    </section>
  );
}
