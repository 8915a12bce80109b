import type { Clock } from '../../domain/clock.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import type { Coordination } from '../../store/ports.ts';
import type { Presenter } from '../presentation/presenter.ts';
import type { ApprovalService } from './approval.ts';

export type ExpirySweepDeps = {
  approvals: Pick<ApprovalService, 'expireDue'>;
  presenter: Pick<Presenter, 'expired'>;
  intervalMs: number;
  /** When given, each pass also forgets expired claims (at most EXPIRY_SWEEP_LIMITS.claimsPerPass). */
  claims?: { coordination: Pick<Coordination, 'forgetExpiredClaims'>; clock: Clock };
  metrics: Metrics;
  logger: Logger;
};

export const EXPIRY_SWEEP_LIMITS = {
  /** Far above what expires in a minute at Slack's event ceiling; the rest waits a pass. */
  claimsPerPass: 50_000,
} as const;

/**
 * Expires undecided restart proposals on a timer, on every replica (the store lets exactly one
 * expire each), escalates them, and shows each on its brief. Also forgets expired delivery
 * claims, so the table that dedupes retries stays the size of what is live.
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
    await this.forgetClaims();
    return outcomes.length;
  }

  private async forgetClaims(): Promise<void> {
    const claims = this.deps.claims;
    if (!claims) return;
    await claims.coordination
      .forgetExpiredClaims(claims.clock.now(), EXPIRY_SWEEP_LIMITS.claimsPerPass)
      .catch((error) => this.deps.logger.warn({ err: error }, 'could not forget expired claims'));
  }
}
