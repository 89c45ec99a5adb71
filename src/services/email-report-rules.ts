// The rules of email report settings (issue 12 §7, LivePerson §9.3): the frequencies, the recipient
// limit and what counts as a recipient address. The API's documentation quotes these texts.

export const FREQUENCIES = ["None", "Daily", "Weekly"] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export type ReportKind = Exclude<Frequency, "None">;

/** LivePerson's limit: at most 10 recipient addresses per account (use a mailing list for more). */
export const MAX_RECIPIENTS = 10;

export const RECIPIENT_RULES = {
  email:
    "email must be one address local@domain.tld (at most 254 characters; letters, digits and !#$%&'*+/=?^_`{|}~.- before the @; " +
    "a host name with a dot after it; no display name, spaces, quotes or IP literals)",
  max: `An account has at most ${MAX_RECIPIENTS} report recipients (LivePerson's limit); use a mailing list for more`,
} as const;

// One dot-atom local part (RFC 5322 without quoted strings or comments) and a host name of LDH labels
// with an alphabetic (or punycode) top-level label. Deliberately narrow: an address here goes into a mail header.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * The address as stored (lower case, so duplicates meet the unique index whatever their case), or
 * null when it is not one address.
 */
export function normaliseEmail(input: string): string | null {
  if (input.length > 254) return null;
  const at = input.lastIndexOf("@");
  if (at <= 0) return null;
  const local = input.slice(0, at);
  const labels = input.slice(at + 1).split(".");
  if (local.length > 64 || !LOCAL.test(local)) return null;
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TOP.test(labels[labels.length - 1]!)) return null;
  return input.toLowerCase();
}
