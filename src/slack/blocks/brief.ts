import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import type { IncidentBrief } from '../../domain/brief.ts';
import type { ProposalState } from '../../domain/proposal.ts';
import type { Severity } from '../../domain/vocabulary.ts';
import { type Dropped, type Entry, fitBlocks, section } from './fit.ts';
import { ACTION_IDS, BLOCK_IDS, blockId } from './ids.ts';
import { MESSAGE_BUDGET, SLACK_LIMITS } from './limits.ts';
import {
  cut,
  cutMrkdwn,
  esc,
  escCut,
  incidentTime,
  link,
  listSome,
  mention,
  mrkdwn,
  plain,
  slackDate,
} from './text.ts';

/** Who may approve, as APPROVERS lists them: user ids (U…/W…) and user-group ids (S…). */
export type ApproversDisplay = readonly string[];

export type BriefMessageOptions = {
  approvers: ApproversDisplay;
  /** The proposal's current state; buttons show only while it is pending (the default). */
  proposalState?: ProposalState;
  /** A permalink to the incident thread, when the brief is posted somewhere else. */
  threadLink?: string;
};

export type SlackMessage = { text: string; blocks: KnownBlock[] };

export const SEVERITY_EMOJI: Record<Severity, string> = {
  sev0: '🚨',
  sev1: '🔴',
  sev2: '🟠',
  sev3: '🟡',
};

const SEVERITY_MEANING: Record<Severity, string> = {
  sev0: 'widespread outage',
  sev1: 'major customer impact',
  sev2: 'partial degradation',
  sev3: 'minor / localized',
};

const PROPOSAL_STATE_TEXT: Record<ProposalState, string> = {
  pending: 'needs approval',
  approved: 'approved, restarting',
  denied: 'denied',
  expired: 'expired',
  executed: 'restarted, verifying',
  failed: 'restart failed',
  recovered: 'restarted, recovered',
  not_recovered: 'restarted, did not recover',
  restarting: 'approved, restarting',
  unknown: 'restart outcome unknown',
  cancelled: 'approved, not performed',
};

const sev = (s: Severity) => s.toUpperCase();

function actionText(brief: IncidentBrief, state: ProposalState): string {
  if (brief.action !== 'restart') return brief.action;
  return `restart (${PROPOSAL_STATE_TEXT[state]})`;
}

/** One plain line for notifications and clients without blocks; mrkdwn-escaped since Slack parses it. */
export function briefFallbackText(brief: IncidentBrief, state: ProposalState = 'pending'): string {
  const action =
    brief.action === 'restart' ? `restart ${PROPOSAL_STATE_TEXT[state]}` : brief.action;
  return escCut(
    `${sev(brief.severity)} · ${brief.title} — ${action} (${brief.escalation})`,
    MESSAGE_BUDGET.fallbackTextChars,
  );
}

export function briefHeader(brief: IncidentBrief): HeaderBlock {
  return {
    type: 'header',
    text: plain(
      `${SEVERITY_EMOJI[brief.severity]} ${sev(brief.severity)} · ${brief.title}`,
      SLACK_LIMITS.headerText,
    ),
  };
}

/** Far under Slack's 2000: a decision field is a word or a short list. */
const FIELD_CHARS = 500;

const field = (name: string, value: string) => mrkdwn(`*${name}*\n${value}`, FIELD_CHARS);

function serversText(brief: IncidentBrief): string {
  return brief.servers.length ? esc(listSome(brief.servers, 10)) : 'none';
}

function decisionFields(brief: IncidentBrief, state: ProposalState): SectionBlock {
  return {
    type: 'section',
    fields: [
      field('Category', esc(brief.category)),
      field('Severity', `${sev(brief.severity)} — ${SEVERITY_MEANING[brief.severity]}`),
      field('Escalation', esc(brief.escalation)),
      field(brief.servers.length === 1 ? 'Server' : 'Servers', serversText(brief)),
      field('Environment', esc(brief.environment)),
      field('Action', esc(actionText(brief, state))),
    ],
  };
}

