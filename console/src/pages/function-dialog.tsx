// The editor's confirmation (restore, delete), in the console's dialog (components/dialog.tsx).
import { Dialog } from "../components/dialog";

/** "Are you sure?" for a destructive action, with its progress and the API's refusal. */
export function ConfirmDialog(props: { title: string; text: string; confirmLabel: string; busyLabel: string; busy: boolean; error?: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Dialog title={props.title} onClose={props.onCancel} testId="confirm">
      <p>{props.text}</p>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" class="danger" disabled={props.busy} onClick={props.onConfirm}>
          {props.busy ? props.busyLabel : props.confirmLabel}
        </button>
        <button type="button" class="secondary" disabled={props.busy} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
