// A one-field form inside a list row: a domain's new spelling, a secret's new value. The API's
// message for a refused value is shown under the field; Escape or Cancel leaves the row as it was.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../lib/api";

interface Props {
  id: string;
  label: string;
  initial?: string;
  /** A secret: a masked text field (not type=password, which password managers offer to store), or a textarea for JSON. */
  secret?: boolean;
  multiline?: boolean;
  submit: string;
  busy: string;
  onSave: (value: string) => Promise<void>;
  onCancel: () => void;
}

export function InlineValueForm({ id, label, initial = "", secret, multiline, submit, busy, onSave, onCancel }: Props) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState("");
  const [saving, setSaving] = useState(false);
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);

  async function save(e: Event) {
    e.preventDefault();
    setSaving(true);
    setError("");
    try {
      await onSave(value);
      setValue(""); // a secret's value leaves the page's state as soon as it is stored
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setSaving(false);
    }
  }
  const common = {
    id,
    ref: field,
    value,
    autocomplete: secret ? "off" : undefined,
    // A secret's value is painted over in the tests' screenshots (console/test/fixtures.mjs).
    "data-secret": secret ? true : undefined,
    spellcheck: false,
    "aria-describedby": `${id}-error`,
    "aria-invalid": error ? ("true" as const) : undefined,
    onInput: (e: { currentTarget: { value: string } }) => setValue(e.currentTarget.value),
  };
  return (
    <form class="st-inline" onSubmit={save} onKeyDown={(e) => e.key === "Escape" && onCancel()} noValidate>
      <label for={id}>{label}</label>
      {multiline ? <textarea {...common} rows={4} /> : <input {...common} type="text" class={secret ? "st-masked" : undefined} />}
      <p id={`${id}-error`} class="error" aria-live="polite">
        {error}
      </p>
      <span class="st-actions">
        <button type="submit" disabled={saving}>
          {saving ? busy : submit}
        </button>
        <button type="button" class="secondary" disabled={saving} onClick={onCancel}>
          Cancel
        </button>
      </span>
    </form>
  );
}
