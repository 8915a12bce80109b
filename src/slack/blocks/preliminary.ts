import type { ContextBlock } from '@slack/types';
import type { IncidentBrief } from '../../domain/brief.ts';
import { type BriefMessageOptions, briefMessage, type SlackMessage } from './brief.ts';
import { withDecision } from './decision.ts';
import { SLACK_LIMITS } from './limits.ts';
import { esc, mrkdwn } from './text.ts';

/**
 * The rules planner's brief while the model reasons: the same brief, marked preliminary where the
 * decision goes (the room briefMessage keeps for it), and without buttons — a preliminary brief
 * proposes nothing, so there is nothing to approve until the final one replaces it in place.
 */
export function preliminaryMessage(
  brief: IncidentBrief,
  options: BriefMessageOptions & { model: string | null },
): SlackMessage {
  const full = briefMessage({ ...brief, restart: null }, options);
  const model = options.model ? esc(options.model) : 'the model';
  const notice: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        `🕐 *Preliminary* — the rules planner's first read of the evidence while ${model} reasons. The final brief replaces this one; nothing is proposed or done until then.`,
        SLACK_LIMITS.contextElementText,
      ),
    ],
  };
  return { text: `Preliminary: ${full.text}`, blocks: withDecision(full.blocks, [notice]) };
}
