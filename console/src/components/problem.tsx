// An API error on a page, in words, with the platform's own message.
import type { ApiError } from "../lib/api";

export function Problem({ error, what }: { error: ApiError; what: string }) {
  if (error.status === 401) return null; // sign-in is already on its way
  const why = error.status === 403 ? "Your role may not read it." : error.message;
  return (
    <p class="error" role="alert">
      Could not load {what}. {why}
    </p>
  );
}
