import type { AuditEntry } from '../domain/audit.ts';
import type {
  ActionTaken,
  ChecklistItem,
  Decision,
  Fact,
  IncidentBrief,
  Ownership,
  PlannerDraft,
  PlannerReport,
  TimelineEntry,
} from '../domain/brief.ts';
import type { Evidence } from '../domain/evidence.ts';
import type { Proposal } from '../domain/proposal.ts';
import type { Environment } from '../domain/vocabulary.ts';
import type { Scope } from './scope.ts';
import { abnormal, type Signal } from './signals/index.ts';

export type BriefInput = {
  incidentId: string;
  createdAt: string;
  source: string;
  report: string;
  environment: Environment;
  scope: Scope;
  draft: PlannerDraft;
  decision: Decision;
  evidence: readonly Evidence[];
  signals: readonly Signal[];
  planner: PlannerReport;
  proposal: Proposal | null;
  /** This incident's audit entries, any order. The only source of "actions taken". */
  audit: readonly AuditEntry[];
};

/** host:port or scheme://host names in log lines: the dependencies a service was seen calling. */
function dependenciesSeen(evidence: readonly Evidence[]): string[] {
  const found = new Set<string>();
  for (const e of evidence) {
    if (e.data.kind !== 'logs') continue;
    for (const line of e.data.lines) {
      for (const m of line.matchAll(/\b([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*):(\d{2,5})\b/gi)) {
        if (m[1] && !/^(https?|tcp|udp)$/i.test(m[1])) found.add(`${m[1]}:${m[2]}`);
      }
    }
  }
  return [...found];
}

function ownership(scope: Scope, evidence: readonly Evidence[]): Ownership {
  const first = scope.servers[0];
  const declared = scope.servers.flatMap((s) => s.dependencies ?? []);
  return {
    service: first?.service ?? null,
    team: first?.team ?? null,
    onCall: first?.onCall ?? null,
    dependencies: [...new Set([...declared, ...dependenciesSeen(evidence)])],
  };
}

/** The order events happen in within one incident, for entries that share a timestamp. */
const LIFECYCLE: Record<AuditEntry['event'], number> = {
  'incident.opened': 0,
  'proposal.created': 1,
  'approval.refused': 2,
  'proposal.approved': 3,
  'proposal.denied': 3,
  'proposal.expired': 3,
  'restart.executed': 4,
  'restart.failed': 4,
  'restart.verified': 5,
  'escalation.sent': 6,
};

const pct = (n: unknown) => (typeof n === 'number' ? `${n}%` : '?');

/** Turns audit entries into the confirmed actions a human may rely on. Nothing else is a source. */
export function actionsTaken(audit: readonly AuditEntry[]): ActionTaken[] {
  const describe = (entry: AuditEntry): string | null => {
    const d = entry.details;
    const server = typeof d.server_id === 'string' ? d.server_id : 'the server';
    switch (entry.event) {
      case 'proposal.approved':
        return `Restart of ${server} approved by ${entry.actor}`;
      case 'proposal.denied':
        return `Restart of ${server} denied by ${entry.actor}`;
      case 'proposal.expired':
        return `Restart proposal for ${server} expired without a decision`;
      case 'restart.executed':
        return `Restarted ${server}`;
      case 'restart.verified': {
        const before = d.before as Record<string, unknown> | undefined;
        const after = d.after as Record<string, unknown> | undefined;
        const outcome = d.recovered === true ? 'recovered' : 'did NOT recover';
        return `Health re-checked after restart of ${server}: ${outcome} (cpu ${pct(before?.cpu)} → ${pct(after?.cpu)}, memory ${pct(before?.memory)} → ${pct(after?.memory)}, status ${String(after?.status ?? '?')})`;
      }
      case 'restart.failed':
        return `Restart of ${server} FAILED: ${String(d.error ?? 'unknown error')}`;
      case 'escalation.sent':
        return `Escalated to ${String(d.target ?? 'an engineer')}`;
      default:
        return null;
    }
  };
  // Entries written in the same millisecond (approval, restart, verification) keep their causal
  // order whatever order the caller passes them in (the store lists newest first).
  return [...audit]
    .sort((a, b) => a.at.localeCompare(b.at) || LIFECYCLE[a.event] - LIFECYCLE[b.event])
    .flatMap((entry) => {
      const action = describe(entry);
      return action ? [{ at: entry.at, actor: entry.actor, action }] : [];
    });
}

function timeline(input: BriefInput): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    { at: input.createdAt, event: `First signal: reported via ${input.source}` },
  ];
  for (const e of input.evidence) {
    if (e.data.kind !== 'changes') continue;
    for (const c of e.data.changes)
      entries.push({ at: c.at, event: `Change to ${c.service}: ${c.description}` });
  }
  for (const a of actionsTaken(input.audit)) entries.push({ at: a.at, event: a.action });
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

