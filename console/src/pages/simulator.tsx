// The conversation simulator (beyond LivePerson): a chat with a deployed Third-Party Bots Custom
// Integration function, without Conversational Cloud. Each customer message goes to the function
// as the bot connector would send it (the function's sample payload with the message in it) and its
// answer is drawn as the connector would: texts, quick replies as buttons, actions, the rest as
// JSON. It runs through the test route (lambda:test), else the invoke route (lambda:invoke).
import { useRef, useState } from "preact/hooks";
import { Problem } from "../components/problem";
import { SimulatorChat, type ChatLine } from "../components/simulator-chat";
import { customerPayload, readAnswer, type BotMessage } from "../components/simulator-messages";
import { ApiError, call } from "../lib/api";
import { can } from "../lib/roles";
import { Link } from "../lib/router";
import { useSession } from "../lib/session";
import { useApi } from "../lib/use-api";
import { BOT_EVENT_ID, isBot } from "./deployments-bot";
import { runTest } from "./deployments-run";
import "./deployments.css";

type Sample = { headers?: { key: string; value: unknown }[]; payload?: unknown } | null;

export function Simulator({ uuid }: { uuid: string }) {
  const session = useSession();
  const viaTest = can(session, "lambda:test");
  const mayChat = viaTest || can(session, "lambda:invoke");
  // GET /lambdas/:uuid answers an array of one, as LivePerson does.
  const fn = useApi(() => call("get", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid } }).then((list) => list[0]), [uuid]);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const nextId = useRef(1);
  const input = useRef<HTMLInputElement>(null);

  type NewLine = { from: "customer" | "error"; text: string } | { from: "bot"; message: BotMessage };
  const add = (...more: NewLine[]) => setLines((old) => [...old, ...more.map((l) => ({ ...l, id: nextId.current++ }) as ChatLine)]);

  async function answerOf(text: string): Promise<unknown> {
    const sample = fn.data?.samplePayload as Sample;
    const body = { headers: Array.isArray(sample?.headers) ? sample.headers : [], payload: customerPayload(sample?.payload, text) };
    if (!viaTest) return call("post", "/api/account/{accountId}/lambdas/{uuid}/invoke", { params: { uuid }, body });
    const run = await runTest(uuid, body);
    if (run.ok) return run.result;
    throw new ApiError(run.httpStatus, `${run.errorMsg ?? "The function failed."}${run.errorCode ? ` (${run.errorCode})` : ""}`);
  }

  /** Sends one customer message ("" is the welcome event, before the customer wrote anything). */
  async function send(text: string) {
    if (busy) return;
    if (text) add({ from: "customer", text });
    setDraft("");
    setBusy(true);
    try {
      const answer = await answerOf(text);
      add(...readAnswer(answer).map((message) => ({ from: "bot" as const, message })));
    } catch (e) {
      add({ from: "error", text: `The bot did not answer: ${e instanceof ApiError ? e.message : String(e)}` });
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  }

  const name = fn.data?.name;
  const ready = fn.data && fn.data.state !== "Draft" && isBot(fn.data);
  return (
    <section aria-labelledby="page-title" class="sim">
      <p>
        <Link href="/deployments">← Deployments</Link>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        Conversation simulator{name ? `: ${name}` : ""}
      </h1>
      {!mayChat ? (
        <p class="note" data-testid="sim-not-allowed">
          Your role may not invoke functions, so it cannot talk to a bot here.
        </p>
      ) : (
        <>
          {fn.error && <Problem error={fn.error} what="the function" />}
          {!fn.data && fn.loading && <p aria-live="polite">Loading…</p>}
          {fn.data && !isBot(fn.data) && (
            <p class="error">
              {name} is not a bot: the simulator talks to functions of the Third-Party Bots Custom Integration event ({BOT_EVENT_ID}).
            </p>
          )}
          {fn.data && isBot(fn.data) && fn.data.state === "Draft" && <p class="error">{name} is not deployed: deploy it to talk to it.</p>}
          {ready && (
            <>
              <p class="note">
                You are the customer. Each message goes to the deployed version as the bot connector sends it; nothing reaches Conversational Cloud.
                {viaTest && (
                  <>
                    {" "}
                    Each turn is a test invocation: see them in <Link href={`/logs?lambdaUUID=${encodeURIComponent(uuid)}`}>Logs</Link>.
                  </>
                )}
              </p>
              <div class="sim-panel">
                <SimulatorChat lines={lines} busy={busy} onReply={(text) => void send(text)} />
                <form
                  class="sim-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (draft.trim()) void send(draft.trim());
                  }}
                >
                  <div class="sim-input">
                    <label for="sim-text">Message as the customer</label>
                    <input id="sim-text" ref={input} value={draft} autocomplete="off" onInput={(e) => setDraft(e.currentTarget.value)} />
                  </div>
                  <button type="submit" disabled={busy || !draft.trim()}>
                    Send
                  </button>
                </form>
              </div>
              <p class="sim-more">
                <button type="button" class="link" disabled={busy} onClick={() => void send("")}>
                  Send the welcome event (an empty message)
                </button>
                <button type="button" class="link" disabled={busy || lines.length === 0} onClick={() => setLines([])}>
                  Clear the conversation
                </button>
              </p>
            </>
          )}
        </>
      )}
    </section>
  );
}
