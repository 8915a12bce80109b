import { z } from 'zod';
import type { IncidentBrief } from '../../domain/brief.ts';
import type { Clock } from '../../domain/clock.ts';
import { describeError } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';
import type { IncidentRecord, Job, Store } from '../../store/ports.ts';
import type { Escalator } from '../../tools/backends.ts';
import { fetchRecentLogs } from '../../tools/declarations/fetch-recent-logs.ts';
import { TOOL_LIMITS } from '../../tools/limits.ts';
import { ToolSession } from '../../tools/session.ts';
import type { Toolbox } from '../../tools/toolbox.ts';
import { sendEscalation } from '../approval/escalate.ts';
import { markTaken, takeDelivery } from '../intake/deliveries.ts';
import type { Operator } from '../investigation/investigate.ts';
import { describeOutOfScope, resolveScope } from '../investigation/scope.ts';
import { highestEvidenceNumber } from '../investigation/widen.ts';
import { type JobHandler, JobRejected } from '../jobs/runner.ts';
import type { Postmortems } from '../postmortem/postmortems.ts';
import { readBrief } from '../presentation/brief.ts';
import { resolutionOf } from '../presentation/resolution.ts';
import {
  answer,
  changesAnswer,
  citedIn,
  type FollowUpAnswer,
  helpAnswer,
  statusAnswer,
  whyNotRestartAnswer,
} from './answers.ts';
import { type Intent, parseIntent } from './intents.ts';
import type { FollowUpModel } from './model.ts';

/**
 * Follow-ups in an incident's thread. A mention whose thread is an incident's place continues that
 * incident: the request is queued as a durable job (like an investigation), read by rules into an
 * intent, answered from the record or with read-only tools, re-assessed through the same planner,
 * guard and approval path when it widens the scope, and audited. A mention anywhere else is not a
 * follow-up, and the intake opens a new incident as before.
 */

/** The kind of job a follow-up is queued as. */
export const FOLLOW_UP = 'followup';

export const FollowUpJob = z.object({
  incidentId: z.string(),
  text: z.string(),
  actor: z.string(),
  /** The presenter's note of where to answer (opaque to the core). */
  route: z.string(),
});
export type FollowUpJob = z.infer<typeof FollowUpJob>;

export type FollowUpRequest = {
  text: string;
  actor: string;
  /** The thread the mention was made in (opaque, the presenter's encoding). */
  place: string;
  route: string;
  dedupeKeys: readonly string[];
};

export type FollowUpResult =
  | { kind: 'not_a_follow_up' }
  | { kind: 'duplicate' }
  | { kind: 'accepted'; incidentId: string; jobId: string };

/** Where follow-up answers are shown. */
export interface ConversationPresenter {
  /** Posts the answer where the follow-up was asked; throws when it could not (the job retries). */
  answer(incidentId: string, route: string, answer: FollowUpAnswer): Promise<void>;
  /** Shows the incident's brief again in its own message: its decision changed. Best effort. */
  refresh(incidentId: string): Promise<void>;
}

export type ConversationDeps = {
  store: Pick<Store, 'incidents' | 'coordination' | 'jobs'>;
  /** Called after a job is queued, to start a runner on it at once. */
  wake: () => void;
  /** How long a delivery is remembered for de-duplication. */
  dedupeTtlMs: number;
  clock: Clock;
};

export class Conversation {
  private readonly deps: ConversationDeps;

  constructor(deps: ConversationDeps) {
    this.deps = deps;
  }

  /** The incident whose thread `place` is, or null. */
  incidentAt(place: string): Promise<IncidentRecord | null> {
    return this.deps.store.incidents.findByPlace(place);
  }

  /**
   * Queues a follow-up when `place` is an incident's thread; `not_a_follow_up` otherwise, before
   * anything is claimed, so the intake can take the same delivery as a new report.
   */
  async accept(request: FollowUpRequest): Promise<FollowUpResult> {
    const { store, clock } = this.deps;
    const incident = await this.incidentAt(request.place);
    if (!incident) return { kind: 'not_a_follow_up' };
    const now = clock.now();
    // The intake's two-step de-duplication: a follow-up that failed half-way is retried, not
    // mistaken for a duplicate of itself.
    const deliveries = { coordination: store.coordination, clock, ttlMs: this.deps.dedupeTtlMs };
    if ((await takeDelivery(deliveries, request.dedupeKeys)) === 'duplicate')
      return { kind: 'duplicate' };
    const payload: FollowUpJob = {
      incidentId: incident.id,
      text: request.text,
      actor: request.actor,
      route: request.route,
    };
    const job = await store.jobs.enqueue({ kind: FOLLOW_UP, payload, now });
    await markTaken(deliveries, request.dedupeKeys).catch(() => {});
    this.deps.wake();
    return { kind: 'accepted', incidentId: incident.id, jobId: job.id };
  }
}

