import type {
  ContextBlock,
  KnownBlock,
  MarkdownBlock,
  ModalView,
  RawTextElement,
  SectionBlock,
  TableBlock,
} from '@slack/types';
import type { IncidentBrief } from '../../domain/brief.ts';
import type { ProposalState } from '../../domain/proposal.ts';
import { chronicNote, memorySummary, pastLines } from '../../operator/memory/words.ts';
import {
  type ApproversDisplay,
  actionsTakenLines,
  briefFallbackText,
  briefHeader,
  bullet,
  decisionFields,
  dependenciesLine,
  evidenceLine,
  factLine,
  footer,
  item,
  ownershipLine,
  plannerText,
  restartControls,
  SEVERITY_EMOJI,
  type SlackMessage,
  sev,
  timelineLines,
} from './brief.ts';
import { type Entry, fitBlocks, section } from './fit.ts';
import { VIEW_IDS } from './ids.ts';
import { MESSAGE_BUDGET, SLACK_LIMITS } from './limits.ts';
import { md, mdCut, mdLink, mdSection } from './markdown.ts';
import { stateBlocks } from './state.ts';
import { cutMrkdwn, esc, escCut, link, mrkdwn, plain } from './text.ts';

/**
 * The whole brief — every fact, hypothesis, check and next action, the documentation checklist,
 * the escalation package, the incident's history and the evidence table — in the incident's
 * thread, and in a modal behind the compact brief's "Full brief" button.
 *
 * In the thread it is a `markdown` block (standard markdown reads better for long text) and a
 * `table` block for the evidence (docs.slack.dev/reference/block-kit/blocks/table-block: at most
 * 100 rows of 20 cells, one table per message); a workspace that rejects them (invalid_blocks)
 * gets `classic`, the same content as sections. Modals get classic blocks, up to 100 of them
 * (docs.slack.dev/reference/block-kit/blocks: 50 blocks in a message, 100 in modals and Home).
 */

export type FullBriefOptions = {
  approvers: ApproversDisplay;
  proposalState?: ProposalState;
  threadLink?: string;
};

/** Slack's view limits (docs.slack.dev/surfaces/modals): title and close at most 24 characters. */
export const VIEW_LIMITS = {
  blocks: 100,
  title: 24,
  privateMetadata: 3000,
  /** Our own bound on a view's blocks as JSON: far below what views.open takes, enough for a brief. */
  jsonChars: 30_000,
} as const;

const TABLE_LIMITS = { rows: 100, cellChars: 300 } as const;

function historyLines(brief: IncidentBrief): string[] {
  const chronic = chronicNote(brief.memory);
  const seen = memorySummary(brief.memory);
  return [
    ...(chronic ? [`⚠️ Chronic: ${chronic}`] : []),
    ...(seen ? [seen] : []),
    ...pastLines(brief.memory).map((l) => `Similar: ${l}`),
  ];
}

