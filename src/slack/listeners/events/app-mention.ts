import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { stored } from '../../acks.ts';
import { alertText } from '../../alert-text.ts';
import { AppMentionEvent, EventEnvelope } from '../../payloads.ts';
import { intakeRequest } from '../../thread.ts';
import type { ListenerDeps } from '../deps.ts';

export const MENTION_HELP =
  'Tell me what is wrong and where, e.g. “@Level Zero Operator payment-server-01 is timing out”. I will investigate in this thread.';

/**
 * `@bot <report>` anywhere the bot is invited: triage in the mention's thread. A mention inside an
 * incident's thread is a follow-up of that incident (app_mention carries thread_ts), answered in
 * the thread; anywhere else it opens a new incident.
 */
export function appMention(deps: ListenerDeps) {
  return async ({
    event,
    body,
    context,
  }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs) => {
    const parsed = AppMentionEvent.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn(
        { issues: parsed.error.issues },
        'dropped an app_mention event of unexpected shape',
      );
      return;
    }
    const mention = parsed.data;
    if (mention.bot_id && mention.bot_id === context.botId) return;
    const replyTo = mention.thread_ts ?? mention.ts;
    const text = alertText(mention, context.botUserId);
    if (!text) {
      await deps.writer.post(mention.channel, { text: MENTION_HELP }, { threadTs: replyTo });
      return;
    }
    const eventId = EventEnvelope.safeParse(body).data?.event_id;
    const request = intakeRequest({
      origin: 'mention',
      text,
      actor: mention.user ?? mention.bot_id ?? 'unknown',
      channel: mention.channel,
      replyTo,
      messageTs: mention.ts,
      ...(eventId ? { eventId } : {}),
    });
    // Acknowledged only once stored; a store that cannot write it makes Slack deliver it again.
    await stored(deps, 'event', async () => {
      if (mention.thread_ts && request.place) {
        const followUp = await deps.conversation.accept({
          text,
          actor: request.actor,
          place: request.place,
          route: request.route,
          dedupeKeys: request.dedupeKeys,
        });
        if (followUp.kind !== 'not_a_follow_up') return;
      }
      await deps.intake.accept(request);
    });
  };
}
