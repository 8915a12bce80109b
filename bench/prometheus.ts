import { z } from 'zod';
import type { HistogramFigures } from './figures.ts';
import { round } from './stats.ts';

/**
 * Reading the bot's GET /metrics (Prometheus text format): the samples the benchmark relies on,
 * validated, and summed over replicas.
 */

export const Sample = z.object({
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/),
  labels: z.record(z.string(), z.string()),
  value: z.number(),
});
export type Sample = z.infer<typeof Sample>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function sampleValue(raw: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

/** Every sample in the text; a line that is not a valid sample is an error naming it. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const match = LINE.exec(trimmed);
    if (!match) throw new Error(`metrics: not a Prometheus sample: ${trimmed}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      if (key !== undefined) labels[key] = (value ?? '').replace(/\\(.)/g, '$1');
    const value = sampleValue(match[3] ?? '');
    // Only finite values are figures; NaN (an empty summary) and infinities are skipped.
    if (!Number.isFinite(value)) continue;
    const parsed = Sample.safeParse({ name: match[1], labels, value });
    if (!parsed.success) throw new Error(`metrics: invalid sample: ${trimmed}`);
    samples.push(parsed.data);
  }
  return samples;
}

/** Sum of a counter (or gauge) over every replica's samples matching `labels`. */
export function total(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Values of one label with their totals, e.g. lzo_intake_total by result. */
export function byLabel(
  samples: readonly Sample[],
  name: string,
  label: string,
  filter: Record<string, string> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || !Object.entries(filter).every(([k, v]) => s.labels[k] === v)) continue;
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

export type Histogram = {
  /** Cumulative counts by upper bound, ascending; +Inf is the count. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
};

/** A histogram summed over every replica's samples. */
export function histogram(samples: readonly Sample[], name: string): Histogram {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    if (Number.isNaN(le)) continue;
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return {
    buckets: [...buckets].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le),
    sum: total(samples, `${name}_sum`),
    count: total(samples, `${name}_count`),
  };
}

/** The bucket the q-quantile falls in: above `gt`, at most `le` (null: above the highest bound). */
export function quantileBucket(h: Histogram, q: number): { gt: number; le: number | null } | null {
  if (h.count === 0) return null;
  const rank = q * h.count;
  let lower = 0;
  for (const { le, count } of h.buckets) {
    if (count >= rank) return { gt: lower, le: Number.isFinite(le) ? le : null };
    if (Number.isFinite(le)) lower = le;
  }
  return { gt: lower, le: null };
}

/**
 * The q-quantile estimated from buckets as Prometheus's histogram_quantile does: linear within
 * the bucket it falls in; when it falls in the +Inf bucket, the highest finite bound.
 */
export function quantile(h: Histogram, q: number): number | null {
  if (h.count === 0) return null;
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const { le, count } of h.buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lower;
      const inBucket = count - below;
      return inBucket === 0 ? le : lower + (le - lower) * ((rank - below) / inBucket);
    }
    lower = Number.isFinite(le) ? le : lower;
    below = count;
  }
  return lower;
}

/** Mean, p50 and p99 of a histogram, multiplied by `scale` (1000 turns seconds into ms). */
export function histogramFigures(h: Histogram, scale = 1): HistogramFigures {
  const scaled = (v: number | null) => (v === null ? null : round(v * scale));
  const bucket = (q: number) => {
    const b = quantileBucket(h, q);
    return b ? { gt: scaled(b.gt) ?? 0, le: scaled(b.le) } : null;
  };
  return {
    count: h.count,
    mean: scaled(h.count ? h.sum / h.count : null),
    p50: scaled(quantile(h, 0.5)),
    p99: scaled(quantile(h, 0.99)),
    p50Bucket: bucket(0.5),
    p99Bucket: bucket(0.99),
  };
}