/** The brief's sections as fittable parts, in the terminal renderer's order. */
function parts(brief: IncidentBrief): Entry[] {
  const pkg = brief.escalationPackage;
  const runbook = brief.runbook;
  return [
    {
      kind: 'part',
      title: '*What we know*',
      items: brief.facts.map(factLine),
      noun: 'facts',
      cap: 30,
      label: 'facts',
    },
    {
      kind: 'part',
      title: '*Suspected causes (hypotheses)*',
      items: brief.hypotheses.map((h) => `• ${item(h.text)} _(${h.confidence} confidence)_`),
      noun: 'hypotheses',
      cap: 10,
      label: 'hypotheses',
    },
    {
      kind: 'part',
      title: '*Safe checks*',
      items: [
        ...(runbook
          ? [
              `📘 ${link(runbook.url, runbook.title ?? `Runbook${runbook.service ? ` for ${runbook.service}` : ''}`)}`,
            ]
          : []),
        ...brief.safeChecks.map(bullet),
      ],
      noun: 'checks',
      cap: 12,
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
      title: '*Seen before*',
      items: historyLines(brief).map(bullet),
      noun: 'incidents',
      cap: 7,
      dropRank: 4,
      label: 'history',
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
      cap: 15,
      dropRank: 3,
      label: 'timeline',
    },
    {
      kind: 'part',
      items: [ownershipLine(brief), dependenciesLine(brief), ...actionsTakenLines(brief)],
      noun: 'actions taken',
      cap: 16,
      label: 'ownership and actions taken',
    },
    {
      kind: 'part',
      title: '*Evidence*',
      items: brief.evidence.map((e) => evidenceLine(brief, e)),
      noun: 'evidence items',
      cap: 25,
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
  ];
}

function titleBlock(brief: IncidentBrief): SectionBlock {
  return section(
    cutMrkdwn(
      `*Full brief · ${esc(brief.incidentId)}* — ${SEVERITY_EMOJI[brief.severity]} ${sev(brief.severity)} · ${escCut(brief.title, 150)}`,
      SLACK_LIMITS.sectionText,
    ),
  );
}

function decisionLine(brief: IncidentBrief): ContextBlock {
  const text = [
    esc(brief.category),
    sev(brief.severity),
    `escalation ${esc(brief.escalation)}`,
    `action ${esc(brief.action)}`,
    brief.servers.length ? esc(brief.servers.join(', ')) : 'no server',
    esc(brief.environment),
  ].join(' · ');
  return { type: 'context', elements: [mrkdwn(text, SLACK_LIMITS.contextElementText)] };
}

/** The full brief as classic blocks (sections), within a message's limits. */
export function fullBriefClassic(brief: IncidentBrief, options: FullBriefOptions): SlackMessage {
  const blocks = fitBlocks(
    [
      {
        kind: 'fixed',
        blocks: [
          titleBlock(brief),
          decisionLine(brief),
          section(cutMrkdwn(escCut(brief.summary || brief.title, 2500), SLACK_LIMITS.sectionText)),
        ],
      },
      ...parts(brief),
      { kind: 'footer', render: (dropped) => footer(brief, options.threadLink, dropped) },
    ],
    {
      recordName: brief.incidentId,
      maxBlocks: SLACK_LIMITS.blocksPerMessage,
      maxJsonChars: MESSAGE_BUDGET.blocksJsonChars,
    },
  );
  return { text: `Full brief: ${briefFallbackText(brief, options.proposalState)}`, blocks };
}

const time = (iso: string) => `${iso.slice(11, 16)} UTC`;

function cell(text: string): RawTextElement {
  const t =
    text.length > TABLE_LIMITS.cellChars ? `${text.slice(0, TABLE_LIMITS.cellChars - 1)}…` : text;
  return { type: 'raw_text', text: t || '—' };
}

/** The evidence as a table: id, source, backend, time, what it said. */
export function evidenceTable(brief: IncidentBrief, rows: number): TableBlock {
  const evidence = brief.evidence.slice(0, Math.max(0, Math.min(rows, TABLE_LIMITS.rows - 1)));
  return {
    type: 'table',
    column_settings: [
      { align: 'left' },
      { align: 'left', is_wrapped: true },
      { align: 'left' },
      { align: 'left' },
      { align: 'left', is_wrapped: true },
    ],
    rows: [
      ['Evidence', 'Source', 'Backend', 'At', 'Finding'].map(cell),
      ...evidence.map((e) => [
        cell(e.id),
        cell(`${e.source.tool}(${e.source.subject})`),
        cell(e.source.backend),
        cell(time(e.source.at)),
        cell(e.summary),
      ]),
    ],
  };
}

/** The brief's text sections as standard markdown, each list capped. */
export function fullBriefMarkdown(brief: IncidentBrief): string {
  const pkg = brief.escalationPackage;
  const own = pkg.ownership;
  const day = brief.createdAt.slice(0, 10);
  const when = (iso: string) =>
    iso.slice(0, 10) === day ? time(iso) : `${iso.slice(0, 10)} ${time(iso)}`;
  const runbook = brief.runbook;
  const lines = [
    mdCut(brief.summary || brief.title, 2500),
    '',
    ...mdSection(
      'What we know',
      brief.facts.map((f) => `${mdCut(f.text, 500)} \\[${f.evidence.join(', ')}\\]`),
      30,
      'facts',
    ),
    ...mdSection(
      'Suspected causes (hypotheses)',
      brief.hypotheses.map((h) => `${mdCut(h.text, 500)} _(${h.confidence} confidence)_`),
      10,
      'hypotheses',
    ),
    ...mdSection(
      'Safe checks',
      [
        ...(runbook
          ? [
              `📘 ${mdLink(runbook.url, runbook.title ?? `Runbook${runbook.service ? ` for ${runbook.service}` : ''}`)}`,
            ]
          : []),
        // Not code spans: Slack may still read a mention inside one; escaped text cannot be read so.
        ...brief.safeChecks.map((c) => mdCut(c, 500)),
      ],
      12,
      'checks',
    ),
    ...mdSection(
      'Next actions',
      brief.nextActions.map((a) => mdCut(a, 500)),
      10,
      'actions',
    ),
    ...mdSection(
      'Seen before',
      historyLines(brief).map((l) => mdCut(l, 500)),
      7,
      'incidents',
    ),
    ...mdSection(
      'Documentation checklist',
      brief.documentationChecklist.map(
        (c) => `${c.status === 'captured' ? '✅' : '⬜'} ${mdCut(c.item, 300)}`,
      ),
      12,
      'checklist items',
    ),
    '**Escalation package**',
    `- **Impact:** ${mdCut(pkg.impact, 800)}`,
    `- **Ownership:** service ${md(own.service ?? '—')} · team ${md(own.team ?? '—')} · on-call ${md(own.onCall ?? '—')}`,
    `- **Dependencies:** ${own.dependencies.length ? mdCut(own.dependencies.slice(0, 10).join(', '), 500) : '—'}`,
    '',
    ...mdSection(
      'Timeline',
      pkg.timeline.map((t) => `${when(t.at)} ${mdCut(t.event, 400)}`),
      15,
      'timeline entries',
    ),
    ...(pkg.actionsTaken.length
      ? mdSection(
          'Actions taken',
          pkg.actionsTaken.map((a) => `${when(a.at)} ${mdCut(a.action, 400)} (${md(a.actor)})`),
          15,
          'actions',
        )
      : ['**Actions taken:** none', '']),
    ...mdSection(
      'Policy',
      brief.policyNotes.map((n) => mdCut(n, 500)),
      8,
      'policy notes',
    ),
  ];
  return lines.join('\n').trim();
}

const MARKDOWN_CHARS = 7_000;

/**
 * The full brief for the thread: markdown and an evidence table, with `classic` (sections) for a
 * workspace that refuses the newer blocks. Within the message budget either way.
 */
export function fullBriefMessage(
  brief: IncidentBrief,
  options: FullBriefOptions,
): SlackMessage & { classic: KnownBlock[] } {
  const classic = fullBriefClassic(brief, options);
  let text = fullBriefMarkdown(brief);
  if (text.length > MARKDOWN_CHARS)
    text = `${text.slice(0, MARKDOWN_CHARS)}\n\n_… cut to fit; the whole brief is in the incident record ${md(brief.incidentId)} and behind the Full brief button_`;
  const markdown: MarkdownBlock = { type: 'markdown', text };
  const foot: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        `${plannerText(brief)} · incident ${esc(brief.incidentId)}${options.threadLink ? ` · ${link(options.threadLink, 'View incident thread')}` : ''}`,
        SLACK_LIMITS.contextElementText,
      ),
    ],
  };
  const assemble = (rows: number): KnownBlock[] => [
    titleBlock(brief),
    decisionLine(brief),
    markdown,
    ...(rows > 0 && brief.evidence.length ? [evidenceTable(brief, rows)] : []),
    ...(rows < brief.evidence.length && brief.evidence.length
      ? [
          {
            type: 'context',
            elements: [
              mrkdwn(
                `${brief.evidence.length - rows} more evidence items are in the incident record ${esc(brief.incidentId)}`,
                SLACK_LIMITS.contextElementText,
              ),
            ],
          } satisfies ContextBlock,
        ]
      : []),
    foot,
  ];
  let rows = Math.min(brief.evidence.length, TABLE_LIMITS.rows - 1);
  let blocks = assemble(rows);
  while (rows > 0 && JSON.stringify(blocks).length > MESSAGE_BUDGET.blocksJsonChars) {
    rows = Math.floor(rows / 2);
    blocks = assemble(rows);
  }
  return { text: classic.text, blocks, classic: classic.blocks };
}

