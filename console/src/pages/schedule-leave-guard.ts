// Unsaved schedule changes are not lost by leaving: closing or reloading the tab asks the browser's
// own question (beforeunload), and a click on a console link asks first. Links are caught at the
// document in the capture phase, before the router's click handler turns them into a navigation.
import { useEffect } from "preact/hooks";

export function useScheduleLeaveGuard(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    const click = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = e.target instanceof Element ? e.target.closest<HTMLAnchorElement>("a[href]") : null;
      if (!link || new URL(link.href, location.href).origin !== location.origin) return;
      if (!confirm("Leave this schedule without saving your changes?")) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    addEventListener("beforeunload", beforeUnload);
    document.addEventListener("click", click, true);
    return () => {
      removeEventListener("beforeunload", beforeUnload);
      document.removeEventListener("click", click, true);
    };
  }, [dirty]);
}
