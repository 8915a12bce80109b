import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import type { Presenter } from '../presentation/presenter.ts';
import type { ApprovalService } from './approval.ts';

export type ExpirySweepDeps = {
  approvals: Pick<ApprovalService, 'expireDue'>;
  presenter: Pick<Presenter, 'expired'>;
  intervalMs: number;
  metrics: Metrics;
  logger: Logger;
};

/**
 * Expires undecided restart proposals on a timer, on every replica (the store lets exactly one
 * expire each), escalates them, and shows each on its brief.
 */
export class ExpirySweep {
  private readonly deps: ExpirySweepDeps;
  private timer: NodeJS.Timeout | null = null;

  constructor(deps: ExpirySweepDeps) {
    this.deps = deps;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error) => this.deps.logger.error({ err: error }, 'expiry sweep failed'));
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass: every proposal due now. Returns how many it expired. */
  async sweep(): Promise<number> {
    const outcomes = await this.deps.approvals.expireDue();
    for (const outcome of outcomes) {
      this.deps.metrics.decisions.inc({ outcome: 'expired' });
      await this.deps.presenter
        .expired(outcome)
        .catch((error) =>
          this.deps.logger.warn({ err: error }, 'could not show an expired proposal'),
        );
    }
    return outcomes.length;
  }
}
