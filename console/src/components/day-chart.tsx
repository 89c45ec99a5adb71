// The last 24 hours by status: stacked bars in plain SVG, described for screen readers, with the
// same numbers as a table one click away.
import { formatNumber, STATUSES, STATUS_COLOR, STATUS_LABEL, type Status } from "./status";

export type Hour = { from: number; to: number } & Record<Status, number>;

const W = 480;
const H = 140;
const PAD_BOTTOM = 2;

const hourLabel = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

export function DayChart({ hours }: { hours: Hour[] }) {
  const totals = hours.map((h) => STATUSES.reduce((n, s) => n + h[s], 0));
  const max = Math.max(1, ...totals);
  const sum = totals.reduce((a, b) => a + b, 0);
  const barW = W / Math.max(1, hours.length);
  const plotH = H - PAD_BOTTOM;
  const failed = hours.reduce((n, h) => n + h.CODING_FAILURE + h.PLATFORM_FAILURE + h.TIMEOUT, 0);
  return (
    <figure class="day-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="day-chart-desc" preserveAspectRatio="none">
        <desc id="day-chart-desc">
          Invocations in the last 24 hours by hour: {formatNumber(sum)} in all, {formatNumber(failed)} not successful; busiest hour {formatNumber(Math.max(0, ...totals))}.
        </desc>
        <line x1="0" x2={W} y1={plotH} y2={plotH} class="axis" vector-effect="non-scaling-stroke" />
        {hours.map((h, i) => {
          let y = plotH;
          return (
            <g key={h.from}>
              {STATUSES.map((s) => {
                const height = (h[s] / max) * (plotH - 4);
                if (height <= 0) return null;
                y -= height;
                return <rect key={s} x={i * barW + 1} y={y} width={Math.max(1, barW - 2)} height={height} fill={STATUS_COLOR[s]} />;
              })}
            </g>
          );
        })}
      </svg>
      {/* Hour labels in HTML, not in the SVG: they keep their size when the chart scales to a phone. */}
      <div class="ticks" aria-hidden="true">
        {hours.map((h, i) =>
          i % 6 === 0 ? (
            <span key={h.from} style={{ left: `${(i / Math.max(1, hours.length)) * 100}%` }}>
              {hourLabel(h.from)}
            </span>
          ) : null,
        )}
      </div>
      <figcaption>
        <ul class="legend">
          {STATUSES.map((s) => (
            <li key={s}>
              <span class="swatch" style={{ background: STATUS_COLOR[s] }} aria-hidden="true" />
              {STATUS_LABEL[s]}
            </li>
          ))}
        </ul>
        <details>
          <summary>Show as a table</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Hour from</th>
                {STATUSES.map((s) => (
                  <th scope="col" key={s}>
                    {STATUS_LABEL[s]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {hours.map((h) => (
                <tr key={h.from}>
                  <th scope="row">{hourLabel(h.from)}</th>
                  {STATUSES.map((s) => (
                    <td key={s}>{formatNumber(h[s])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
