import { z } from 'zod';
import type { Presentation } from '../domain/incident.ts';
import type { IntakeOrigin, IntakeRequest } from '../operator/intake/intake.ts';

/**
 * How Slack places are written into the core's opaque references. Only this adapter reads them:
 * a place is a thread (`slack:<channel>:<thread ts>`), a message is `slack:<channel>:<ts>`, and a
 * route says where to answer a request that has no thread yet.
 */

export type SlackMessageRef = { channel: string; ts: string };

/** Where an incident lives in Slack: its thread, and its own message once posted. */
export type SlackThread = { channel: string; threadTs: string; messageTs: string | null };

const REF = /^slack:([A-Z0-9]+):(\d+\.\d+)$/;

export function encodeRef(channel: string, ts: string): string {
  return `slack:${channel}:${ts}`;
}

export function decodeRef(ref: string | null | undefined): SlackMessageRef | null {
  const m = ref ? REF.exec(ref) : null;
  return m?.[1] && m[2] ? { channel: m[1], ts: m[2] } : null;
}

export function presentationOf(thread: SlackThread): Presentation {
  return {
    place: encodeRef(thread.channel, thread.threadTs),
    message: thread.messageTs ? encodeRef(thread.channel, thread.messageTs) : null,
  };
}

/**
 * The incident's message when Slack never told us its ts: a brief posted through a slash command's
 * response_url (the bot is not in the channel). Only the channel is known.
 */
const CHANNEL_ONLY = /^slack:([A-Z0-9]+):\*$/;

export function channelOnlyPresentation(channel: string): Presentation {
  const ref = `slack:${channel}:*`;
  return { place: ref, message: ref };
}

/**
 * Where a click on this incident's buttons must come from: the channel of its brief and the brief
 * message itself (ts null when only the channel is known), or null when it is not in Slack.
 */
export function briefSiteOf(
  presentation: Presentation | null | undefined,
): { channel: string; ts: string | null } | null {
  const message = decodeRef(presentation?.message);
  if (message) return { channel: message.channel, ts: message.ts };
  const channelOnly = presentation?.message ? CHANNEL_ONLY.exec(presentation.message) : null;
  return channelOnly?.[1] ? { channel: channelOnly[1], ts: null } : null;
}

/** The Slack thread of an incident, or null when it is not presented in Slack. */
export function threadOf(presentation: Presentation | null | undefined): SlackThread | null {
  const place = decodeRef(presentation?.place);
  if (!place) return null;
  return {
    channel: place.channel,
    threadTs: place.ts,
    messageTs: decodeRef(presentation?.message)?.ts ?? null,
  };
}

/** Where to answer an intake request: its channel, the message to reply under, a response_url. */
export const SlackRoute = z.object({
  channel: z.string(),
  /** The message to answer in the thread of; null for a slash command (a new top-level message). */
  replyTo: z.string().nullable(),
  /** A slash command's response_url: the fallback when the bot is not in the channel. */
  responseUrl: z.url().nullable(),
  /**
   * An alert (a message in an alert channel, or a webhook alert posted into
   * ALERT_WEBHOOK_CHANNEL): answered cheaply (a reaction, then the brief) rather than with a
   * progress message, so a storm does not spend the channel's one message a second.
   */
  alert: z.boolean().optional(),
});
export type SlackRoute = z.infer<typeof SlackRoute>;

export function encodeRoute(route: SlackRoute): string {
  return JSON.stringify(SlackRoute.parse(route));
}

export function decodeRoute(route: string): SlackRoute {
  return SlackRoute.parse(JSON.parse(route));
}

/** A Slack delivery as the core's intake takes it. */
export function intakeRequest(delivery: {
  origin: IntakeOrigin;
  text: string;
  actor: string;
  channel: string;
  /** The message to answer in the thread of; null for a slash command. */
  replyTo: string | null;
  /** The triggering message, so a mention that is also a channel message is handled once. */
  messageTs?: string;
  /** Slack's event id, so a retried delivery is handled once. */
  eventId?: string;
  /** A slash command's trigger_id, unique per invocation: a replayed command is handled once. */
  triggerId?: string;
  responseUrl?: string;
}): IntakeRequest {
  const { channel, replyTo } = delivery;
  const alert = delivery.origin === 'alert';
  return {
    origin: delivery.origin,
    text: delivery.text,
    actor: delivery.actor,
    place: replyTo ? encodeRef(channel, replyTo) : null,
    route: encodeRoute({
      channel,
      replyTo,
      responseUrl: delivery.responseUrl ?? null,
      ...(alert ? { alert } : {}),
    }),
    ...(alert ? { alert: { via: 'slack' } } : {}),
    dedupeKeys: [
      ...(delivery.eventId ? [`event:${delivery.eventId}`] : []),
      ...(delivery.messageTs ? [`message:${channel}:${delivery.messageTs}`] : []),
      ...(delivery.triggerId ? [`command:${delivery.triggerId}`] : []),
    ],
  };
}

/** Where webhook alerts are triaged: new top-level messages in ALERT_WEBHOOK_CHANNEL. */
export function webhookRoute(channel: string): string {
  return encodeRoute({ channel, replyTo: null, responseUrl: null, alert: true });
}
