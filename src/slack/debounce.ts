/**
 * Runs `flush(key)` once per `delayMs` however often `bump(key)` is called in between: how a storm
 * of alerts costs a handful of Slack writes per thread rather than one per alert. `flushAll()`
 * runs what is pending at once and takes no more (shutdown). A failed flush is handed to `onError`.
 */
export class KeyedDebounce {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private readonly delayMs: number;
  private readonly flush: (key: string) => Promise<void>;
  private readonly onError: (error: unknown, key: string) => void;

  constructor(options: {
    delayMs: number;
    flush: (key: string) => Promise<void>;
    onError: (error: unknown, key: string) => void;
  }) {
    this.delayMs = options.delayMs;
    this.flush = options.flush;
    this.onError = options.onError;
  }

  bump(key: string): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.flush(key).catch((error: unknown) => this.onError(error, key));
    }, this.delayMs);
    this.timers.set(key, timer);
  }

  async flushAll(): Promise<void> {
    this.stopped = true;
    const keys = [...this.timers.keys()];
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled(keys.map((key) => this.flush(key)));
  }
}
