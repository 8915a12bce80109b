import type { ContextBlock, HeaderBlock, SectionBlock } from '@slack/types';
import type { IncidentBrief } from '../../domain/brief.ts';
import {
  actionsTakenLines,
  dependenciesLine,
  factLine,
  type SlackMessage,
  timelineLines,
} from './brief.ts';
import { type Entry, fitBlocks, section } from './fit.ts';
import { MESSAGE_BUDGET, SLACK_LIMITS } from './limits.ts';
import { cut, esc, escCut, link, listSome, mention, mrkdwn, plain } from './text.ts';

export type EscalationMessageOptions = {
  /** Why it is escalated now, in plain words: "restart of X was denied by U1". */
  reason: string;
  /** A permalink to the incident thread, when known. */
  threadLink?: string;
};

const LEVEL_TEXT: Record<IncidentBrief['escalation'], string> = {
  hold: 'hold (no page)',
  page_l1: 'page_l1 — page L1 on-call',
  page_l2: 'page_l2 — page L2 / senior on-call',
  engage_security: 'engage_security — engage the security team',
};

function ownership(brief: IncidentBrief): string[] {
  const own = brief.escalationPackage.ownership;
  return [
    `*Service:* ${own.service ? esc(own.service) : '—'} · *Team:* ${own.team ? esc(own.team) : '—'}`,
    `*On-call:* ${own.onCall ? mention(own.onCall) : 'unknown'}`,
    dependenciesLine(brief),
  ];
}

/**
 * The compact message for the escalation channel: the level, the reason, and the five parts of the
 * minimum escalation package (impact, timeline, evidence, ownership, actions taken).
 */
export function escalationMessage(
  brief: IncidentBrief,
  options: EscalationMessageOptions,
): SlackMessage {
  const pkg = brief.escalationPackage;
  const header: HeaderBlock = {
    type: 'header',
    text: plain(`Escalation: ${brief.title}`, SLACK_LIMITS.headerText),
  };
  const fields: SectionBlock = {
    type: 'section',
    fields: [
      mrkdwn(`*Escalation*\n${esc(LEVEL_TEXT[brief.escalation])}`, SLACK_LIMITS.sectionFieldText),
      mrkdwn(
        `*Severity · category*\n${brief.severity.toUpperCase()} · ${esc(brief.category)}`,
        SLACK_LIMITS.sectionFieldText,
      ),
      mrkdwn(
        `*${brief.servers.length === 1 ? 'Server' : 'Servers'}*\n${brief.servers.length ? esc(listSome(brief.servers, 10)) : 'none'}`,
        SLACK_LIMITS.sectionFieldText,
      ),
      mrkdwn(`*Environment*\n${esc(brief.environment)}`, SLACK_LIMITS.sectionFieldText),
    ],
  };
  const entries: Entry[] = [
    {
      kind: 'fixed',
      blocks: [
        header,
        fields,
        section(`*Reason:* ${escCut(options.reason, 1000)}`),
        section(`*Impact:* ${escCut(pkg.impact, 1500)}`),
        ...(options.threadLink ? [section(link(options.threadLink, 'View incident thread'))] : []),
      ],
    },
    {
      kind: 'part',
      title: '*Timeline*',
      items: timelineLines(brief),
      noun: 'timeline entries',
      cap: 10,
      dropRank: 1,
      label: 'timeline',
    },
    {
      kind: 'part',
      title: '*Evidence*',
      items: pkg.evidence.map(factLine),
      noun: 'facts',
      cap: 10,
      label: 'evidence',
    },
    {
      kind: 'part',
      title: '*Ownership*',
      items: ownership(brief),
      noun: 'lines',
      cap: 3,
      label: 'ownership',
    },
    {
      kind: 'part',
      items: actionsTakenLines(brief),
      noun: 'actions taken',
      cap: 11,
      label: 'actions taken',
    },
    {
      kind: 'footer',
      render: (dropped) => {
        const notShown = dropped.length
          ? ` · not shown to fit Slack's limits: ${dropped.map((d) => `${d.label} (${d.count})`).join(', ')}`
          : '';
        const context: ContextBlock = {
          type: 'context',
          elements: [
            mrkdwn(
              `incident ${esc(brief.incidentId)} · the full brief is in the incident record${notShown}`,
              SLACK_LIMITS.contextElementText,
            ),
          ],
        };
        return [context];
      },
    },
  ];
  const blocks = fitBlocks(entries, {
    recordName: brief.incidentId,
    maxBlocks: SLACK_LIMITS.blocksPerMessage,
    maxJsonChars: MESSAGE_BUDGET.blocksJsonChars,
  });
  const text = escCut(
    `Escalation (${brief.escalation}) · ${brief.severity.toUpperCase()} · ${brief.title} — ${cut(options.reason, 120)}`,
    MESSAGE_BUDGET.fallbackTextChars,
  );
  return { text, blocks };
}
