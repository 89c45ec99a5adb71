// When and by whom a row was made or changed, as every list of the console shows it: the time in
// the viewer's zone (the date alone where space is short, the full time then in the title) and
// the actor without its id (which the title keeps).
import { shortActor } from "./status";

export function WhenBy({ at, by, dateOnly = false }: { at: string; by: string; dateOnly?: boolean }) {
  const time = new Date(at);
  return (
    <>
      <time dateTime={at} title={dateOnly ? time.toLocaleString() : undefined}>
        {dateOnly ? time.toLocaleDateString() : time.toLocaleString()}
      </time>
      <div class="desc" title={by}>
        {shortActor(by)}
      </div>
    </>
  );
}
