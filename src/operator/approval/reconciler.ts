import type { IncidentBrief } from '../../domain/brief.ts';
import type { Proposal } from '../../domain/proposal.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import { readBrief, record } from '../presentation/brief.ts';
import type { Presenter } from '../presentation/presenter.ts';
import type { ReconciledOutcome } from './approval.ts';
import {
  describeHealth,
  escalate,
  proposalEntry,
  type RestartDeps,
  readHealth,
  recovered,
  transitionDurably,
  verifyRecovery,
} from './restart.ts';

export type ReconcilerSettings = {
  /**
   * How long a restart may stay in flight before the replica executing it is presumed gone: at
   * least the job lease, and longer than a live replica can take (its health read and restarter
   * call are each bounded by the tool timeout).
   */
  staleMs: number;
  intervalMs: number;
};

export type ReconcilerDeps = RestartDeps & {
  presenter: Pick<Presenter, 'reconciled'>;
  settings: ReconcilerSettings;
  metrics: Metrics;
  logger: Logger;
};

/** The stale threshold: the job lease, or two tool timeouts and a margin, whichever is longer. */
export function staleAfterMs(leaseMs: number, toolTimeoutMs: number): number {
  return Math.max(leaseMs, 2 * toolTimeoutMs + 1_000);
}

const STOPPED = 'the replica executing this restart stopped before recording its outcome';

/**
 * Settles restarts whose replica stopped half-way, on every replica (each step is a
 * compare-and-set, so exactly one settles each). It never restarts anything: it asks the
 * restarter what became of the restart with this proposal's idempotency key, reads health, and
 * records what it can tell — executed, failed, or unknown — then tells the thread and escalates
 * when in doubt.
 *
 * - approved, never started: nothing reached the restarter → cancelled, escalated;
 * - restarting: the restarter's own record says done → executed, then verified as usual; it
 *   says not found → failed; it cannot tell (or keeps none) → unknown, with health now;
 * - executed, never verified: health is re-checked → recovered / not_recovered.
 */
