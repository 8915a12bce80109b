import type { Clock } from '../domain/clock.ts';
import { describeError, errorCode } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Coordination } from '../store/ports.ts';

/** Why a Slack request could not be taken in durably: the store refused the write. */
export type StoreFailureKind = 'event' | 'command' | 'click' | 'probe';

export type ReadinessDeps = {
  coordination: Pick<Coordination, 'claim'>;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
  /** This replica's name: its probe key, so replicas probe independently. */
  replica: string;
};

/**
 * Whether this replica can write to its store — the one thing it must do before acknowledging
 * anything. GET /readyz writes a probe (a real write, as a full disk or a lost database refuses
 * it); listeners report the writes that failed and succeeded. `lzo_store_writable` says the same
 * to Prometheus, and every failure is logged at error: refusing deliveries is never quiet.
 */
export class StoreReadiness {
  private readonly deps: ReadinessDeps;
  private lastError: string | null = null;

  constructor(deps: ReadinessDeps) {
    this.deps = deps;
  }

  /** The last write failure not yet followed by a success, or null. */
  get failing(): string | null {
    return this.lastError;
  }

  /** One write to the store; ok or why not. */
  async probe(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await this.deps.coordination.claim(`readyz:${this.deps.replica}`, this.deps.clock.now(), 0);
      this.succeeded();
      return { ok: true };
    } catch (error) {
      this.failed('probe', error);
      return { ok: false, error: describeError(error) };
    }
  }

  failed(kind: StoreFailureKind, error: unknown): void {
    this.lastError = describeError(error);
    this.deps.metrics.storeWritable.set(0);
    this.deps.metrics.storeWriteFailures.inc({ kind });
    this.deps.logger.error(
      { err: error, kind, code: errorCode(error) },
      kind === 'probe'
        ? 'the store cannot write: not ready'
        : `the store could not write a Slack ${kind}; it was not acknowledged as taken in`,
    );
  }

  succeeded(): void {
    if (this.lastError !== null)
      this.deps.logger.info({ was: this.lastError }, 'the store writes again');
    this.lastError = null;
    this.deps.metrics.storeWritable.set(1);
  }
}