export type FollowUpJobsDeps = {
  store: Store;
  operator: Pick<Operator, 'investigate'>;
  toolbox: Toolbox;
  escalator: Escalator;
  presenter: ConversationPresenter;
  postmortems: Pick<Postmortems, 'post'>;
  /** Answers free questions when a model is configured; null = rules only. */
  model: FollowUpModel | null;
  clock: Clock;
  logger: Logger;
};

const ANSWER_CHARS = 2_000;

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Whether what the brief's own message shows changed. */
function decisionChanged(before: IncidentBrief, after: IncidentBrief): boolean {
  return (
    before.action !== after.action ||
    before.severity !== after.severity ||
    before.escalation !== after.escalation ||
    before.restart?.proposalId !== after.restart?.proposalId
  );
}

/** The job that answers one follow-up. */
export class FollowUpJobs implements JobHandler {
  private readonly deps: FollowUpJobsDeps;

  constructor(deps: FollowUpJobsDeps) {
    this.deps = deps;
  }

  private payload(job: Job): FollowUpJob {
    const parsed = FollowUpJob.safeParse(job.payload);
    if (!parsed.success) throw new JobRejected(`invalid payload: ${parsed.error.message}`);
    return parsed.data;
  }

  async run(job: Job): Promise<void> {
    const request = this.payload(job);
    const { store, presenter } = this.deps;
    const intent = parseIntent(request.text);
    const brief = await readBrief(store, request.incidentId);
    const reply = brief
      ? await this.respond(intent, request, brief)
      : answer(
          intent.kind,
          `${request.incidentId} is still being investigated; ask again once its brief is posted.`,
          [],
        );
    await store.audit.append({
      at: this.deps.clock.now().toISOString(),
      incident_id: request.incidentId,
      event: 'followup.answered',
      actor: request.actor,
      details: {
        question: request.text.slice(0, ANSWER_CHARS),
        intent: reply.intent,
        answer: reply.text.slice(0, ANSWER_CHARS),
        cited: [...reply.cited],
        evidence: [...reply.evidence],
        by: reply.by,
      },
    });
    await presenter.answer(request.incidentId, request.route, reply);
    if (reply.decisionChanged) await presenter.refresh(request.incidentId);
  }

  async giveUp(job: Job, why: string): Promise<void> {
    const parsed = FollowUpJob.safeParse(job.payload);
    if (!parsed.success) return;
    await this.deps.presenter.answer(
      parsed.data.incidentId,
      parsed.data.route,
      answer('help', `I could not answer this follow-up: ${why}. Nothing was restarted.`, []),
    );
  }

  private async respond(
    intent: Intent,
    request: FollowUpJob,
    brief: IncidentBrief,
  ): Promise<FollowUpAnswer> {
    const { store } = this.deps;
    const proposals = await store.proposals.forIncident(brief.incidentId);
    switch (intent.kind) {
      case 'status': {
        const audit = await store.audit.list({ incidentId: brief.incidentId });
        const resolved = resolutionOf(audit);
        return statusAnswer(brief, proposals, resolved);
      }
      case 'why_not_restart':
        return whyNotRestartAnswer(brief, proposals);
      case 'changes':
        return changesAnswer(brief);
      case 'help':
        return helpAnswer(brief, proposals);
      case 'escalate':
        return this.escalate(brief, request);
      case 'logs':
        return this.moreLogs(intent, brief);
      case 'widen':
        return this.widen(intent.text, request, brief);
      case 'postmortem': {
        const draft = await this.deps.postmortems.post(brief.incidentId, request.actor, 'followup');
        return answer(
          'postmortem',
          draft
            ? `Posted a postmortem draft for ${brief.incidentId} with ${draft.openQuestions.length} open questions.`
            : `${brief.incidentId} has no brief yet, so there is nothing to draft from.`,
          [],
        );
      }
      case 'question':
        return this.question(intent.text, brief, proposals);
    }
  }

  private async question(
    text: string,
    brief: IncidentBrief,
    proposals: Awaited<ReturnType<Store['proposals']['forIncident']>>,
  ): Promise<FollowUpAnswer> {
    const { model } = this.deps;
    if (!model) return helpAnswer(brief, proposals);
    const session = new ToolSession({ after: highestEvidenceNumber(brief) });
    try {
      return await model.answer(text, brief, { toolbox: this.deps.toolbox, session });
    } catch (error) {
      const fallback = helpAnswer(brief, proposals);
      return {
        ...fallback,
        text: `The model could not answer (${describeError(error)}).\n${fallback.text}`,
        evidence: [...session.evidence],
      };
    }
  }

