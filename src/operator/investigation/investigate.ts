import type { AuditEntry } from '../../domain/audit.ts';
import type { Decision, IncidentBrief, PlannerDraft, PlannerReport } from '../../domain/brief.ts';
import { type Clock, deadlineIn } from '../../domain/clock.ts';
import { describeError } from '../../domain/errors.ts';
import type { IncidentSource, Presentation } from '../../domain/incident.ts';
import type { Proposal } from '../../domain/proposal.ts';
import type { Environment } from '../../domain/vocabulary.ts';
import type { IncidentRecord, Store } from '../../store/ports.ts';
import type { Escalator } from '../../tools/backends.ts';
import { describeWorkload } from '../../tools/declarations/describe-workload.ts';
import { fetchRecentLogs } from '../../tools/declarations/fetch-recent-logs.ts';
import { getServerHealth } from '../../tools/declarations/get-server-health.ts';
import { listRecentChanges } from '../../tools/declarations/list-recent-changes.ts';
import { redact } from '../../tools/redact.ts';
import type { ToolName } from '../../tools/registry.ts';
import { ToolSession } from '../../tools/session.ts';
import type { Toolbox } from '../../tools/toolbox.ts';
import { type EscalationResult, sendEscalation } from '../approval/escalate.ts';
import {
  type PlanContext,
  type Planner,
  PlannerFailure,
  type PlanOutcome,
  reportWithoutModel,
} from '../decision/planners/planner.ts';
import { RulesPlanner } from '../decision/planners/rules/planner.ts';
import { applyPolicy, type PolicySettings } from '../decision/policy.ts';
import { abnormal, detectSignals, SIGNAL_LABELS, type Signal } from '../decision/signals/index.ts';
import { recall } from '../memory/recall.ts';
import { chronicNote } from '../memory/words.ts';
import { assess, deriveBrief } from '../presentation/brief.ts';
import { outOfScopeDraft, resolveScope, type Scope } from './scope.ts';
import { highestEvidenceNumber, widenScope } from './widen.ts';

/** An incident folded into the parent of a storm that shares its cause. */
export type Folded = {
  parentId: string;
  /** The shared cause in words ("connection refused to elastic-cluster-main:9200"). */
  cause: string;
  causeKey: string;
};

/**
 * Asked once the evidence is in, before any planning: does this incident share its cause with a
 * storm it should fold into? Null = investigate it as its own incident.
 */
export type FoldCheck = (input: {
  incidentId: string;
  /** The servers the alert is about (context servers aside). */
  servers: readonly string[];
  signals: readonly Signal[];
}) => Promise<Folded | null>;

export type TriageRequest = {
  report: string;
  source: IncidentSource;
  /** Who raised it: a Slack user or bot id, `cli:<user>`. */
  actor: string;
  environment?: Environment;
  /** Where the incident is presented, when a presenter has a place for it already. */
  presentation?: Presentation;
  /**
   * For alerts: what the alert is about (its title, labels, host fields). Servers named only
   * elsewhere in the report are context, never restarted. Absent: every server named is a subject.
   */
  subject?: string | null;
  /** For alerts: may this incident fold into a storm of the same cause? */
  fold?: FoldCheck;
};

/**
 * A second look at an incident already investigated, asked for in its thread ("also check
 * db-node-02"): the scope widens by what the follow-up names, fresh evidence is gathered, and the
 * same planner, guard and approval path decide again.
 */
export type Reassessment = {
  /** The follow-up's words; the servers and services it names join the scope. */
  alsoCheck: string;
};

/** What a presenter (terminal, Slack) shows while an investigation runs. */
export type ProgressEvent =
  | { stage: 'opened'; incidentId: string }
  | {
      stage: 'scope';
      servers: string[];
      unknown: string[];
      /** Servers the report names beyond the scope's cap, not checked (0 when none). */
      skipped?: number;
    }
  | { stage: 'evidence'; tool: ToolName; subject: string; ok: boolean }
  | { stage: 'reasoning'; planner: Planner['name'] }
  | { stage: 'fallback'; reason: string }
  | { stage: 'decided'; action: IncidentBrief['action'] };

