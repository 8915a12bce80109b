import type { IncidentBrief } from '../domain/brief.ts';
import type { Change, HealthReading } from '../domain/evidence.ts';
import type { Environment } from '../domain/vocabulary.ts';

/**
 * The small interfaces every backend implements. The simulated fleet implements all of them;
 * real backends (Prometheus, Loki, Kubernetes, …) implement one each and are chosen by config.
 * Methods throw ToolError for anything a human should read.
 */

export type ServerInfo = {
  id: string;
  service: string | null;
  environment: Environment;
  /** Owner team and on-call, when a catalog knows them. */
  team?: string | null;
  onCall?: string | null;
  dependencies?: string[];
  /** false when the catalog says this service must never be restarted by the bot. */
  restartable?: boolean;
  /** Why it is not restartable, in the catalog's words, when it is not. */
  restartRefusal?: string;
};

export interface Inventory {
  readonly name: string;
  listServers(): Promise<ServerInfo[]>;
}

export type HealthSample = HealthReading & { link?: string };

export interface HealthBackend {
  readonly name: string;
  /** True when a reading right after a restart is already final (the simulated fleet). */
  readonly settlesInstantly?: boolean;
  getHealth(serverId: string, signal?: AbortSignal): Promise<HealthSample>;
}

export type LogSample = { lines: string[]; link?: string };

export interface LogsBackend {
  readonly name: string;
  /** Newest `lines` lines, oldest first. Redaction happens in the tool layer, not here. */
  fetchLogs(serverId: string, lines: number, signal?: AbortSignal): Promise<LogSample>;
}

export interface ChangesBackend {
  readonly name: string;
  /** Deploys and config changes for a service, newest first. */
  listChanges(service: string, signal?: AbortSignal): Promise<Change[]>;
}

export type RestartResult = { detail: string };

/** The incident and proposal a restart belongs to, for restarters that pass them on (the webhook). */
export type RestartContext = { incidentId?: string; proposalId?: string; approvedBy?: string };

/** How a restart can be done: in the simulated fleet, a Kubernetes rollout, or a signed webhook. */
export const RESTARTER_KINDS = ['simulated', 'kubernetes', 'webhook'] as const;
export type RestarterKind = (typeof RESTARTER_KINDS)[number];

export interface Restarter {
  readonly name: string;
  /** Performs one bounded restart. Only the approval path calls this. */
  restart(serverId: string, signal?: AbortSignal, context?: RestartContext): Promise<RestartResult>;
}

export type Backends = {
  inventory: Inventory;
  health: HealthBackend;
  logs: LogsBackend;
  changes: ChangesBackend;
  restarter: Restarter;
};

export type EscalationTicket = {
  incidentId: string;
  reason: string;
  brief: IncidentBrief;
};

export type EscalationReceipt = {
  /** Where it went: a Slack channel, a PagerDuty service, the terminal. */
  target: string;
  /** The destination's id for it (message ts, dedup key), when it has one. */
  ref: string | null;
};

export interface Escalator {
  readonly name: string;
  send(ticket: EscalationTicket, signal?: AbortSignal): Promise<EscalationReceipt>;
}
