// A modal dialog (the native <dialog>: focus kept inside, Escape closes it, the page behind is
// inert) for the editor's deploy review and its confirmations. Mounted when shown, unmounted when
// closed, so each opening starts fresh.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

let next = 0;

export function Dialog({ title, onClose, wide, testId, children }: { title: string; onClose: () => void; wide?: boolean; testId?: string; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`fn-dialog-${++next}`).current;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={`fn-dialog${wide ? " wide" : ""}`}
      aria-labelledby={id}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault(); // Escape: close through the owner, which unmounts the dialog
        onClose();
      }}
    >
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

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
      <div class="fn-dialog-actions">
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
