// A read-only unified diff of two versions of a function's code (CodeMirror's merge view, loaded
// on first use): lines of `original` that went are shown on red above the lines that replaced them.
import { useEffect, useRef, useState } from "preact/hooks";
import { loadCodeMirror } from "./load";

export function DiffView({ original, changed, label, testId }: { original: string; changed: string; label: string; testId?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let destroy: (() => void) | undefined;
    loadCodeMirror().then(
      (cm) => {
        if (!live || !host.current) return;
        destroy = cm.mountDiff(host.current, { original, changed, label });
        setReady(true);
      },
      (e: unknown) => live && setFailed(String(e)),
    );
    return () => {
      live = false;
      destroy?.();
    };
  }, [original, changed, label]);

  return (
    <div class="diff-view" data-testid={testId} data-ready={ready ? "true" : undefined}>
      {original === changed && <p class="note">No difference: the code is the same.</p>}
      {!ready && !failed && <p class="note">Loading the diff…</p>}
      {failed && (
        <p class="error" role="alert">
          The diff could not be loaded ({failed}).
        </p>
      )}
      <div ref={host} />
      {ready && original !== changed && <p class="note diff-legend">Removed lines are shown on red, above the lines that replace them, on green; the changed words are marked.</p>}
    </div>
  );
}
