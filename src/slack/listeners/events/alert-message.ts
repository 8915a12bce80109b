import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { stored } from '../../acks.ts';
import { alertText } from '../../alert-text.ts';
import { EventEnvelope, MessageEvent } from '../../payloads.ts';
import { intakeRequest } from '../../thread.ts';
import type { ListenerDeps } from '../deps.ts';

/**
 * Message subtypes that are alerts: plain messages, integrations posting as bots, and messages
 * that share a file (an integration posting a graph or a report with its alert).
 */
const ALERT_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'bot_message',
  'file_share',
]);

/** Why a message in an alert channel is not an alert, or null when it is one. */
export function notAnAlert(
  message: MessageEvent,
  bot: { botId?: string | undefined; botUserId?: string | undefined },
): string | null {
  if (!ALERT_SUBTYPES.has(message.subtype)) return `subtype ${message.subtype}`;
  if (
    (message.bot_id && message.bot_id === bot.botId) ||
    (message.user && message.user === bot.botUserId)
  ) {
    return 'our own message';
  }
  if (message.thread_ts && message.thread_ts !== message.ts) return 'a reply in a thread';
  return null;
}

/** Every new message in ALERT_CHANNELS — alerting integrations included — is triaged in its thread. */
export function alertMessage(deps: ListenerDeps) {
  return async ({
    event,
    body,
    context,
  }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    const parsed = MessageEvent.safeParse(event);
    if (!parsed.success || !deps.alertChannels.has(parsed.data.channel)) return;
    const message = parsed.data;
    const skip = notAnAlert(message, context);
    if (skip) {
      deps.logger.debug({ channel: message.channel, ts: message.ts, skip }, 'ignored a message');
      return;
    }
    const text = alertText(message, context.botUserId);
    if (!text) return;
    const eventId = EventEnvelope.safeParse(body).data?.event_id;
    // Acknowledged only once stored; a store that cannot write it makes Slack deliver it again.
    await stored(deps, 'event', () =>
      deps.intake.accept(
        intakeRequest({
          origin: 'alert',
          text,
          actor: message.user ?? message.bot_id ?? 'unknown',
          channel: message.channel,
          replyTo: message.ts,
          messageTs: message.ts,
          ...(eventId ? { eventId } : {}),
        }),
      ),
    );
  };
}
