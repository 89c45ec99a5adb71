// The conversation as the customer would see it: their messages, the bot's texts, quick replies as
// buttons (only the latest bot message's are active, as in a messaging window), actions and rich
// content shown plainly, and errors. A role="log" region, so screen readers read each new message.
import { useEffect, useRef } from "preact/hooks";
import type { BotMessage } from "./simulator-messages";

export type ChatLine = { id: number; from: "customer"; text: string } | { id: number; from: "bot"; message: BotMessage } | { id: number; from: "error"; text: string };

interface Props {
  lines: ChatLine[];
  busy: boolean;
  onReply: (text: string) => void;
}

function BotBubble({ message, active, onReply }: { message: BotMessage; active: boolean; onReply: (text: string) => void }) {
  if (message.kind === "action") return <div class="sim-msg system">{message.text}</div>;
  return (
    <div class="sim-msg bot" data-testid="sim-bot">
      <span class="sim-who">Bot</span>
      {message.kind === "text" && message.text}
      {message.kind === "quick" && (
        <>
          {message.text}
          <span class="sim-replies" role="group" aria-label="Quick replies">
            {message.replies.map((r, i) => (
              <button key={i} type="button" class="secondary" disabled={!active} onClick={() => onReply(r.text)}>
                {r.title}
              </button>
            ))}
          </span>
        </>
      )}
      {message.kind === "other" && (
        <>
          <span class="desc">{message.why}:</span>
          <pre class="sim-other">{message.json}</pre>
        </>
      )}
    </div>
  );
}

export function SimulatorChat({ lines, busy, onReply }: Props) {
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [lines.length]);
  const lastBot = [...lines].reverse().find((l) => l.from !== "bot" || l.message.kind !== "action");
  return (
    <div class="sim-log" role="log" aria-live="polite" aria-label="Conversation" ref={list} tabIndex={0}>
      {lines.length === 0 && <div class="sim-msg system">No messages yet. Write as the customer below, or start with the welcome event.</div>}
      {lines.map((l) =>
        l.from === "customer" ? (
          <div key={l.id} class="sim-msg customer" data-testid="sim-customer">
            <span class="sim-who">You</span>
            {l.text}
          </div>
        ) : l.from === "error" ? (
          <div key={l.id} class="sim-msg error" role="alert">
            {l.text}
          </div>
        ) : (
          <BotBubble key={l.id} message={l.message} active={!busy && l === lastBot} onReply={onReply} />
        ),
      )}
      {busy && <div class="sim-msg system">The bot is answering…</div>}
    </div>
  );
}