export type Investigation = {
  brief: IncidentBrief;
  proposal: Proposal | null;
  escalation: EscalationResult | null;
  /** Every tool called, prefetch and planner, gated ones included: what evals score `never_call` on. */
  calledTools: string[];
  /** Time spent handing the escalation to its destinations (Slack, PagerDuty), ms. */
  escalationMs: number;
  /** Set when the incident folded into a storm's parent: no proposal, no escalation of its own. */
  folded: Folded | null;
};

export type InvestigationHooks = {
  /** Progress to show while it runs. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * With a model planner: the rules planner's brief from the same evidence, as soon as the
   * evidence is in, to show while the model reasons. It proposes and escalates nothing; the
   * final brief replaces it. Best effort: its failures are ignored.
   */
  onPreliminary?: (brief: IncidentBrief) => Promise<void> | void;
};

export type OperatorSettings = {
  policy: PolicySettings;
  proposalTtlMinutes: number;
  /** Overall bound on one investigation: prefetch plus planning. */
  deadlineMs: number;
};

export type OperatorDeps = {
  store: Store;
  toolbox: Toolbox;
  planner: Planner;
  escalator: Escalator;
  settings: OperatorSettings;
  clock: Clock;
};

/**
 * One investigation, in the order data flows: open the incident, find the servers, gather
 * evidence in parallel, plan, guard, propose or escalate, and hand back the brief.
 */
export class Operator {
  private readonly deps: OperatorDeps;
  private readonly rules = new RulesPlanner();
  private readonly clock: Clock;

  constructor(deps: OperatorDeps) {
    this.deps = deps;
    this.clock = deps.clock;
  }

  /** Opens an incident (redacted report, audited) without investigating it yet. */
  async open(request: TriageRequest): Promise<IncidentRecord> {
    const { store } = this.deps;
    const report = redact(request.report.trim());
    const incident = await store.incidents.create({
      source: request.source,
      report,
      now: this.clock.now(),
      presentation: request.presentation ?? null,
    });
    await store.audit.append({
      at: incident.createdAt,
      incident_id: incident.id,
      event: 'incident.opened',
      actor: request.actor,
      details: { source: request.source, report },
    });
    return incident;
  }

