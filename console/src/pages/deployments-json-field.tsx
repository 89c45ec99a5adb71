// A labelled textarea holding JSON, with its own message under it: what is wrong and where, as the
// person types. `check` adds a rule of the field's own (e.g. headers must be a list of {key, value}).
import type { KeyboardEventHandler } from "preact";

export type JsonCheck = (value: unknown) => string | null;

/** The message for `text`, or null when it is valid JSON that passes `check`. */
export function jsonProblem(text: string, check?: JsonCheck): string | null {
  if (text.trim() === "") return "Enter JSON here (for nothing, write null).";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `This is not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
  return check ? check(value) : null;
}

interface Props {
  id: string;
  label: string;
  hint?: string;
  value: string;
  rows: number;
  problem: string | null;
  onInput: (text: string) => void;
  onKeyDown?: KeyboardEventHandler<HTMLTextAreaElement>;
}

export function JsonField({ id, label, hint, value, rows, problem, onInput, onKeyDown }: Props) {
  const described = [hint && `${id}-hint`, `${id}-problem`].filter(Boolean).join(" ");
  return (
    <div>
      <label for={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} class="desc">
          {hint}
        </p>
      )}
      <textarea
        id={id}
        rows={rows}
        spellcheck={false}
        value={value}
        aria-invalid={problem ? "true" : "false"}
        aria-describedby={described}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <p id={`${id}-problem`} class="error" aria-live="polite">
        {problem ?? ""}
      </p>
    </div>
  );
}

/** Headers as LivePerson's test sends them: a list of {key, value}, each key a non-empty string. */
export const checkHeaders: JsonCheck = (value) => {
  if (!Array.isArray(value)) return 'Headers are a list: [{"key": "X-Name", "value": "..."}], or [] for none.';
  const bad = value.findIndex((h) => typeof h !== "object" || h === null || typeof (h as { key?: unknown }).key !== "string" || (h as { key: string }).key === "" || !("value" in h));
  return bad === -1 ? null : `Header ${bad + 1} needs a non-empty "key" and a "value".`;
};
