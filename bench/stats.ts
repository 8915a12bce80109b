/** Small statistics for the benchmark's figures: percentiles of samples and rates over windows. */

export type Summary = {
  count: number;
  /** Null when there are no samples. */
  p50: number | null;
  p99: number | null;
  mean: number | null;
  max: number | null;
};

/** The q-quantile (0–1) of samples by the nearest-rank method; null for no samples. */
export function percentile(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? null;
}

export function mean(samples: readonly number[]): number | null {
  if (samples.length === 0) return null;
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    count: samples.length,
    p50: round(percentile(samples, 0.5)),
    p99: round(percentile(samples, 0.99)),
    mean: round(mean(samples)),
    max: round(samples.length ? Math.max(...samples) : null),
  };
}

/** Figures keep three decimals: sub-millisecond noise is not a figure. */
export function round(value: number | null, decimals = 3): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * The most events that fall in any window of `windowMs` (sliding: every window that starts at an
 * event), with the window's start. Zero for no events.
 */
export function maxInWindow(
  times: readonly number[],
  windowMs: number,
): { count: number; at: number | null } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let at: number | null = null;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    const from = sorted[start] ?? 0;
    while (end < sorted.length && (sorted[end] ?? 0) < from + windowMs) end++;
    if (end - start > best) {
      best = end - start;
      at = from;
    }
  }
  return { count: best, at };
}
