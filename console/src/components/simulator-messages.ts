// What the bot connector makes of a Third-Party Bots Custom Integration function's answer, and what
// it sends the function: the console's conversation simulator speaks the same contract.
//
// The answer is { messages: [...], context: { intentId, intentName, confidenceScore, action,
// actionParameters } }. Each message is a text, or structured content: quick replies are
// { structuredContent: { quickReplies: { replies: [{ title, click: { actions: [{ type:
// "publishText", text }] } }] }, message } } (the question rides in `message`). Anything else the
// connector would pass on as rich content, which the simulator shows as JSON.

export interface QuickReply {
  title: string;
  /** What clicking it publishes as the customer's message. */
  text: string;
}

export type BotMessage =
  | { kind: "text"; text: string }
  | { kind: "quick"; text: string; replies: QuickReply[] }
  | { kind: "other"; json: string; why: string }
  | { kind: "action"; text: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function quickReplies(value: unknown): QuickReply[] | null {
  const replies = isObject(value) && Array.isArray(value.replies) ? value.replies : null;
  if (!replies) return null;
  return replies.filter(isObject).map((r) => {
    const title = String(r.title ?? r.text ?? "");
    const actions = isObject(r.click) && Array.isArray(r.click.actions) ? r.click.actions.filter(isObject) : [];
    const publish = actions.find((a) => a.type === "publishText" && typeof a.text === "string");
    return { title, text: publish ? String(publish.text) : title };
  });
}

function readMessage(m: unknown): BotMessage {
  if (typeof m === "string") return { kind: "text", text: m };
  if (isObject(m)) {
    const sc = isObject(m.structuredContent) ? m.structuredContent : m;
    const replies = quickReplies(sc.quickReplies);
    const text = typeof sc.message === "string" ? sc.message : typeof m.message === "string" ? m.message : "";
    if (replies) return { kind: "quick", text, replies };
  }
  return { kind: "other", json: JSON.stringify(m, null, 2), why: "Rich content (not drawn by the simulator)" };
}

function readAction(context: unknown): BotMessage | null {
  if (!isObject(context) || typeof context.action !== "string") return null;
  const params = isObject(context.actionParameters) ? context.actionParameters : {};
  switch (context.action) {
    case "TRANSFER":
      return { kind: "action", text: `The bot transfers the conversation${params.skill ? ` to skill ${String(params.skill)}` : params.agentId ? ` to agent ${String(params.agentId)}` : ""}.` };
    case "CLOSE_CONVERSATION":
      return { kind: "action", text: "The bot closes the conversation." };
    default:
      return { kind: "action", text: `The bot asks for the action ${context.action} ${JSON.stringify(params)}.` };
  }
}

/** The function's answer as the bot connector renders it: its messages, then its action if any. */
export function readAnswer(answer: unknown): BotMessage[] {
  if (!isObject(answer) || !Array.isArray(answer.messages)) {
    return [{ kind: "other", json: JSON.stringify(answer, null, 2) ?? "undefined", why: "Not { messages: [...] }: the bot connector would send nothing" }];
  }
  const out = answer.messages.map(readMessage);
  const action = readAction(answer.context);
  return action ? [...out, action] : out;
}

/**
 * The event's payload for one customer message: the function's sample payload with the customer's
 * text in place of the sample's (`message`, and the connector's `context.lpEvent.message`).
 */
export function customerPayload(sample: unknown, text: string): unknown {
  const base: Record<string, unknown> = isObject(sample) ? structuredClone(sample) : {};
  base.message = text;
  const context = base.context;
  if (isObject(context) && isObject(context.lpEvent)) context.lpEvent.message = text;
  return base;
}
