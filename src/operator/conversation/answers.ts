import type { IncidentBrief } from '../../domain/brief.ts';
import type { Evidence } from '../../domain/evidence.ts';
import type { Proposal } from '../../domain/proposal.ts';
import { memorySummary } from '../memory/words.ts';
import type { IntentKind } from './intents.ts';

/**
 * Rules answers to follow-ups, from the record alone: the brief (assessment and audit folded in),
 * the proposals and the audit log. Short, and every claim cites the evidence it rests on.
 */
export type FollowUpAnswer = {
  intent: IntentKind;
  /** Plain text, no platform markup; a presenter escapes and formats it. */
  text: string;
  /** Lines shown verbatim (log lines), already redacted. */
  quote?: readonly string[];
  cited: readonly string[];
  by: 'rules' | 'model';
  /** Evidence gathered for this answer; it joins the incident's record. */
  evidence: readonly Evidence[];
  /** True when the incident's decision changed, so its brief is shown again. */
  decisionChanged: boolean;
};

export const HELP_TEXT =
  'In this thread I answer: "status", "what changed?", "why not restart?", "show 50 more log lines of <server>", "also check <server or service>", "escalate", and "postmortem". Anything else I answer from the evidence when a model is configured.';

const EVIDENCE_ID = /\bE\d+\b/g;

/** Evidence ids named in some text, in order, once each. */
export function citedIn(...texts: readonly string[]): string[] {
  return [...new Set(texts.flatMap((t) => t.match(EVIDENCE_ID) ?? []))];
}

export function answer(
  intent: IntentKind,
  text: string,
  cited: readonly string[] = citedIn(text),
  extra: Partial<Pick<FollowUpAnswer, 'quote' | 'evidence' | 'decisionChanged' | 'by'>> = {},
): FollowUpAnswer {
  return { intent, text, cited, by: 'rules', evidence: [], decisionChanged: false, ...extra };
}

const PROPOSAL_WORDS: Record<Proposal['state'], string> = {
  pending: 'awaiting approval',
  approved: 'approved, restarting',
  denied: 'denied',
  expired: 'expired without a decision',
  executed: 'restarted, verifying health',
  failed: 'the restart failed',
  recovered: 'restarted, and it recovered',
  not_recovered: 'restarted, and it did NOT recover',
  restarting: 'approved, restarting',
  unknown: 'the replica executing the restart stopped; whether it ran is unknown (escalated)',
  cancelled: 'approved, but not performed',
  withdrawn: 'withdrawn: the alert resolved before anyone decided',
};

function decisionLine(brief: IncidentBrief, proposal: Proposal | undefined): string {
  const base = `${brief.severity.toUpperCase()} ${brief.category}, escalation ${brief.escalation}`;
  if (brief.action === 'restart' && proposal)
    return `${base}; restart of ${proposal.serverId}: ${PROPOSAL_WORDS[proposal.state]}`;
  if (brief.action === 'escalate') return `${base}; decision: escalate to an engineer`;
  return `${base}; decision: ${brief.action}`;
}

/** "status": the decision, the proposal, what was done, and what the record remembers. */
export function statusAnswer(
  brief: IncidentBrief,
  proposals: readonly Proposal[],
  resolved: { at: string; actor: string } | null,
): FollowUpAnswer {
  const taken = brief.escalationPackage.actionsTaken
    .slice(-3)
    .map((a) => `${a.action} (${a.actor})`);
  const facts = brief.facts.slice(0, 2).map((f) => `${f.text} [${f.evidence.join(', ')}]`);
  const seen = memorySummary(brief.memory);
  const lines = [
    `${brief.incidentId} is ${resolved ? `resolved (${resolved.at})` : 'open'}: ${decisionLine(brief, proposals.at(-1))}.`,
    ...facts,
    taken.length ? `Done so far: ${taken.join('; ')}.` : 'Nothing has been done yet.',
    ...(seen ? [`${seen}.`] : []),
  ];
  const text = lines.join('\n');
  return answer('status', text, citedIn(text));
}

/** "why not restart?": the guard's reasons, from the record. */
export function whyNotRestartAnswer(
  brief: IncidentBrief,
  proposals: readonly Proposal[],
): FollowUpAnswer {
  const last = proposals.at(-1);
  if (brief.action === 'restart' && last)
    return answer(
      'why_not_restart',
      `A restart of ${last.serverId} is proposed (${PROPOSAL_WORDS[last.state]}): ${last.reason}. It runs only when an approver presses Approve.`,
    );
  const notes = brief.policyNotes.filter((n) => /restart/i.test(n));
  if (notes.length) {
    const text = `No restart, because the policy guard refused it: ${notes.join(' ')}`;
    return answer('why_not_restart', text);
  }
  const facts = brief.facts.slice(0, 2).map((f) => `${f.text} [${f.evidence.join(', ')}]`);
  const why =
    brief.action === 'monitor'
      ? 'nothing in the evidence supports one (the guard needs CPU or memory at or above the threshold, or a hung process, on a server in scope)'
      : 'the planner found a cause a restart does not fix, and escalated instead';
  const text = [`No restart was proposed: ${why}.`, ...facts].join('\n');
  return answer('why_not_restart', text);
}

/** "what changed?": the changes the evidence recorded, and change lines the logs carry. */
export function changesAnswer(brief: IncidentBrief): FollowUpAnswer {
  const changes = brief.evidence.flatMap((e) =>
    e.data.kind === 'changes'
      ? e.data.changes.map(
          (c) =>
            `${c.at.slice(0, 16).replace('T', ' ')} UTC ${c.service}: ${c.description}${c.author ? ` (${c.author})` : ''} [${e.id}]`,
        )
      : [],
  );
  const checked = brief.evidence.filter((e) => e.data.kind === 'changes');
  if (changes.length)
    return answer('changes', `Recent changes:\n${changes.slice(0, 10).join('\n')}`);
  if (checked.length)
    return answer(
      'changes',
      `No recorded change: ${checked.map((e) => `${e.summary} [${e.id}]`).join('; ')}.`,
    );
  return answer('changes', 'No change history was read for this incident.');
}

/** What the bot answers to a question it has no rule for, without a model. */
export function helpAnswer(brief: IncidentBrief, proposals: readonly Proposal[]): FollowUpAnswer {
  const text = `${HELP_TEXT}\nRight now: ${decisionLine(brief, proposals.at(-1))}.`;
  return answer('help', text, []);
}
