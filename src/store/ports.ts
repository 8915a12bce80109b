import type { AuditEntry } from '../domain/audit.ts';
import type { Assessment } from '../domain/brief.ts';
import type { HealthReading } from '../domain/evidence.ts';
import type { IncidentSource, Presentation } from '../domain/incident.ts';
import type { Proposal, ProposalState } from '../domain/proposal.ts';

/**
 * The store, one port per aggregate. The embedded SQLite store and the PostgreSQL store implement
 * the same contract, checked by one conformance suite; every guarantee that replicas rely on
 * (one winner, compare-and-set, append-only) is the database's.
 */

export type IncidentRecord = {
  id: string;
  createdAt: string;
  source: IncidentSource;
  report: string;
  /** The latest investigation's conclusions; null until one finished. */
  assessment: Assessment | null;
  presentation: Presentation | null;
};

export interface IncidentStore {
  create(input: {
    source: IncidentSource;
    report: string;
    now: Date;
    presentation?: Presentation | null;
  }): Promise<IncidentRecord>;
  get(id: string): Promise<IncidentRecord | null>;
  saveAssessment(incidentId: string, assessment: Assessment): Promise<void>;
  setPresentation(incidentId: string, presentation: Presentation): Promise<void>;
  /**
   * Sets the presentation only while the incident has no message yet (none, or message null):
   * true for the one caller whose message becomes the incident's, whichever posted first.
   */
  claimPresentation(incidentId: string, presentation: Presentation): Promise<boolean>;
  /**
   * The newest incident presented at `place` (a chat thread, as its presenter encodes it), or
   * null: how a follow-up in an incident's thread finds its incident.
   */
  findByPlace(place: string): Promise<IncidentRecord | null>;
  /** Incidents opened at or after `since`, newest first, at most `limit`. */
  listRecent(input: { since: Date; limit: number }): Promise<IncidentRecord[]>;
  /**
   * Incidents opened at or after `since` whose latest assessment concerns any of `subjects`
   * (server ids and service names, as the assessment names them), newest first, at most `limit`,
   * `excluding` one: the candidates for "seen before".
   */
  findBySubjects(input: {
    subjects: readonly string[];
    since: Date;
    excluding?: string;
    limit: number;
  }): Promise<IncidentRecord[]>;
}

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

export type ApprovalAttempt =
  /** The last approval needed: pending → approved. `approvers` are everyone's, oldest first. */
  | { outcome: 'approved'; proposal: Proposal; approvers: string[] }
  /** One approval of several needed, recorded; the proposal stays pending. */
  | { outcome: 'recorded'; proposal: Proposal; approvals: number; required: number }
  /** This approver already approved it (APPROVALS_REQUIRED wants distinct people). */
  | { outcome: 'repeat'; proposal: Proposal; approvals: number; required: number }
  | { outcome: 'not_pending'; proposal: Proposal | null }
  | { outcome: 'budget_used'; used: number };

export interface ProposalStore {
  create(input: NewProposal & { now: Date }): Promise<Proposal>;
  get(id: string): Promise<Proposal | null>;
  /**
   * Moves a proposal from one of `from` to `to` atomically. Returns the updated proposal, or null
   * when it was not in one of `from` — which is how a second approval changes nothing.
   */
  transition(
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
   * Records `decidedBy`'s approval and, when it is the `required`-th distinct one (default 1),
   * moves pending → approved — in one transaction with the restart-budget check (countRestarts
   * since `since` below `budget`), so two proposals for one server cannot both be approved inside
   * the window, and two approvers clicking at once count once each — whichever replicas take the
   * clicks.
   */
  approve(
    id: string,
    input: { decidedBy: string; decidedAt: Date; budget: number; since: Date; required?: number },
  ): Promise<ApprovalAttempt>;
  forIncident(incidentId: string): Promise<Proposal[]>;
  /** The proposals of several incidents at once, oldest first: how past incidents ended. */
  forIncidents(incidentIds: readonly string[]): Promise<Proposal[]>;
  /** Pending proposals whose time ran out, oldest first. */
  listExpired(now: Date, limit: number): Promise<Proposal[]>;
  /**
   * Restarts in flight — approved, restarting or executed (not yet verified) — oldest decision
   * first: what the reconciler looks at for a replica that stopped half-way.
   */
  listInFlight(limit: number): Promise<Proposal[]>;
  /** Pending proposals still inside their time, oldest first: what awaits an approver. */
  listPending(now: Date, limit: number): Promise<Proposal[]>;
}

export type AuditFilter = {
  incidentId?: string;
  /** Only entries of these events (names as strings, so readers may ask for events added later). */
  events?: readonly string[];
  limit?: number;
};

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
}

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

export interface JobQueue {
  enqueue(input: { kind: string; payload: unknown; now: Date }): Promise<Job>;
  /**
   * The oldest queued job, or a running one whose lease expired (its replica died), leased to
   * `owner` until now + leaseMs. Null when there is nothing to do.
   */
  claim(input: { owner: string; now: Date; leaseMs: number }): Promise<Job | null>;
  /** Extends a lease still held by `owner`; false when it was lost. */
  renew(id: string, owner: string, now: Date, leaseMs: number): Promise<boolean>;
  finish(id: string, owner: string, state: 'done' | 'failed', error?: string): Promise<void>;
  get(id: string): Promise<Job | null>;
}

/**
 * Repeats of one alert (same servers) within a window share one incident; so do repeats carrying
 * one of its aliases (an alerting system's fingerprint or group key), however late, until the
 * group's alert resolves.
 */
