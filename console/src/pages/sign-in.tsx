// Sign-in: a user name and password (POST /login, LivePerson's contract), or an API key; GET /me
// tells the console who that is and what they may do. Afterwards the person goes back to the page
// they came from.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../lib/api";
import { Link, navigate, useLocation } from "../lib/router";
import { lastAccountId, setSession } from "../lib/session";

type Mode = "user" | "key";

/** Only a path of this console: never an absolute URL someone put into ?next=. */
function safeNext(next: string | null) {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/sign-in") ? next : "/";
}

function explain(error: unknown, mode: Mode) {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 401) return mode === "user" ? "The user name or the password is wrong." : "This API key is not accepted for this account.";
  if (error.status === 429) {
    const minutes = error.retryAfter ? Math.ceil(error.retryAfter / 60) : 15;
    return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  if (error.status === 404) return "There is no such account.";
  return error.message;
}

export function SignIn() {
  const { query } = useLocation();
  const [mode, setMode] = useState<Mode>("user");
  const [accountId, setAccountId] = useState(lastAccountId());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const ended = query.has("ended");
  const changed = query.has("changed");

  useEffect(() => {
    document.title = "Sign in · edgefn";
    heading.current?.focus();
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const account = accountId.trim();
    setBusy(true);
    setError("");
    try {
      // A user signs in for a bearer; a key is its own. GET /me then names either, with its roles
      // and the actions they allow (an invalid key is refused there).
      const token =
        mode === "user"
          ? (
              await call(
                "post",
                "/api/account/{accountId}/login",
                { query: { v: "1.3" }, body: { username: String(form.get("username")).trim(), password: String(form.get("password")) } },
                { session: false, accountId: account },
              )
            ).bearer
          : String(form.get("apiKey")).trim();
      const me = await call("get", "/api/account/{accountId}/me", {}, { session: false, accountId: account, token });
      setSession({
        accountId: account,
        token,
        kind: mode,
        roles: me.roles,
        permissions: me.permissions,
        name: mode === "user" ? me.name : `API key ${me.name}`,
        expiresAt: me.expiresAt ?? undefined,
      });
      navigate(safeNext(query.get("next")), { replace: true });
    } catch (err) {
      setError(explain(err, mode));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate={false}>
        <h1 id="sign-in-title" tabIndex={-1} ref={heading}>
          Sign in to edgefn
        </h1>
        {ended && !error && <p class="note">Your session has ended. Sign in again to go back to where you were.</p>}
        {changed && !error && <p class="note">Your password is changed, and every session of yours has ended. Sign in with the new password.</p>}
        <label for="accountId">Account id</label>
        <input id="accountId" name="accountId" required inputMode="numeric" autoComplete="organization" value={accountId} onInput={(e) => setAccountId(e.currentTarget.value)} />
        <fieldset>
          <legend>Sign in with</legend>
          <label class="choice">
            <input type="radio" name="mode" value="user" checked={mode === "user"} onChange={() => setMode("user")} /> User name and password
          </label>
          <label class="choice">
            <input type="radio" name="mode" value="key" checked={mode === "key"} onChange={() => setMode("key")} /> API key
          </label>
        </fieldset>
        {mode === "user" ? (
          <>
            <label for="username">User name</label>
            <input id="username" name="username" required autoComplete="username" />
            <label for="password">Password</label>
            <input id="password" name="password" type="password" required autoComplete="current-password" />
          </>
        ) : (
          <>
            <label for="apiKey">API key</label>
            <input id="apiKey" name="apiKey" type="password" required autoComplete="off" spellcheck={false} />
          </>
        )}
        <p role="alert" class="error" aria-live="assertive">
          {error}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p class="note">
          Invited by an Admin? <Link href="/invitation">Set your password with the invitation</Link>.
        </p>
      </form>
    </main>
  );
}
