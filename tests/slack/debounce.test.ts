import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedDebounce } from '../../src/slack/debounce.ts';

describe('KeyedDebounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('flushes each key once per period however often it is bumped, and reports failures', async () => {
    const flushed: string[] = [];
    const errors: string[] = [];
    const debounce = new KeyedDebounce({
      delayMs: 1_000,
      flush: async (key) => {
        flushed.push(key);
        if (key === 'bad') throw new Error('slack said no');
      },
      onError: (error, key) => errors.push(`${key}: ${(error as Error).message}`),
    });
    for (let i = 0; i < 50; i++) debounce.bump('a');
    debounce.bump('b');
    debounce.bump('bad');
    expect(flushed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(flushed.sort()).toEqual(['a', 'b', 'bad']);
    expect(errors).toEqual(['bad: slack said no']);
    debounce.bump('a');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(flushed.filter((k) => k === 'a')).toHaveLength(2);
  });

  it('on shutdown flushes what is pending at once and takes no more', async () => {
    const flushed: string[] = [];
    const debounce = new KeyedDebounce({
      delayMs: 60_000,
      flush: async (key) => {
        flushed.push(key);
      },
      onError: () => {},
    });
    debounce.bump('a');
    await debounce.flushAll();
    expect(flushed).toEqual(['a']);
    debounce.bump('b');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(flushed).toEqual(['a']);
  });
});
