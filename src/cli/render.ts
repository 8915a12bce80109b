import type { IncidentBrief } from '../domain/brief.ts';
import type { DecisionOutcome } from '../operator/approval/approval.ts';
import type { EscalationResult } from '../operator/approval/escalate.ts';
import type { ProgressEvent } from '../operator/investigation/investigate.ts';
import { chronicNote, memorySummary, pastLines } from '../operator/memory/words.ts';
import { forTerminal, type paint } from './common.ts';

type Paint = ReturnType<typeof paint>;

/** hh:mm:ss, with the date in front when it is not the incident's day. */
const clock = (iso: string, day?: string) =>
  day === undefined || iso.slice(0, 10) === day
    ? iso.slice(11, 19)
    : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;

const SEVERITY_STYLE = { sev0: 'red', sev1: 'red', sev2: 'yellow', sev3: 'green' } as const;

const ACTION_TEXT: Record<IncidentBrief['action'], string> = {
  restart: 'restart proposal',
  escalate: 'escalate to an engineer',
  monitor: 'monitor',
};

function section(p: Paint, title: string, lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  return ['', p('bold', title), ...lines.map((l) => `  ${l}`)];
}

/** "a, b, c and 12 more". */
const some = (items: readonly string[], max = 10) =>
  items.length > max
    ? `${items.slice(0, max).join(', ')} and ${items.length - max} more`
    : items.join(', ');

/** What the scope left out, and what is only context: said, never silently dropped. */
function scopeNoteLines(brief: IncidentBrief, p: Paint): string[] {
  const notes = brief.scopeNotes;
  if (!notes) return [];
  return [
    ...(notes.skipped.length
      ? [
          p(
            'yellow',
            `   Not investigated (over the limit of servers per incident): ${some(notes.skipped)}`,
          ),
        ]
      : []),
    ...(notes.context.length
      ? [
          `   Context only (named in the alert's description, never restarted): ${some(notes.context)}`,
        ]
      : []),
  ];
}

/** The brief as a human reads it in a terminal: the decision first, then the evidence for it. */
export function renderBrief(given: IncidentBrief, p: Paint): string {
  const brief = forTerminal(given);
  const day = brief.createdAt.slice(0, 10);
  const time = (iso: string) => clock(iso, day);
  const pkg = brief.escalationPackage;
  const own = pkg.ownership;
  const severity = p(['bold', SEVERITY_STYLE[brief.severity]], brief.severity.toUpperCase());
  const lines = [
    p('bold', `━━ ${brief.incidentId} · ${brief.title}`),
    `   ${severity} · ${brief.category} · escalation: ${p('bold', brief.escalation)} · action: ${p('bold', ACTION_TEXT[brief.action])} · ${brief.environment}`,
    `   ${brief.summary}`,
    ...scopeNoteLines(brief, p),
    ...section(
      p,
      'What we know',
      brief.facts.map((f) => `• ${f.text}  ${p('dim', `[${f.evidence.join(', ')}]`)}`),
    ),
    ...section(
      p,
      'Suspected causes (hypotheses)',
      brief.hypotheses.map((h) => `• ${h.text} ${p('dim', `(${h.confidence} confidence)`)}`),
    ),
    ...section(
      p,
      'Safe checks',
      brief.safeChecks.map((c) => `• ${c}`),
    ),
    ...section(
      p,
      'Next actions',
      brief.nextActions.map((a) => `• ${a}`),
    ),
    ...section(
      p,
      'Documentation checklist',
      brief.documentationChecklist.map((c) =>
        c.status === 'captured' ? `${p('green', '✓')} ${c.item}` : `${p('yellow', '✗')} ${c.item}`,
      ),
    ),
    ...section(p, 'Seen before', [
      ...(chronicNote(brief.memory) ? [`⚠ Chronic: ${chronicNote(brief.memory)}`] : []),
      ...(memorySummary(brief.memory) ? [`${memorySummary(brief.memory)}`] : []),
      ...pastLines(brief.memory).map((l) => `• ${l}`),
    ]),
    ...section(
      p,
      'Runbook',
      brief.runbook ? [`${brief.runbook.title ?? 'Runbook'}: ${brief.runbook.url}`] : [],
    ),
    ...section(p, 'Escalation package', [
      `Impact: ${pkg.impact}`,
      'Timeline:',
      ...pkg.timeline.map((t) => `  ${time(t.at)}  ${t.event}`),
      `Ownership: service ${own.service ?? '—'} · team ${own.team ?? '—'} · on-call ${own.onCall ?? '—'} · dependencies ${own.dependencies.join(', ') || '—'}`,
      `Actions taken: ${pkg.actionsTaken.length ? '' : 'none'}`,
      ...pkg.actionsTaken.map((a) => `  ${time(a.at)}  ${a.action} (${a.actor})`),
    ]),
    ...section(
      p,
      'Evidence',
      brief.evidence.map(
        (e) =>
          `${p('bold', e.id)} ${e.source.tool}(${e.source.subject}) via ${e.source.backend} at ${time(e.source.at)} — ${e.summary}${e.source.link ? ` ${e.source.link}` : ''}`,
      ),
    ),
    ...section(
      p,
      'Policy',
      brief.policyNotes.map((n) => `• ${n}`),
    ),
    '',
    p('dim', plannerLine(brief)),
  ];
  return `${lines.join('\n')}\n`;
}

