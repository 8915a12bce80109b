import { AuditEntry, type AuditEntryOf } from '../../domain/audit.ts';
import type { IncidentBrief } from '../../domain/brief.ts';
import type { Clock } from '../../domain/clock.ts';
import { describeError } from '../../domain/errors.ts';
import type { HealthReading } from '../../domain/evidence.ts';
import type { Proposal } from '../../domain/proposal.ts';
import type { Store } from '../../store/ports.ts';
import type { Escalator } from '../../tools/backends.ts';
import { redact } from '../../tools/redact.ts';
import type { Toolbox } from '../../tools/toolbox.ts';
import type { PolicySettings } from '../decision/policy.ts';
import { readBrief, record } from '../presentation/brief.ts';
import { type EscalationResult, sendEscalation } from './escalate.ts';

/** Who may decide a restart. Slack checks APPROVERS (users and user groups); the CLI trusts its operator. */
export interface ApproverPolicy {
  isApprover(userId: string): Promise<boolean>;
  /** Shown to a refused user: how approvers are configured. */
  describe(): string;
}

export type DecisionOutcome =
  | { kind: 'unknown'; message: string }
  | { kind: 'refused'; message: string }
  | {
      kind: 'expired';
      proposal: Proposal;
      message: string;
      /** Set for the one caller that expired it: the escalation sent because nobody decided. */
      escalation?: EscalationResult;
    }
  | { kind: 'already_decided'; proposal: Proposal; message: string }
  | { kind: 'denied'; proposal: Proposal; brief: IncidentBrief; escalation: EscalationResult }
  | {
      kind: 'restarted';
      proposal: Proposal;
      recovered: boolean;
      before: HealthReading | null;
      after: HealthReading | null;
      brief: IncidentBrief;
      escalation: EscalationResult | null;
    }
  | {
      kind: 'restart_failed';
      proposal: Proposal;
      error: string;
      brief: IncidentBrief;
      escalation: EscalationResult;
    };

export type VerifySettings = {
  /** Health readings after a restart before giving up on recovery. */
  attempts: number;
  intervalMs: number;
  thresholdPercent: number;
};

export type ApprovalDeps = {
  store: Store;
  toolbox: Toolbox;
  escalator: Escalator;
  approvers: ApproverPolicy;
  verify: VerifySettings;
  /**
   * The restart budget, checked again at approval: two proposals the guard accepted while neither
   * had run must not both restart.
   */
  budget: Pick<PolicySettings, 'restartBudget' | 'budgetWindowMinutes'>;
  clock: Clock;
};

const ALREADY: Partial<Record<Proposal['state'], string>> = {
  approved: 'was already approved and is being executed',
  denied: 'was already denied',
  expired: 'has expired',
  executed: 'was already approved and executed',
  failed: 'was already approved; the restart failed',
  recovered: 'was already approved; the server recovered',
  not_recovered: 'was already approved; the server did not recover and the incident was escalated',
};

function alreadyDecided(p: Proposal): string {
  const by = p.decidedBy ? ` (by ${p.decidedBy})` : '';
  return `The restart proposal for ${p.serverId} ${ALREADY[p.state] ?? `is ${p.state}`}${by}.`;
}

function expiredMessage(p: Proposal): string {
  return `This restart proposal for ${p.serverId} expired at ${p.expiresAt}; nothing was restarted. Re-run triage for a fresh one.`;
}

function recovered(h: HealthReading, thresholdPercent: number): boolean {
  return h.status === 'healthy' && h.cpu < thresholdPercent && h.memory < thresholdPercent;
}

/** The entry for an event about one proposal, by `actor`, now. */
type ProposalEvent = Extract<
  AuditEntry,
  { details: { proposal_id: string; server_id: string } }
>['event'];

/**
 * The only path to a restart: an authorized decision on a pending proposal, taken by one atomic
 * transition, so a double click or two replicas execute it exactly once.
 */
export class ApprovalService {
  private readonly deps: ApprovalDeps;
  private readonly clock: Clock;

  constructor(deps: ApprovalDeps) {
    this.deps = deps;
    this.clock = deps.clock;
  }

  /** The proposal's incident brief, read once per decision; each event is folded into it after. */
  private async briefOf(proposal: Proposal): Promise<IncidentBrief> {
    const brief = await readBrief(this.deps.store, proposal.incidentId);
    if (!brief) throw new Error(`incident ${proposal.incidentId} has no brief`);
    return brief;
  }

