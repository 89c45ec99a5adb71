// The shape of one function template (LivePerson Functions "templates", reference §8.4): the code a
// new function starts from, the event it is bound to and an example input for that event.

/** What a test invocation sends: LivePerson's `{headers, payload}` (the platform adds timestamp). */
export interface SamplePayload {
  headers: { key: string; value: unknown }[];
  payload: unknown;
}

export interface Template {
  templateId: string;
  name: string;
  /** The event a function made from it is bound to; null = "No Event". */
  eventId: string | null;
  description: string;
  /** JavaScript in the V1 contract: `function lambda(input, callback) {...}`. */
  code: string;
  samplePayload: SamplePayload;
}

export const sample = (payload: unknown): SamplePayload => ({ headers: [], payload });

// One made-up conversation the event samples share, so they read as one story.
export const SAMPLE_CONVERSATION_ID = "8c2b4b0e-5a7e-4d8f-9e0c-3f1a6b2d7e41";
export const SAMPLE_START_MS = 1767261600000; // 2026-01-01T10:00:00Z
