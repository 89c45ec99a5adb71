// Adding a user: a login name, any set of the roles, and either a password now or a one-time
// invitation (the person sets the password with it). The API checks the password's rule (12-256
// characters, not the login name) and its message is shown next to the field.
import { useState } from "preact/hooks";
import type { Schemas } from "../../../../cli/lib/client-types";
import { ApiError, call } from "../../lib/api";
import type { Role } from "../../lib/roles";
import { RoleChoice } from "./role-choice";

type Created = Schemas["User"] & { invitation?: Schemas["Invitation"] };

export function UserCreate({ onCreated }: { onCreated: (user: Created) => void }) {
  const [loginName, setLoginName] = useState("");
  const [roles, setRoles] = useState<Role[]>(["FaaS-Developer"]);
  const [how, setHow] = useState<"password" | "invitation">("password");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<{ field: "loginName" | "roles" | "password" | "form"; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (roles.length === 0) return setError({ field: "roles", message: "Choose at least one role." });
    setBusy(true);
    setError(null);
    try {
      const body = { loginName: loginName.trim(), roles, ...(how === "password" ? { password } : {}) };
      const created = await call("post", "/api/account/{accountId}/users", { body });
      setLoginName("");
      setPassword("");
      onCreated(created);
    } catch (err) {
      const message = err instanceof ApiError ? err.message : String(err);
      const field = /password/i.test(message) && how === "password" ? "password" : /loginName|login name/i.test(message) ? "loginName" : "form";
      setError({ field, message });
    } finally {
      // The password is not kept after a failed attempt either once the form is left: it lives only in this field.
      setBusy(false);
    }
  }

  const errorOf = (field: string) => (error?.field === field ? error.message : "");
  return (
    <form class="access-form" onSubmit={submit} aria-labelledby="user-create-title">
      <h3 id="user-create-title">Add a user</h3>
      <label for="user-login">Login name</label>
      <input
        id="user-login"
        value={loginName}
        onInput={(e) => setLoginName(e.currentTarget.value)}
        required
        maxLength={100}
        autoComplete="off"
        spellcheck={false}
        aria-invalid={errorOf("loginName") ? true : undefined}
        aria-describedby="user-login-error"
      />
      <p id="user-login-error" class="error access-field-error" aria-live="polite">
        {errorOf("loginName")}
      </p>
      <RoleChoice id="user-create-role" value={roles} onChange={setRoles} />
      <p class="error" role="alert">
        {errorOf("roles")}
      </p>
      <fieldset>
        <legend>First sign-in</legend>
        <label class="choice">
          <input type="radio" name="user-how" checked={how === "password"} onChange={() => setHow("password")} /> Set a password now
        </label>
        <label class="choice">
          <input type="radio" name="user-how" checked={how === "invitation"} onChange={() => setHow("invitation")} /> Send a one-time invitation (valid 7 days): the person chooses the password
        </label>
      </fieldset>
      {how === "password" && (
        <>
          <label for="user-password">Password</label>
          <input
            id="user-password"
            type="password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
            autoComplete="new-password"
            aria-invalid={errorOf("password") ? true : undefined}
            aria-describedby="user-password-hint user-password-error"
          />
          <p id="user-password-hint" class="note">
            12 to 256 characters, not the login name.
          </p>
          <p id="user-password-error" class="error access-field-error" aria-live="polite">
            {errorOf("password")}
          </p>
        </>
      )}
      <p class="error" role="alert">
        {errorOf("form")}
      </p>
      <button type="submit" disabled={busy}>
        {busy ? "Adding…" : how === "password" ? "Add the user" : "Add and invite"}
      </button>
    </form>
  );
}
