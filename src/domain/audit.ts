import { z } from 'zod';

export const AuditEventName = z.enum([
  'incident.opened',
  'proposal.created',
  'proposal.approved',
  'proposal.denied',
  'proposal.expired',
  'approval.refused',
  'restart.executed',
  'restart.verified',
  'restart.failed',
  'escalation.sent',
]);
export type AuditEventName = z.infer<typeof AuditEventName>;

export const AuditEntry = z.object({
  at: z.iso.datetime(),
  incident_id: z.string(),
  event: AuditEventName,
  /** Who caused it: a Slack user id, `cli:<user>`, or `operator` for the bot itself. */
  actor: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
