import type { AuditEntry } from '../../domain/audit.ts';
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
import type { EscalationResult } from './escalate.ts';
import {
  describeHealth,
  durably,
  escalate,
  type ProposalEvent,
  proposalEntry,
  proposedHealth,
  type RestartDeps,
  readHealth,
  recovered,
  transitionDurably,
  type VerifySettings,
  verifyRecovery,
} from './restart.ts';

export type { VerifySettings } from './restart.ts';

/** Who may decide a restart. Slack checks APPROVERS (users and user groups); the CLI trusts its operator. */
export interface ApproverPolicy {
  isApprover(userId: string): Promise<boolean>;
  /**
   * Optional: the answer with the reason when it is no, for policies that can fail to find out (a
   * user-group lookup that failed is said as such, never as "you are not allowed").
   */
  check?(userId: string): Promise<ApproverCheck>;
  /** Shown to a refused user: how approvers are configured. */
  describe(): string;
}

/** `reason` when the policy knows more than "not an approver" (a lookup that failed, and why). */
export type ApproverCheck = { allowed: true } | { allowed: false; reason?: string };

/** APPROVALS_REQUIRED and APPROVAL_NO_SELF. */
export type ApprovalRules = {
  /** Distinct approvers a restart needs; the restart runs once, on the last of them. */
  required: number;
  /** The person who raised an incident may not approve its restart. */
  noSelf: boolean;
};

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
  /**
   * One approval of several needed was recorded (APPROVALS_REQUIRED); nothing restarted yet.
   * `repeat` when this approver had already approved (it counts once).
   */
  | {
      kind: 'recorded';
      proposal: Proposal;
      approvals: number;
      required: number;
      message: string;
      repeat?: boolean;
    }
  | { kind: 'denied'; proposal: Proposal; brief: IncidentBrief; escalation: EscalationResult }
  | {
      kind: 'restarted';
      proposal: Proposal;
      recovered: boolean;
      before: HealthReading | null;
      after: HealthReading | null;
      brief: IncidentBrief;
      escalation: EscalationResult | null;
      /** Set when the reconciler, not the replica that took the approval, found this out. */
      reconciled?: string;
    }
  | {
      kind: 'restart_failed';
      proposal: Proposal;
      error: string;
      brief: IncidentBrief;
      escalation: EscalationResult;
      reconciled?: string;
    }
  /** Approved, but not performed: the server recovered on its own, or the restart never started. */
  | {
      kind: 'cancelled';
      proposal: Proposal;
      reason: string;
      health: HealthReading | null;
      brief: IncidentBrief;
      escalation: EscalationResult | null;
      reconciled?: string;
    }
  /** Started, and nobody can tell whether it ran: the replica executing it stopped. */
  | {
      kind: 'restart_unknown';
      proposal: Proposal;
      reason: string;
      health: HealthReading | null;
      brief: IncidentBrief;
      escalation: EscalationResult;
      reconciled: string;
    };

/** What the reconciler settles a restart in flight as. */
export type ReconciledOutcome = Extract<
  DecisionOutcome,
  { kind: 'restarted' | 'restart_failed' | 'cancelled' | 'restart_unknown' }
>;

export type DecisionHooks = {
  /**
   * Runs once the click is durably recorded (the approval, denial or refusal written), or once it is
   * clear there is nothing to record: the point a chat platform may acknowledge it.
   */
  onRecorded?: () => void;
  /** Runs once the approval is taken and before the restart starts ("restarting…"). */
  onApproved?: (proposal: Proposal) => Promise<void> | void;
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
  rules?: ApprovalRules;
  /** How long the writes that record a restart's outcome are retried while the store is down. */
  storeRetryMs?: number;
  clock: Clock;
};

const ALREADY: Partial<Record<Proposal['state'], string>> = {
  approved: 'was already approved and is being executed',
  restarting: 'was already approved and is being executed',
  denied: 'was already denied',
  expired: 'has expired',
  executed: 'was already approved and executed',
  failed: 'was already approved; the restart failed',
  recovered: 'was already approved; the server recovered',
  not_recovered: 'was already approved; the server did not recover and the incident was escalated',
  unknown:
    'was approved, but the replica executing it stopped: whether it ran is unknown and the incident was escalated',
  cancelled: 'was approved but not performed (see the thread)',
  withdrawn: 'was withdrawn: the alert resolved before anyone decided, so nothing is restarted',
};

