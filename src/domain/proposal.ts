import { z } from 'zod';
import { HealthReading } from './evidence.ts';

/**
 * pending → approved | denied | expired; approved → executed | failed;
 * executed → recovered | not_recovered. Every arrow is one atomic compare-and-set in the store.
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
