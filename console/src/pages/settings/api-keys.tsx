// Settings › API keys (FaaS-Admin): keys for machines (CI, lpf, scripts), each with any set of the
// roles. A new key is shown once, in a dialog, and dropped from the page's state when it closes;
// the list never holds a key (the API never answers one again). Revoking asks first and shows the
// API's refusal (the account's last Admin key).
import { useState } from "preact/hooks";
import type { Schemas } from "../../../../cli/lib/client-types";
import { Problem } from "../../components/problem";
import { ApiError, call } from "../../lib/api";
import type { Role } from "../../lib/roles";
import { getSession } from "../../lib/session";
import { useApi } from "../../lib/use-api";
import "./access.css";
import { ConfirmDialog } from "./confirm-dialog";
import { OneTimeSecret } from "./one-time-secret";
import { RoleChoice, roleNames } from "./role-choice";
import { WhenBy } from "../../components/when-by";

type ApiKey = Schemas["ApiKey"];

function KeyCreate({ onCreated }: { onCreated: (created: { name: string; key: string }) => void }) {
  const [name, setName] = useState("");
  const [roles, setRoles] = useState<Role[]>(["FaaS-Invocation"]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    if (roles.length === 0) return setError("Choose at least one role.");
    setBusy(true);
    setError("");
    try {
      const created = await call("post", "/api/account/{accountId}/api-keys", { body: { name: name.trim(), roles } });
      setName("");
      onCreated({ name: created.name, key: created.key });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="access-form" onSubmit={submit} aria-labelledby="key-create-title">
      <h3 id="key-create-title">Create an API key</h3>
      <label for="key-name">Name</label>
      <input id="key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} autoComplete="off" aria-describedby="key-name-hint" />
      <p id="key-name-hint" class="note">
        What uses it, e.g. “CI deploys” or “order bot”.
      </p>
      <RoleChoice id="key-role" value={roles} onChange={setRoles} />
      <p class="error" role="alert">
        {error}
      </p>
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create the key"}
      </button>
    </form>
  );
}

export function ApiKeys() {
  const [reload, setReload] = useState(0);
  // The one moment a key exists in the page: from its creation until its dialog closes.
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [notice, setNotice] = useState("");
  const list = useApi(() => call("get", "/api/account/{accountId}/api-keys"), [reload]);
  const me = getSession();
  const refresh = (message: string) => {
    setNotice(message);
    setReload((n) => n + 1);
  };

  return (
    <section aria-labelledby="tab-title" class="access">
      <h2 id="tab-title">API keys</h2>
      <p class="note">Keys for machines: CI, lpf, scripts. Each acts with its roles until it is revoked. A key is shown only when it is created.</p>
      <p class="access-notice" role="status">
        {notice}
      </p>
      {list.error && <Problem error={list.error} what="the API keys" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && list.data.length === 0 && <p>No API keys.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table class="access-table" data-testid="api-keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Roles</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((k) => (
                <tr key={k.id} data-testid="key-row">
                  <th scope="row">{k.name}</th>
                  <td data-label="Roles">{roleNames(k.roles)}</td>
                  <td data-label="Created">
                    <WhenBy at={k.createdAt} by={k.createdBy} dateOnly />
                  </td>
                  <td>
                    <button type="button" class="secondary danger-text" onClick={() => setRevoking(k)}>
                      Revoke<span class="sr-only"> {k.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <KeyCreate
        onCreated={(c) => {
          setCreated(c);
          refresh(`The key ${c.name} was created.`);
        }}
      />

      {created && (
        <OneTimeSecret title={`API key ${created.name}`} fields={[{ label: "API key", value: created.key }]} onClose={() => setCreated(null)}>
          <p class="note">
            Send it as <code>Authorization: Bearer &lt;key&gt;</code>. Keep it in a secret store, not in code.
          </p>
        </OneTimeSecret>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke the key ${revoking.name}?`}
          action="Revoke the key"
          busy="Revoking…"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await call("delete", "/api/account/{accountId}/api-keys/{id}", { params: { id: revoking.id } });
            refresh(`The key ${revoking.name} was revoked.`);
          }}
        >
          <p>It stops working at once, everywhere it is used. This cannot be undone.</p>
          {me?.kind === "key" && me.name === revoking.name && <p class="access-warning">If this is the key this console signed in with, you will be signed out.</p>}
        </ConfirmDialog>
      )}
    </section>
  );
}