function restartControls(
  brief: IncidentBrief,
  restart: NonNullable<IncidentBrief['restart']>,
  approvers: ApproversDisplay,
): KnownBlock[] {
  const server = restart.serverId;
  const button = (
    actionId: string,
    text: string,
    style: 'primary' | 'danger',
    confirm?: Button['confirm'],
  ): Button => ({
    type: 'button',
    action_id: actionId,
    text: plain(text, SLACK_LIMITS.buttonText),
    style,
    value: restart.proposalId.slice(0, SLACK_LIMITS.buttonValue),
    ...(confirm ? { confirm } : {}),
  });
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: blockId(BLOCK_IDS.restartActions, restart.proposalId),
    elements: [
      button(ACTION_IDS.approve, 'Approve restart', 'primary', {
        title: plain(`Restart ${server}?`, SLACK_LIMITS.confirmTitle),
        text: plain(
          `This restarts the service on ${server} (${brief.environment}), re-checks its health, and escalates to an engineer if it does not recover.`,
          SLACK_LIMITS.confirmText,
        ),
        confirm: plain('Restart', SLACK_LIMITS.confirmButton),
        deny: plain('Cancel', SLACK_LIMITS.confirmButton),
        style: 'primary',
      }),
      button(ACTION_IDS.deny, 'Deny', 'danger'),
    ],
  };
  const who = approvers.length
    ? `Only ${listSome(approvers.map(mention), 20)} can approve or deny this restart.`
    : 'No approvers configured — nobody can approve. Set APPROVERS in .env to Slack user IDs (U…) or user-group IDs (S…) and restart the bot.';
  const context: ContextBlock = {
    type: 'context',
    block_id: blockId(BLOCK_IDS.restartApprovers, restart.proposalId),
    elements: [
      mrkdwn(
        `${who} The proposal expires ${slackDate(restart.expiresAt)}.`,
        SLACK_LIMITS.contextElementText,
      ),
    ],
  };
  return [actions, context];
}

/** "rules planner", "openai planner (gpt-4o-mini)", "rules planner (fallback from gpt-4o-mini: timeout)". */
export function plannerText(brief: IncidentBrief): string {
  const r = brief.planner;
  const model = r.model ? esc(r.model) : 'the model';
  const who =
    r.planner === 'openai'
      ? `openai planner (${model})`
      : r.fallbackReason
        ? `rules planner (fallback from ${model}: ${escCut(r.fallbackReason, 200)})`
        : 'rules planner';
  const tokens = r.tokens.prompt + r.tokens.completion;
  return `Planned by ${who} · ${r.turns} model turns · ${r.toolCalls} tool calls · ${tokens} tokens · ${Math.round(r.durationMs)} ms`;
}

function footer(brief: IncidentBrief, threadLink: string | undefined, dropped: readonly Dropped[]) {
  const main = [
    plannerText(brief),
    `incident ${esc(brief.incidentId)}`,
    ...(threadLink ? [link(threadLink, 'View incident thread')] : []),
  ].join(' · ');
  const elements = [mrkdwn(main, SLACK_LIMITS.contextElementText)];
  if (dropped.length)
    elements.push(
      mrkdwn(
        `Not shown to fit Slack's message limits: ${dropped.map((d) => `${d.label} (${d.count})`).join(', ')}. The full brief is in the incident record ${esc(brief.incidentId)}.`,
        SLACK_LIMITS.contextElementText,
      ),
    );
  const block: ContextBlock = { type: 'context', elements };
  return [block];
}

const item = (text: string) => escCut(text, MESSAGE_BUDGET.itemChars);
const bullet = (text: string) => `• ${item(text)}`;

function ownershipLine(brief: IncidentBrief): string {
  const own = brief.escalationPackage.ownership;
  const none = '—';
  return [
    `*Ownership:* service ${own.service ? esc(own.service) : none}`,
    `team ${own.team ? esc(own.team) : none}`,
    `on-call ${own.onCall ? mention(own.onCall) : none}`,
  ].join(' · ');
}

export function dependenciesLine(brief: IncidentBrief): string {
  const deps = brief.escalationPackage.ownership.dependencies;
  return `*Dependencies:* ${deps.length ? esc(cut(listSome(deps, 10), MESSAGE_BUDGET.itemChars)) : '—'}`;
}

export function factLine(fact: IncidentBrief['facts'][number]): string {
  return `• ${item(fact.text)} [${esc(fact.evidence.join(', '))}]`;
}

export function timelineLines(brief: IncidentBrief): string[] {
  const day = brief.createdAt.slice(0, 10);
  return brief.escalationPackage.timeline.map(
    (t) => `• ${incidentTime(t.at, day)} ${item(t.event)}`,
  );
}

