import { setTimeout as wait } from 'node:timers/promises';

/**
 * The one clock: what time it is, how to wait, and when a deadline passes. The composition root
 * passes one down; tests pass a manual clock, so expiry windows, retries and investigation
 * deadlines all follow the same time.
 */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts `ms` from now, by this clock. It never keeps the process alive. */
  timeout(ms: number): AbortSignal;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: async (ms, signal) => {
    await wait(Math.max(0, ms), undefined, signal ? { signal } : {});
  },
  timeout: (ms) => AbortSignal.timeout(Math.max(0, ms)),
};

/** An investigation's or a call's bound: when it passes, and the signal that says it has. */
export type Deadline = { at: number; signal: AbortSignal };

export function deadlineIn(clock: Clock, ms: number): Deadline {
  return { at: clock.now().getTime() + ms, signal: clock.timeout(ms) };
}
