// A CodeMirror editor as a Preact component. The text is owned by the page (`value`/`onChange`);
// CodeMirror is loaded on first use, with "Loading the editor…" meanwhile.
import { useEffect, useRef, useState } from "preact/hooks";
import type { EditorHandle } from "./codemirror";
import { loadCodeMirror } from "./load";

interface Props {
  value: string;
  onChange: (value: string) => void;
  language: "javascript" | "json";
  label: string;
  readOnly: boolean;
  testId?: string;
}

export function CodeEditor({ value, onChange, language, label, readOnly, testId }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const handle = useRef<EditorHandle | null>(null);
  // The latest callback and value, read by the editor's listener and the late mount without re-creating it.
  const latest = useRef({ onChange, value });
  latest.current = { onChange, value };
  const [failed, setFailed] = useState<string | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let live = true;
    loadCodeMirror().then(
      (cm) => {
        if (!live || !host.current) return;
        handle.current = cm.mountEditor(host.current, { doc: latest.current.value, language, label, readOnly, onChange: (doc) => latest.current.onChange(doc) });
        setReady(true);
      },
      (e: unknown) => live && setFailed(String(e)),
    );
    return () => {
      live = false;
      handle.current?.destroy();
      handle.current = null;
    };
  }, [language, label, readOnly]);

  useEffect(() => handle.current?.setDoc(value), [value]);

  return (
    <div class="code-editor" data-testid={testId} data-ready={ready ? "true" : undefined}>
      {!ready && !failed && <p class="note">Loading the editor…</p>}
      {failed && (
        <p class="error" role="alert">
          The editor could not be loaded ({failed}). Reload the page to try again.
        </p>
      )}
      <div ref={host} />
    </div>
  );
}