export function actionsTakenLines(brief: IncidentBrief): string[] {
  const day = brief.createdAt.slice(0, 10);
  const taken = brief.escalationPackage.actionsTaken;
  if (taken.length === 0) return ['*Actions taken:* none'];
  return [
    '*Actions taken:*',
    ...taken.map((a) => `• ${incidentTime(a.at, day)} ${item(a.action)} (${mention(a.actor)})`),
  ];
}

function evidenceLine(brief: IncidentBrief, e: IncidentBrief['evidence'][number]): string {
  const day = brief.createdAt.slice(0, 10);
  const s = e.source;
  const where = s.link ? ` ${link(s.link, 'open')}` : '';
  return `*${esc(e.id)}* ${esc(s.tool)}(${esc(s.subject)}) via ${esc(s.backend)} at ${incidentTime(s.at, day)} — ${item(e.summary)}${where}`;
}

/**
 * The incident brief as one Slack message: the decision and its controls first, then what it rests
 * on, in the terminal renderer's order. Always within Slack's limits, with room kept for the
 * decision blocks withDecision puts in place of the buttons.
 */
export function briefMessage(brief: IncidentBrief, options: BriefMessageOptions): SlackMessage {
  const state = options.proposalState ?? 'pending';
  const record = brief.incidentId;
  const controls =
    brief.action === 'restart' && brief.restart && state === 'pending'
      ? restartControls(brief, brief.restart, options.approvers)
      : [];
  const pkg = brief.escalationPackage;

  const entries: Entry[] = [
    {
      kind: 'fixed',
      blocks: [
        briefHeader(brief),
        decisionFields(brief, state),
        section(cutMrkdwn(esc(cut(brief.summary || brief.title, 1500)), SLACK_LIMITS.sectionText)),
        ...controls,
        { type: 'divider' },
      ],
    },
    {
      kind: 'part',
      title: '*What we know*',
      items: brief.facts.map(factLine),
      noun: 'facts',
      cap: 15,
      label: 'facts',
    },
    {
      kind: 'part',
      title: '*Suspected causes (hypotheses)*',
      items: brief.hypotheses.map((h) => `• ${item(h.text)} _(${h.confidence} confidence)_`),
      noun: 'hypotheses',
      cap: 8,
      label: 'hypotheses',
    },
    {
      kind: 'part',
      title: '*Safe checks*',
      items: brief.safeChecks.map(bullet),
      noun: 'checks',
      cap: 10,
      label: 'safe checks',
    },
    {
      kind: 'part',
      title: '*Next actions*',
      items: brief.nextActions.map(bullet),
      noun: 'actions',
      cap: 10,
      label: 'next actions',
    },
    {
      kind: 'part',
      title: '*Documentation checklist*',
      items: brief.documentationChecklist.map(
        (c) => `${c.status === 'captured' ? '✅' : '⬜'} ${item(c.item)}`,
      ),
      noun: 'checklist items',
      cap: 12,
      dropRank: 2,
      label: 'documentation checklist',
    },
    {
      kind: 'part',
      title: '*Escalation package*',
      items: [`*Impact:* ${item(pkg.impact)}`],
      noun: 'lines',
      cap: 1,
      label: 'impact',
    },
    {
      kind: 'part',
      title: '*Timeline:*',
      items: timelineLines(brief),
      noun: 'timeline entries',
      cap: 12,
      dropRank: 3,
      label: 'timeline',
    },
    {
      kind: 'part',
      items: [ownershipLine(brief), dependenciesLine(brief), ...actionsTakenLines(brief)],
      noun: 'actions taken',
      cap: 14,
      label: 'ownership and actions taken',
    },
    {
      kind: 'part',
      title: '*Evidence*',
      items: brief.evidence.map((e) => evidenceLine(brief, e)),
      noun: 'evidence items',
      cap: 12,
      dropRank: 1,
      label: 'evidence',
    },
    {
      kind: 'part',
      title: '*Policy*',
      items: brief.policyNotes.map(bullet),
      noun: 'policy notes',
      cap: 8,
      label: 'policy notes',
    },
    { kind: 'footer', render: (dropped) => footer(brief, options.threadLink, dropped) },
  ];

  const blocks = fitBlocks(entries, {
    recordName: record,
    maxBlocks: SLACK_LIMITS.blocksPerMessage - MESSAGE_BUDGET.reservedBlocksForDecision,
    maxJsonChars: MESSAGE_BUDGET.blocksJsonChars - MESSAGE_BUDGET.reservedJsonForDecision,
  });
  return { text: briefFallbackText(brief, state), blocks };
}
