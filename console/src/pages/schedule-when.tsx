// One due time of a schedule: in the viewer's zone first, and in the schedule's own zone when it differs.
import { inZone, viewerZone } from "./schedule-time";

export function When({ iso, zone }: { iso: string; zone: string }) {
  const mine = viewerZone();
  return (
    <span class="sch-when">
      <time dateTime={iso}>
        {inZone(iso, mine)} <span class="sch-zone">({mine})</span>
      </time>
      {mine !== zone && (
        <span class="sch-other">
          {inZone(iso, zone)} <span class="sch-zone">({zone})</span>
        </span>
      )}
    </span>
  );
}