  private entry<E extends ProposalEvent>(
    proposal: Proposal,
    event: E,
    actor: string,
    details: Omit<AuditEntryOf<E>['details'], 'proposal_id' | 'server_id'>,
  ): AuditEntry {
    // Parsed rather than asserted: the union cannot narrow on a generic event name.
    return AuditEntry.parse({
      at: this.clock.now().toISOString(),
      incident_id: proposal.incidentId,
      event,
      actor,
      details: { proposal_id: proposal.id, server_id: proposal.serverId, ...details },
    });
  }

  /** Common gate for approve and deny: exists, authorized, still pending, not expired. */
  private async gate(
    proposalId: string,
    actor: string,
    verb: 'approve' | 'deny',
  ): Promise<Proposal | DecisionOutcome> {
    const proposal = await this.deps.store.proposals.get(proposalId);
    if (!proposal)
      return {
        kind: 'unknown',
        message: 'This restart proposal is unknown (it may belong to another installation).',
      };
    if (!(await this.deps.approvers.isApprover(actor))) {
      await this.deps.store.audit.append(
        this.entry(proposal, 'approval.refused', actor, { attempted: verb }),
      );
      return {
        kind: 'refused',
        message: `You are not allowed to ${verb} restarts. ${this.deps.approvers.describe()}`,
      };
    }
    if (
      proposal.state === 'pending' &&
      Date.parse(proposal.expiresAt) <= this.clock.now().getTime()
    ) {
      return (
        (await this.expire(proposal)) ?? {
          kind: 'expired',
          proposal,
          message: expiredMessage(proposal),
        }
      );
    }
    if (proposal.state !== 'pending') {
      const message = alreadyDecided(proposal);
      return proposal.state === 'expired'
        ? { kind: 'expired', proposal, message }
        : { kind: 'already_decided', proposal, message };
    }
    return proposal;
  }

  /**
   * pending → expired for a proposal whose time ran out, then escalates: an incident whose restart
   * nobody decided is still an incident. Null when someone else decided or expired it first.
   */
  private async expire(
    proposal: Proposal,
  ): Promise<Extract<DecisionOutcome, { kind: 'expired' }> | null> {
    const expired = await this.deps.store.proposals.transition(proposal.id, ['pending'], 'expired');
    if (!expired) return null;
    const brief = await record(
      this.deps.store,
      await this.briefOf(expired),
      this.entry(expired, 'proposal.expired', 'operator', {}),
    );
    const escalation = await this.escalate(
      brief,
      `the restart proposal for ${proposal.serverId} expired without a decision`,
    );
    return { kind: 'expired', proposal: expired, message: expiredMessage(expired), escalation };
  }

