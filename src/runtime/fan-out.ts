// Running several functions for one request (an event with many listening functions) within the
// Worker Loader's limit of 4 dynamic Workers in flight per request (../shared/design/architecture.md).

/** At most this many functions of one event run at once. */
export const EVENT_FAN_OUT = 4;

export type WaveOutcome<R> = { index: number } & ({ ok: true; value: R } | { ok: false; error: unknown });

/**
 * Runs `task` over `items` in order, in waves of at most `size` at a time: a wave starts when the
 * previous one has ended. After a wave that holds a stop (a thrown error, or a value `isStop`
 * accepts), no further wave starts; the items of that wave all ran. Answers the outcomes of the
 * items that ran, in item order.
 */
export async function runInWaves<T, R>(
  items: readonly T[],
  size: number,
  task: (item: T, index: number) => Promise<R>,
  isStop: (value: R) => boolean,
): Promise<WaveOutcome<R>[]> {
  const outcomes: WaveOutcome<R>[] = [];
  for (let start = 0; start < items.length; start += size) {
    const wave = items.slice(start, start + size);
    const settled = await Promise.allSettled(wave.map((item, i) => task(item, start + i)));
    const results = settled.map(
      (s, i): WaveOutcome<R> => (s.status === "fulfilled" ? { index: start + i, ok: true, value: s.value } : { index: start + i, ok: false, error: s.reason }),
    );
    outcomes.push(...results);
    if (results.some((r) => !r.ok || isStop(r.value))) break;
  }
  return outcomes;
}
