// Settings › OAuth clients (FaaS-Admin): OAuth2 clients for external systems (LivePerson's
// Sentinel). A client trades its id and secret for an access token that may invoke the account's
// functions (FaaS-Invocation). The secret is shown once, in a dialog, and dropped when it closes.
import { useState } from "preact/hooks";
import type { Schemas } from "../../../../cli/lib/client-types";
import { Problem } from "../../components/problem";
import { ApiError, call } from "../../lib/api";
import { getSession } from "../../lib/session";
import { useApi } from "../../lib/use-api";
import "./access.css";
import { ConfirmDialog } from "./confirm-dialog";
import { OneTimeSecret } from "./one-time-secret";
import { WhenBy } from "../../components/when-by";

type Client = Schemas["OAuthClient"];

function ClientCreate({ onCreated }: { onCreated: (created: Client & { clientSecret: string }) => void }) {
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const created = await call("post", "/api/account/{accountId}/oauth-clients", { body: { name: name.trim() } });
      setName("");
      onCreated(created);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="access-form" onSubmit={submit} aria-labelledby="client-create-title">
      <h3 id="client-create-title">Create an OAuth client</h3>
      <label for="client-name">Name</label>
      <input id="client-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} autoComplete="off" />
      <p class="error" role="alert">
        {error}
      </p>
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create the client"}
      </button>
    </form>
  );
}

export function OAuthClients() {
  const [reload, setReload] = useState(0);
  const [created, setCreated] = useState<(Client & { clientSecret: string }) | null>(null);
  const [deleting, setDeleting] = useState<Client | null>(null);
  const [notice, setNotice] = useState("");
  const list = useApi(() => call("get", "/api/account/{accountId}/oauth-clients"), [reload]);
  const refresh = (message: string) => {
    setNotice(message);
    setReload((n) => n + 1);
  };
  const tokenUrl = `${location.origin}/sentinel/api/account/${getSession()?.accountId ?? ""}/app/token`;

  return (
    <section aria-labelledby="tab-title" class="access">
      <h2 id="tab-title">OAuth clients</h2>
      <p class="note">
        External systems (LivePerson's Sentinel) trade a client's id and secret for an access token at <code class="access-break">{tokenUrl}</code>{" "}
        (client_credentials). The token may invoke this account's functions (FaaS-Invocation).
      </p>
      <p class="access-notice" role="status">
        {notice}
      </p>
      {list.error && <Problem error={list.error} what="the OAuth clients" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && list.data.length === 0 && <p>No OAuth clients.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table class="access-table" data-testid="oauth-clients">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Client id</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => (
                <tr key={c.id} data-testid="client-row">
                  <th scope="row">{c.name}</th>
                  <td data-label="Client id">
                    <code class="access-break">{c.clientId}</code>
                    <div class="desc">scope {c.scope}</div>
                  </td>
                  <td>
                    <WhenBy at={c.createdAt} by={c.createdBy} dateOnly />
                  </td>
                  <td>
                    <button type="button" class="secondary danger-text" onClick={() => setDeleting(c)}>
                      Delete<span class="sr-only"> {c.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <ClientCreate
        onCreated={(c) => {
          setCreated(c);
          refresh(`The client ${c.name} was created.`);
        }}
      />

      {created && (
        <OneTimeSecret
          title={`OAuth client ${created.name}`}
          fields={[
            { label: "Client id", value: created.clientId },
            { label: "Client secret", value: created.clientSecret },
          ]}
          onClose={() => setCreated(null)}
        >
          <p class="note">The client id stays in the list; the secret is shown only here.</p>
        </OneTimeSecret>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the client ${deleting.name}?`}
          action="Delete the client"
          busy="Deleting…"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await call("delete", "/api/account/{accountId}/oauth-clients/{id}", { params: { id: deleting.id } });
            refresh(`The client ${deleting.name} was deleted.`);
          }}
        >
          <p>It gets no new tokens, and the tokens it has stop working at once. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