function alreadyDecided(p: Proposal): string {
  const by = p.decidedBy ? ` (by ${p.decidedBy})` : '';
  return `The restart proposal for ${p.serverId} ${ALREADY[p.state] ?? `is ${p.state}`}${by}.`;
}

function expiredMessage(p: Proposal): string {
  return `This restart proposal for ${p.serverId} expired at ${p.expiresAt}; nothing was restarted. Re-run triage for a fresh one.`;
}

const DEFAULT_RULES: ApprovalRules = { required: 1, noSelf: false };

/**
 * The only path to a restart: an authorized decision on a pending proposal, taken by one atomic
 * transition, so a double click or two replicas execute it exactly once. The restart's intent is
 * audited before the restarter is called, and each step after it is a compare-and-set, so the
 * reconciler can settle a restart whose replica stopped without ever starting a second one.
 */
export class ApprovalService {
  private readonly deps: ApprovalDeps;
  private readonly clock: Clock;
  private readonly rules: ApprovalRules;
  private readonly restartDeps: RestartDeps;

  constructor(deps: ApprovalDeps) {
    this.deps = deps;
    this.clock = deps.clock;
    this.rules = deps.rules ?? DEFAULT_RULES;
    this.restartDeps = {
      store: deps.store,
      toolbox: deps.toolbox,
      escalator: deps.escalator,
      verify: deps.verify,
      clock: deps.clock,
      storeRetryMs: deps.storeRetryMs ?? 60_000,
    };
  }

  /** How many distinct approvers a restart needs. */
  get approvalsRequired(): number {
    return this.rules.required;
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
    details: Parameters<typeof proposalEntry<E>>[4],
  ): AuditEntry {
    return proposalEntry(this.clock, proposal, event, actor, details);
  }

  /** Whether `actor` may decide: the refusal's message for them and, when known, why (audited). */
  private async checkApprover(
    actor: string,
    verb: 'approve' | 'deny',
  ): Promise<{ allowed: true } | { allowed: false; message: string; reason?: string }> {
    const { approvers } = this.deps;
    const notAllowed = `You are not allowed to ${verb} restarts. ${approvers.describe()}`;
    if (!approvers.check)
      return (await approvers.isApprover(actor))
        ? { allowed: true }
        : { allowed: false, message: notAllowed };
    const check = await approvers.check(actor);
    if (check.allowed) return check;
    return check.reason
      ? { allowed: false, message: check.reason, reason: check.reason }
      : { allowed: false, message: notAllowed };
  }

  /** Who raised the incident: the actor of its incident.opened entry. */
  private async raisedBy(incidentId: string): Promise<string | null> {
    const audit = await this.deps.store.audit.list({ incidentId });
    return audit.find((e) => e.event === 'incident.opened')?.actor ?? null;
  }

