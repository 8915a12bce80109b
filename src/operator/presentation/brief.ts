import type { AuditEntry } from '../../domain/audit.ts';
import type {
  ActionTaken,
  Assessment,
  ChecklistItem,
  Decision,
  Fact,
  IncidentBrief,
  IncidentLink,
  Memory,
  Ownership,
  PlannerDraft,
  PlannerReport,
  TimelineEntry,
} from '../../domain/brief.ts';
import type { Evidence } from '../../domain/evidence.ts';
import type { Environment } from '../../domain/vocabulary.ts';
import type { IncidentRecord, Store } from '../../store/ports.ts';
import { redact } from '../../tools/redact.ts';
import { abnormal, type Signal } from '../decision/signals/index.ts';
import type { Scope } from '../investigation/scope.ts';
import { confirmedActions, withoutUnconfirmedClaims } from './claims.ts';
import { chooseRunbook } from './runbooks.ts';

/**
 * The brief, in one place: an investigation's assessment, then every audit entry since folded in
 * once. Nothing stores a brief; whoever shows one derives it, so it can never disagree with the
 * audit log about what was done.
 */

export type AssessmentInput = {
  source: string;
  createdAt: string;
  report: string;
  environment: Environment;
  scope: Scope;
  draft: PlannerDraft;
  decision: Decision;
  evidence: readonly Evidence[];
  signals: readonly Signal[];
  planner: PlannerReport;
  /** The incident's audit log so far: the only source a claim that something was done may rest on. */
  audit?: readonly AuditEntry[];
  /** What the store remembers about similar incidents, when it was asked. */
  memory?: Memory | null;
  /**
   * Evidence an earlier assessment of this incident gathered: kept in the record (its ids stay
   * valid) but not read again for this decision.
   */
  earlierEvidence?: readonly Evidence[];
};

/** How much of the signals an assessment keeps. */
const ASSESSMENT_LIMITS = { signals: 40, detailChars: 300 } as const;

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

