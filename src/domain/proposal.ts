import { z } from 'zod';
import { HealthReading } from './evidence.ts';

/**
 * pending → approved | denied | expired | withdrawn (its alert resolved first); approved →
 * restarting (the restart is started: its intent is audited before the restarter is called) |
 * cancelled (nothing was restarted: the server recovered on its own, or the replica that took the
 * approval stopped before starting it); restarting → executed | failed | unknown (the replica
 * executing it stopped and nobody can tell whether it ran); executed → recovered | not_recovered.
 * Every arrow is one atomic compare-and-set in the store, so a live replica and the reconciler
 * never both decide one.
 */
export const ProposalState = z.enum([
  'pending',
  'approved',
  'denied',
  'expired',
  'executed',
  'failed',
  'recovered',
  'not_recovered',
  'restarting',
  'unknown',
  'cancelled',
  'withdrawn',
]);
export type ProposalState = z.infer<typeof ProposalState>;

export const Proposal = z.object({
  id: z.string(),
  incidentId: z.string(),
  serverId: z.string(),
  reason: z.string(),
  state: ProposalState,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  decidedBy: z.string().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  executedAt: z.iso.datetime().nullable(),
  before: HealthReading.nullable(),
  after: HealthReading.nullable(),
});
export type Proposal = z.infer<typeof Proposal>;