  private async escalate(brief: IncidentBrief, request: FollowUpJob): Promise<FollowUpAnswer> {
    const earlier = brief.escalationPackage.actionsTaken.filter((a) =>
      a.action.startsWith('Escalated'),
    );
    const result = await sendEscalation(
      { store: this.deps.store, escalator: this.deps.escalator, clock: this.deps.clock },
      brief,
      `escalation asked for in the incident thread by ${request.actor}: ${request.text.slice(0, 200)}`,
      request.actor,
    );
    if (!result.sent) return answer('escalate', `Not escalated: ${result.reason}.`, []);
    const pkg = result.brief.escalationPackage;
    const again = earlier.length
      ? ` (again; earlier: ${earlier.map((e) => e.action).join('; ')})`
      : '';
    const facts = pkg.evidence.flatMap((f) => f.evidence);
    return answer(
      'escalate',
      `Escalated to ${result.receipt.target} at ${result.brief.escalation}${again}, with the package: impact, ${count(pkg.timeline.length, 'timeline entry', 'timeline entries')}, ${count(pkg.evidence.length, 'fact', 'facts')}, ownership, ${count(pkg.actionsTaken.length, 'action taken', 'actions taken')}.`,
      [...new Set(facts)],
      { decisionChanged: true },
    );
  }

  private async moreLogs(
    intent: Extract<Intent, { kind: 'logs' }>,
    brief: IncidentBrief,
  ): Promise<FollowUpAnswer> {
    const { toolbox } = this.deps;
    const known = await toolbox.inventory.listServers();
    const named = resolveScope(intent.text, known);
    const target = named.servers[0]?.id ?? (brief.servers.length === 1 ? brief.servers[0] : null);
    if (!target)
      return answer(
        'logs',
        named.unknown.length
          ? `${describeOutOfScope(named)}.`
          : `Which server? Say "show ${intent.lines} more log lines of <server>"; in scope: ${brief.servers.join(', ') || 'none'}.`,
        [],
      );
    const earlier = [...brief.evidence]
      .reverse()
      .find((e) => e.source.subject === target && e.data.kind === 'logs');
    const had = earlier?.data.kind === 'logs' ? earlier.data.lines.length : 0;
    const session = new ToolSession({ after: highestEvidenceNumber(brief) });
    const evidence = await toolbox.gather(
      session,
      fetchRecentLogs,
      { server_id: target, lines: Math.min(TOOL_LIMITS.maxLogLines, had + intent.lines) },
      { by: 'planner' },
    );
    if (evidence.data.kind !== 'logs')
      return answer('logs', `${evidence.summary} [${evidence.id}]`, [evidence.id], {
        evidence: [evidence],
      });
    const lines = evidence.data.lines;
    const older = lines.slice(0, Math.max(0, lines.length - had)).slice(-intent.lines);
    const since = earlier ? ` before the ${had} lines of ${earlier.id}` : '';
    const text = older.length
      ? `${target}: ${older.length} more log lines${since} [${evidence.id}]:`
      : `${target} has no older log lines than the ${had} in ${earlier?.id ?? evidence.id}; the newest ${lines.length} are in ${evidence.id}.`;
    return answer('logs', text, citedIn(text), {
      quote: older.length ? older : lines.slice(-intent.lines),
      evidence: [evidence],
    });
  }

  private async widen(
    text: string,
    request: FollowUpJob,
    before: IncidentBrief,
  ): Promise<FollowUpAnswer> {
    const { store, toolbox, operator } = this.deps;
    const named = resolveScope(text, await toolbox.inventory.listServers());
    if (named.servers.length === 0)
      return answer('widen', `Nothing added: ${describeOutOfScope(named)}.`, []);
    const incident = await store.incidents.get(before.incidentId);
    if (!incident) throw new Error(`incident ${before.incidentId} does not exist`);
    const investigation = await operator.investigate({
      report: incident.report,
      source: incident.source,
      actor: request.actor,
      incidentId: incident.id,
      reassess: { alsoCheck: text },
    });
    const now = this.deps.clock.now().toISOString();
    await store.audit.append({
      at: now,
      incident_id: incident.id,
      event: 'incident.reassessed',
      actor: request.actor,
      details: {
        reason: text.slice(0, 500),
        servers: investigation.brief.servers,
        previous_action: before.action,
        action: investigation.brief.action,
      },
    });
    const after = (await readBrief(store, incident.id)) ?? investigation.brief;
    const added = named.servers.map((s) => s.id);
    const known = new Set(before.evidence.map((e) => e.id));
    const fresh = after.evidence.filter(
      (e) => !known.has(e.id) && added.includes(e.source.subject),
    );
    const facts = after.facts.filter((f) =>
      f.evidence.some((id) => fresh.some((e) => e.id === id)),
    );
    const lines = (facts.length ? facts : fresh)
      .slice(0, 4)
      .map((f) =>
        'summary' in f ? `${f.summary} [${f.id}]` : `${f.text} [${f.evidence.join(', ')}]`,
      );
    const decision =
      after.action === 'restart' && after.restart
        ? `restart of ${after.restart.serverId} proposed: approve or deny it on the brief`
        : after.action === 'escalate'
          ? 'escalate to an engineer'
          : 'monitor';
    const changed = decisionChanged(before, after);
    const reply = [
      `Checked ${added.join(', ')}:`,
      ...lines.map((l) => `• ${l}`),
      changed
        ? `The decision changed: ${before.action} → ${decision}.`
        : `The decision stays: ${decision}.`,
    ].join('\n');
    return answer('widen', reply, citedIn(reply), { decisionChanged: true });
  }
}
