import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { HealthReading } from '../../domain/evidence.ts';
import type { Proposal } from '../../domain/proposal.ts';
import type { DecisionOutcome } from '../../operator/approval/approval.ts';
import type { EscalationResult } from '../../operator/approval/escalate.ts';
import type { SlackMessage } from './brief.ts';
import { BLOCK_IDS, blockId, hasPrefix } from './ids.ts';
import { MESSAGE_BUDGET, SLACK_LIMITS } from './limits.ts';
import { cutMrkdwn, esc, escCut, isChannelId, mention, mrkdwn, slackDate } from './text.ts';

/**
 * What happened to a restart proposal, as the blocks that take the buttons' place in the brief and
 * as the result posted in the thread. Only what the outcome records is claimed.
 */

/**
 * An outcome from ApprovalService, plus the two states the listener knows before one exists:
 * a click being executed, and an expiry (escalated when the caller says so).
 */
export type DecisionView =
  | Exclude<DecisionOutcome, { kind: 'expired' }>
  | { kind: 'expired'; proposal: Proposal; message: string; escalation?: EscalationResult }
  | { kind: 'restarting'; serverId: string; approvedBy: string; proposalId?: string };

/** Kept short: these blocks fit in the room briefMessage reserves for them. */
const HEADLINE_CHARS = 1000;
const DETAIL_CHARS = 300;

const pct = (n: number | undefined) => (n === undefined ? '?' : `${n}%`);

function healthChange(before: HealthReading | null, after: HealthReading | null): string {
  return `cpu ${pct(before?.cpu)} → ${pct(after?.cpu)}, memory ${pct(before?.memory)} → ${pct(after?.memory)}, ${after ? esc(after.status) : 'status unknown'}`;
}

function healthNow(h: HealthReading | null): string {
  return h ? `cpu ${h.cpu}%, memory ${h.memory}%, ${esc(h.status)}` : 'no reading';
}

function target(name: string): string {
  return isChannelId(name) ? mention(name) : esc(name);
}

export function escalationPhrase(e: EscalationResult): string {
  return e.sent
    ? `escalated to ${target(e.receipt.target)}`
    : `escalation NOT sent: ${escCut(e.reason, DETAIL_CHARS)}`;
}

function by(p: Proposal): string {
  const who = p.decidedBy ? mention(p.decidedBy) : 'someone';
  return p.decidedAt ? `${who} at ${slackDate(p.decidedAt)}` : who;
}

/** The proposal's recorded state, for a click that arrives after the decision. */
function fromState(p: Proposal, message: string): string {
  const server = esc(p.serverId);
  switch (p.state) {
    case 'approved':
    case 'restarting':
    case 'executed':
      return `⏳ Restarting ${server}… approved by ${by(p)}`;
    case 'unknown':
      return `❓ Restart of ${server} approved by ${by(p)}: the replica executing it stopped and whether it ran is unknown — escalated`;
    case 'cancelled':
      return `🛑 Approved by ${by(p)} — not restarted (see the thread)`;
    case 'recovered':
      return `✅ Approved by ${by(p)} — restarted ${server}; ${healthChange(p.before, p.after)}`;
    case 'not_recovered':
      return `⚠️ Approved by ${by(p)} — restarted ${server} but it did NOT recover (${healthChange(p.before, p.after)})`;
    case 'failed':
      return `❗ Restart of ${server} failed (approved by ${by(p)})`;
    case 'denied':
      return `❌ Denied by ${by(p)} — nothing was restarted`;
    case 'expired':
      return `⌛ Expired at ${slackDate(p.expiresAt)} — nobody decided; nothing was restarted`;
    case 'withdrawn':
      return '↩️ Withdrawn — the alert resolved before anyone decided; nothing was restarted';
    case 'pending':
      return `ℹ️ ${escCut(message, DETAIL_CHARS)}`;
  }
}

/** The one line that says what happened, and who found it out when the reconciler did. */
export function decisionHeadline(view: DecisionView): string {
  const line = headline(view);
  const note = 'reconciled' in view && view.reconciled ? view.reconciled : null;
  return note && view.kind !== 'restart_unknown'
    ? `${line} _(${escCut(note, DETAIL_CHARS)})_`
    : line;
}

function headline(view: DecisionView): string {
  switch (view.kind) {
    case 'restarting':
      return `⏳ Restarting ${esc(view.serverId)}… approved by ${mention(view.approvedBy)}`;
    case 'restarted': {
      const p = view.proposal;
      const change = healthChange(view.before, view.after);
      if (view.recovered)
        return `✅ Approved by ${by(p)} — restarted ${esc(p.serverId)}; ${change}`;
      const escalated = view.escalation ? ` — ${escalationPhrase(view.escalation)}` : '';
      return `⚠️ Approved by ${by(p)} — restarted ${esc(p.serverId)} but it did NOT recover (${change})${escalated}`;
    }
    case 'denied':
      return `❌ Denied by ${by(view.proposal)} — nothing was restarted; ${escalationPhrase(view.escalation)}`;
    case 'restart_failed':
      return `❗ Restart of ${esc(view.proposal.serverId)} failed: ${escCut(view.error, DETAIL_CHARS)} (approved by ${by(view.proposal)}) — ${escalationPhrase(view.escalation)}`;
    case 'expired': {
      const escalated = view.escalation ? `; ${escalationPhrase(view.escalation)}` : '';
      return `⌛ Expired at ${slackDate(view.proposal.expiresAt)} — nobody decided; nothing was restarted${escalated}`;
    }
    case 'cancelled': {
      const escalated = view.escalation ? ` — ${escalationPhrase(view.escalation)}` : '';
      return `🛑 Approved by ${by(view.proposal)} — not restarted: ${escCut(view.reason, DETAIL_CHARS)}${escalated}`;
    }
    case 'restart_unknown':
      return `❓ Restart of ${esc(view.proposal.serverId)} (approved by ${by(view.proposal)}): ${escCut(view.reason, DETAIL_CHARS)}; health now: ${healthNow(view.health)} — ${escalationPhrase(view.escalation)}`;
    case 'recorded':
      return `☑️ ${escCut(view.message, DETAIL_CHARS)}`;
    case 'already_decided':
      return fromState(view.proposal, view.message);
    case 'refused':
      return `🚫 ${escCut(view.message, DETAIL_CHARS)}`;
    case 'unknown':
      return `❓ ${escCut(view.message, DETAIL_CHARS)}`;
  }
}

