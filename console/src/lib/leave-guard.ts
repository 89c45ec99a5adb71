// Nothing lost by leaving a form (the editor, a schedule): while there are unsaved changes, closing or reloading the tab asks the
// browser's own question (beforeunload), and a click on a link of the console or the browser's
// Back/Forward asks first. Links are caught at the document in the capture phase, before the
// router's own click handler runs. Back/Forward are caught by the Navigation API's cancelable
// "navigate" event where the browser has it (Chromium); popstate comes too late for that (the
// router has already rendered the other page when a later listener would run).
import { useEffect } from "preact/hooks";

interface TraverseEvent extends Event {
  navigationType: string;
  cancelable: boolean;
}
const navigation = (window as unknown as { navigation?: EventTarget }).navigation;

export function useLeaveGuard(dirty: boolean, question: string) {
  useEffect(() => {
    if (!dirty) return;
    const here = location.pathname + location.search;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = ""; // older browsers ask only when this is set
    };
    const click = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = e.target instanceof Element ? e.target.closest<HTMLAnchorElement>("a[href]") : null;
      if (!link) return;
      const to = new URL(link.href, location.href);
      if (to.origin !== location.origin || to.pathname + to.search === here) return;
      if (!confirm(question)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    const traverse = (event: Event) => {
      const e = event as TraverseEvent;
      if (e.navigationType === "traverse" && e.cancelable && !confirm(question)) e.preventDefault();
    };
    addEventListener("beforeunload", beforeUnload);
    document.addEventListener("click", click, true);
    navigation?.addEventListener("navigate", traverse);
    return () => {
      removeEventListener("beforeunload", beforeUnload);
      document.removeEventListener("click", click, true);
      navigation?.removeEventListener("navigate", traverse);
    };
  }, [dirty, question]);
}
