import type { IncidentBrief } from '../domain/brief.ts';
import type {
  Change,
  HealthReading,
  KubernetesLogs,
  KubernetesWorkload,
} from '../domain/evidence.ts';
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
  /** Runbooks the catalog gives for this server's service (and catalog-wide ones), in its order. */
  runbooks?: readonly Runbook[];
};

/**
 * A runbook the catalog names: a URL, the signatures it is written for (none = the service's
 * general runbook) and read-only checks from it that the brief may list.
 */
export type Runbook = {
  url: string;
  title: string | null;
  /** Signal ids (hung_process, disk_full, …); empty = any. */
  signals: readonly string[];
  checks: readonly string[];
  /** The service it belongs to; null for a catalog-wide runbook. */
  service: string | null;
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

export type RestartResult = {
  detail: string;
  /**
   * True when the restarter found this restart (same idempotency key) already applied and did
   * nothing this time: a repeat after a crash or a retry, not a second restart.
   */
  alreadyApplied?: boolean;
};

/**
 * The incident and proposal a restart belongs to, for restarters that pass them on. The proposal
 * id is the restart's idempotency key: a restarter that can record it (the Kubernetes pod-template
 * annotation) makes a repeat with the same key a no-op and can answer `status` for it later.
 */
export type RestartContext = { incidentId?: string; proposalId?: string; approvedBy?: string };

/** How a restart can be done: in the simulated fleet, a Kubernetes rollout, or a signed webhook. */
export const RESTARTER_KINDS = ['simulated', 'kubernetes', 'webhook'] as const;
export type RestarterKind = (typeof RESTARTER_KINDS)[number];

/**
 * What a restarter knows about the restart with a given idempotency key:
 * - `done`: it happened (the detail says how far it got, e.g. the rollout's progress);
 * - `not_found`: the target is readable and carries no trace of that key, so it did not happen
 *   (or something else since replaced the trace; the detail says what the target carries);
 * - `unknown`: the restarter could not tell (API unreachable, no permission, no such target).
 */
export type RestartStatus = { state: 'done' | 'not_found' | 'unknown'; detail: string };

export interface Restarter {
  readonly name: string;
  /** Performs one bounded restart. Only the approval path calls this. */
  restart(serverId: string, signal?: AbortSignal, context?: RestartContext): Promise<RestartResult>;
  /**
   * Optional: whether the restart with idempotency key `key` (the proposal id passed as
   * `RestartContext.proposalId`) happened, for a reconciler that finds a restart started and never
   * recorded as finished. Never restarts anything and never throws for a backend failure (that is
   * `unknown`). Restarters that keep no trace of a key (a plain webhook) do not implement it.
   */
  status?(serverId: string, key: string, signal?: AbortSignal): Promise<RestartStatus>;
}

/** Which Kubernetes workload a server is: a Deployment (and its pods) or one pod. */
export type WorkloadRef = { namespace: string; kind: 'deployment' | 'pod'; name: string };

export type PodLogRequest = {
  /** A pod of the workload; default the one most in trouble. */
  pod?: string;
  /** Default: the pod's first container in trouble, else its first container. */
  container?: string;
  /** The previous (terminated) instance, as `kubectl logs --previous`. */
  previous?: boolean;
  /** Newest N lines (capped by the backend). */
  lines?: number;
};

/**
 * Read-only Kubernetes evidence for servers that are workloads: pods (phase, readiness, restarts,
 * last termination), recent events, rollout status and revisions, the pods' nodes' conditions,
 * and container logs. Methods throw ToolError with a sentence a human can act on (a missing RBAC
 * verb is named as such); parts that could not be read are listed in `gaps`, not thrown.
 */
export interface KubernetesEvidence {
  readonly name: string;
  /** The workload a server maps to without asking the API (the catalog, a fleet file), or null. */
  workloadOf(serverId: string): WorkloadRef | null;
  /**
   * Describes the workload behind `subject`: a server the catalog maps to a Deployment, or a
   * Deployment or pod name looked up in the allowed namespaces.
   */
  describeWorkload(subject: string, signal?: AbortSignal): Promise<KubernetesWorkload>;
  /** Container logs of one of the workload's pods, redacted and capped. */
  podLogs(subject: string, request: PodLogRequest, signal?: AbortSignal): Promise<KubernetesLogs>;
}

export type Backends = {
  inventory: Inventory;
  health: HealthBackend;
  logs: LogsBackend;
  changes: ChangesBackend;
  restarter: Restarter;
  /** Kubernetes evidence, when configured (or the simulated fleet's kubernetes: blocks). */
  kubernetes?: KubernetesEvidence;
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