  /** Expires every pending proposal whose time ran out (a periodic sweep); one outcome each. */
  async expireDue(limit = 50): Promise<Extract<DecisionOutcome, { kind: 'expired' }>[]> {
    const due = await this.deps.store.proposals.listExpired(this.clock.now(), limit);
    const outcomes: Extract<DecisionOutcome, { kind: 'expired' }>[] = [];
    for (const proposal of due) {
      const outcome = await this.expire(proposal);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  private async lostRace(proposalId: string): Promise<DecisionOutcome> {
    const current = await this.deps.store.proposals.get(proposalId);
    if (!current) return { kind: 'unknown', message: 'This restart proposal is unknown.' };
    return { kind: 'already_decided', proposal: current, message: alreadyDecided(current) };
  }

  private escalate(brief: IncidentBrief, reason: string): Promise<EscalationResult> {
    return sendEscalation(
      { store: this.deps.store, escalator: this.deps.escalator, clock: this.clock },
      brief,
      reason,
    );
  }

  async deny(proposalId: string, actor: string): Promise<DecisionOutcome> {
    const gated = await this.gate(proposalId, actor, 'deny');
    if ('kind' in gated) return gated;
    const denied = await this.deps.store.proposals.transition(gated.id, ['pending'], 'denied', {
      decidedBy: actor,
      decidedAt: this.clock.now(),
    });
    if (!denied) return this.lostRace(gated.id);
    const brief = await record(
      this.deps.store,
      await this.briefOf(denied),
      this.entry(denied, 'proposal.denied', actor, {}),
    );
    const escalation = await this.escalate(
      brief,
      `restart of ${denied.serverId} was denied by ${actor}`,
    );
    return { kind: 'denied', proposal: denied, brief: escalation.brief, escalation };
  }

  /** The approving transition, taken with the budget check in one store transaction. */
  private async takeApproval(
    proposal: Proposal,
    actor: string,
  ): Promise<Proposal | DecisionOutcome> {
    const { restartBudget, budgetWindowMinutes } = this.deps.budget;
    const now = this.clock.now();
    const attempt = await this.deps.store.proposals.approve(proposal.id, {
      decidedBy: actor,
      decidedAt: now,
      budget: restartBudget,
      since: new Date(now.getTime() - budgetWindowMinutes * 60_000),
    });
    switch (attempt.outcome) {
      case 'approved':
        return attempt.proposal;
      // Someone else's click won: this one restarts nothing.
      case 'not_pending':
        return this.lostRace(proposal.id);
      case 'budget_used': {
        const { used } = attempt;
        await this.deps.store.audit.append(
          this.entry(proposal, 'approval.refused', actor, {
            attempted: 'approve',
            reason: 'restart budget used',
          }),
        );
        return {
          kind: 'refused',
          message: `Not restarted: ${proposal.serverId} already used its restart budget (${used} restart${used === 1 ? '' : 's'} in the last ${budgetWindowMinutes} min, limit ${restartBudget}). Escalate to an engineer instead.`,
        };
      }
    }
  }

  /**
   * `onApproved` runs once the approval is taken and before the restart starts, so a presenter can
   * show "restarting…" while it runs.
   */
  async approve(
    proposalId: string,
    actor: string,
    hooks: { onApproved?: (proposal: Proposal) => Promise<void> | void } = {},
  ): Promise<DecisionOutcome> {
    const gated = await this.gate(proposalId, actor, 'approve');
    if ('kind' in gated) return gated;
    const approved = await this.takeApproval(gated, actor);
    if ('kind' in approved) return approved;
    const { store, toolbox } = this.deps;
    let brief = await record(
      store,
      await this.briefOf(approved),
      this.entry(approved, 'proposal.approved', actor, {}),
    );
    await hooks.onApproved?.(approved);

    const server = approved.serverId;
    const before = await toolbox.checkHealth(server).catch(() => null);
    try {
      const result = await toolbox.executeRestart(server, {
        incidentId: approved.incidentId,
        proposalId: approved.id,
        approvedBy: actor,
      });
      await store.proposals.transition(approved.id, ['approved'], 'executed', {
        executedAt: this.clock.now(),
        ...(before ? { before } : {}),
      });
      brief = await record(
        store,
        brief,
        this.entry(approved, 'restart.executed', 'operator', {
          approved_by: actor,
          detail: result.detail,
        }),
      );
    } catch (error) {
      const message = redact(describeError(error));
      const failed = await store.proposals.transition(approved.id, ['approved'], 'failed', {
        executedAt: this.clock.now(),
      });
      brief = await record(
        store,
        brief,
        this.entry(approved, 'restart.failed', 'operator', { error: message }),
      );
      const escalation = await this.escalate(brief, `restart of ${server} failed: ${message}`);
      return {
        kind: 'restart_failed',
        proposal: failed ?? approved,
        error: message,
        brief: escalation.brief,
        escalation,
      };
    }

    const after = await this.verify(server);
    const ok = after !== null && recovered(after, this.deps.verify.thresholdPercent);
    const final = await store.proposals.transition(
      approved.id,
      ['executed'],
      ok ? 'recovered' : 'not_recovered',
      after ? { after } : {},
    );
    brief = await record(
      store,
      brief,
      this.entry(approved, 'restart.verified', 'operator', { recovered: ok, before, after }),
    );
    const escalation = ok
      ? null
      : await this.escalate(brief, `${server} did not recover after an approved restart`);
    return {
      kind: 'restarted',
      proposal: final ?? approved,
      recovered: ok,
      before,
      after,
      brief: escalation?.brief ?? brief,
      escalation,
    };
  }

  /** Re-checks health until it has recovered or the attempts run out. */
  private async verify(server: string): Promise<HealthReading | null> {
    const { attempts, intervalMs, thresholdPercent } = this.deps.verify;
    let last: HealthReading | null = null;
    for (let i = 0; i < Math.max(1, attempts); i++) {
      if (i > 0) await this.clock.sleep(intervalMs);
      last = await this.deps.toolbox.checkHealth(server).catch(() => null);
      if (last && recovered(last, thresholdPercent)) return last;
    }
    return last;
  }
}
