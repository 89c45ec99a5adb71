// What the editor edits of a function (its code, environment variables and the event's sample
// payload), how it compares with what is saved, and the PUT body that saves it.
import type { Schemas } from "../../../cli/lib/client-types";

export type Lambda = Schemas["Lambda"];
export interface EnvVar {
  key: string;
  value: string;
}
export interface Draft {
  code: string;
  env: EnvVar[];
  /** The sample payload as the person writes it (JSON text; empty: none). */
  payload: string;
}

export const draftOf = (f: Lambda): Draft => ({
  code: f.implementation.code,
  env: f.implementation.environmentVariables.map((v) => ({ ...v })),
  payload: f.samplePayload === undefined || f.samplePayload === null ? "" : JSON.stringify(f.samplePayload, null, 2),
});

/** Rows left entirely empty are not variables (an "Add" clicked and not used). */
const usedEnv = (env: EnvVar[]) => env.filter((v) => v.key.trim() !== "" || v.value !== "");

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

export function parsePayload(text: string): Parsed {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: `The sample payload is not valid JSON: ${(e as Error).message}` };
  }
}

/** True when the draft differs from the saved function (the payload by value, not by its spacing). */
export function isDirty(draft: Draft, saved: Lambda): boolean {
  if (draft.code !== saved.implementation.code) return true;
  if (JSON.stringify(usedEnv(draft.env)) !== JSON.stringify(saved.implementation.environmentVariables)) return true;
  const payload = parsePayload(draft.payload);
  return !payload.ok || JSON.stringify(payload.value ?? null) !== JSON.stringify(saved.samplePayload ?? null);
}

export function updateBody(draft: Draft): { ok: true; body: Schemas["LambdaUpdate"] } | { ok: false; message: string } {
  const payload = parsePayload(draft.payload);
  if (!payload.ok) return payload;
  const env = usedEnv(draft.env).map((v) => ({ key: v.key.trim(), value: v.value }));
  return { ok: true, body: { implementation: { code: draft.code, environmentVariables: env }, ...(payload.value === undefined ? {} : { samplePayload: payload.value }) } };
}

/** Which part of the editor an API message is about ("implementation.environmentVariables.0.key: …"). */
export function fieldOf(message: string): "env" | "payload" | "code" | "form" {
  if (/environmentVariables|environment variable|Variable name/i.test(message)) return "env";
  if (/samplePayload/.test(message)) return "payload";
  if (/implementation\.code/.test(message)) return "code";
  return "form";
}
