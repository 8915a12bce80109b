import { z } from 'zod';
import type { AuditEntry } from '../domain/audit.ts';
import type { IncidentBrief } from '../domain/brief.ts';
import type { HealthReading } from '../domain/evidence.ts';
import type { Proposal, ProposalState } from '../domain/proposal.ts';

export type IncidentSource = 'cli' | 'slack' | 'eval' | 'demo';

/** Where an incident is presented: a Slack channel, its thread, and the brief's own message. */
export const IncidentThreadSchema = z.object({
  channel: z.string().min(1),
  threadTs: z.string().min(1),
  /** The message that shows the progress and then the brief; null until posted. */
  messageTs: z.string().nullable(),
});
export type IncidentThread = z.infer<typeof IncidentThreadSchema>;

export type IncidentRecord = {
  id: string;
  createdAt: string;
  source: IncidentSource;
  report: string;
  brief: IncidentBrief | null;
  thread: IncidentThread | null;
};

/** Repeats of one alert (same servers) within a window share one incident thread. */
export type AlertGroup = {
  id: string;
  key: string;
  openedAt: string;
  /** Alerts seen in this group, the first included. */
  count: number;
  thread: IncidentThread;
  incidentId: string | null;
  /** The "+N more alerts" message in the thread, once posted, and the count it shows. */
  counterTs: string | null;
  reportedCount: number;
};

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** Durable work: an investigation survives the process that accepted it. */
export type Job = {
  id: string;
  kind: string;
  payload: unknown;
  state: JobState;
  attempts: number;
  owner: string | null;
  leaseExpiresAt: string | null;
  createdAt: string;
  error: string | null;
};

export type ApprovalAttempt =
  | { outcome: 'approved'; proposal: Proposal }
  | { outcome: 'not_pending'; proposal: Proposal | null }
  | { outcome: 'budget_used'; used: number };

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
    thread?: IncidentThread | null;
  }): Promise<IncidentRecord>;
  getIncident(id: string): Promise<IncidentRecord | null>;
  saveBrief(incidentId: string, brief: IncidentBrief): Promise<void>;
  setIncidentThread(incidentId: string, thread: IncidentThread): Promise<void>;
  /**
   * Sets the thread only while the incident has no message yet (thread null or messageTs null):
   * true for the one caller whose message becomes the incident's, whichever posted first.
   */
  setIncidentThreadIfUnposted(incidentId: string, thread: IncidentThread): Promise<boolean>;

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
  /**
   * pending → approved, in one transaction with the restart-budget check (countRestarts since
   * `since` below `budget`), so two proposals for one server cannot both be approved inside the
   * window — whichever replicas take the clicks.
   */
  approveProposal(
    id: string,
    input: { decidedBy: string; decidedAt: Date; budget: number; since: Date },
  ): Promise<ApprovalAttempt>;
  proposalsForIncident(incidentId: string): Promise<Proposal[]>;
  /** Pending proposals whose time ran out, oldest first. */
  listExpiredProposals(now: Date, limit: number): Promise<Proposal[]>;

  /**
   * Takes `key` for `ttlMs` if nobody holds it: true for exactly one caller. How a retried event,
   * or a mention that also arrives as a channel message, is handled once.
   */
  claim(key: string, now: Date, ttlMs: number): Promise<boolean>;

  /**
   * Joins the open group for `key` (opened less than `windowMs` ago), counting this alert, or
   * opens a new one on `thread`. Atomic: concurrent alerts for one key open one group.
   */
  joinAlertGroup(input: {
    key: string;
    now: Date;
    windowMs: number;
    thread: IncidentThread;
  }): Promise<{ opened: boolean; group: AlertGroup }>;
  getAlertGroup(id: string): Promise<AlertGroup | null>;
  setAlertGroupIncident(groupId: string, incidentId: string): Promise<void>;
  /** Records the counter message and the count it shows; only raises reportedCount. */
  setAlertGroupCounter(groupId: string, counterTs: string, reportedCount: number): Promise<void>;

  /**
   * Reserves the next free slot of a paced resource (a Slack channel's writes), at least
   * `intervalMs` after the previous one, shared by every replica. Returns when the slot starts.
   */
  reserveSlot(key: string, now: Date, intervalMs: number): Promise<Date>;

  enqueueJob(input: { kind: string; payload: unknown; now: Date }): Promise<Job>;
  /**
   * The oldest queued job, or a running one whose lease expired (its replica died), leased to
   * `owner` until now + leaseMs. Null when there is nothing to do.
   */
  claimJob(input: { owner: string; now: Date; leaseMs: number }): Promise<Job | null>;
  /** Extends a lease still held by `owner`; false when it was lost. */
  renewJobLease(id: string, owner: string, now: Date, leaseMs: number): Promise<boolean>;
  finishJob(id: string, owner: string, state: 'done' | 'failed', error?: string): Promise<void>;
  getJob(id: string): Promise<Job | null>;

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
