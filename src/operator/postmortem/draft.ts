import type { AuditEntry } from '../../domain/audit.ts';
import type { Hypothesis, IncidentBrief, TimelineEntry } from '../../domain/brief.ts';
import type { Proposal } from '../../domain/proposal.ts';
import { chronicNote, memorySummary } from '../memory/words.ts';
import { resolutionOf } from '../presentation/resolution.ts';

/**
 * A postmortem draft from the record alone: the brief (assessment and audit folded in), the audit
 * log and the proposals. It says what is known, cites its evidence, and lists as open questions
 * what the record cannot answer — the root cause above all, which the bot only ever suspects.
 */
export type Postmortem = {
  incidentId: string;
  title: string;
  openedAt: string;
  /** When the incident was resolved, or null while it is open. */
  resolvedAt: string | null;
  /** Minutes from opening to resolution, when both are known. */
  durationMinutes: number | null;
  summary: string;
  impact: string;
  /** Whether a human confirmed the impact (the documentation checklist says). */
  impactConfirmed: boolean;
  severity: IncidentBrief['severity'];
  category: IncidentBrief['category'];
  servers: readonly string[];
  timeline: readonly TimelineEntry[];
  /** What was done, by whom, from the audit log only. */
  actions: readonly { at: string; actor: string; action: string }[];
  /** Facts with the evidence they cite. */
  facts: readonly { text: string; evidence: readonly string[] }[];
  /** Suspected causes; none of them is established. */
  hypotheses: readonly Hypothesis[];
  /** Similar incidents and the chronic note, when the record remembers any. */
  history: readonly string[];
  openQuestions: readonly string[];
};

export type PostmortemInput = {
  brief: IncidentBrief;
  audit: readonly AuditEntry[];
  proposals: readonly Proposal[];
};

function openQuestions(input: PostmortemInput, resolvedAt: string | null): string[] {
  const { brief, proposals } = input;
  const questions: string[] = [];
  const top = brief.hypotheses[0];
  questions.push(
    top
      ? `Root cause not established: the bot only suspects it ("${top.text}", ${top.confidence} confidence). What was it?`
      : 'Root cause not established: the record holds no hypothesis. What was it?',
  );
  const restarted = proposals.filter((p) => p.state === 'recovered' || p.state === 'not_recovered');
  for (const p of restarted)
    questions.push(
      p.state === 'recovered'
        ? `A restart of ${p.serverId} cleared the symptom, not its cause: why did it need one?`
        : `${p.serverId} did not recover after its restart: what fixed it in the end?`,
    );
  for (const p of proposals.filter((p) => p.state === 'denied'))
    questions.push(
      `The restart of ${p.serverId} was denied: what was done instead, and did it help?`,
    );
  const chronic = chronicNote(brief.memory);
  if (chronic) questions.push(`This keeps recurring (${chronic}): what will fix the cause?`);
  if (!resolvedAt)
    questions.push('When did it end? No resolution is recorded: the incident is still open.');
  const escalated = brief.escalationPackage.actionsTaken.filter((a) =>
    a.action.startsWith('Escalated'),
  );
  if (escalated.length)
    questions.push(
      `What did the engineers it was escalated to find? The record ends at the escalation (${escalated.map((a) => a.action.replace(/^Escalated to /, '')).join(', ')}).`,
    );
  for (const c of brief.documentationChecklist.filter((c) => c.status === 'missing'))
    questions.push(`Missing from the record: ${c.item}.`);
  if (brief.planner.fallbackReason)
    questions.push(
      `The model was not used (${brief.planner.fallbackReason}); the rules planner decided. Does its reading hold?`,
    );
  return [...new Set(questions)];
}

export function draftPostmortem(input: PostmortemInput): Postmortem {
  const { brief, audit } = input;
  const resolved = resolutionOf(audit);
  const resolvedAt = resolved?.at ?? null;
  const minutes = resolvedAt
    ? Math.max(0, Math.round((Date.parse(resolvedAt) - Date.parse(brief.createdAt)) / 60_000))
    : null;
  const timeline: TimelineEntry[] = [
    ...brief.escalationPackage.timeline,
    ...(resolved ? [{ at: resolved.at, event: `Resolved (${resolved.actor})` }] : []),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const history = [memorySummary(brief.memory), chronicNote(brief.memory)].filter(
    (line): line is string => line !== null,
  );
  return {
    incidentId: brief.incidentId,
    title: brief.title,
    openedAt: brief.createdAt,
    resolvedAt,
    durationMinutes: minutes,
    summary: brief.summary,
    impact: brief.escalationPackage.impact,
    impactConfirmed: brief.documentationChecklist.some(
      (c) => /customer impact confirmed/i.test(c.item) && c.status === 'captured',
    ),
    severity: brief.severity,
    category: brief.category,
    servers: brief.servers,
    timeline,
    actions: brief.escalationPackage.actionsTaken,
    facts: brief.facts,
    hypotheses: brief.hypotheses,
    history,
    openQuestions: openQuestions(input, resolvedAt),
  };
}
