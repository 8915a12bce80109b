import type { ContextBlock, KnownBlock } from '@slack/types';
import type { FollowUpAnswer } from '../../operator/conversation/answers.ts';
import type { SlackMessage } from './brief.ts';
import { section } from './fit.ts';
import { MESSAGE_BUDGET, SLACK_LIMITS } from './limits.ts';
import { cut, cutMrkdwn, esc, escCut, mrkdwn } from './text.ts';

/** How much of a quoted log excerpt one answer shows; the rest stays in its evidence. */
const QUOTE_CHARS = 2_600;

/**
 * A follow-up's answer in the thread: the short answer, any quoted lines (log lines, verbatim in a
 * code block), and a line that cites the evidence and says who answered.
 */
export function followUpMessage(incidentId: string, answer: FollowUpAnswer): SlackMessage {
  const blocks: KnownBlock[] = [
    section(cutMrkdwn(escCut(answer.text, 2_500), SLACK_LIMITS.sectionText)),
  ];
  if (answer.quote?.length) {
    const joined = cut(answer.quote.join('\n'), QUOTE_CHARS).replace(/```/g, "'''");
    blocks.push(section(`\`\`\`${esc(joined)}\`\`\``));
  }
  const by =
    answer.by === 'model' ? 'answered by the model from the evidence' : 'answered by rules';
  const cites = answer.cited.length ? ` · cites ${esc(answer.cited.join(', '))}` : '';
  const context: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(`incident ${esc(incidentId)}${cites} · ${by}`, SLACK_LIMITS.contextElementText),
    ],
  };
  blocks.push(context);
  return {
    text: escCut(answer.text.split('\n')[0] ?? answer.text, MESSAGE_BUDGET.fallbackTextChars),
    blocks,
  };
}
