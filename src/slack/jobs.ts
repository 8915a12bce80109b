import { z } from 'zod';
import { IncidentThreadSchema } from '../store/store.ts';

/** The kind of job the Slack intake queues. */
export const INVESTIGATE = 'investigate';

/** What a worker needs to investigate an incident opened by the intake and present it. */
export const InvestigationJob = z.object({
  incidentId: z.string(),
  actor: z.string(),
  /** Where progress and the brief go; null when the bot cannot post in the channel. */
  thread: IncidentThreadSchema.nullable(),
  /** A slash command's response_url: the fallback when the bot is not in the channel. */
  responseUrl: z.url().nullable(),
  /** The alert group this incident answers, so repeats can point at it. */
  groupId: z.string().nullable(),
});
export type InvestigationJob = z.infer<typeof InvestigationJob>;
