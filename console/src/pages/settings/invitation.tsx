// Accepting an invitation, for a person without a session yet: the account id, the one-time token an
// Admin gave them (pasted, never taken from the address, where it would stay in the history and in
// logs) and the password they choose: POST /invitation. Then they sign in with it.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../../lib/api";
import { Link } from "../../lib/router";
import { lastAccountId } from "../../lib/session";
import "./access.css";

export function AcceptInvitation() {
  const [error, setError] = useState<{ field: "token" | "password" | "repeat" | "form"; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = "Accept an invitation · edgefn";
    heading.current?.focus();
  }, [done]);

  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const password = String(data.get("password"));
    if (password !== String(data.get("repeat"))) return setError({ field: "repeat", message: "The two passwords differ." });
    setBusy(true);
    setError(null);
    try {
      const accountId = String(data.get("accountId")).trim();
      const body = { token: String(data.get("token")).trim(), password };
      const accepted = await call("post", "/api/account/{accountId}/invitation", { body }, { session: false, accountId });
      form.reset();
      setDone(accepted.loginName);
    } catch (err) {
      const message = err instanceof ApiError ? err.message : String(err);
      const status = err instanceof ApiError ? err.status : 0;
      setError({ field: status === 401 ? "token" : status === 400 && /password/i.test(message) ? "password" : "form", message });
    } finally {
      setBusy(false);
    }
  }

  const errorOf = (field: string) => (error?.field === field ? error.message : "");
  if (done) {
    return (
      <main id="main" class="sign-in">
        <div class="card">
          <h1 tabIndex={-1} ref={heading}>
            Your password is set
          </h1>
          <p>
            Sign in as <strong>{done}</strong> with it.
          </p>
          <Link href="/sign-in">Sign in</Link>
        </div>
      </main>
    );
  }
  return (
    <main id="main" class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="invitation-title">
        <h1 id="invitation-title" tabIndex={-1} ref={heading}>
          Accept an invitation
        </h1>
        <p class="note">An Admin of the account gave you a one-time invitation token (efi_…). It works once, within 7 days.</p>
        <label for="invitation-account">Account id</label>
        <input id="invitation-account" name="accountId" required inputMode="numeric" autoComplete="organization" defaultValue={lastAccountId()} />
        <label for="invitation-token">Invitation token</label>
        <input id="invitation-token" name="token" type="password" required autoComplete="off" spellcheck={false} aria-describedby="invitation-token-error" />
        <p id="invitation-token-error" class="error access-field-error" aria-live="polite">
          {errorOf("token")}
        </p>
        <label for="invitation-password">Your new password</label>
        <input id="invitation-password" name="password" type="password" required autoComplete="new-password" aria-describedby="invitation-password-hint invitation-password-error" />
        <p id="invitation-password-hint" class="note">
          12 to 256 characters, not your login name.
        </p>
        <p id="invitation-password-error" class="error access-field-error" aria-live="polite">
          {errorOf("password")}
        </p>
        <label for="invitation-repeat">The new password again</label>
        <input id="invitation-repeat" name="repeat" type="password" required autoComplete="new-password" aria-describedby="invitation-repeat-error" />
        <p id="invitation-repeat-error" class="error access-field-error" aria-live="polite">
          {errorOf("repeat")}
        </p>
        <p class="error" role="alert">
          {errorOf("form")}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Setting the password…" : "Set my password"}
        </button>
        <p>
          <Link href="/sign-in">Back to sign-in</Link>
        </p>
      </form>
    </main>
  );
}