  /**
   * Refuses a decision the caller found out of bounds (a click from another message, channel or
   * team than its proposal's), audited with the reason. Nothing changes state.
   */
  async refuse(
    proposalId: string,
    actor: string,
    verb: 'approve' | 'deny',
    reason: string,
    message: string,
  ): Promise<DecisionOutcome> {
    const proposal = await this.deps.store.proposals.get(proposalId);
    if (!proposal)
      return {
        kind: 'unknown',
        message: 'This restart proposal is unknown (it may belong to another installation).',
      };
    await this.deps.store.audit.append(
      this.entry(proposal, 'approval.refused', actor, { attempted: verb, reason }),
    );
    return { kind: 'refused', message };
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
    const check = await this.checkApprover(actor, verb);
    if (!check.allowed) {
      await this.deps.store.audit.append(
        this.entry(proposal, 'approval.refused', actor, {
          attempted: verb,
          ...(check.reason ? { reason: check.reason } : {}),
        }),
      );
      return { kind: 'refused', message: check.message };
    }
    if (verb === 'approve' && this.rules.noSelf && proposal.state === 'pending') {
      if ((await this.raisedBy(proposal.incidentId)) === actor) {
        await this.deps.store.audit.append(
          this.entry(proposal, 'approval.refused', actor, {
            attempted: verb,
            reason: 'raised the incident (APPROVAL_NO_SELF)',
          }),
        );
        return {
          kind: 'refused',
          message: `You raised this incident, so you cannot approve its restart (APPROVAL_NO_SELF is on): another approver must. Nothing was restarted.`,
        };
      }
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
    return escalate(this.restartDeps, brief, reason);
  }

  async deny(
    proposalId: string,
    actor: string,
    hooks: Pick<DecisionHooks, 'onRecorded'> = {},
  ): Promise<DecisionOutcome> {
    const gated = await this.gate(proposalId, actor, 'deny');
    if ('kind' in gated) {
      hooks.onRecorded?.();
      return gated;
    }
    const denied = await this.deps.store.proposals.transition(gated.id, ['pending'], 'denied', {
      decidedBy: actor,
      decidedAt: this.clock.now(),
    });
    if (!denied) {
      hooks.onRecorded?.();
      return this.lostRace(gated.id);
    }
    const brief = await record(
      this.deps.store,
      await this.briefOf(denied),
      this.entry(denied, 'proposal.denied', actor, {}),
    );
    hooks.onRecorded?.();
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
  ): Promise<{ proposal: Proposal; approvers: string[] } | DecisionOutcome> {
    const { restartBudget, budgetWindowMinutes } = this.deps.budget;
    const now = this.clock.now();
    const attempt = await this.deps.store.proposals.approve(proposal.id, {
      decidedBy: actor,
      decidedAt: now,
      budget: restartBudget,
      since: new Date(now.getTime() - budgetWindowMinutes * 60_000),
      required: this.rules.required,
    });
    switch (attempt.outcome) {
      case 'approved':
        return { proposal: attempt.proposal, approvers: attempt.approvers };
      case 'recorded': {
        const { approvals, required } = attempt;
        await this.deps.store.audit.append(
          this.entry(proposal, 'approval.granted', actor, { approvals, required }),
        );
        const more = required - approvals;
        return {
          kind: 'recorded',
          proposal: attempt.proposal,
          approvals,
          required,
          message: `Your approval of the restart of ${proposal.serverId} is recorded (${approvals} of ${required}); ${more} more approver${more === 1 ? '' : 's'} must approve before it runs. Nothing was restarted yet.`,
        };
      }
      case 'repeat': {
        const { approvals, required } = attempt;
        return {
          kind: 'recorded',
          repeat: true,
          proposal: attempt.proposal,
          approvals,
          required,
          message: `You already approved the restart of ${proposal.serverId} (${approvals} of ${required}); it needs another approver, not a second click. Nothing was restarted yet.`,
        };
      }
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

  async approve(
    proposalId: string,
    actor: string,
    hooks: DecisionHooks = {},
  ): Promise<DecisionOutcome> {
    const gated = await this.gate(proposalId, actor, 'approve');
    if ('kind' in gated) {
      hooks.onRecorded?.();
      return gated;
    }
    const taken = await this.takeApproval(gated, actor);
    if ('kind' in taken) {
      hooks.onRecorded?.();
      return taken;
    }
    const { proposal: approved, approvers } = taken;
    const brief = await record(
      this.deps.store,
      await this.briefOf(approved),
      this.entry(approved, 'proposal.approved', actor, approvers.length > 1 ? { approvers } : {}),
    );
    hooks.onRecorded?.();
    await hooks.onApproved?.(approved);
    return this.execute(approved, actor, brief);
  }

  /**
   * approved → restarting → executed | failed → recovered | not_recovered, or → cancelled when the
   * server recovered on its own since the proposal. The intent (restart.started) is audited before
   * the restarter is called, and the restarter gets the proposal id as its idempotency key.
   */
  private async execute(
    approved: Proposal,
    actor: string,
    initial: IncidentBrief,
  ): Promise<DecisionOutcome> {
    const deps = this.restartDeps;
    const { store, toolbox } = deps;
    const server = approved.serverId;
    const threshold = this.deps.verify.thresholdPercent;
    let brief = initial;

    // Live facts at click time: a server that recovered since the proposal is left alone.
    const before = await readHealth(deps, server);
    const then = proposedHealth(brief, server);
    if (before && recovered(before, threshold) && !(then && recovered(then, threshold))) {
      const cancelled = await transitionDurably(deps, approved.id, ['approved'], 'cancelled', {
        before,
      });
      if (!cancelled) return this.lostRace(approved.id);
      const reason = `${server} recovered on its own before the restart (${describeHealth(before)}), so it was not restarted`;
      brief = await durably(deps, () =>
        record(
          store,
          brief,
          this.entry(cancelled, 'restart.cancelled', 'operator', { reason, health: before }),
        ),
      );
      return {
        kind: 'cancelled',
        proposal: cancelled,
        reason,
        health: before,
        brief,
        escalation: null,
      };
    }

    // The intent first: a replica that dies from here on leaves a restart the reconciler can find.
    brief = await durably(deps, () =>
      record(
        store,
        brief,
        this.entry(approved, 'restart.started', 'operator', {
          approved_by: actor,
          idempotency_key: approved.id,
        }),
      ),
    );
    const restarting = await transitionDurably(deps, approved.id, ['approved'], 'restarting', {
      executedAt: this.clock.now(),
      ...(before ? { before } : {}),
    });
    // The reconciler found this approval stale and cancelled it: nothing may be restarted now.
    if (!restarting) return this.lostRace(approved.id);

    let detail: string;
    try {
      const result = await toolbox.executeRestart(server, {
        incidentId: approved.incidentId,
        proposalId: approved.id,
        approvedBy: actor,
      });
      detail = result.detail;
    } catch (error) {
      const message = redact(describeError(error));
      const failed = await transitionDurably(
        deps,
        approved.id,
        ['restarting', 'unknown'],
        'failed',
      );
      if (!failed) return this.lostRace(approved.id);
      brief = await durably(deps, () =>
        record(
          store,
          brief,
          this.entry(approved, 'restart.failed', 'operator', { error: message }),
        ),
      );
      const escalation = await this.escalate(brief, `restart of ${server} failed: ${message}`);
      return {
        kind: 'restart_failed',
        proposal: failed,
        error: message,
        brief: escalation.brief,
        escalation,
      };
    }
    // What happened is recorded however long the store takes to come back; the reconciler's
    // "unknown" (if it got there first) is corrected by the replica that knows.
    const executed = await transitionDurably(
      deps,
      approved.id,
      ['restarting', 'unknown'],
      'executed',
    );
    if (!executed) return this.lostRace(approved.id);
    brief = await durably(deps, () =>
      record(
        store,
        brief,
        this.entry(approved, 'restart.executed', 'operator', { approved_by: actor, detail }),
      ),
    );
    return this.verified(executed, before, brief);
  }

  /** executed → recovered | not_recovered, after re-checking health; escalates when it did not. */
  private async verified(
    executed: Proposal,
    before: HealthReading | null,
    initial: IncidentBrief,
  ): Promise<DecisionOutcome> {
    const deps = this.restartDeps;
    const server = executed.serverId;
    const after = await verifyRecovery(deps, server);
    const ok = after !== null && recovered(after, this.deps.verify.thresholdPercent);
    const final = await transitionDurably(
      deps,
      executed.id,
      ['executed'],
      ok ? 'recovered' : 'not_recovered',
      after ? { after } : {},
    );
    if (!final) return this.lostRace(executed.id);
    const brief = await durably(deps, () =>
      record(
        deps.store,
        initial,
        this.entry(executed, 'restart.verified', 'operator', { recovered: ok, before, after }),
      ),
    );
    const escalation = ok
      ? null
      : await this.escalate(brief, `${server} did not recover after an approved restart`);
    return {
      kind: 'restarted',
      proposal: final,
      recovered: ok,
      before,
      after,
      brief: escalation?.brief ?? brief,
      escalation,
    };
  }
}