function checklist(
  input: AssessmentInput,
  own: Ownership,
  facts: readonly Fact[],
): ChecklistItem[] {
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

const CLAIM_QUOTE_CHARS = 200;

/** A report naming more servers than one investigation covers: the brief says how many were skipped. */
function scopeNote(scope: Scope): string[] {
  if (scope.truncatedFrom === null) return [];
  const checked = scope.servers.length;
  const skipped = scope.truncatedFrom - checked;
  return [
    `The report names ${scope.truncatedFrom} servers; only the first ${checked} were checked and ${skipped} were skipped (not investigated, never restarted). Triage the others separately.`,
  ];
}

/**
 * The planner's title, summary and next actions without any claim that an action happened which
 * the audit log does not show (a model writing "restarted successfully — resolved" while the
 * proposal is pending), and a note saying what was removed.
 */
type PlannerText = {
  title: string;
  summary: string;
  nextActions: string[];
  facts: Fact[];
  hypotheses: PlannerDraft['hypotheses'];
  safeChecks: string[];
  impact: string;
};

function withoutFalseClaims(
  input: AssessmentInput,
  text: PlannerText,
): PlannerText & { note: string | null } {
  const confirmed = confirmedActions(input.audit ?? []);
  const removed: string[] = [];
  const check = (t: string): string => {
    const checked = withoutUnconfirmedClaims(t, confirmed);
    removed.push(...checked.removed);
    return checked.text;
  };
  const title = check(text.title);
  const summary = check(text.summary);
  const nextActions = text.nextActions.map(check).filter(Boolean);
  // A model may lie in every field it writes, not only the title and summary; the rules planner's
  // facts and hypotheses are the project's own words (a past incident's "a restart fixed it").
  const model = input.planner.planner === 'openai';
  const checkModel = (t: string): string => (model ? check(t) : t);
  const facts = text.facts.map((f) => ({ ...f, text: checkModel(f.text) })).filter((f) => f.text);
  const hypotheses = text.hypotheses
    .map((h) => ({ ...h, text: checkModel(h.text) }))
    .filter((h) => h.text);
  const safeChecks = text.safeChecks.map(checkModel).filter(Boolean);
  const impact = checkModel(text.impact);
  if (removed.length === 0) return { ...text, note: null };
  const subject =
    input.scope.servers
      .map((s) => s.id)
      .slice(0, 3)
      .join(', ') || 'incident';
  const fallbackTitle = `${subject}: ${input.decision.category} (${input.decision.severity})`;
  const quoted = removed.map(
    (r) => `"${r.length > CLAIM_QUOTE_CHARS ? `${r.slice(0, CLAIM_QUOTE_CHARS)}…` : r}"`,
  );
  return {
    title: (title || fallbackTitle).slice(0, 150),
    summary:
      summary ||
      `${ACTION_WORDS[input.decision.action]} (${input.decision.category}, ${input.decision.severity}).`,
    nextActions,
    facts,
    hypotheses,
    safeChecks,
    impact: impact || `${fallbackTitle}; impact not stated`,
    note: `The ${input.planner.planner === 'openai' ? 'model' : 'planner'}'s text claimed actions the audit log does not show, so it was removed: ${quoted.join('; ')}. Actions taken lists only what the audit log records.`,
  };
}

/**
 * A planner's words with secrets hidden (redact), before anything shows or stores them: the report
 * and evidence a model read were redacted, but a model can still repeat a secret it was told in a
 * follow-up, reassemble one, or be made to by an injection.
 */
function redactedDraft(draft: PlannerDraft): PlannerDraft {
  return {
    ...draft,
    title: redact(draft.title),
    summary: redact(draft.summary),
    restartServer: draft.restartServer === null ? null : redact(draft.restartServer),
    facts: draft.facts.map((f) => ({ ...f, text: redact(f.text) })),
    hypotheses: draft.hypotheses.map((h) => ({ ...h, text: redact(h.text) })),
    safeChecks: draft.safeChecks.map(redact),
    nextActions: draft.nextActions.map(redact),
    impact: redact(draft.impact),
  };
}

/** What an investigation concluded: the draft as the guard allowed it, with its evidence. */
export function assess(given: AssessmentInput): Assessment {
  const input: AssessmentInput = {
    ...given,
    draft: redactedDraft(given.draft),
    decision: { ...given.decision, policyNotes: given.decision.policyNotes.map(redact) },
  };
  const cited = new Set(input.evidence.map((e) => e.id));
  const claims = withoutFalseClaims(input, {
    title: input.draft.title,
    ...guardedText(input.draft, input.decision),
    // A fact that cites nothing real is not a fact; the planner validation should have caught it.
    facts: input.draft.facts.filter((f) => f.evidence.every((id) => cited.has(id))),
    hypotheses: input.draft.hypotheses,
    safeChecks: input.draft.safeChecks,
    impact: input.draft.impact,
  });
  const guarded = claims;
  const facts = claims.facts;
  const own = ownership(input.scope, input.evidence);
  const plannerNote = input.planner.fallbackReason
    ? [
        `The model was not used for this brief (${input.planner.fallbackReason}); the rules planner decided.`,
      ]
    : [];
  const changes: TimelineEntry[] = input.evidence.flatMap((e) =>
    e.data.kind === 'changes'
      ? e.data.changes.map((c) => ({ at: c.at, event: `Change to ${c.service}: ${c.description}` }))
      : [],
  );
  const runbook = chooseRunbook(input.scope.servers, abnormal(input.signals));
  // The catalog's checks for this signature are the owning team's own: they come first.
  const safeChecks = [...new Set([...(runbook?.checks ?? []), ...claims.safeChecks])];
  return {
    title: claims.title,
    summary: guarded.summary,
    environment: input.environment,
    servers: input.scope.servers.map((s) => s.id),
    category: input.decision.category,
    severity: input.decision.severity,
    escalation: input.decision.escalation,
    action: input.decision.action,
    facts,
    hypotheses: claims.hypotheses,
    safeChecks,
    nextActions: guarded.nextActions,
    documentationChecklist: checklist(input, own, facts),
    impact: claims.impact,
    ownership: own,
    changes,
    signals: input.signals.slice(0, ASSESSMENT_LIMITS.signals).map((sig) => ({
      id: sig.id,
      subject: sig.subject,
      detail: sig.detail.slice(0, ASSESSMENT_LIMITS.detailChars),
    })),
    scopeNotes: {
      skipped: [...(input.scope.skipped ?? [])],
      context: [...(input.scope.context ?? [])],
    },
    ...(input.scope.truncatedFrom !== null
      ? { serversSkipped: input.scope.truncatedFrom - input.scope.servers.length }
      : {}),
    policyNotes: [
      ...plannerNote,
      ...scopeNote(input.scope),
      ...input.decision.policyNotes,
      ...(claims.note ? [claims.note] : []),
    ],
    planner: input.planner,
    evidence: [...(input.earlierEvidence ?? []), ...input.evidence],
    ...(input.memory !== undefined ? { memory: input.memory } : {}),
    ...(runbook ? { runbook: runbook.link } : {}),
  };
}

/** The order events happen in within one incident, for entries that share a timestamp. */
const LIFECYCLE: Record<AuditEntry['event'], number> = {
  'incident.opened': 0,
  'proposal.created': 1,
  'approval.refused': 2,
  'approval.granted': 2,
  'proposal.approved': 3,
  'proposal.denied': 3,
  'proposal.expired': 3,
  'restart.started': 4,
  'restart.executed': 5,
  'restart.failed': 5,
  'restart.unknown': 5,
  'restart.cancelled': 5,
  'restart.verified': 6,
  'escalation.sent': 7,
  'incident.linked': 1,
  // A re-assessment comes before the proposal it may lead to; an answer after what it reports.
  'incident.reassessed': 0.5,
  'followup.answered': 8,
  // A resolution, then the restart it withdraws, then the postmortem drafted on it.
  'incident.resolved': 8.5,
  'proposal.withdrawn': 8.6,
  'postmortem.drafted': 9,
};

/** Entries in the order they happened, whatever order they come in (the store lists newest first). */
export function chronological(audit: readonly AuditEntry[]): AuditEntry[] {
  return [...audit].sort(
    (a, b) => a.at.localeCompare(b.at) || LIFECYCLE[a.event] - LIFECYCLE[b.event],
  );
}

const pct = (n: number | undefined) => (n === undefined ? '?' : `${n}%`);

function reading(h: { cpu: number; memory: number; status: string } | null): string {
  return h ? `cpu ${h.cpu}%, memory ${h.memory}%, status ${h.status}` : 'no health reading';
}

/** The confirmed action one audit entry records, or null when it records none. */
function actionOf(entry: AuditEntry): string | null {
  switch (entry.event) {
    case 'approval.granted':
      return `Restart of ${entry.details.server_id} approved by ${entry.actor} (${entry.details.approvals} of ${entry.details.required} approvals needed)`;
    case 'proposal.approved':
      return `Restart of ${entry.details.server_id} approved by ${entry.actor}`;
    case 'proposal.denied':
      return `Restart of ${entry.details.server_id} denied by ${entry.actor}`;
    case 'proposal.expired':
      return `Restart proposal for ${entry.details.server_id} expired without a decision`;
    case 'restart.executed':
      return `Restarted ${entry.details.server_id}`;
    case 'restart.verified': {
      const { before, after, recovered, server_id } = entry.details;
      const outcome = recovered ? 'recovered' : 'did NOT recover';
      return `Health re-checked after restart of ${server_id}: ${outcome} (cpu ${pct(before?.cpu)} → ${pct(after?.cpu)}, memory ${pct(before?.memory)} → ${pct(after?.memory)}, status ${after?.status ?? '?'})`;
    }
    case 'restart.failed':
      return `Restart of ${entry.details.server_id} FAILED: ${entry.details.error}`;
    case 'restart.unknown':
      return `Restart of ${entry.details.server_id}: outcome UNKNOWN (${entry.details.reason}); health then: ${reading(entry.details.health)}`;
    case 'restart.cancelled':
      return `Restart of ${entry.details.server_id} NOT performed: ${entry.details.reason}`;
    case 'escalation.sent':
      return `Escalated to ${entry.details.target}`;
    case 'proposal.withdrawn':
      return `Restart proposal for ${entry.details.server_id} withdrawn: ${entry.details.reason}`;
    default:
      return null;
  }
}

/** What a lifecycle entry adds to the timeline without being an action the bot took. */
function eventOf(entry: AuditEntry): string | null {
  switch (entry.event) {
    case 'incident.resolved':
      return `Resolved (${entry.details.via}): ${entry.details.reason}`;
    case 'incident.linked':
      return `${RELATION_WORDS[entry.details.relation]} ${entry.details.linked_incident_id}: ${entry.details.reason}`;
    default:
      return null;
  }
}

const RELATION_WORDS: Record<IncidentLink['relation'], string> = {
  recurrence_of: 'Recurrence of',
  recurred_as: 'Fired again as',
  folded_into: 'Folded into',
  folded_from: 'Folded in',
};

/** The actions a human may rely on, from the audit log alone. Nothing else is a source. */
export function actionsTaken(audit: readonly AuditEntry[]): ActionTaken[] {
  return chronological(audit).flatMap((entry) => {
    const action = actionOf(entry);
    return action ? [{ at: entry.at, actor: entry.actor, action }] : [];
  });
}

/** The brief as its assessment says, before anything happened. */
function initialBrief(
  incident: Pick<IncidentRecord, 'id' | 'createdAt' | 'source' | 'report'>,
  assessment: Assessment,
): IncidentBrief {
  const { ownership: own, changes, impact, signals: _signals, ...rest } = assessment;
  const timeline = [
    { at: incident.createdAt, event: `First signal: reported via ${incident.source}` },
    ...changes,
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...rest,
    incidentId: incident.id,
    createdAt: incident.createdAt,
    report: incident.report,
    restart: null,
    state: 'open',
    resolution: null,
    links: [],
    lastRestart: null,
    scopeNotes: assessment.scopeNotes ?? { skipped: [], context: [] },
    escalationPackage: {
      impact,
      timeline,
      evidence: assessment.facts,
      ownership: own,
      actionsTaken: [],
    },
  };
}

/** One audit entry folded into the brief: the only way a brief learns what happened. */
export function foldEntry(brief: IncidentBrief, entry: AuditEntry): IncidentBrief {
  const action = actionOf(entry);
  const event = eventOf(entry);
  const withEvent: IncidentBrief = event
    ? {
        ...brief,
        escalationPackage: {
          ...brief.escalationPackage,
          timeline: [...brief.escalationPackage.timeline, { at: entry.at, event }].sort((a, b) =>
            a.at.localeCompare(b.at),
          ),
        },
      }
    : brief;
  const withAction: IncidentBrief = action
    ? {
        ...brief,
        escalationPackage: {
          ...brief.escalationPackage,
          actionsTaken: [
            ...brief.escalationPackage.actionsTaken,
            { at: entry.at, actor: entry.actor, action },
          ],
          timeline: [...brief.escalationPackage.timeline, { at: entry.at, event: action }].sort(
            (a, b) => a.at.localeCompare(b.at),
          ),
        },
      }
    : brief;
  switch (entry.event) {
    case 'proposal.created':
      return withAction.action === 'restart'
        ? {
            ...withAction,
            restart: {
              serverId: entry.details.server_id,
              proposalId: entry.details.proposal_id,
              expiresAt: entry.details.expires_at,
            },
          }
        : withAction;
    case 'escalation.sent':
      return { ...withAction, escalation: entry.details.escalation };
    case 'restart.executed':
      return {
        ...withAction,
        state: withAction.state === 'resolved' ? 'resolved' : 'mitigating',
        lastRestart: {
          serverId: entry.details.server_id,
          by: entry.details.approved_by,
          at: entry.at,
        },
      };
    case 'incident.resolved':
      // The first resolution counts; a repeat (another replica, a re-sent webhook) changes nothing.
      if (withEvent.state === 'resolved') return brief;
      return {
        ...withEvent,
        state: 'resolved',
        resolution: {
          at: entry.at,
          via: entry.details.via,
          reason: entry.details.reason,
          afterMs: Math.max(0, Date.parse(entry.at) - Date.parse(brief.createdAt)),
          restart: withEvent.lastRestart ?? null,
        },
      };
    case 'incident.linked':
      return {
        ...withEvent,
        links: [
          ...(withEvent.links ?? []),
          {
            incidentId: entry.details.linked_incident_id,
            relation: entry.details.relation,
            reason: entry.details.reason,
            at: entry.at,
            servers: entry.details.servers,
          },
        ],
      };
    case 'followup.answered': {
      // Evidence gathered for an answer joins the incident's evidence; its ids are new ones.
      const known = new Set(withAction.evidence.map((e) => e.id));
      const added = entry.details.evidence.filter((e) => !known.has(e.id));
      return withTimeline(
        added.length ? { ...withAction, evidence: [...withAction.evidence, ...added] } : withAction,
        entry.at,
        `Follow-up from ${entry.actor} (${entry.details.intent}): ${clip(entry.details.question)}`,
      );
    }
    case 'postmortem.drafted':
      return withTimeline(
        withAction,
        entry.at,
        `Postmortem draft posted (${entry.details.trigger}; ${entry.details.open_questions} open questions)`,
      );
    case 'incident.reassessed':
      return withTimeline(
        withAction,
        entry.at,
        `Re-assessed after a follow-up from ${entry.actor} (${clip(entry.details.reason)}): scope ${entry.details.servers.join(', ') || 'none'}; decision ${entry.details.previous_action} → ${entry.details.action}`,
      );
    default:
      return withAction;
  }
}

const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 119)}…` : text);

function withTimeline(brief: IncidentBrief, at: string, event: string): IncidentBrief {
  return {
    ...brief,
    escalationPackage: {
      ...brief.escalationPackage,
      timeline: [...brief.escalationPackage.timeline, { at, event }].sort((a, b) =>
        a.at.localeCompare(b.at),
      ),
    },
  };
}

/** The incident's brief: its assessment with the audit log folded in, each entry once. */
export function deriveBrief(
  incident: Pick<IncidentRecord, 'id' | 'createdAt' | 'source' | 'report'>,
  assessment: Assessment,
  audit: readonly AuditEntry[],
): IncidentBrief {
  return chronological(audit).reduce(foldEntry, initialBrief(incident, assessment));
}

/** The current brief of a stored incident, or null before its first investigation finished. */
export async function readBrief(
  store: Pick<Store, 'incidents' | 'audit'>,
  incidentId: string,
): Promise<IncidentBrief | null> {
  const incident = await store.incidents.get(incidentId);
  if (!incident?.assessment) return null;
  return deriveBrief(incident, incident.assessment, await store.audit.list({ incidentId }));
}

/** Appends an entry and folds it into the brief the caller holds: no re-read, no re-save. */
export async function record(
  store: Pick<Store, 'audit'>,
  brief: IncidentBrief,
  entry: AuditEntry,
): Promise<IncidentBrief> {
  await store.audit.append(entry);
  return foldEntry(brief, entry);
}
