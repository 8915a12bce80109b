import { z } from 'zod';

/**
 * The parts of Slack payloads the bot relies on, validated at the boundary. Everything else in a
 * payload is ignored; a payload without these parts is dropped with a log line, never half-used.
 */

const attachment = z
  .object({
    fallback: z.string().optional(),
    pretext: z.string().optional(),
    title: z.string().optional(),
    text: z.string().optional(),
    fields: z
      .array(z.object({ title: z.string().optional(), value: z.string().optional() }))
      .optional(),
  })
  .loose();

export const MessageEvent = z
  .object({
    type: z.literal('message'),
    channel: z.string(),
    ts: z.string(),
    text: z.string().optional(),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    app_id: z.string().optional(),
    subtype: z.string().optional(),
    thread_ts: z.string().optional(),
    attachments: z.array(attachment).optional(),
    blocks: z.array(z.unknown()).optional(),
    /** A `file_share` message's files: their titles often carry the alert (a graph, a report). */
    files: z
      .array(z.object({ title: z.string().optional(), name: z.string().optional() }).loose())
      .optional(),
  })
  .loose();
export type MessageEvent = z.infer<typeof MessageEvent>;

export const AppMentionEvent = z
  .object({
    type: z.literal('app_mention'),
    channel: z.string(),
    ts: z.string(),
    text: z.string(),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    thread_ts: z.string().optional(),
    attachments: z.array(attachment).optional(),
    blocks: z.array(z.unknown()).optional(),
  })
  .loose();
export type AppMentionEvent = z.infer<typeof AppMentionEvent>;

/** Slack's `subteam_members_changed` (usergroups:read): who joined or left a user group. */
export const SubteamMembersChanged = z
  .object({
    type: z.literal('subteam_members_changed'),
    subteam_id: z.string().min(1),
    added_users: z.array(z.string()).optional(),
    removed_users: z.array(z.string()).optional(),
  })
  .loose();
export type SubteamMembersChanged = z.infer<typeof SubteamMembersChanged>;

export const EventEnvelope = z.object({ event_id: z.string().optional() }).loose();

export const SlashCommand = z
  .object({
    text: z.string().default(''),
    user_id: z.string(),
    channel_id: z.string(),
    response_url: z.url(),
    /** Unique per invocation; a byte-identical replay carries the same one. */
    trigger_id: z.string().min(1).optional(),
    team_id: z.string().optional(),
  })
  .loose();
export type SlashCommand = z.infer<typeof SlashCommand>;

/**
 * A button click (block_actions), on a message or inside a view: a modal or App Home carry a
 * `view` and `container.type: view`, and no channel or message; a private message (`/triage
 * list`) is `is_ephemeral`. `trigger_id` opens a modal within 3 s of the click.
 */
export const ButtonClick = z
  .object({
    /** The workspace the click came from (Slack sends `team`, and the user's `team_id`). */
    team: z.object({ id: z.string() }).loose().nullable().optional(),
    user: z.object({ id: z.string(), team_id: z.string().optional() }).loose(),
    channel: z.object({ id: z.string() }).loose().optional(),
    container: z
      .object({
        type: z.string().optional(),
        channel_id: z.string().optional(),
        message_ts: z.string().optional(),
        thread_ts: z.string().optional(),
        is_ephemeral: z.boolean().optional(),
        view_id: z.string().optional(),
      })
      .loose()
      .optional(),
    message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).loose().optional(),
    view: z
      .object({
        id: z.string(),
        type: z.string(),
        private_metadata: z.string().optional(),
      })
      .loose()
      .optional(),
    trigger_id: z.string().optional(),
    response_url: z.url().optional(),
    actions: z.array(z.object({ action_id: z.string(), value: z.string().min(1) }).loose()).min(1),
  })
  .loose();
export type ButtonClick = z.infer<typeof ButtonClick>;

/** A user opened the bot's App Home (docs.slack.dev/reference/events/app_home_opened). */
export const AppHomeOpenedEvent = z
  .object({
    type: z.literal('app_home_opened'),
    user: z.string(),
    channel: z.string().optional(),
    tab: z.enum(['home', 'messages']).optional(),
  })
  .loose();
export type AppHomeOpenedEvent = z.infer<typeof AppHomeOpenedEvent>;

/** The modal's private_metadata: which incident it shows. */
export const BriefViewMetadata = z.object({ incidentId: z.string() });
