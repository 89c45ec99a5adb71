// Times in query strings: epoch milliseconds (as LivePerson's clients send) or ISO-8601.
import { badInput } from "../errors";

/** A query-string time as epoch ms; undefined when absent; 400 naming the field when it is not a time. */
export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw badInput(`${field} must be an ISO-8601 time or epoch milliseconds`);
  return ms;
}
