// Cron validation as the person types: after a pause in typing, the server checks the expression and
// time zone by the same rules as a save (POST /schedules/preview) and answers the next five runs.
// Its 400 message names the field at fault (cronExpression or timeZone), so it is shown at that field.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../lib/api";

export const PREVIEW_DELAY_MS = 400;

export interface Preview {
  /** The next runs (ISO, UTC), when the expression is valid. */
  runs?: string[];
  cronError?: string;
  zoneError?: string;
  /** Anything else (the platform unreachable, say). */
  error?: string;
  checking: boolean;
}

/** Which field a 400 message of the schedule rules is about. */
export const fieldOf = (message: string): "timeZone" | "cronExpression" | "other" =>
  message.startsWith("timeZone") ? "timeZone" : message.startsWith("cronExpression") ? "cronExpression" : "other";

export function useCronPreview(cronExpression: string, timeZone: string): Preview {
  const [preview, setPreview] = useState<Preview>({ checking: false });
  const latest = useRef(0);

  useEffect(() => {
    const asked = ++latest.current;
    if (!cronExpression.trim()) {
      setPreview({ checking: false });
      return;
    }
    setPreview((p) => ({ ...p, checking: true }));
    const timer = setTimeout(async () => {
      try {
        const answer = await call("post", "/api/account/{accountId}/schedules/preview", { body: { cronExpression, timeZone } });
        if (asked === latest.current) setPreview({ runs: answer.nextRuns, checking: false });
      } catch (e) {
        if (asked !== latest.current) return;
        const message = e instanceof ApiError ? e.message : String(e);
        const field = e instanceof ApiError && e.status === 400 ? fieldOf(message) : "other";
        setPreview({
          checking: false,
          cronError: field === "cronExpression" ? message : undefined,
          zoneError: field === "timeZone" ? message : undefined,
          error: field === "other" ? message : undefined,
        });
      }
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [cronExpression, timeZone]);

  return preview;
}