export class RestartReconciler {
  private readonly deps: ReconcilerDeps;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error) =>
        this.deps.logger.error({ err: error }, 'restart reconciliation failed'),
      );
    }, this.deps.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping?.catch(() => 0);
  }

  /** One pass over the restarts in flight; how many it settled. One pass at a time per replica. */
  sweep(): Promise<number> {
    this.sweeping ??= this.pass().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async pass(): Promise<number> {
    const { store, clock, settings, verify } = this.deps;
    const now = clock.now().getTime();
    const verifyMs = Math.max(1, verify.attempts) * verify.intervalMs;
    let settled = 0;
    for (const proposal of await store.proposals.listInFlight(50)) {
      const since = proposal.state === 'approved' ? proposal.decidedAt : proposal.executedAt;
      const stale = settings.staleMs + (proposal.state === 'executed' ? verifyMs : 0);
      if (!since || now - Date.parse(since) < stale) continue;
      const outcome = await this.settle(proposal);
      if (!outcome) continue;
      settled += 1;
      this.deps.metrics.reconciled.inc({ outcome: outcome.kind });
      this.deps.logger.warn(
        { proposal: proposal.id, server: proposal.serverId, outcome: outcome.kind },
        'reconciled a restart whose replica stopped',
      );
      await this.deps.presenter
        .reconciled(outcome)
        .catch((error) =>
          this.deps.logger.warn({ err: error }, 'could not show a reconciled restart'),
        );
    }
    return settled;
  }

  /** Settles one restart in flight; null when someone else settled it first. */
  async settle(proposal: Proposal): Promise<ReconciledOutcome | null> {
    switch (proposal.state) {
      case 'approved':
        return this.neverStarted(proposal);
      case 'restarting':
        return this.started(proposal);
      case 'executed':
        return this.unverified(proposal);
      default:
        return null;
    }
  }

  private async briefOf(proposal: Proposal): Promise<IncidentBrief> {
    const brief = await readBrief(this.deps.store, proposal.incidentId);
    if (!brief) throw new Error(`incident ${proposal.incidentId} has no brief`);
    return brief;
  }

  private async neverStarted(proposal: Proposal): Promise<ReconciledOutcome | null> {
    const { store, clock } = this.deps;
    const cancelled = await store.proposals.transition(proposal.id, ['approved'], 'cancelled');
    if (!cancelled) return null;
    const reason =
      'the replica that took the approval stopped before starting the restart; nothing was restarted';
    const brief = await record(
      store,
      await this.briefOf(cancelled),
      proposalEntry(clock, cancelled, 'restart.cancelled', 'operator', { reason, health: null }),
    );
    const escalation = await escalate(
      this.deps,
      brief,
      `the approved restart of ${proposal.serverId} was not performed: ${reason}`,
    );
    return {
      kind: 'cancelled',
      proposal: cancelled,
      reason,
      health: null,
      brief: escalation.brief,
      escalation,
      reconciled: 'found by the reconciler: no restart request was sent',
    };
  }

  private async started(proposal: Proposal): Promise<ReconciledOutcome | null> {
    const { store, toolbox, clock } = this.deps;
    const server = proposal.serverId;
    const approvedBy = proposal.decidedBy ?? 'unknown';
    const status = await toolbox.restartStatus(server, proposal.id);
    if (status.state === 'done') {
      const executed = await store.proposals.transition(proposal.id, ['restarting'], 'executed');
      if (!executed) return null;
      const brief = await record(
        store,
        await this.briefOf(executed),
        proposalEntry(clock, executed, 'restart.executed', 'operator', {
          approved_by: approvedBy,
          detail: `confirmed by the restarter after ${STOPPED}: ${status.detail}`,
        }),
      );
      return this.verify(executed, brief, 'the restarter confirmed it after the replica stopped');
    }
    if (status.state === 'not_found') {
      const failed = await store.proposals.transition(proposal.id, ['restarting'], 'failed');
      if (!failed) return null;
      const error = `${STOPPED}, and the restarter has no trace of restart ${proposal.id}: it did not happen (${status.detail})`;
      const brief = await record(
        store,
        await this.briefOf(failed),
        proposalEntry(clock, failed, 'restart.failed', 'operator', { error }),
      );
      const escalation = await escalate(this.deps, brief, `restart of ${server} failed: ${error}`);
      return {
        kind: 'restart_failed',
        proposal: failed,
        error,
        brief: escalation.brief,
        escalation,
        reconciled: 'found by the reconciler',
      };
    }
    const health = await readHealth(this.deps, server);
    const unknown = await store.proposals.transition(proposal.id, ['restarting'], 'unknown');
    if (!unknown) return null;
    const reason = `${STOPPED}; the restart may have run (${status.detail})`;
    const brief = await record(
      store,
      await this.briefOf(unknown),
      proposalEntry(clock, unknown, 'restart.unknown', 'operator', { reason, health }),
    );
    const escalation = await escalate(
      this.deps,
      brief,
      `the restart of ${server} may or may not have run (${STOPPED}); health now: ${describeHealth(health)}`,
    );
    return {
      kind: 'restart_unknown',
      proposal: unknown,
      reason,
      health,
      brief: escalation.brief,
      escalation,
      reconciled: 'found by the reconciler',
    };
  }

  private async unverified(proposal: Proposal): Promise<ReconciledOutcome | null> {
    return this.verify(
      proposal,
      await this.briefOf(proposal),
      'verified by the reconciler after the replica executing it stopped',
    );
  }

  /** executed → recovered | not_recovered, as the approval path does, escalating when it did not. */
  private async verify(
    executed: Proposal,
    initial: IncidentBrief,
    note: string,
  ): Promise<ReconciledOutcome | null> {
    const { store, clock } = this.deps;
    const after = await verifyRecovery(this.deps, executed.serverId);
    const ok = after !== null && recovered(after, this.deps.verify.thresholdPercent);
    const final = await transitionDurably(
      this.deps,
      executed.id,
      ['executed'],
      ok ? 'recovered' : 'not_recovered',
      after ? { after } : {},
    );
    if (!final) return null;
    const brief = await record(
      store,
      initial,
      proposalEntry(clock, executed, 'restart.verified', 'operator', {
        recovered: ok,
        before: executed.before,
        after,
      }),
    );
    const escalation = ok
      ? null
      : await escalate(
          this.deps,
          brief,
          `${executed.serverId} did not recover after an approved restart`,
        );
    return {
      kind: 'restarted',
      proposal: final,
      recovered: ok,
      before: executed.before,
      after,
      brief: escalation?.brief ?? brief,
      escalation,
      reconciled: note,
    };
  }
}
