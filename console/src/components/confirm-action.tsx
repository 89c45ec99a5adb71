// A destructive action asked twice, in the page rather than in a browser dialog: the first click
// turns the button into "Delete X? [Yes, delete] [Cancel]" with the focus on the confirmation, so a
// keyboard or screen-reader user hears the question and Escape or Cancel leaves things as they were.
import { useEffect, useRef, useState } from "preact/hooks";
import "./confirm-action.css";

interface Props {
  /** The button's text, e.g. "Delete". */
  label: string;
  /** What is asked, e.g. "Delete the schedule of hello?". */
  question: string;
  /** The confirming button's text, e.g. "Yes, delete". */
  confirm: string;
  /** Shown on the confirming button while the action runs, e.g. "Deleting…". */
  busy: string;
  onConfirm: () => Promise<unknown>;
  /** An accessible name for the first button when its text alone is ambiguous in a list. */
  ariaLabel?: string;
}

export function ConfirmAction({ label, question, confirm, busy, onConfirm, ariaLabel }: Props) {
  const [asking, setAsking] = useState(false);
  const [running, setRunning] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) yes.current?.focus();
    else if (wasAsking.current) first.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" class="secondary" ref={first} aria-label={ariaLabel} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  const run = async () => {
    setRunning(true);
    try {
      await onConfirm();
    } finally {
      setRunning(false);
      setAsking(false);
    }
  };
  return (
    <span class="confirm-action" role="group" aria-label={question} onKeyDown={(e) => e.key === "Escape" && !running && setAsking(false)}>
      <span class="confirm-question">{question}</span>
      <button type="button" class="danger" ref={yes} disabled={running} onClick={run}>
        {running ? busy : confirm}
      </button>
      <button type="button" class="secondary" disabled={running} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