  /**
   * Investigates a new report, or — given `incidentId` — one already opened, as a queued job does.
   * Running it again for the same incident (a retry after a crash) reuses its restart proposal and
   * does not escalate twice.
   */
  async investigate(
    request: TriageRequest & { incidentId?: string; reassess?: Reassessment },
    hooks: InvestigationHooks | ((event: ProgressEvent) => void) = {},
  ): Promise<Investigation> {
    const { onProgress = () => {}, onPreliminary } =
      typeof hooks === 'function' ? { onProgress: hooks } : hooks;
    const { store, toolbox, settings } = this.deps;
    const { at: deadlineAt, signal } = deadlineIn(this.clock, settings.deadlineMs);
    const incident = request.incidentId
      ? await store.incidents.get(request.incidentId)
      : await this.open(request);
    if (!incident) throw new Error(`incident ${request.incidentId} does not exist`);
    const report = incident.report;
    onProgress({ stage: 'opened', incidentId: incident.id });

    const known = await toolbox.inventory.listServers();
    // A re-assessment keeps what was looked at and adds what the follow-up names.
    const earlier = request.reassess ? incident.assessment : null;
    const reportScope = resolveScope(report, known, { subject: request.subject ?? null });
    const scope = request.reassess
      ? widenScope(
          reportScope,
          earlier?.servers ?? [],
          resolveScope(request.reassess.alsoCheck, known),
        )
      : reportScope;
    const skipped = scope.truncatedFrom === null ? 0 : scope.truncatedFrom - scope.servers.length;
    onProgress({
      stage: 'scope',
      servers: scope.servers.map((s) => s.id),
      unknown: scope.unknown,
      ...(skipped > 0 ? { skipped } : {}),
    });
    const environment = request.environment ?? scope.servers[0]?.environment ?? 'prod';

    const earlierAudit = earlier ? await store.audit.list({ incidentId: incident.id }) : [];
    const session = new ToolSession({
      after: earlier ? highestEvidenceNumber(deriveBrief(incident, earlier, earlierAudit)) : 0,
    });
    const prefetchStarted = performance.now();
    await this.prefetch(scope, session, signal, onProgress);
    const prefetchMs = performance.now() - prefetchStarted;
    const prefetched = session.evidence.length;

    const signalOptions = {
      thresholdPercent: settings.policy.thresholdPercent,
      now: this.clock.now(),
      serviceOf: new Map(scope.servers.map((s) => [s.id, s.service])),
    };
    const prefetchedSignals = detectSignals(session.evidence, signalOptions);
    const memory = await recall(store, {
      incidentId: incident.id,
      servers: scope.servers,
      signals: prefetchedSignals,
      serviceOf: new Map(known.map((s) => [s.id, s.service])),
      now: this.clock.now(),
    });
    const context: PlanContext = {
      incidentId: incident.id,
      report,
      environment,
      scope,
      session,
      toolbox,
      signalOptions,
      signals: prefetchedSignals,
      signal,
      deadlineAt,
      memory,
    };
    const budgetSince = new Date(
      this.clock.now().getTime() - settings.policy.budgetWindowMinutes * 60_000,
    );
    const decide = (draft: PlannerDraft, signals: readonly Signal[]) =>
      applyPolicy({
        draft,
        scope: scope.servers,
        contextOnly: scope.context,
        evidence: session.evidence,
        signals,
        recentRestarts: (server) => store.proposals.countRestarts(server, budgetSince),
        settings: settings.policy,
      });
    const conclude = (
      draft: PlannerDraft,
      decision: Decision,
      signals: readonly Signal[],
      planner: PlannerReport,
      audit: readonly AuditEntry[],
    ) =>
      assess({
        source: incident.source,
        createdAt: incident.createdAt,
        report,
        environment,
        scope,
        draft,
        decision,
        evidence: session.evidence,
        signals,
        planner,
        memory,
        audit,
        ...(earlier ? { earlierEvidence: earlier.evidence } : {}),
      });

    const subjects = scope.servers.map((s) => s.id).filter((id) => !scope.context?.includes(id));
    const folded =
      request.fold && subjects.length > 0
        ? await request.fold({
            incidentId: incident.id,
            servers: subjects,
            signals: context.signals,
          })
        : null;

    if (
      onPreliminary &&
      !folded &&
      this.deps.planner.name !== 'rules' &&
      scope.servers.length > 0
    ) {
      // The rules need milliseconds; the model may need many seconds. Shown, never awaited.
      const rules = await this.rules.plan(context);
      const audit = await store.audit.list({ incidentId: incident.id });
      const preliminary = conclude(
        rules.draft,
        await decide(rules.draft, context.signals),
        context.signals,
        { ...rules.report, toolMs: rules.report.toolMs + prefetchMs },
        audit,
      );
      void Promise.resolve()
        .then(() => onPreliminary(deriveBrief(incident, preliminary, audit)))
        .catch(() => {});
    }

    // A folded incident's cause is the parent's to act on: the rules read its evidence for its
    // own record (no model call), and it proposes and escalates nothing.
    const planned =
      scope.servers.length === 0
        ? this.outOfScope(scope)
        : folded
          ? await this.rules.plan(context)
          : await this.plan(context, onProgress);
    const draft = planned.draft;
    const plannerReport = { ...planned.report, toolMs: planned.report.toolMs + prefetchMs };

    const signals = signalsNow(context, prefetched);
    const guarded = await decide(draft, signals);
    const foldedOrNot = folded ? foldedDecision(guarded, folded) : guarded;
    // An alert that resolved while it was investigated needs no restart and pages nobody.
    const resolvedAt = foldedOrNot.action === 'monitor' ? null : await this.resolvedAt(incident.id);
    const decision = resolvedAt ? resolvedDecision(foldedOrNot, resolvedAt) : foldedOrNot;
    onProgress({ stage: 'decided', action: decision.action });

    const last =
      decision.action === 'restart'
        ? ((await store.proposals.forIncident(incident.id)).at(-1) ?? null)
        : null;
    // A retried investigation reuses its proposal; a re-assessment only one still open for the
    // same server (an earlier, decided proposal is history, not this decision's).
    let proposal: Proposal | null =
      last &&
      (!request.reassess || (last.state === 'pending' && last.serverId === decision.restartServer))
        ? last
        : null;
    if (decision.action === 'restart' && decision.restartServer && !proposal) {
      const now = this.clock.now();
      proposal = await store.proposals.create({
        incidentId: incident.id,
        serverId: decision.restartServer,
        reason: restartReason(decision.restartServer, signals),
        now,
        expiresAt: new Date(now.getTime() + settings.proposalTtlMinutes * 60_000),
      });
      await store.audit.append({
        at: now.toISOString(),
        incident_id: incident.id,
        event: 'proposal.created',
        actor: 'operator',
        details: {
          proposal_id: proposal.id,
          server_id: proposal.serverId,
          reason: proposal.reason,
          expires_at: proposal.expiresAt,
        },
      });
    }

    // What was done so far (a retried investigation may follow a real restart): the only source
    // a claim in the planner's words may rest on.
    const audit = await store.audit.list({ incidentId: incident.id });
    const concluded = conclude(draft, decision, signals, plannerReport, audit);
    // How the model's server was worked around (tools refused, a quirk read past), said once.
    const assessment = planned.notes?.length
      ? {
          ...concluded,
          policyNotes: [...concluded.policyNotes, ...planned.notes.map((n) => `Model: ${n}.`)],
        }
      : concluded;
    await store.incidents.saveAssessment(incident.id, assessment);
    let brief = deriveBrief(incident, assessment, audit);

    let escalation: EscalationResult | null = null;
    let escalationMs = 0;
    // A chronic restart: the proposal stays, and the cause goes to an engineer alongside it.
    const chronic = decision.action === 'restart' ? chronicNote(memory) : null;
    if ((decision.action === 'escalate' || chronic) && !folded) {
      // A retried investigation (its replica died after escalating) does not page twice.
      const alreadySent = audit.find((e) => e.event === 'escalation.sent');
      if (alreadySent) {
        const { target, ref } = alreadySent.details;
        escalation = { sent: true, receipt: { target, ref }, brief };
      } else {
        const sending = performance.now();
        escalation = await sendEscalation(
          { store, escalator: this.deps.escalator, clock: this.clock },
          brief,
          chronic ??
            decision.policyNotes.at(-1) ??
            `${brief.category}/${brief.severity}: ${brief.summary}`,
        );
        escalationMs = performance.now() - sending;
        brief = escalation.brief;
        if (!escalation.sent) {
          // Why it could not be sent is part of what this investigation concluded.
          const noted = {
            ...assessment,
            policyNotes: [...assessment.policyNotes, escalation.reason],
          };
          await store.incidents.saveAssessment(incident.id, noted);
          brief = { ...brief, policyNotes: noted.policyNotes };
        }
      }
    }

    const calledTools = session.calledTools();
    if (proposal && !calledTools.includes('restart_service')) calledTools.push('restart_service');
    if (escalation?.sent && !calledTools.includes('escalate_to_engineer'))
      calledTools.push('escalate_to_engineer');
    return { brief, proposal, escalation, calledTools, escalationMs, folded };
  }

