import type { Logger } from '../logger.ts';

/**
 * Work a listener leaves running after Slack was acknowledged (a restart after its approval was
 * recorded, a progress message). Every promise is caught — a failure is logged, never an
 * unhandled rejection — and `settle` lets a graceful stop wait for what is still running.
 */
export class Background {
  private readonly running = new Set<Promise<unknown>>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  get size(): number {
    return this.running.size;
  }

  track(work: Promise<unknown>, what: string): void {
    const tracked: Promise<unknown> = work
      .catch((error: unknown) => this.logger.error({ err: error, what }, 'background work failed'))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Resolves once everything tracked so far has finished. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
