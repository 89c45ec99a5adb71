// Changing a user's roles, in a dialog. The API ends the user's sessions with the change (they were
// granted under the old roles) and refuses to take Admin from the account's last Admin: its
// message is shown here.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Schemas } from "../../../../cli/lib/client-types";
import { ApiError, call } from "../../lib/api";
import type { Role } from "../../lib/roles";
import { Dialog } from "../../components/dialog";
import { RoleChoice } from "./role-choice";

interface Props {
  user: Schemas["User"];
  /** Shown above the buttons (e.g. that these are the signed-in user's own roles). */
  note?: ComponentChildren;
  onSaved: (user: Schemas["User"]) => void;
  onClose: () => void;
}

export function UserRoles({ user, note, onSaved, onClose }: Props) {
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    if (roles.length === 0) return setError("Choose at least one role.");
    setBusy(true);
    setError("");
    try {
      onSaved(await call("put", "/api/account/{accountId}/users/{id}", { params: { id: user.id }, body: { roles } }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Roles of ${user.loginName}`} onClose={onClose}>
      <form onSubmit={save}>
        <RoleChoice id="user-edit-role" value={roles} onChange={setRoles} />
        <p class="note">Saving a change ends the user's sessions: they sign in again with the new roles.</p>
        {note}
        <p class="error" role="alert">
          {error}
        </p>
        <div class="dialog-actions">
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save the roles"}
          </button>
          <button type="button" class="secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
