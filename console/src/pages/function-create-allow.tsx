// The create wizard's optional second step: a domain the new function will call, added to the
// account's outbound allow-list (POST /proxy-settings), with the API's validation message at the
// field. Only an Admin may write the allow-list: anyone else is told so and goes on.
import { useState } from "preact/hooks";
import { ApiError, call } from "../lib/api";
import { can } from "../lib/roles";
import { useSession } from "../lib/session";
import { useApi } from "../lib/use-api";

export function AllowListStep() {
  const session = useSession();
  const mayRead = can(session, "proxy:read");
  const mayWrite = can(session, "proxy:write");
  const [added, setAdded] = useState<string[]>([]);
  const list = useApi(() => (mayRead ? call("get", "/api/account/{accountId}/proxy-settings") : Promise.resolve([])), [mayRead, added.length]);
  const [domain, setDomain] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const entry = await call("post", "/api/account/{accountId}/proxy-settings", { body: { domain: domain.trim() } });
      setAdded((a) => [...a, entry.domain]);
      setDomain("");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="fc-allow">
      <p>
        A function may call only the domains on the account's allow-list. If this one will call an API, add its domain now, or later in Settings. This step is optional.
      </p>
      {mayWrite ? (
        <form onSubmit={add} class="fc-allow-form" noValidate>
          <label for="fc-domain">Domain</label>
          <p id="fc-domain-hint" class="note">
            A host name (api.example.com), *.example.com for every subdomain, or an IP address.
          </p>
          <div class="fc-row">
            <input id="fc-domain" value={domain} autocomplete="off" spellcheck={false} aria-invalid={error ? true : undefined} aria-describedby={`fc-domain-hint${error ? " fc-domain-error" : ""}`} onInput={(e) => setDomain(e.currentTarget.value)} />
            <button type="submit" class="secondary" disabled={busy || domain.trim() === ""}>
              {busy ? "Adding…" : "Add to allow-list"}
            </button>
          </div>
          <p id="fc-domain-error" class="error" role={error ? "alert" : undefined}>
            {error}
          </p>
          {added.length > 0 && (
            <p role="status" class="fc-added">
              Added: {added.join(", ")}.
            </p>
          )}
        </form>
      ) : (
        <p class="note" data-testid="allow-list-read-only">
          Your role may not change the allow-list: an Admin adds domains (Settings → Allow-list). Skip this step.
        </p>
      )}
      {mayRead && list.data && (
        <p class="note">
          On the allow-list now: {list.data.length ? list.data.map((d) => d.domain).join(", ") : "nothing yet"}.
        </p>
      )}
    </div>
  );
}
