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
import { chronicNote, memorySummary } from '../../operator/memory/words.ts';
import { type Dropped, section } from './fit.ts';
import { ACTION_IDS, BLOCK_IDS, blockId } from './ids.ts';
import { MESSAGE_BUDGET, SLACK_LIMITS } from './limits.ts';
import { stateBlocks } from './state.ts';
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

/**
 * What a brief is shown with. Extensible on purpose: a renderer that adds a line (a resolution, a
 * removed model claim) adds an option here and a block where it belongs, nothing else changes.
 */
export type BriefMessageOptions = {
  approvers: ApproversDisplay;
  /** The proposal's current state; buttons show only while it is pending (the default). */
  proposalState?: ProposalState;
  /** A permalink to the incident thread, when the brief is posted somewhere else. */
  threadLink?: string;
  /** Whether the whole brief is in the thread (said in the footer). Default true. */
  fullBriefInThread?: boolean;
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
  withdrawn: 'withdrawn, the alert resolved',
};

export const sev = (s: Severity) => s.toUpperCase();

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
  const skipped = brief.serversSkipped ? ` — ${brief.serversSkipped} more named, not checked` : '';
  return brief.servers.length ? `${esc(listSome(brief.servers, 10))}${skipped}` : 'none';
}

export function decisionFields(brief: IncidentBrief, state: ProposalState): SectionBlock {
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

export function restartControls(
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

export function footer(
  brief: IncidentBrief,
  threadLink: string | undefined,
  dropped: readonly Dropped[],
) {
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

export const item = (text: string) => escCut(text, MESSAGE_BUDGET.itemChars);
export const bullet = (text: string) => `• ${item(text)}`;

export function ownershipLine(brief: IncidentBrief): string {
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

export function evidenceLine(brief: IncidentBrief, e: IncidentBrief['evidence'][number]): string {
  const day = brief.createdAt.slice(0, 10);
  const s = e.source;
  const where = s.link ? ` ${link(s.link, 'open')}` : '';
  return `*${esc(e.id)}* ${esc(s.tool)}(${esc(s.subject)}) via ${esc(s.backend)} at ${incidentTime(s.at, day)} — ${item(e.summary)}${where}`;
}

/** The compact brief's budget: what fits a screen, and room for other renderers' lines. */
export const COMPACT_BRIEF = {
  /** The whole message, decision blocks and others' additions included, stays within this. */
  maxBlocks: 10,
  summaryChars: 280,
  facts: 3,
} as const;

/** Facts that say something was found come before ones that say nothing was, in planner order. */
export function strongestFacts(
  facts: readonly IncidentBrief['facts'][number][],
  n: number,
): IncidentBrief['facts'][number][] {
  const weak = (f: IncidentBrief['facts'][number]) =>
    /\bno (?:error signature|recorded changes|problem)\b|\bfailed:|\bunreachable\b.*\bcheck\b/i.test(
      f.text,
    )
      ? 1
      : 0;
  return facts
    .map((f, i) => ({ f, i }))
    .sort((a, b) => weak(a.f) - weak(b.f) || a.i - b.i)
    .slice(0, n)
    .map(({ f }) => f);
}

function summaryAndFacts(brief: IncidentBrief): SectionBlock {
  const summary = escCut(brief.summary || brief.title, COMPACT_BRIEF.summaryChars);
  const facts = strongestFacts(brief.facts, COMPACT_BRIEF.facts).map(
    (f) => `• ${escCut(f.text, 280)} [${esc(f.evidence.join(', '))}]`,
  );
  const more =
    brief.facts.length > facts.length
      ? [`_+${brief.facts.length - facts.length} more in the full brief_`]
      : [];
  const lines = [summary, ...(facts.length ? ['', '*Key facts*', ...facts, ...more] : [])];
  return section(cutMrkdwn(lines.join('\n'), SLACK_LIMITS.sectionText));
}

/** Memory, a chronic restart and the runbook, each one line; null when there is none of them. */
function contextLine(brief: IncidentBrief): ContextBlock | null {
  const elements = [];
  const chronic = chronicNote(brief.memory);
  const seen = memorySummary(brief.memory);
  if (chronic) elements.push(mrkdwn(`⚠️ ${escCut(chronic, 600)}`, SLACK_LIMITS.contextElementText));
  else if (seen) elements.push(mrkdwn(`🧠 ${escCut(seen, 600)}`, SLACK_LIMITS.contextElementText));
  if (brief.runbook)
    elements.push(
      mrkdwn(
        `📘 ${link(brief.runbook.url, brief.runbook.title ?? `Runbook${brief.runbook.service ? ` for ${brief.runbook.service}` : ''}`)}`,
        SLACK_LIMITS.contextElementText,
      ),
    );
  return elements.length ? { type: 'context', elements } : null;
}

/** The "Full brief" button: opens the whole brief in a modal, for anyone. */
export function briefNav(brief: IncidentBrief): ActionsBlock {
  return {
    type: 'actions',
    block_id: blockId(BLOCK_IDS.briefNav, brief.incidentId),
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.openBrief,
        text: plain('Full brief', SLACK_LIMITS.buttonText),
        value: brief.incidentId.slice(0, SLACK_LIMITS.buttonValue),
      },
    ],
  };
}

function compactFooter(brief: IncidentBrief, options: BriefMessageOptions): ContextBlock {
  const where =
    options.fullBriefInThread === false
      ? 'the full brief: Full brief button'
      : 'the full brief is in the thread';
  const main = [
    plannerText(brief),
    `incident ${esc(brief.incidentId)}`,
    where,
    ...(options.threadLink ? [link(options.threadLink, 'View incident thread')] : []),
  ].join(' · ');
  return { type: 'context', elements: [mrkdwn(main, SLACK_LIMITS.contextElementText)] };
}

/**
 * The incident's own message, kept to a screen: header, the decision fields, a two-line summary,
 * the three strongest facts, memory and runbook, the decision and its buttons, the "Full brief"
 * button and a footer — at most 8 blocks, so a decision and the lines other renderers add keep it
 * within COMPACT_BRIEF.maxBlocks. The full brief goes in the thread and behind the button.
 */
export function briefMessage(brief: IncidentBrief, options: BriefMessageOptions): SlackMessage {
  const state = options.proposalState ?? 'pending';
  const controls =
    brief.action === 'restart' && brief.restart && state === 'pending'
      ? restartControls(brief, brief.restart, options.approvers)
      : [];
  const context = contextLine(brief);
  const blocks: KnownBlock[] = [
    briefHeader(brief),
    ...stateBlocks(brief),
    decisionFields(brief, state),
    summaryAndFacts(brief),
    ...(context ? [context] : []),
    ...controls,
    briefNav(brief),
    compactFooter(brief, options),
  ];
  return { text: briefFallbackText(brief, state), blocks };
}
