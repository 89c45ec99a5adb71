// A page whose code is loaded when it is first shown: the first load carries only the shell,
// sign-in and Home (a test holds it to 50 KB gzipped), and each section's code comes as its own
// chunk. Once loaded, a page renders at once on every later visit. When it arrives after a
// navigation, its heading takes the focus then (see focusPageHeading).
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

let headingFocusPending = false;

/**
 * After a navigation: the page's heading takes the focus, so a screen reader announces the new page
 * and the keyboard starts from there. A page still loading gets it when it arrives.
 */
export function focusPageHeading() {
  const heading = document.querySelector<HTMLElement>("main h1");
  headingFocusPending = !heading;
  heading?.focus();
}

export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Page) return;
      let live = true;
      loading ??= load().then((c) => (loaded = c));
      loading.then(
        (c) => {
          if (!live) return;
          setPage(() => c);
          requestAnimationFrame(() => headingFocusPending && focusPageHeading());
        },
        () => {
          loading = undefined; // a later visit tries again
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, [Page]);
    if (Page) return <Page {...props} />;
    if (failed)
      return (
        <p role="alert" class="error">
          This page could not be loaded. Check the connection and reload.
        </p>
      );
    return <p aria-live="polite">Loading…</p>;
  };
}
