import type { KnownBlock, MarkdownBlock } from '@slack/types';
import type { Postmortem } from '../../operator/postmortem/draft.ts';
import type { SlackMessage } from './brief.ts';
import { packSections, section } from './fit.ts';
import { MESSAGE_BUDGET } from './limits.ts';
import { md, mdCut } from './markdown.ts';
import { esc, escCut } from './text.ts';

/**
 * The postmortem draft in the thread, as markdown (docs.slack.dev/reference/block-kit/blocks/
 * markdown-block), with `classic` sections for a workspace that refuses the markdown block.
 * It says what is known, and lists what the record cannot answer as open questions.
 */

const time = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function duration(p: Postmortem): string {
  if (p.durationMinutes === null) return 'still open (no resolution recorded)';
  return `${p.durationMinutes} min (resolved ${time(p.resolvedAt ?? p.openedAt)})`;
}

type Lines = {
  heading: (t: string) => string;
  item: (t: string) => string;
  text: (t: string) => string;
};

function body(p: Postmortem, f: Lines): string[] {
  return [
    f.heading(`Postmortem draft · ${p.incidentId}: ${p.title}`),
    f.text(
      `Draft from the bot's record (audit log and evidence). Check every line; what the record cannot say is under open questions.`,
    ),
    '',
    f.heading('Summary'),
    f.text(p.summary),
    f.item(
      `Severity ${p.severity.toUpperCase()}, ${p.category}; servers: ${p.servers.join(', ') || 'none'}`,
    ),
    f.item(`Opened ${time(p.openedAt)}; duration: ${duration(p)}`),
    '',
    f.heading('Impact'),
    f.text(`${p.impact}${p.impactConfirmed ? '' : ' (not confirmed by a human)'}`),
    '',
    f.heading('Timeline'),
    ...p.timeline.slice(0, 25).map((t) => f.item(`${time(t.at)} ${t.event}`)),
    '',
    f.heading('What was done, and by whom'),
    ...(p.actions.length
      ? p.actions.slice(0, 20).map((a) => f.item(`${time(a.at)} ${a.action} (${a.actor})`))
      : [f.item('Nothing: the audit log records no action.')]),
    '',
    f.heading('What the evidence showed'),
    ...p.facts.slice(0, 10).map((x) => f.item(`${x.text} [${x.evidence.join(', ')}]`)),
    ...(p.hypotheses.length
      ? [
          '',
          f.heading('Suspected causes (not established)'),
          ...p.hypotheses.slice(0, 6).map((h) => f.item(`${h.text} (${h.confidence} confidence)`)),
        ]
      : []),
    ...(p.history.length ? ['', f.heading('Seen before'), ...p.history.map(f.item)] : []),
    '',
    f.heading('Open questions'),
    ...p.openQuestions.map(f.item),
  ];
}

const MARKDOWN: Lines = {
  heading: (t) => `**${md(t)}**`,
  item: (t) => `- ${mdCut(t, 500)}`,
  text: (t) => mdCut(t, 1500),
};

const MRKDWN: Lines = {
  heading: (t) => `*${esc(t)}*`,
  item: (t) => `• ${escCut(t, 500)}`,
  text: (t) => escCut(t, 1500),
};

export function postmortemMessage(p: Postmortem): SlackMessage & { classic: KnownBlock[] } {
  let text = body(p, MARKDOWN).join('\n');
  if (text.length > 9_000) text = `${text.slice(0, 9_000)}\n\n_… cut to fit a message_`;
  const markdown: MarkdownBlock = { type: 'markdown', text };
  const classic = packSections(body(p, MRKDWN).filter((l) => l !== ''));
  // packSections keeps every line; a very long record is cut to the message budget.
  while (classic.length > 1 && JSON.stringify(classic).length > MESSAGE_BUDGET.blocksJsonChars)
    classic.pop();
  return {
    text: escCut(
      `Postmortem draft for ${p.incidentId}: ${p.title}`,
      MESSAGE_BUDGET.fallbackTextChars,
    ),
    blocks: [markdown],
    classic: classic.length ? classic : [section(esc(p.title))],
  };
}
