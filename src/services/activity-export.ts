// The activity stream as CSV, streamed: one page of rows read per chunk the client takes, so an
// export of any length holds one page in memory.
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { csvField } from "./csv";
import { listActivities, type Activity, type ActivityFilter } from "./activities";

export const ACTIVITY_CSV_HEADER = "at;actor;activity;entity;target;summary";
const EXPORT_PAGE = 500;


const csvLine = (a: Activity) => [a.at, a.actor, a.action, a.entity, a.target, a.summary].map(csvField).join(";") + "\n";

/**
 * The export of the filter's activities, newest first. The first page is read before answering,
 * so a bad filter or cursor is a 400, not a broken stream.
 */
export async function exportActivitiesCsv(db: Db, p: Principal, f: Omit<ActivityFilter, "cursor" | "limit">): Promise<ReadableStream<Uint8Array>> {
  const filter = { entity: f.entity, actor: f.actor, from: f.from, to: f.to, limit: EXPORT_PAGE };
  const encoder = new TextEncoder();
  const first = await listActivities(db, p, filter);
  let next = first.nextCursor;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${ACTIVITY_CSV_HEADER}\n${first.items.map(csvLine).join("")}`));
      if (!next) controller.close();
    },
    async pull(controller) {
      if (!next) return controller.close();
      const page = await listActivities(db, p, { ...filter, cursor: next });
      next = page.nextCursor;
      if (page.items.length > 0) controller.enqueue(encoder.encode(page.items.map(csvLine).join("")));
      if (!next) controller.close();
    },
  });
}
