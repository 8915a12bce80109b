import { z } from 'zod';

/** The kind of job the Slack intake queues. */
export const INVESTIGATE = 'investigate';

/** What a worker needs to investigate an incident opened by the intake and present it. */
export const InvestigationJob = z.object({
  incidentId: z.string(),
  actor: z.string(),
  /** Where the progress message and the brief go (the incident's thread, once posted, wins). */
  channel: z.string(),
  /** The message to answer in the thread of; null for a slash command (a new message). */
  replyTo: z.string().nullable(),
  /** A slash command's response_url: the fallback when the bot is not in the channel. */
  responseUrl: z.url().nullable(),
  /** The alert group this incident answers, so repeats can point at it. */
  groupId: z.string().nullable(),
});
export type InvestigationJob = z.infer<typeof InvestigationJob>;