function checklist(input: BriefInput, own: Ownership, facts: readonly Fact[]): ChecklistItem[] {
  const ok = (kind: Evidence['data']['kind']) => input.evidence.some((e) => e.data.kind === kind);
  const item = (text: string, captured: boolean): ChecklistItem => ({
    item: text,
    status: captured ? 'captured' : 'missing',
  });
  return [
    item('Impact: who is affected, what is broken, severity', input.draft.impact.length > 0),
    item('Timeline: first signal and detection source', true),
    item('Changes since last known good checked', ok('changes')),
    item('Health and log evidence attached', ok('health') && ok('logs')),
    item('Error signatures identified', abnormal(input.signals).length > 0 || facts.length > 0),
    item('Owning team and current on-call', own.team !== null && own.onCall !== null),
    item('Related dependencies', own.dependencies.length > 0),
    item('Customer impact confirmed by a human', false),
  ];
}

const ACTION_WORDS: Record<Decision['action'], string> = {
  restart: 'a restart',
  escalate: 'an escalation',
  monitor: 'monitoring',
};

/**
 * The planner wrote its summary and next actions for its own decision. When the guard changed the
 * decision, those words would claim what is not happening ("a restart is proposed"), so the summary
 * says what the guard decided and why, and next actions about a restart are dropped.
 */
function guardedText(
  draft: PlannerDraft,
  decision: Decision,
): { summary: string; nextActions: string[] } {
  if (decision.action === draft.action)
    return { summary: draft.summary, nextActions: draft.nextActions };
  const proposed =
    draft.action === 'restart' && draft.restartServer
      ? `a restart of ${draft.restartServer}`
      : ACTION_WORDS[draft.action];
  const why = decision.policyNotes.at(-1) ?? 'the policy guard does not allow it';
  const next: Record<Decision['action'], string> = {
    restart: 'Approve or deny the proposed restart',
    escalate:
      'An engineer takes it from here with this brief; the bot will not restart anything for it',
    monitor: 'No action needed now; re-run triage if the symptom returns',
  };
  return {
    summary: `${draft.title}. The planner proposed ${proposed}; the policy guard decided on ${ACTION_WORDS[decision.action]} instead: ${why}.`,
    nextActions: [next[decision.action], ...draft.nextActions.filter((a) => !/\brestart/i.test(a))],
  };
}

/** Assembles the brief from the draft, the guarded decision, the evidence and the audit log. */
export function buildBrief(input: BriefInput): IncidentBrief {
  const guarded = guardedText(input.draft, input.decision);
  const cited = new Set(input.evidence.map((e) => e.id));
  // A fact that cites nothing real is not a fact; the planner validation should have caught it.
  const facts = input.draft.facts.filter((f) => f.evidence.every((id) => cited.has(id)));
  const own = ownership(input.scope, input.evidence);
  const restart =
    input.proposal && input.decision.action === 'restart'
      ? {
          serverId: input.proposal.serverId,
          proposalId: input.proposal.id,
          expiresAt: input.proposal.expiresAt,
        }
      : null;
  const plannerNote = input.planner.fallbackReason
    ? [
        `The model was not used for this brief (${input.planner.fallbackReason}); the rules planner decided.`,
      ]
    : [];
  return {
    incidentId: input.incidentId,
    createdAt: input.createdAt,
    title: input.draft.title,
    summary: guarded.summary,
    report: input.report,
    environment: input.environment,
    servers: input.scope.servers.map((s) => s.id),
    category: input.decision.category,
    severity: input.decision.severity,
    escalation: input.decision.escalation,
    action: input.decision.action,
    restart,
    facts,
    hypotheses: input.draft.hypotheses,
    safeChecks: input.draft.safeChecks,
    nextActions: guarded.nextActions,
    documentationChecklist: checklist(input, own, facts),
    escalationPackage: {
      impact: input.draft.impact,
      timeline: timeline(input),
      evidence: facts,
      ownership: own,
      actionsTaken: actionsTaken(input.audit),
    },
    policyNotes: [...plannerNote, ...input.decision.policyNotes],
    planner: input.planner,
    evidence: [...input.evidence],
  };
}

/** The same brief with its actions taken and timeline refreshed from the audit log. */
export function refreshFromAudit(
  brief: IncidentBrief,
  audit: readonly AuditEntry[],
): IncidentBrief {
  const taken = actionsTaken(audit);
  const earlier = brief.escalationPackage.timeline.filter(
    (t) => !brief.escalationPackage.actionsTaken.some((a) => a.at === t.at && a.action === t.event),
  );
  const timelineEntries = [...earlier, ...taken.map((a) => ({ at: a.at, event: a.action }))].sort(
    (a, b) => a.at.localeCompare(b.at),
  );
  return {
    ...brief,
    escalationPackage: {
      ...brief.escalationPackage,
      actionsTaken: taken,
      timeline: timelineEntries,
    },
  };
}