export type AlertGroup = {
  id: string;
  key: string;
  openedAt: string;
  /** Alerts seen in this group, the first included. */
  count: number;
  /**
   * Where the group's first alert is presented (opaque, like Presentation.place); null when it
   * arrived without a place of its own (a webhook alert), until its incident is presented.
   */
  place: string | null;
  incidentId: string | null;
  /** The "+N more alerts" message, once posted (opaque), and the count it shows. */
  counter: string | null;
  reportedCount: number;
  /** When its alert resolved; a resolved group takes no more alerts. */
  resolvedAt: string | null;
};

/**
 * Incidents about several servers that share a cause (one failing dependency, one change, one
 * signature), arriving close together: the first is the parent, the rest fold into it.
 */
export type Storm = {
  id: string;
  /** The cause's key, e.g. `dependency:elastic-cluster-main:9200`. */
  cause: string;
  openedAt: string;
  parentIncidentId: string;
  /** Incidents in it, the parent included. */
  members: number;
  /** Every server of every member, in joining order. */
  servers: string[];
  resolvedAt: string | null;
};

/** What replicas coordinate on: one-time claims, paced slots, alert groups. */
export interface Coordination {
  /**
   * Takes `key` for `ttlMs` if nobody holds it: true for exactly one caller. How a retried event,
   * or a mention that also arrives as a channel message, is handled once.
   */
  claim(key: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Whether someone holds `key` now (a live claim); reads only. */
  held(key: string, now: Date): Promise<boolean>;
  /**
   * Deletes up to `max` claims expired at `now` (an expired claim means what a missing one does),
   * so the table holds what is live rather than every delivery ever seen. Returns how many.
   */
  forgetExpiredClaims(now: Date, max: number): Promise<number>;
  /**
   * Reserves the next free slot of a paced resource (a chat channel's writes), at least
   * `intervalMs` after the previous one, shared by every replica. Returns when the slot starts.
   */
  reserveSlot(key: string, now: Date, intervalMs: number): Promise<Date>;
  /**
   * Joins the open group for `key` (opened less than `windowMs` ago), counting this alert, or
   * opens a new one at `place`. Atomic: concurrent alerts for one key open one group.
   */
  joinAlertGroup(input: {
    key: string;
    now: Date;
    windowMs: number;
    place: string | null;
    /**
     * Other names of this alert (`fp:<fingerprint>`, `gk:<group key>`): an unresolved group holding
     * one, opened within `lookbackMs`, is joined whatever its key and window. Added to the group.
     */
    aliases?: readonly string[];
    /** How far back aliases and previous (resolved) groups are looked for; default 24 h. */
    lookbackMs?: number;
  }): Promise<{
    opened: boolean;
    group: AlertGroup;
    /** For a new group: the latest resolved group of the same alert (key or alias), if any. */
    previous?: AlertGroup | null;
  }>;
  /**
   * Resolves the newest unresolved group holding one of `aliases`, else with `key`, opened within
   * `lookbackMs`: atomic, so exactly one caller gets the group back; null when none was open.
   */
  resolveAlertGroup(input: {
    key: string | null;
    aliases: readonly string[];
    now: Date;
    lookbackMs: number;
  }): Promise<AlertGroup | null>;
  /** The unresolved group an incident answers, if any. */
  openAlertGroupOf(incidentId: string): Promise<AlertGroup | null>;
  getAlertGroup(id: string): Promise<AlertGroup | null>;
  setAlertGroupIncident(groupId: string, incidentId: string): Promise<void>;
  /** Records the counter message and the count it shows; only raises reportedCount. */
  setAlertGroupCounter(groupId: string, counter: string, reportedCount: number): Promise<void>;
  /**
   * Joins the open storm for `cause` (opened less than `windowMs` ago, not resolved), or opens one
   * with this incident as its parent. Atomic across replicas; an incident already in a storm gets
   * that storm back unchanged (a retried investigation).
   */
  joinStorm(input: {
    cause: string;
    incidentId: string;
    servers: readonly string[];
    now: Date;
    windowMs: number;
  }): Promise<{ opened: boolean; storm: Storm }>;
  /** The storm an incident belongs to (as parent or member), if any. */
  stormOf(incidentId: string): Promise<Storm | null>;
  /**
   * Marks an incident's membership resolved; when every member is, the storm too. Returns the
   * storm, how many members are still unresolved, and whether this call changed anything.
   */
  resolveStormMember(
    incidentId: string,
    now: Date,
  ): Promise<{ storm: Storm; unresolved: number; changed: boolean } | null>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly incidents: IncidentStore;
  readonly proposals: ProposalStore;
  readonly audit: AuditLog;
  readonly jobs: JobQueue;
  readonly coordination: Coordination;
  close(): Promise<void>;
}

/**
 * Proposal states that mean a restart was started, executed or attempted, by executed_at (the time
 * it was started): the restart budget counts them. A restart whose outcome is unknown may have
 * run, so it counts; a cancelled one never reached the restarter, so it does not.
 */
export const RESTARTED_STATES: readonly ProposalState[] = [
  'restarting',
  'executed',
  'failed',
  'unknown',
  'recovered',
  'not_recovered',
];

/** Proposal states of a restart that is under way: approved, started, executed but not verified. */
export const IN_FLIGHT_STATES: readonly ProposalState[] = ['approved', 'restarting', 'executed'];