  /** When the incident's alert resolved, if it has (a recovery can arrive mid-investigation). */
  private async resolvedAt(incidentId: string): Promise<string | null> {
    const audit = await this.deps.store.audit.list({ incidentId });
    return audit.find((e) => e.event === 'incident.resolved')?.at ?? null;
  }

  /** Health, logs and changes for every server in scope, all at once, before any planning. */
  private async prefetch(
    scope: Scope,
    session: ToolSession,
    signal: AbortSignal,
    onProgress: (e: ProgressEvent) => void,
  ) {
    const { toolbox } = this.deps;
    const report = (tool: ToolName, subject: string) => (e: { data: { kind: string } }) =>
      onProgress({ stage: 'evidence', tool, subject, ok: e.data.kind !== 'error' });
    const by = { by: 'prefetch', signal } as const;
    // A server without a service is its own service for change history.
    const services = [...new Set(scope.servers.map((s) => s.service ?? s.id))];
    await Promise.all([
      ...scope.servers.flatMap((s) => [
        toolbox
          .gather(session, getServerHealth, { server_id: s.id }, by)
          .then(report(getServerHealth.name, s.id)),
        toolbox
          .gather(session, fetchRecentLogs, { server_id: s.id }, by)
          .then(report(fetchRecentLogs.name, s.id)),
        ...(toolbox.isWorkload(s.id)
          ? [
              toolbox
                .gather(session, describeWorkload, { server_id: s.id }, by)
                .then(report(describeWorkload.name, s.id)),
            ]
          : []),
      ]),
      ...services.map((service) =>
        toolbox
          .gather(session, listRecentChanges, { service }, by)
          .then(report(listRecentChanges.name, service)),
      ),
    ]);
  }

