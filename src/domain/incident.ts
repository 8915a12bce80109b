import { z } from 'zod';

/** Where an incident came from; `webhook` is an alerting system posting to POST /alerts/…. */
export const IncidentSource = z.enum(['cli', 'slack', 'eval', 'demo', 'webhook']);
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

/**
 * Where an incident stands, derived from its audit log: `open` until a restart ran (`mitigating`)
 * or its alert resolved (`resolved`).
 */
export const IncidentState = z.enum(['open', 'mitigating', 'resolved']);
export type IncidentState = z.infer<typeof IncidentState>;

/** How two incidents are related (`incident.linked`), read from the incident that records it. */
export const IncidentRelation = z.enum([
  /** This incident is a new firing of an alert whose incident was resolved. */
  'recurrence_of',
  /** The other incident is a new firing of this one's alert. */
  'recurred_as',
  /** This incident shares its cause with a storm whose parent is the other one. */
  'folded_into',
  /** The other incident was folded into this one, the storm's parent. */
  'folded_from',
]);
export type IncidentRelation = z.infer<typeof IncidentRelation>;
