// Change password, for a signed-in user: POST /password with the login name, the current password
// and the new one (no bearer: the current password is the proof, checked like a sign-in, with the
// same lockout). The change ends every session of the user, this one too, so the console then
// returns to sign-in. The passwords live only in the fields, never in state kept elsewhere.
import { useState } from "preact/hooks";
import { ApiError, call } from "../../lib/api";
import { navigate } from "../../lib/router";
import { getSession, setSession } from "../../lib/session";
import "./access.css";

function explain(error: unknown) {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 401) return "The current password is wrong.";
  if (error.status === 429) {
    const minutes = error.retryAfter ? Math.ceil(error.retryAfter / 60) : 15;
    return `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  return error.message;
}

export function ChangePassword() {
  const session = getSession();
  const [error, setError] = useState<{ field: "current" | "new" | "repeat"; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  if (session?.kind !== "user") {
    return (
      <section aria-labelledby="tab-title">
        <h2 id="tab-title">Change password</h2>
        <p>This console is signed in with an API key, which has no password. Sign in with a user name to change that user's password.</p>
      </section>
    );
  }

  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const password = String(data.get("current"));
    const newPassword = String(data.get("new"));
    if (newPassword !== String(data.get("repeat"))) return setError({ field: "repeat", message: "The two new passwords differ." });
    setBusy(true);
    setError(null);
    try {
      // The user's own password proves it: no bearer, so a 401 here is a wrong password, not an ended session.
      await call("post", "/api/account/{accountId}/password", { body: { username: session!.name, password, newPassword } }, { session: false });
      form.reset();
      setSession(null);
      navigate("/sign-in?changed=1", { replace: true });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setError({ field: status === 400 ? "new" : "current", message: explain(err) });
      setBusy(false);
    }
  }

  const errorOf = (field: string) => (error?.field === field ? error.message : "");
  return (
    <section aria-labelledby="tab-title" class="access">
      <h2 id="tab-title">Change password</h2>
      <form class="access-form" onSubmit={submit}>
        <p class="note">
          For {session.name}. Changing it signs you out everywhere, here too: sign in again with the new password.
        </p>
        <input type="text" name="username" value={session.name} autoComplete="username" hidden readOnly />
        <label for="password-current">Current password</label>
        <input id="password-current" name="current" type="password" required autoComplete="current-password" aria-describedby="password-current-error" />
        <p id="password-current-error" class="error access-field-error" aria-live="polite">
          {errorOf("current")}
        </p>
        <label for="password-new">New password</label>
        <input id="password-new" name="new" type="password" required autoComplete="new-password" aria-describedby="password-new-hint password-new-error" />
        <p id="password-new-hint" class="note">
          12 to 256 characters, not the login name, not the current one.
        </p>
        <p id="password-new-error" class="error access-field-error" aria-live="polite">
          {errorOf("new")}
        </p>
        <label for="password-repeat">New password again</label>
        <input id="password-repeat" name="repeat" type="password" required autoComplete="new-password" aria-describedby="password-repeat-error" />
        <p id="password-repeat-error" class="error access-field-error" aria-live="polite">
          {errorOf("repeat")}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Changing…" : "Change the password"}
        </button>
      </form>
    </section>
  );
}
