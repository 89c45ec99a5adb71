// A figure against its limit: "12 of 150,000" with a bar. The bar is decoration; the text says it all.
import { formatNumber } from "./status";

export function UsageBar({ value, limit, label, testId }: { value: number; limit: number; label: string; testId: string }) {
  const share = limit > 0 ? Math.min(1, value / limit) : 0;
  return (
    <div class="usage">
      <p>
        <strong data-testid={testId}>{formatNumber(value)}</strong> of <span data-testid={`${testId}-limit`}>{formatNumber(limit)}</span> {label}
      </p>
      <div class={`bar${share >= 0.9 ? " high" : ""}`} aria-hidden="true">
        <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