function proposalIdOf(view: DecisionView): string | null {
  if (view.kind === 'restarting') return view.proposalId ?? null;
  return 'proposal' in view ? view.proposal.id : null;
}

/**
 * Whether the outcome ends the proposal for everyone, so its buttons should go. A refused click
 * (not an approver), an unknown proposal or a late second click leave the message as it is:
 * answer those to the clicker alone (ephemeral), with decisionHeadline.
 */
export function replacesButtons(view: DecisionView): boolean {
  return (
    view.kind !== 'refused' &&
    view.kind !== 'unknown' &&
    view.kind !== 'already_decided' &&
    view.kind !== 'recorded'
  );
}

/** The blocks that take the place of the buttons (and their approvers line) after a click. */
export function decisionContext(view: DecisionView): KnownBlock[] {
  const block: SectionBlock = {
    type: 'section',
    block_id: blockId(BLOCK_IDS.restartDecision, proposalIdOf(view)),
    text: mrkdwn(decisionHeadline(view), HEADLINE_CHARS),
  };
  return [block];
}

function incidentIdOf(view: DecisionView): string | null {
  if (view.kind === 'restarting' || view.kind === 'refused' || view.kind === 'unknown') return null;
  return view.proposal.incidentId;
}

/** The result posted in the incident thread: the headline, before/after health, and where it went. */
export function decisionThreadMessage(view: DecisionView): SlackMessage {
  const headline = decisionHeadline(view);
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(headline, SLACK_LIMITS.sectionText) },
  ];
  if (view.kind === 'restarted') {
    const { before, after } = view;
    const reading = (h: HealthReading | null) =>
      h ? `cpu ${h.cpu}%, memory ${h.memory}%, ${esc(h.status)}` : 'no reading';
    blocks.push({
      type: 'section',
      fields: [
        mrkdwn(`*Server*\n${esc(view.proposal.serverId)}`, SLACK_LIMITS.sectionFieldText),
        mrkdwn(`*Recovered*\n${view.recovered ? 'yes' : 'no'}`, SLACK_LIMITS.sectionFieldText),
        mrkdwn(`*Before*\n${reading(before)}`, SLACK_LIMITS.sectionFieldText),
        mrkdwn(`*After*\n${reading(after)}`, SLACK_LIMITS.sectionFieldText),
      ],
    });
  }
  const incident = incidentIdOf(view);
  const proposal = proposalIdOf(view);
  if (incident || proposal) {
    const context: ContextBlock = {
      type: 'context',
      elements: [
        mrkdwn(
          [
            incident ? `incident ${esc(incident)}` : null,
            proposal ? `proposal ${esc(proposal)}` : null,
          ]
            .filter((s) => s !== null)
            .join(' · '),
          SLACK_LIMITS.contextElementText,
        ),
      ],
    };
    blocks.push(context);
  }
  return { text: cutMrkdwn(headline, MESSAGE_BUDGET.fallbackTextChars), blocks };
}

const isControl = (b: KnownBlock) =>
  hasPrefix(b.block_id, BLOCK_IDS.restartActions) ||
  hasPrefix(b.block_id, BLOCK_IDS.restartApprovers) ||
  hasPrefix(b.block_id, BLOCK_IDS.restartDecision);

/**
 * The brief with its restart controls (buttons, approvers line, any earlier decision) replaced by
 * the decision blocks, everything else kept. With no controls left in the brief (re-rendered for a
 * decided proposal) the decision goes where they were: before the "Full brief" button row (the
 * compact brief) or the first divider (a modal).
 */
export function withDecision(
  briefBlocks: readonly KnownBlock[],
  decisionBlocks: readonly KnownBlock[],
): KnownBlock[] {
  const at = briefBlocks.findIndex(isControl);
  const kept = briefBlocks.filter((b) => !isControl(b));
  const divider = kept.findIndex(
    (b) => b.type === 'divider' || hasPrefix(b.block_id, BLOCK_IDS.briefNav),
  );
  const index =
    at !== -1 ? kept.length - briefBlocks.slice(at).filter((b) => !isControl(b)).length : divider;
  const insertAt = index === -1 ? kept.length : index;
  const result = [...kept.slice(0, insertAt), ...decisionBlocks, ...kept.slice(insertAt)];
  // briefMessage keeps room for these; this only guards a caller passing many decision blocks.
  while (result.length > SLACK_LIMITS.blocksPerMessage) result.splice(result.length - 2, 1);
  return result;
}
