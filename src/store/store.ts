import type { AuditEntry } from '../domain/audit.ts';
import type { IncidentBrief } from '../domain/brief.ts';
import type { HealthReading } from '../domain/evidence.ts';
import type { Proposal, ProposalState } from '../domain/proposal.ts';

export type IncidentSource = 'cli' | 'slack' | 'eval' | 'demo';

export type IncidentRecord = {
  id: string;
  createdAt: string;
  source: IncidentSource;
  report: string;
  brief: IncidentBrief | null;
};

export type NewProposal = {
  incidentId: string;
  serverId: string;
  reason: string;
  expiresAt: Date;
};

export type ProposalPatch = {
  decidedBy?: string;
  decidedAt?: Date;
  executedAt?: Date;
  before?: HealthReading;
  after?: HealthReading;
};

export type AuditFilter = { incidentId?: string; limit?: number };

/**
 * Where incidents, restart proposals and the append-only audit log live. The embedded SQLite
 * store and the PostgreSQL store implement the same contract, checked by one conformance suite.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  createIncident(input: {
    source: IncidentSource;
    report: string;
    now: Date;
  }): Promise<IncidentRecord>;
  getIncident(id: string): Promise<IncidentRecord | null>;
  saveBrief(incidentId: string, brief: IncidentBrief): Promise<void>;

  createProposal(input: NewProposal & { now: Date }): Promise<Proposal>;
  getProposal(id: string): Promise<Proposal | null>;
  /**
   * Moves a proposal from one of `from` to `to` atomically. Returns the updated proposal, or null
   * when it was not in one of `from` — which is how a second approval changes nothing.
   */
  transitionProposal(
    id: string,
    from: readonly ProposalState[],
    to: ProposalState,
    patch?: ProposalPatch,
  ): Promise<Proposal | null>;
  /**
   * Restarts executed or attempted for a server since `since` (by executed_at), plus approvals
   * decided since then whose restart is still in flight: the restart budget's input.
   */
  countRestarts(serverId: string, since: Date): Promise<number>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>;

  close(): Promise<void>;
}

/** Proposal states that mean a restart was executed or attempted. */
export const RESTARTED_STATES: readonly ProposalState[] = [
  'executed',
  'failed',
  'recovered',
  'not_recovered',
];
