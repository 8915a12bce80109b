import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  HomeView,
  KnownBlock,
} from '@slack/types';
import type { Severity } from '../../domain/vocabulary.ts';
import type {
  AwaitingApproval,
  OpenIncident,
  Overview,
} from '../../operator/presentation/overview.ts';
import { decodeRef } from '../thread.ts';
import { type ApproversDisplay, SEVERITY_EMOJI, type SlackMessage } from './brief.ts';
import { packSections, section } from './fit.ts';
import { ACTION_IDS, BLOCK_IDS, blockId } from './ids.ts';
import { SLACK_LIMITS } from './limits.ts';
import { cutMrkdwn, esc, escCut, listSome, mention, mrkdwn, plain, slackDate } from './text.ts';

/**
 * App Home and `/triage list`: the open incidents by severity, the restart proposals awaiting an
 * approver (with the same Approve and Deny buttons as a brief: same action ids, same approval
 * path), and the last actions taken. A Home tab takes 100 blocks, a message 50
 * (docs.slack.dev/reference/block-kit/blocks); both stay far below.
 */

export type OverviewOptions = {
  approvers: ApproversDisplay;
  now: Date;
  /** The outcome of a click made on this surface, shown at the top. */
  notice?: string;
};

const LIMITS = { awaiting: 8, openLines: 30, recent: 10 } as const;

const SEVERITIES: readonly Severity[] = ['sev0', 'sev1', 'sev2', 'sev3'];

function where(place: string | null): string {
  const ref = decodeRef(place);
  return ref ? ` · in ${mention(ref.channel)}` : '';
}

function decideButtons(a: AwaitingApproval, approver: boolean): ActionsBlock {
  const p = a.proposal;
  const fullBrief: Button = {
    type: 'button',
    action_id: ACTION_IDS.openBrief,
    text: plain('Full brief', SLACK_LIMITS.buttonText),
    value: a.incidentId,
  };
  const decide: Button[] = approver
    ? [
        {
          type: 'button',
          action_id: ACTION_IDS.approve,
          text: plain('Approve restart', SLACK_LIMITS.buttonText),
          style: 'primary',
          value: p.id.slice(0, SLACK_LIMITS.buttonValue),
          confirm: {
            title: plain(`Restart ${p.serverId}?`, SLACK_LIMITS.confirmTitle),
            text: plain(
              `This restarts the service on ${p.serverId}, re-checks its health, and escalates to an engineer if it does not recover.`,
              SLACK_LIMITS.confirmText,
            ),
            confirm: plain('Restart', SLACK_LIMITS.confirmButton),
            deny: plain('Cancel', SLACK_LIMITS.confirmButton),
            style: 'primary',
          },
        },
        {
          type: 'button',
          action_id: ACTION_IDS.deny,
          text: plain('Deny', SLACK_LIMITS.buttonText),
          style: 'danger',
          value: p.id.slice(0, SLACK_LIMITS.buttonValue),
        },
      ]
    : [];
  return {
    type: 'actions',
    block_id: blockId(BLOCK_IDS.restartActions, p.id),
    elements: [...decide, fullBrief],
  };
}

function awaitingBlocks(overview: Overview, options: OverviewOptions): KnownBlock[] {
  const { awaiting, approver } = overview;
  const title = approver
    ? `*Awaiting your approval* (${awaiting.length})`
    : `*Restart proposals awaiting an approver* (${awaiting.length})`;
  if (awaiting.length === 0) return [section(`${title}\nNothing is waiting for a decision.`)];
  const who = options.approvers.length
    ? `Only ${listSome(options.approvers.map(mention), 10)} can decide.`
    : 'No approvers configured: nobody can decide. Set APPROVERS.';
  const blocks: KnownBlock[] = [section(approver ? title : `${title}\n${who}`)];
  for (const a of awaiting.slice(0, LIMITS.awaiting)) {
    const sev = a.severity ? `${SEVERITY_EMOJI[a.severity]} ${a.severity.toUpperCase()} · ` : '';
    blocks.push(
      section(
        cutMrkdwn(
          `${sev}*${esc(a.incidentId)}* ${escCut(a.title, 150)}\nRestart of *${esc(a.proposal.serverId)}*: ${escCut(a.proposal.reason, 300)} · expires ${slackDate(a.proposal.expiresAt)}${where(a.place)}`,
          SLACK_LIMITS.sectionText,
        ),
      ),
      decideButtons(a, approver),
    );
  }
  if (awaiting.length > LIMITS.awaiting)
    blocks.push(section(`_… ${awaiting.length - LIMITS.awaiting} more awaiting a decision_`));
  return blocks;
}

