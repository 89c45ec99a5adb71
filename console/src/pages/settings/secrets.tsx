// Settings › Secrets: the account's secrets by key and type. A value goes one way: typed into a form,
// sent in a request body, and dropped from the page's state as soon as it is stored. The API never
// answers a value, so the list cannot show one; nothing here puts a value in the address or in
// storage. An Admin adds, gives a secret a new value (rotating a credential: functions read the new
// value on their next read) and deletes; a Developer reads the keys (secret:write is the Admin's).
// The value field is a masked text field, not type=password: password managers offer to store those.
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

type Secret = Schemas["Secret"];
type SecretType = Secret["type"];

const TYPES: { id: SecretType; label: string }[] = [
  { id: "string", label: "String" },
  { id: "number", label: "Number" },
  { id: "json", label: "JSON" },
];

function SecretAdd({ onAdded }: { onAdded: (key: string) => void }) {
  const [key, setKey] = useState("");
  const [type, setType] = useState<SecretType>("string");
  const [value, setValue] = useState("");
  const [error, setError] = useState<{ field: "key" | "value" | "form"; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The value is sent as typed; the type makes the server check it as a number or as JSON.
      const stored = await call("post", "/api/account/{accountId}/secrets", { body: { key: key.trim(), type, value } });
      setKey("");
      setValue("");
      setType("string");
      onAdded(stored.key);
    } catch (err) {
      const message = err instanceof ApiError ? err.message : String(err);
      const field = err instanceof ApiError && err.status === 400 ? (message.startsWith("key") ? "key" : "value") : err instanceof ApiError && err.status === 409 ? "key" : "form";
      setError({ field, message });
    } finally {
      setBusy(false);
    }
  }
  const at = (field: string) => (error?.field === field ? error.message : "");
  const valueField = {
    id: "sec-value",
    value,
    autocomplete: "off",
    spellcheck: false,
    "data-secret": true, // painted over in the tests' screenshots (console/test/fixtures.mjs)
    "aria-describedby": "sec-value-hint sec-value-error",
    "aria-invalid": at("value") ? ("true" as const) : undefined,
    onInput: (e: { currentTarget: { value: string } }) => setValue(e.currentTarget.value),
  };
  return (
    <form class="st-form" onSubmit={add} noValidate aria-labelledby="sec-add-title">
      <h3 id="sec-add-title">Add a secret</h3>
      <label for="sec-key">Key</label>
      <input
        id="sec-key"
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
        autocomplete="off"
        spellcheck={false}
        maxLength={100}
        placeholder="CRM_TOKEN"
        aria-describedby="sec-key-hint sec-key-error"
        aria-invalid={at("key") ? "true" : undefined}
      />
      <p id="sec-key-hint" class="note">
        Letters, digits, _ and -, up to 100. Functions read it by this key.
      </p>
      <p id="sec-key-error" class="error" aria-live="polite">
        {at("key")}
      </p>
      <label for="sec-type">Type</label>
      <select id="sec-type" value={type} onChange={(e) => setType(e.currentTarget.value as SecretType)}>
        {TYPES.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </select>
      <label for="sec-value">Value</label>
      {type === "json" ? <textarea {...valueField} rows={4} placeholder='{"clientId": "…"}' /> : <input {...valueField} type="text" class="st-masked" />}
      <p id="sec-value-hint" class="note">
        Once saved, no one can read it back, here or through the API.
      </p>
      <p id="sec-value-error" class="error" aria-live="polite" data-testid="secret-value-error">
        {at("value")}
      </p>
      <p class="error" role="alert">
        {at("form")}
      </p>
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save secret"}
      </button>
    </form>
  );
}

export function Secrets() {
  const writer = can(getSession(), "secret:write");
  const [version, setVersion] = useState(0);
  const list = useApi(() => call("get", "/api/account/{accountId}/secrets"), [version]);
  const [rotating, setRotating] = useState<string | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const reload = () => setVersion((v) => v + 1);

  async function rotate(secret: Secret, value: string) {
    await call("put", "/api/account/{accountId}/secrets/{key}", { params: { key: secret.key }, body: { value, type: secret.type } });
    setRotating(null);
    setStatus({ ok: true, text: `${secret.key} has a new value. Functions read it on their next read.` });
    reload();
  }
  async function remove(secret: Secret) {
    try {
      await call("delete", "/api/account/{accountId}/secrets/{key}", { params: { key: secret.key } });
      setStatus({ ok: true, text: `Deleted ${secret.key}.` });
    } catch (err) {
      setStatus({ ok: false, text: `Could not delete ${secret.key}: ${err instanceof ApiError ? err.message : String(err)}` });
    }
    reload();
  }

  const secrets = list.data ?? [];
  return (
    <section aria-labelledby="tab-title">
      <h2 id="tab-title">Secrets</h2>
      <p class="note">Credentials your functions read at run time. Values are encrypted and never shown again after saving.</p>
      {!writer && (
        <p class="note" data-testid="read-only">
          Read-only: only an Admin may add, change or delete secrets.
        </p>
      )}
      {writer && (
        <SecretAdd
          onAdded={(key) => {
            setStatus({ ok: true, text: `Saved ${key}. Its value will not be shown again.` });
            reload();
          }}
        />
      )}
      <p class={status?.ok === false ? "error" : "st-status"} role="status" data-testid="secrets-status">
        {status?.text ?? ""}
      </p>
      {list.error && <Problem error={list.error} what="the secrets" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && secrets.length === 0 && <p>No secrets yet.</p>}
      {secrets.length > 0 && (
        <div class="table-wrap">
          <table class="st-table">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">Last changed</th>
                {writer && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {secrets.map((s) => (
                <tr key={s.key} data-testid="secret-row">
                  <th scope="row">
                    <code>{s.key}</code>
                  </th>
                  <td>{TYPES.find((t) => t.id === s.type)?.label ?? s.type}</td>
                  <td>
                    <WhenBy at={s.updatedAt} by={s.updatedBy} />
                  </td>
                  {writer && (
                    <td>
                      {rotating === s.key ? (
                        <InlineValueForm
                          id={`sec-rotate-${s.key}`}
                          label={`New value for ${s.key}`}
                          secret
                          multiline={s.type === "json"}
                          submit="Save new value"
                          busy="Saving…"
                          onSave={(value) => rotate(s, value)}
                          onCancel={() => setRotating(null)}
                        />
                      ) : (
                        <span class="st-actions">
                          <button type="button" class="secondary" onClick={() => setRotating(s.key)} aria-label={`Rotate ${s.key}`}>
                            Rotate
                          </button>
                          <ConfirmAction
                            label="Delete"
                            ariaLabel={`Delete ${s.key}`}
                            question={`Delete ${s.key}? From their next read on, functions will not find it.`}
                            confirm="Yes, delete"
                            busy="Deleting…"
                            onConfirm={() => remove(s)}
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