  /** The configured planner, and the rules planner whenever it fails, said plainly. */
  private async plan(
    context: PlanContext,
    onProgress: (e: ProgressEvent) => void,
  ): Promise<PlanOutcome> {
    const { planner } = this.deps;
    onProgress({ stage: 'reasoning', planner: planner.name });
    if (planner.name === 'rules') return planner.plan(context);
    const prefetched = context.session.evidence.length;
    try {
      return await planner.plan(context);
    } catch (error) {
      const reason = describeError(error);
      onProgress({ stage: 'fallback', reason });
      const fallback = await this.rules.plan({
        ...context,
        signals: signalsNow(context, prefetched),
      });
      const usage: Pick<PlannerReport, 'turns' | 'toolCalls' | 'tokens' | 'modelMs' | 'toolMs'> =
        error instanceof PlannerFailure
          ? {
              turns: error.turns,
              toolCalls: error.toolCalls,
              tokens: error.tokens,
              modelMs: error.modelMs,
              toolMs: error.toolMs,
            }
          : { turns: 0, toolCalls: 0, tokens: { prompt: 0, completion: 0 }, modelMs: 0, toolMs: 0 };
      return {
        draft: fallback.draft,
        report: { ...fallback.report, ...usage, model: planner.model, fallbackReason: reason },
      };
    }
  }

  private outOfScope(scope: Scope): PlanOutcome {
    return {
      draft: outOfScopeDraft(scope),
      report: reportWithoutModel(0),
    };
  }
}

/** The signals of all evidence gathered: found again only if a planner's tool calls added some. */
function signalsNow(context: PlanContext, prefetched: number): readonly Signal[] {
  const { evidence } = context.session;
  return evidence.length === prefetched
    ? context.signals
    : detectSignals(evidence, context.signalOptions);
}

/** The decision for an alert that resolved before its investigation finished: nothing to do. */
function resolvedDecision(decision: Decision, at: string): Decision {
  return {
    ...decision,
    action: 'monitor',
    escalation: 'hold',
    restartServer: null,
    policyNotes: [
      ...decision.policyNotes,
      `the alert resolved at ${at}, before this investigation finished: no restart is proposed and nobody is paged for it`,
    ],
  };
}

/** A folded incident's decision: no restart of its own, and the escalation is the parent's. */
function foldedDecision(decision: Decision, folded: Folded): Decision {
  return {
    ...decision,
    action: decision.action === 'restart' ? 'escalate' : decision.action,
    restartServer: null,
    policyNotes: [
      ...decision.policyNotes,
      `folded into ${folded.parentId}: it shares its cause (${folded.cause}) with the incidents there; ${folded.parentId} escalates for all of them, so this one restarts and pages nothing`,
    ],
  };
}

function restartReason(server: string, signals: readonly Signal[]): string {
  const mine = abnormal(signals).filter((s) => s.subject === server);
  return mine.length
    ? mine.map((s) => `${SIGNAL_LABELS[s.id]} (${s.evidence.join(', ')}: ${s.detail})`).join('; ')
    : `proposed for ${server}`;
}