/**
 * The whole brief in a modal, for anyone who presses "Full brief". While the restart is pending the
 * same Approve and Deny buttons as the brief's (same action ids, same approval path); `notice` is
 * the outcome of a click made in the modal.
 */
export function fullBriefModal(
  brief: IncidentBrief,
  options: FullBriefOptions & { notice?: string },
): ModalView & { blocks: KnownBlock[] } {
  const state = options.proposalState ?? 'pending';
  const controls =
    brief.action === 'restart' && brief.restart && state === 'pending'
      ? restartControls(brief, brief.restart, options.approvers)
      : [];
  const blocks = fitBlocks(
    [
      {
        kind: 'fixed',
        blocks: [
          briefHeader(brief),
          ...stateBlocks(brief),
          ...(options.notice ? [section(cutMrkdwn(options.notice, SLACK_LIMITS.sectionText))] : []),
          decisionFields(brief, state),
          section(cutMrkdwn(escCut(brief.summary || brief.title, 2500), SLACK_LIMITS.sectionText)),
          ...controls,
          { type: 'divider' },
        ],
      },
      ...parts(brief),
      { kind: 'footer', render: (dropped) => footer(brief, options.threadLink, dropped) },
    ],
    {
      recordName: brief.incidentId,
      maxBlocks: VIEW_LIMITS.blocks,
      maxJsonChars: VIEW_LIMITS.jsonChars,
    },
  );
  return {
    type: 'modal',
    callback_id: VIEW_IDS.fullBrief,
    title: plain(`Brief ${brief.incidentId}`, VIEW_LIMITS.title),
    close: plain('Close', VIEW_LIMITS.title),
    private_metadata: JSON.stringify({ incidentId: brief.incidentId }).slice(
      0,
      VIEW_LIMITS.privateMetadata,
    ),
    blocks,
  };
}