function openLine(i: OpenIncident): string {
  const action =
    i.action === 'restart' && i.proposal
      ? `restart ${i.proposal.state === 'pending' ? 'awaiting approval' : i.proposal.state.replace('_', ' ')}`
      : (i.action ?? 'investigating');
  const servers = i.servers.length ? ` · ${esc(listSome([...i.servers], 3))}` : '';
  return `• *${esc(i.id)}* ${escCut(i.title, 120)} — ${esc(action)}${servers}${where(i.place)}`;
}

function openBlocks(overview: Overview): KnownBlock[] {
  const { open } = overview;
  if (open.length === 0) return [section('*Open incidents* (0)\nNone in the last 7 days.')];
  const lines: string[] = [`*Open incidents* (${open.length}), by severity`];
  let shown = 0;
  for (const severity of [...SEVERITIES, null]) {
    const group = open.filter((i) => i.severity === severity);
    if (group.length === 0) continue;
    lines.push(
      severity
        ? `${SEVERITY_EMOJI[severity]} *${severity.toUpperCase()}* (${group.length})`
        : `🔎 *Investigating* (${group.length})`,
    );
    for (const i of group) {
      if (shown >= LIMITS.openLines) break;
      lines.push(openLine(i));
      shown += 1;
    }
  }
  if (open.length > shown) lines.push(`_… ${open.length - shown} more open_`);
  return packSections(lines);
}

function recentBlocks(overview: Overview): KnownBlock[] {
  if (overview.recent.length === 0) return [section('*Last actions*\nNone recorded yet.')];
  return packSections([
    '*Last actions*',
    ...overview.recent
      .slice(0, LIMITS.recent)
      .map(
        (a) =>
          `• ${slackDate(a.at)} *${esc(a.incidentId)}* ${escCut(a.action, 200)} (${mention(a.actor)})`,
      ),
  ]);
}

function overviewBlocks(overview: Overview, options: OverviewOptions): KnownBlock[] {
  const updated: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        `Open incidents of the last 7 days, restart proposals awaiting approval and the last actions · updated ${slackDate(options.now.toISOString())}`,
        SLACK_LIMITS.contextElementText,
      ),
    ],
  };
  return [
    updated,
    ...(options.notice ? [section(cutMrkdwn(options.notice, SLACK_LIMITS.sectionText))] : []),
    ...awaitingBlocks(overview, options),
    { type: 'divider' },
    ...openBlocks(overview),
    { type: 'divider' },
    ...recentBlocks(overview),
  ];
}

/** The Home tab of one user. */
export function homeView(
  overview: Overview,
  options: OverviewOptions,
): HomeView & {
  blocks: KnownBlock[];
} {
  const header: HeaderBlock = {
    type: 'header',
    text: plain('Level Zero Operator', SLACK_LIMITS.headerText),
  };
  return { type: 'home', blocks: [header, ...overviewBlocks(overview, options)] };
}

/** `/triage list`: the same, as a message. */
export function overviewMessage(overview: Overview, options: OverviewOptions): SlackMessage {
  const text = `${overview.open.length} open incidents · ${overview.awaiting.length} restart proposals awaiting approval`;
  return { text, blocks: [section(`*${text}*`), ...overviewBlocks(overview, options)] };
}
