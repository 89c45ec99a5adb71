// Invocation metrics of an account, from its data plane's 5-minute buckets (never by scanning
// records, except the records of the partial buckets at a span's edges): counts per status, and
// duration percentiles from the buckets' histograms.
import { badInput } from "../errors";
import { dataPlaneOf } from "../gate/client";
import { addHistograms, emptyHistogram, percentile } from "../gate/data-plane/histogram";
import { INVOCATION_STATUSES, METRICS_BUCKET_MS, type InvocationStatus, type MetricsBucket } from "../gate/data-plane/types";

export type StatusCounts = Record<InvocationStatus, number>;

export const zeroCounts = (): StatusCounts => Object.fromEntries(INVOCATION_STATUSES.map((s) => [s, 0])) as StatusCounts;

function addCounts(into: StatusCounts, from: StatusCounts) {
  for (const s of INVOCATION_STATUSES) into[s] += from[s];
  return into;
}

const floorTo = (ms: number, size: number) => ms - (((ms % size) + size) % size);

/** At most this many buckets in one answer (e.g. 30 days of 5-minute buckets is 8,640). */
export const MAX_BUCKETS = 10_000;

/**
 * Invocations started within [start, end] (both inclusive) by status: whole 5-minute buckets from
 * the metrics, the partial ones at either edge from the records.
 */
export async function countInvocations(accountId: string, start: number, end: number): Promise<StatusCounts> {
  const gate = dataPlaneOf(accountId);
  const firstWhole = floorTo(start + METRICS_BUCKET_MS - 1, METRICS_BUCKET_MS);
  const afterWhole = floorTo(end + 1, METRICS_BUCKET_MS);
  if (afterWhole <= firstWhole) return gate.countRecords(accountId, start, end);
  const [rows, head, tail] = await Promise.all([
    // Summed by the data plane: one row per function, however long the span.
    gate.metricsByFunction(accountId, firstWhole, afterWhole),
    gate.countRecords(accountId, start, firstWhole - 1),
    gate.countRecords(accountId, afterWhole, end),
  ]);
  const total = addCounts(addCounts(zeroCounts(), head), tail);
  for (const r of rows) addCounts(total, r.counts);
  return total;
}

export interface Series {
  from: number;
  to: number;
  counts: StatusCounts;
  histogram: number[];
}

/**
 * Buckets of `size` ms (a multiple of 5 minutes) covering [from, to), every one of them (empty ones
 * too), for one function or the whole account. A bucket is [from, to) of its start.
 */
export async function series(accountId: string, from: number, to: number, size: number, lambdaUuid?: string): Promise<Series[]> {
  if (size % METRICS_BUCKET_MS !== 0) throw badInput(`the bucket size must be a multiple of ${METRICS_BUCKET_MS / 1000} seconds`);
  const start = floorTo(from, size);
  if (to <= start) throw badInput("the end of the span must be after its start");
  const count = Math.ceil((to - start) / size);
  if (count > MAX_BUCKETS) throw badInput(`the span holds ${count} buckets of ${size / 1000} s; at most ${MAX_BUCKETS} per request: choose a larger bucket or a shorter span`);
  const out: Series[] = Array.from({ length: count }, (_, i) => ({ from: start + i * size, to: start + (i + 1) * size, counts: zeroCounts(), histogram: emptyHistogram() }));
  // Summed per bucket by the data plane: one row per bucket, however many functions ran.
  const rows = (await dataPlaneOf(accountId).metricsSeries(accountId, start, start + count * size, size, lambdaUuid)) as MetricsBucket[];
  for (const r of rows) {
    const b = out[Math.floor((r.bucket - start) / size)];
    if (!b) continue;
    addCounts(b.counts, r.counts);
    addHistograms(b.histogram, r.histogram);
  }
  return out;
}

/** p50, p95 and p99 of a histogram (null when it counted nothing). */
export const percentiles = (histogram: number[]) => ({ p50: percentile(histogram, 0.5), p95: percentile(histogram, 0.95), p99: percentile(histogram, 0.99) });
