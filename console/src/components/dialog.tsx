// The console's modal dialog: the browser's own <dialog> opened with showModal(), so focus stays
// inside, the page behind is inert and Escape asks to close. Mounted when shown and unmounted when
// closed (each opening starts fresh); Escape calls onClose and the owner decides, so a dialog
// whose work is under way (a deploy) can stay open. Used by the editor's deploy review and
// confirmations and by the access tabs.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

interface Props {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** "alertdialog" for a confirmation: screen readers announce it as one. */
  role?: "dialog" | "alertdialog";
  /** Room for a diff (the deploy review). */
  wide?: boolean;
  testId?: string;
}

let next = 0;

export function Dialog({ title, onClose, children, role, wide, testId }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [titleId] = useState(() => `dialog-${++next}`);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? "dialog wide" : "dialog"}
      aria-labelledby={titleId}
      role={role}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault(); // Escape: through the owner, which unmounts the dialog (or keeps it while busy)
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
