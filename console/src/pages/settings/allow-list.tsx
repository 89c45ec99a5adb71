// Settings › Allow-list: the hosts the account's functions may reach with fetch(). An Admin adds,
// edits and deletes entries, and sees the API's message for a refused domain at the field; a
// Developer reads the list (proxy:write is the Admin's alone).
//
// The API has no PUT for an entry, so an edit adds the new domain first and removes the old one only
// once the new one is stored: a refused edit leaves the list as it was, and nothing is lost.
import { useState } from "preact/hooks";
import type { Schemas } from "../../../../cli/lib/client-types";
import { ConfirmAction } from "../../components/confirm-action";
import { Problem } from "../../components/problem";
import { ApiError, call } from "../../lib/api";
import { can } from "../../lib/roles";
import { getSession } from "../../lib/session";
import { useApi } from "../../lib/use-api";
import { InlineValueForm } from "./inline-value-form";
import "./settings-tabs.css";
import { WhenBy } from "../../components/when-by";

type Entry = Schemas["ProxySetting"];

function DomainAdd({ onAdded }: { onAdded: (domain: string) => void }) {
  const [domain, setDomain] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const stored = await call("post", "/api/account/{accountId}/proxy-settings", { body: { domain } });
      setDomain("");
      onAdded(stored.domain);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="st-form" onSubmit={add} noValidate aria-labelledby="al-add-title">
      <h3 id="al-add-title">Add a domain</h3>
      <label for="al-domain">Domain</label>
      <div class="st-row">
        <input
          id="al-domain"
          value={domain}
          onInput={(e) => setDomain(e.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
          placeholder="api.example.com"
          aria-describedby="al-domain-hint al-domain-error"
          aria-invalid={error ? "true" : undefined}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add"}
        </button>
      </div>
      <p id="al-domain-hint" class="note">
        A host (<code>api.example.com</code>), <code>*.example.com</code> for any of its subdomains, or an IP address; optionally with <code>:port</code>.
      </p>
      <p id="al-domain-error" class="error" aria-live="polite" data-testid="domain-error">
        {error}
      </p>
    </form>
  );
}

export function AllowList() {
  const writer = can(getSession(), "proxy:write");
  const [version, setVersion] = useState(0);
  const list = useApi(() => call("get", "/api/account/{accountId}/proxy-settings"), [version]);
  const [editing, setEditing] = useState<number | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const reload = () => setVersion((v) => v + 1);

  async function replace(entry: Entry, domain: string) {
    if (domain.trim().toLowerCase() === entry.domain) return setEditing(null);
    const stored = await call("post", "/api/account/{accountId}/proxy-settings", { body: { domain } });
    await call("delete", "/api/account/{accountId}/proxy-settings/{id}", { params: { id: String(entry.id) } });
    setEditing(null);
    setStatus({ ok: true, text: `Changed ${entry.domain} to ${stored.domain}.` });
    reload();
  }
  async function remove(entry: Entry) {
    try {
      await call("delete", "/api/account/{accountId}/proxy-settings/{id}", { params: { id: String(entry.id) } });
      setStatus({ ok: true, text: `Removed ${entry.domain}. Functions can no longer reach it.` });
    } catch (err) {
      setStatus({ ok: false, text: `Could not remove ${entry.domain}: ${err instanceof ApiError ? err.message : String(err)}` });
    }
    reload();
  }

  const entries = list.data ?? [];
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">Allow-list</h2>
      <p class="note">The hosts your functions may reach with fetch(). Every other host is refused. A change applies to the next outbound request.</p>
      {!writer && (
        <p class="note" data-testid="read-only">
          Read-only: only an Admin may change the allow-list.
        </p>
      )}
      {writer && (
        <DomainAdd
          onAdded={(domain) => {
            setStatus({ ok: true, text: `Added ${domain}.` });
            reload();
          }}
        />
      )}
      <p class={status?.ok === false ? "error" : "st-status"} role="status">
        {status?.text ?? ""}
      </p>
      {list.error && <Problem error={list.error} what="the allow-list" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && entries.length === 0 && <p>No domains yet: functions cannot reach any host.</p>}
      {entries.length > 0 && (
        <div class="table-wrap">
          <table class="st-table">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Added</th>
                {writer && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} data-testid="domain-row">
                  <th scope="row">
                    {editing === entry.id ? (
                      <InlineValueForm
                        id={`al-edit-${entry.id}`}
                        label={`New domain for ${entry.domain}`}
                        initial={entry.domain}
                        submit="Save"
                        busy="Saving…"
                        onSave={(domain) => replace(entry, domain)}
                        onCancel={() => setEditing(null)}
                      />
                    ) : (
                      <code>{entry.domain}</code>
                    )}
                  </th>
                  <td>
                    <WhenBy at={entry.createdAt} by={entry.createdBy} />
                  </td>
                  {writer && (
                    <td>
                      {editing !== entry.id && (
                        <span class="st-actions">
                          <button type="button" class="secondary" onClick={() => setEditing(entry.id)} aria-label={`Edit ${entry.domain}`}>
                            Edit
                          </button>
                          <ConfirmAction
                            label="Delete"
                            ariaLabel={`Delete ${entry.domain}`}
                            question={`Remove ${entry.domain}? Functions will no longer reach it.`}
                            confirm="Yes, remove"
                            busy="Removing…"
                            onConfirm={() => remove(entry)}
                          />
                        </span>
                      )}
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