export function plannerLine(given: IncidentBrief): string {
  const brief = forTerminal(given);
  const r = brief.planner;
  const who =
    r.planner === 'openai'
      ? `openai planner (${r.model})`
      : r.fallbackReason
        ? `rules planner (fallback from ${r.model})`
        : 'rules planner';
  return `Planned by ${who} · ${r.turns} model turns · ${r.toolCalls} tool calls · ${r.tokens.prompt + r.tokens.completion} tokens · ${Math.round(r.durationMs)} ms`;
}

/** One progress line per step, as a responder would narrate it. */
export function renderProgress(given: ProgressEvent): string {
  const event = forTerminal(given);
  switch (event.stage) {
    case 'opened':
      return `… opened ${event.incidentId}`;
    case 'scope':
      return event.servers.length
        ? `… investigating ${event.servers.join(', ')}${event.unknown.length ? ` (unknown: ${event.unknown.join(', ')})` : ''}${event.skipped ? ` (${event.skipped} more named, skipped)` : ''}`
        : `… no known server named${event.unknown.length ? ` (unknown: ${event.unknown.join(', ')})` : ''}`;
    case 'evidence':
      return `… ${event.tool}(${event.subject}) ${event.ok ? '✓' : '✗'}`;
    case 'reasoning':
      return `… reasoning (${event.planner} planner)`;
    case 'fallback':
      return `… model failed (${event.reason}); rules planner takes over`;
    case 'decided':
      return `… decided: ${event.action}`;
  }
}

const pct = (n: number | undefined) => (n === undefined ? '?' : `${n}%`);

/** What happened to a restart proposal, in one or two lines. */
export function renderOutcome(given: DecisionOutcome, p: Paint): string {
  const outcome = forTerminal(given);
  switch (outcome.kind) {
    case 'restarted': {
      const { before, after } = outcome;
      const change = `cpu ${pct(before?.cpu)} → ${pct(after?.cpu)}, memory ${pct(before?.memory)} → ${pct(after?.memory)}, status ${after?.status ?? 'unknown'}`;
      const head = outcome.recovered
        ? p(
            'green',
            `✓ Restarted ${outcome.proposal.serverId} (approved by ${outcome.proposal.decidedBy}); recovered: ${change}`,
          )
        : p(
            'red',
            `✗ Restarted ${outcome.proposal.serverId} (approved by ${outcome.proposal.decidedBy}) but it did NOT recover: ${change}`,
          );
      return outcome.escalation ? `${head}\n${escalationLine(outcome.escalation, p)}` : head;
    }
    case 'denied':
      return `Restart of ${outcome.proposal.serverId} denied by ${outcome.proposal.decidedBy}.\n${escalationLine(outcome.escalation, p)}`;
    case 'restart_failed':
      return `${p('red', `✗ Restart of ${outcome.proposal.serverId} failed: ${outcome.error}`)}\n${escalationLine(outcome.escalation, p)}`;
    case 'cancelled': {
      const head = p('yellow', `Not restarted: ${outcome.reason}`);
      return outcome.escalation ? `${head}\n${escalationLine(outcome.escalation, p)}` : head;
    }
    case 'restart_unknown':
      return `${p('red', `? Restart of ${outcome.proposal.serverId}: ${outcome.reason}`)}\n${escalationLine(outcome.escalation, p)}`;
    case 'recorded':
    case 'refused':
    case 'expired':
    case 'already_decided':
    case 'unknown':
      return p('yellow', outcome.message);
  }
}

export function escalationLine(given: EscalationResult, p: Paint): string {
  const escalation = forTerminal(given);
  return escalation.sent
    ? p('yellow', `↗ Escalated to ${escalation.receipt.target}`)
    : p('red', `Escalation not sent: ${escalation.reason}`);
}

/** A short card for the demo: the decision, its top evidence, and what it will do. */
export function renderCard(given: IncidentBrief, p: Paint): string {
  const brief = forTerminal(given);
  const severity = p(['bold', SEVERITY_STYLE[brief.severity]], brief.severity.toUpperCase());
  return [
    p('bold', `━━ ${brief.title}`),
    `   ${severity} · ${brief.category} · escalation: ${p('bold', brief.escalation)} · action: ${p('bold', ACTION_TEXT[brief.action])}`,
    `   ${brief.summary}`,
    ...brief.facts
      .slice(0, 3)
      .map((f) => `   • ${f.text} ${p('dim', `[${f.evidence.join(', ')}]`)}`),
    ...brief.policyNotes.map((n) => `   ${p('yellow', '!')} ${n}`),
  ].join('\n');
}
