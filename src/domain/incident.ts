import { z } from 'zod';

export const IncidentSource = z.enum(['cli', 'slack', 'eval', 'demo']);
export type IncidentSource = z.infer<typeof IncidentSource>;

/**
 * Where a presenter shows an incident. Both parts are opaque references that only the presenter
 * that wrote them can read (a Slack thread and message, say); the core stores them and asks one
 * question: has the incident's own message been posted yet?
 */
export const Presentation = z.object({
  /** The place the incident lives in (a chat thread), encoded by its presenter. */
  place: z.string().min(1),
  /** The incident's own message (progress, then the brief), once posted; null until then. */
  message: z.string().min(1).nullable(),
});
export type Presentation = z.infer<typeof Presentation>;
