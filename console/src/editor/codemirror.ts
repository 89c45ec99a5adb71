// Everything of CodeMirror the console uses, in one module that pages load with import(): it is
// its own chunk (about 160 KB gzipped), kept out of the first load. A code editor (JavaScript with
// syntax-error lint, or JSON) and a read-only unified diff.
import { javascript } from "@codemirror/lang-javascript";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { unifiedMergeView } from "@codemirror/merge";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { syntaxProblem } from "./syntax";

export { syntaxProblem };

export interface EditorOptions {
  doc: string;
  language: "javascript" | "json";
  /** The editing area's accessible name (axe requires one; screen readers announce it). */
  label: string;
  readOnly: boolean;
  onChange: (doc: string) => void;
}

export interface EditorHandle {
  /** Replaces the text unless it is already that (a restore, a reload after saving). */
  setDoc(doc: string): void;
  destroy(): void;
}

const javascriptLint = linter((view): Diagnostic[] => {
  const problem = syntaxProblem(view.state.doc.toString());
  if (!problem) return [];
  const from = Math.min(problem.from, view.state.doc.length);
  const to = Math.min(from + 1, view.state.doc.length);
  return [{ from, to, severity: "error", message: `Syntax error: ${problem.message} (line ${problem.line}, column ${problem.column})` }];
}, { delay: 300 });

// Light in both of the console's schemes: CodeMirror's default token colours (and the diff's tints)
// keep AA contrast only on a light background, so a dark page shows the code as on paper.
const theme = EditorView.theme({
  "&": { fontSize: "0.9rem", border: "1px solid var(--line)", borderRadius: "6px", background: "#ffffff", color: "#1b1f24", colorScheme: "light" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  ".cm-gutters": { background: "#f6f7f9", color: "#505a66", borderRight: "1px solid #d5dae0" },
  ".cm-activeLineGutter": { background: "#e3e8ee" },
  ".cm-cursor": { borderLeftColor: "#1b1f24" },
});

// The content takes the keyboard focus even when read-only (a tab stop from which a long text can
// be scrolled and copied); axe counts a scrolling area without one as unreachable by keyboard.
const labelled = (label: string, readOnly: boolean): Extension[] => [
  EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0", ...(readOnly ? { "aria-readonly": "true" } : {}) }),
  EditorState.readOnly.of(readOnly),
  EditorView.editable.of(!readOnly),
];

export function mountEditor(parent: HTMLElement, options: EditorOptions): EditorHandle {
  // JSON wraps: a payload is often one long line, and its panel is narrow.
  const language = options.language === "javascript" ? [javascript(), javascriptLint, lintGutter()] : [json(), linter(jsonParseLinter(), { delay: 300 }), lintGutter(), EditorView.lineWrapping];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        basicSetup,
        ...language,
        theme,
        ...labelled(options.label, options.readOnly),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) options.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    setDoc(doc) {
      if (doc !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
    },
    destroy: () => view.destroy(),
  };
}

/** A read-only unified diff: `original` above as deleted lines, `changed` as the document. */
export function mountDiff(parent: HTMLElement, { original, changed, label }: { original: string; changed: string; label: string }): () => void {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: changed,
      extensions: [
        basicSetup,
        javascript(),
        theme,
        ...labelled(label, true),
        // Deleted lines in plain text: token colours on the red tint fell below AA contrast.
        unifiedMergeView({ original, mergeControls: false, highlightChanges: true, syntaxHighlightDeletions: false, collapseUnchanged: { margin: 3, minSize: 6 } }),
      ],
    }),
  });
  return () => view.destroy();
}
