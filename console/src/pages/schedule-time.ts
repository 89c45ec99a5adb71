// Times of schedules, always labelled with their zone (a bare "09:00" is ambiguous: appwrite/console#851).
// A schedule runs in its own IANA zone; the viewer reads times in theirs. Both are shown when they differ.

/** The viewer's IANA time zone, as the browser resolves it. */
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const formats = new Map<string, Intl.DateTimeFormat>();

/** An ISO time in `zone`, e.g. "Tue, Dec 1, 2026, 09:00". */
export function inZone(iso: string, zone: string): string {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { weekday: "short", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: zone });
    formats.set(zone, f);
  }
  return f.format(new Date(iso));
}

/** The IANA zones the browser knows, UTC first (Chromium's list leaves UTC out). */
export function timeZones(): string[] {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...all.filter((z) => z !== "UTC")];
}
