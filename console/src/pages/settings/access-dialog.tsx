// A modal dialog for the access tabs (users, API keys, OAuth clients): the browser's own <dialog>,
// opened with showModal() so focus stays inside, Escape closes it and the page behind is inert.
// Closing it in any way calls onClose, which drops whatever it showed from the page's state.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

interface Props {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** "alertdialog" for a confirmation: screen readers announce it as one. */
  role?: "dialog" | "alertdialog";
}

let next = 0;

export function AccessDialog({ title, onClose, children, role }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [titleId] = useState(() => `access-dialog-${++next}`);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const closed = () => closeRef.current();
    dialog.addEventListener("close", closed);
    return () => {
      dialog.removeEventListener("close", closed);
      if (dialog.open) dialog.close();
    };
  }, []);

  return (
    <dialog ref={ref} class="access-dialog" aria-labelledby={titleId} role={role}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
