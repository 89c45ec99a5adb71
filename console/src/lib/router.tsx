// A router of a few lines: the path lives in the address bar (history API), so every page can be
// bookmarked and reloaded (the Worker's assets answer index.html for any unknown path).
import type { AnchorHTMLAttributes, TargetedMouseEvent } from "preact";
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());
window.addEventListener("popstate", emit);

/** The current path with its query, e.g. "/functions?q=hello". */
export const currentPath = () => location.pathname + location.search;

export function navigate(to: string, { replace = false } = {}) {
  if (to === currentPath()) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  emit();
}

/** Re-renders the caller whenever the location changes. */
export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return { pathname: location.pathname, query: new URLSearchParams(location.search) };
}

/** An ordinary link that changes the page without a reload (modified clicks keep the browser's meaning). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (e: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}
