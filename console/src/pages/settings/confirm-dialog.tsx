// A confirmation before a destructive action (delete a user, revoke a key...). It stays open while
// the API works, and shows the API's refusal in place (the last Admin, a concurrent change), so the
// person reads why instead of seeing the dialog vanish.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError } from "../../lib/api";
import { Dialog } from "../../components/dialog";

interface Props {
  title: string;
  children: ComponentChildren;
  /** The confirming button's words, e.g. "Delete the user", and while it works, e.g. "Deleting…". */
  action: string;
  busy: string;
  /** Closes the dialog when done, unless it answers false (it opened another dialog in its place). */
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

export function ConfirmDialog({ title, children, action, busy, onConfirm, onClose }: Props) {
  const [working, setWorking] = useState(false);
  const [error, setError] = useState("");
  const confirm = async () => {
    setWorking(true);
    setError("");
    try {
      if ((await onConfirm()) !== false) onClose();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setWorking(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} role="alertdialog">
      {children}
      <p class="error" role="alert">
        {error}
      </p>
      <div class="dialog-actions">
        <button type="button" class="danger" onClick={confirm} disabled={working}>
          {working ? busy : action}
        </button>
        <button type="button" class="secondary" onClick={onClose} disabled={working}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
