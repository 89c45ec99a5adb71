// A secret the platform shows only once (an API key, an OAuth client's secret, an invitation): in a
// dialog, with a copy button and the warning that it will not be shown again. The value lives only
// in the props of this dialog; the caller drops it when the dialog closes, so it stays in no state,
// address, storage or log afterwards.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { Dialog } from "../../components/dialog";

export interface SecretField {
  label: string;
  value: string;
}

interface Props {
  title: string;
  fields: SecretField[];
  onClose: () => void;
  children?: ComponentChildren;
}

function CopyField({ field, id }: { field: SecretField; id: string }) {
  const [copied, setCopied] = useState<"" | "yes" | "no">("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      setCopied("yes");
    } catch {
      // Without clipboard access (an insecure origin, a refused permission) the text can still be selected.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied("no");
    }
  };
  return (
    <div class="access-secret-field">
      <label for={id}>{field.label}</label>
      <div class="access-copy-row">
        <input id={id} type="text" readOnly value={field.value} data-secret spellcheck={false} autoComplete="off" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="secondary" onClick={copy}>
          Copy<span class="sr-only"> {field.label}</span>
        </button>
      </div>
      <p class="access-copied" aria-live="polite">
        {copied === "yes" ? "Copied." : copied === "no" ? "The browser refused the clipboard: the text is selected, copy it with Ctrl+C or ⌘C." : ""}
      </p>
    </div>
  );
}

export function OneTimeSecret({ title, fields, onClose, children }: Props) {
  return (
    <Dialog title={title} onClose={onClose}>
      <p class="access-warning" role="note">
        Copy it now: it will not be shown again. The platform keeps only a hash of it.
      </p>
      {fields.map((f, i) => (
        <CopyField key={f.label} field={f} id={`one-time-${i}`} />
      ))}
      {children}
      <div class="dialog-actions">
        <button type="button" onClick={onClose}>
          Done, I have copied it
        </button>
      </div>
    </Dialog>
  );
}
