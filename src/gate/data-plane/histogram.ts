// Durations are kept per metrics bucket as a histogram over fixed classes, so that percentiles of
// any span come from adding counts, never from reading records. A class is named by its upper
// bound; a percentile is interpolated within its class (docs/observability.md, Metrics: accurate to the class).

/** Upper bounds (ms, inclusive) of the duration classes; the last class is everything above. */
export const DURATION_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000, 300_000] as const;
export const HISTOGRAM_CLASSES = DURATION_BOUNDS_MS.length + 1;

/** The class of a duration. */
export function durationClass(ms: number): number {
  const i = DURATION_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? DURATION_BOUNDS_MS.length : i;
}

export const emptyHistogram = () => new Array<number>(HISTOGRAM_CLASSES).fill(0);

export function addHistograms(into: number[], from: readonly number[]) {
  for (let i = 0; i < HISTOGRAM_CLASSES; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
  return into;
}

/**
 * The duration below which a fraction `p` (0..1) of the counted invocations fall, interpolated
 * linearly inside its class; null when nothing was counted. The open last class answers its lower bound.
 */
export function percentile(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = p * total;
  let below = 0;
  for (let i = 0; i < HISTOGRAM_CLASSES; i++) {
    const n = histogram[i] ?? 0;
    if (n > 0 && below + n >= rank) {
      const low = i === 0 ? 0 : DURATION_BOUNDS_MS[i - 1]!;
      if (i === DURATION_BOUNDS_MS.length) return low;
      const high = DURATION_BOUNDS_MS[i]!;
      return Math.round(low + ((rank - below) / n) * (high - low));
    }
    below += n;
  }
  return DURATION_BOUNDS_MS[DURATION_BOUNDS_MS.length - 1]!;
}
