import { describe, expect, it } from 'vitest';
import {
  histogram,
  histogramFigures,
  parsePrometheus,
  quantile,
  total,
} from '../../bench/prometheus.ts';
import { maxInWindow, percentile, summarize } from '../../bench/stats.ts';

describe('bench statistics', () => {
  it('percentiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile(samples, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(summarize([])).toEqual({ count: 0, p50: null, p99: null, mean: null, max: null });
  });

  it('the busiest 1-second window', () => {
    expect(maxInWindow([0, 100, 999, 1000, 2500], 1000)).toEqual({ count: 3, at: 0 });
    expect(maxInWindow([], 1000)).toEqual({ count: 0, at: null });
  });

  it('reads counters and histograms from /metrics text, summed over replicas', () => {
    const replica = (n: number) =>
      parsePrometheus(
        [
          '# HELP lzo_intake_total Slack requests taken in.',
          '# TYPE lzo_intake_total counter',
          `lzo_intake_total{origin="alert",result="grouped",app="level-zero-operator"} ${n}`,
          'lzo_x_seconds_bucket{le="0.1",app="level-zero-operator"} 1',
          'lzo_x_seconds_bucket{le="1",app="level-zero-operator"} 3',
          'lzo_x_seconds_bucket{le="+Inf",app="level-zero-operator"} 4',
          'lzo_x_seconds_sum{app="level-zero-operator"} 6.5',
          'lzo_x_seconds_count{app="level-zero-operator"} 4',
        ].join('\n'),
      );
    const samples = [...replica(5), ...replica(7)];
    expect(total(samples, 'lzo_intake_total', { result: 'grouped' })).toBe(12);
    const h = histogram(samples, 'lzo_x_seconds');
    expect(h.count).toBe(8);
    expect(h.sum).toBe(13);
    // Rank 4 of 8 falls in (0.1, 1]: 2 of its 4 samples → halfway.
    expect(quantile(h, 0.5)).toBeCloseTo(0.55);
    // In the +Inf bucket: the highest finite bound.
    expect(quantile(h, 0.99)).toBe(1);
    expect(histogramFigures(h, 1000)).toEqual({
      count: 8,
      mean: 1625,
      p50: 550,
      p99: 1000,
      p50Bucket: { gt: 100, le: 1000 },
      p99Bucket: { gt: 1000, le: null },
    });
  });
});
