// The function's environment variables as name/value rows: editable for those who may write the
// function, a plain list for the others. The values are not secrets (secrets live in Settings).
import { Fragment } from "preact";
import type { EnvVar } from "./function-draft";

interface Props {
  env: EnvVar[];
  readOnly: boolean;
  error?: string;
  onChange: (env: EnvVar[]) => void;
}

export function EnvVars({ env, readOnly, error, onChange }: Props) {
  const set = (i: number, part: Partial<EnvVar>) => onChange(env.map((v, j) => (j === i ? { ...v, ...part } : v)));
  return (
    <section class="fn-panel" aria-labelledby="fn-env-title">
      <h2 id="fn-env-title">Environment variables</h2>
      {env.length === 0 && <p class="note">None.</p>}
      {readOnly ? (
        env.length > 0 && (
          <dl class="facts fn-env-list">
            {env.map((v) => (
              <Fragment key={v.key}>
                <dt>{v.key}</dt>
                <dd>{v.value || "—"}</dd>
              </Fragment>
            ))}
          </dl>
        )
      ) : (
        <>
          <ul class="fn-env" aria-describedby={error ? "fn-env-error" : undefined}>
            {env.map((v, i) => (
              <li key={i}>
                <input aria-label={`Name of variable ${i + 1}`} value={v.key} placeholder="NAME" spellcheck={false} autocomplete="off" aria-invalid={error ? true : undefined} onInput={(e) => set(i, { key: e.currentTarget.value })} />
                <input aria-label={`Value of variable ${i + 1}`} value={v.value} placeholder="value" spellcheck={false} autocomplete="off" onInput={(e) => set(i, { value: e.currentTarget.value })} />
                <button type="button" class="secondary" aria-label={`Remove variable ${i + 1}${v.key ? ` (${v.key})` : ""}`} onClick={() => onChange(env.filter((_, j) => j !== i))}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
          <button type="button" class="secondary" onClick={() => onChange([...env, { key: "", value: "" }])}>
            Add variable
          </button>
        </>
      )}
      <p id="fn-env-error" class="error" role={error ? "alert" : undefined}>
        {error ?? ""}
      </p>
    </section>
  );
}
