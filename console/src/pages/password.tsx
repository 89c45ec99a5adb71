// A signed-in user's own password (the header's "Change password"), for every role: the form is
// the Settings code's (settings/password.tsx), but this page is outside Settings, which a
// FaaS-Invocation user is not offered.
import { ChangePassword } from "./settings/password";

export function PasswordPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Your password
      </h1>
      <ChangePassword />
    </section>
  );
}
