// The one door to CodeMirror: a dynamic import, so Vite puts it in its own chunk that only the
// pages with an editor or a diff fetch (the first load stays small). Loaded once, then shared.
let loading: Promise<typeof import("./codemirror")> | null = null;

export function loadCodeMirror() {
  loading ??= import("./codemirror").catch((e: unknown) => {
    loading = null; // a failed fetch (offline) may be retried
    throw e;
  });
  return loading;
}
