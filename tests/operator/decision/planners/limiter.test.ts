import { afterEach, describe, expect, it } from 'vitest';
import { Limiter } from '../../../../src/operator/decision/planners/limiter.ts';
import { escalateDraft } from '../../../../testing/drafts.ts';
import { finalReply } from '../../../../testing/fake-openai.ts';
import { closeHarnesses, startHarness } from './harness.ts';

afterEach(closeHarnesses);

describe('Limiter', () => {
  it('lets at most `limit` holders run at once, the rest in arrival order', async () => {
    const limiter = new Limiter(2);
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const gates = new Map<string, () => void>();
    const job = (name: string) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(name);
        await new Promise<void>((resolve) => gates.set(name, resolve));
        running -= 1;
      });
    const all = Promise.all(['a', 'b', 'c', 'd'].map(job));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a', 'b']);
    expect(limiter.queued).toBe(2);
    gates.get('b')?.();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a', 'b', 'c']);
    gates.get('a')?.();
    await new Promise((r) => setImmediate(r));
    gates.get('c')?.();
    await new Promise((r) => setImmediate(r));
    gates.get('d')?.();
    await all;
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(peak).toBe(2);
  });

  it('a waiter whose signal aborts leaves the queue without running', async () => {
    const limiter = new Limiter(1);
    let release = () => {};
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    let ran = false;
    const second = limiter.run(async () => {
      ran = true;
    }, controller.signal);
    controller.abort(new Error('deadline'));
    await expect(second).rejects.toThrow('deadline');
    expect(limiter.queued).toBe(0);
    release();
    await first;
    expect(ran).toBe(false);
  });
});

describe('MODEL_CONCURRENCY', () => {
  it('bounds the model calls in flight across concurrent investigations', async () => {
    const { fake, runtime } = await startHarness([], {
      env: { MODEL_CONCURRENCY: '2' },
      fake: { whenExhausted: finalReply(escalateDraft()), latencyMs: 60 },
    });
    const reports = [
      'search-index-09 down',
      'search-index-09 failing',
      'search-index-09 errors',
      'search-index-09 broken',
      'search-index-09 red',
    ];
    const briefs = await Promise.all(
      reports.map((report) =>
        runtime.operator.investigate({ report, source: 'cli', actor: 'test' }),
      ),
    );
    expect(fake.requests).toHaveLength(5);
    expect(fake.maxInFlight).toBe(2);
    // Model time is the time spent waiting for answers, at least the fake's latency.
    for (const { brief } of briefs) expect(brief.planner.modelMs).toBeGreaterThanOrEqual(50);
  });
});
