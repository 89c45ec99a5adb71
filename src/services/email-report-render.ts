// An email report as a message: subject (account and time range), plain text and HTML with the same
// figures, each followed by its change since the previous period in parentheses. Every value from
// the account (function names, event names) is escaped in the HTML and kept to one line in the text.
import type { Compared, Counters, ReportData } from "./email-report-content";
import { periodLabel } from "./email-report-periods";

export interface RenderedReport {
  subject: string;
  text: string;
  html: string;
}

const COUNTERS: [keyof Counters, string][] = [
  ["successful", "Successful invocations"],
  ["failed", "Failed invocations"],
  ["timeouts", "Ended with timeout"],
  ["functionFailures", "Function failures"],
];

const NUMBER = new Intl.NumberFormat("en-US");

/** "(+3)", "(-2)", "(±0)"; nothing when the previous figure is unknown. */
export function change(current: number, previous: number | undefined): string {
  if (previous === undefined) return "";
  const d = current - previous;
  return d === 0 ? " (±0)" : d > 0 ? ` (+${NUMBER.format(d)})` : ` (-${NUMBER.format(-d)})`;
}

const figure = (current: number, previous?: number) => `${NUMBER.format(current)}${change(current, previous)}`;
const counter = (c: Compared<Counters>, k: keyof Counters) => figure(c.current[k], c.previous?.[k]);

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const since = (d: ReportData) => `In parentheses: the change since the previous ${d.period.kind === "Daily" ? "day" : "week"}`;

export function subjectOf(d: ReportData): string {
  return `edgefn ${d.period.kind.toLowerCase()} report for account ${d.accountId}: ${periodLabel(d.period)} (UTC)`;
}

/** The summary lines: [label, figure] pairs, shared by the text and the HTML. */
function summary(d: ReportData): [string, string][] {
  const f = d.functions;
  return [
    ["Total functions", `${NUMBER.format(f.current.total)} of ${NUMBER.format(f.limit)}${change(f.current.total, f.previous?.total)}`],
    ["Deployed functions", figure(f.current.deployed, f.previous?.deployed)],
    ...COUNTERS.map(([k, label]): [string, string] => [label, counter(d.invocations, k)]),
  ];
}

const HEADINGS = ["Function", "Event", ...COUNTERS.map(([, label]) => label)];

function rows(d: ReportData): string[][] {
  return d.deployed.map((fn) => [oneLine(fn.name), oneLine(fn.event ?? "No event"), ...COUNTERS.map(([k]) => counter(fn, k))]);
}

function textTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function textOf(d: ReportData): string {
  const lines = summary(d);
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  const parts = [
    `${d.period.kind} report of account ${d.accountId} for ${periodLabel(d.period)} (UTC).`,
    `${since(d)}.`,
    "",
    ...lines.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`),
    "",
    "Deployed functions",
    "",
    d.deployed.length > 0 ? textTable(HEADINGS, rows(d)) : "No function is deployed.",
    "",
    "You receive this report because you are a recipient of the account's email reports; an Admin or Developer of the account can remove you.",
  ];
  return `${parts.join("\n")}\n`;
}

export function htmlOf(d: ReportData): string {
  const cell = (tag: "td" | "th", s: string, right = false) => `<${tag} style="padding:4px 8px;border-bottom:1px solid #ddd;text-align:${right ? "right" : "left"}">${escapeHtml(s)}</${tag}>`;
  const summaryRows = summary(d).map(([label, value]) => `<tr>${cell("th", label)}${cell("td", value, true)}</tr>`).join("");
  const table =
    d.deployed.length > 0
      ? `<table style="border-collapse:collapse"><thead><tr>${HEADINGS.map((h, i) => cell("th", h, i > 1)).join("")}</tr></thead><tbody>${rows(d)
          .map((r) => `<tr>${r.map((c, i) => cell("td", c, i > 1)).join("")}</tr>`)
          .join("")}</tbody></table>`
      : "<p>No function is deployed.</p>";
  return [
    "<!DOCTYPE html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subjectOf(d))}</title></head><body style="font-family:sans-serif">`,
    `<h1 style="font-size:18px">${escapeHtml(`${d.period.kind} report of account ${d.accountId}`)}</h1>`,
    `<p>${escapeHtml(`${periodLabel(d.period)} (UTC). ${since(d)}.`)}</p>`,
    `<table style="border-collapse:collapse">${summaryRows}</table>`,
    `<h2 style="font-size:16px">Deployed functions</h2>`,
    table,
    "<p style=\"color:#666;font-size:12px\">You receive this report because you are a recipient of the account's email reports; an Admin or Developer of the account can remove you.</p>",
    "</body></html>",
  ].join("\n");
}

export const renderReport = (d: ReportData): RenderedReport => ({ subject: subjectOf(d), text: textOf(d), html: htmlOf(d) });
