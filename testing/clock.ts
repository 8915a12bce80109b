import type { Clock } from '../src/domain/clock.ts';

/**
 * A clock tests move by hand: expiry and budget windows without sleeping. `sleep` lets the time
 * pass at once; a `timeout` aborts when the clock is moved past it, and never later than the same
 * span of real time, so a hung call still cannot hang a test.
 */
export class ManualClock implements Clock {
  private ms: number;
  private readonly timers = new Set<{ at: number; controller: AbortController }>();

  constructor(start: string | Date = '2025-03-01T09:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  /** Bound, so it can be handed over as a `now` dependency. */
  readonly now = (): Date => new Date(this.ms);

  readonly sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted();
    this.advanceMs(Math.max(0, ms));
  };

  readonly timeout = (ms: number): AbortSignal => {
    const controller = new AbortController();
    const timer = { at: this.ms + ms, controller };
    this.timers.add(timer);
    const real = AbortSignal.timeout(Math.max(0, ms));
    real.addEventListener('abort', () => this.fire(timer), { once: true });
    return controller.signal;
  };

  advanceMinutes(minutes: number): void {
    this.advanceMs(minutes * 60_000);
  }

  advanceMs(ms: number): void {
    this.ms += ms;
    for (const timer of this.timers) if (timer.at <= this.ms) this.fire(timer);
  }

  set(at: string | Date): void {
    this.ms = new Date(at).getTime();
    for (const timer of this.timers) if (timer.at <= this.ms) this.fire(timer);
  }

  private fire(timer: { at: number; controller: AbortController }): void {
    this.timers.delete(timer);
    timer.controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }
}
