/**
 * Signals are what the evidence says, found by code: log signatures, health thresholds, recent
 * changes. The rules planner decides from them, and the policy guard checks any planner against
 * them, so a model cannot talk its way past a dependency failure or a security signature.
 *
 * This file names what a signal is; detect.ts finds them, vocabulary/ says which words raise
 * them, labels.ts words them.
 */

/** Signals raised by a line of text (a log line, an event). */
export type LineSignalId =
  | 'resource_exhaustion'
  | 'hung_process'
  | 'out_of_memory'
  | 'dependency_failure'
  | 'dns_failure'
  | 'disk_full'
  | 'tls_failure'
  | 'auth_failure'
  /** Authenticated but not allowed: 403, Forbidden, permission denied, RBAC and IAM denials. */
  | 'authorization_failure'
  | 'suspicious_activity'
  | 'data_integrity'
  | 'application_errors'
  | 'storage_failure'
  /** The platform keeps restarting it and it keeps dying: one more restart will not help. */
  | 'crash_loop'
  /** The process died (a signal, an exit code, a panic) but is not known to be looping. */
  | 'process_crashed'
  /** Readiness, liveness or load-balancer health checks failing. */
  | 'probe_failure'
  /** A configuration or syntax error: the process cannot read what it was given. */
  | 'config_error'
  /** Slow responses or queries with no error: a latency measurement above a second. */
  | 'latency'
  /** Held at a limit: a CPU quota (cgroup/CFS throttling) or a provider's rate limit. */
  | 'throttling'
  /** Load, not a sick process: restarting drops sessions and the load comes back. */
  | 'traffic_surge'
  /** The image a pod needs cannot be pulled. */
  | 'image_pull_failure'
  /** No node can take the pod: not enough CPU or memory, taints, affinity, unbound volumes. */
  | 'scheduling_failure'
  /** The node is short of memory, disk or PIDs and evicts pods. */
  | 'node_pressure'
  /** A reload, rollout or upgrade the logs record; like a recorded change, not abnormal alone. */
  | 'change_in_logs';

/** Kept for readers of the old name: the line signals are the log signatures. */
export type LogSignatureId = LineSignalId;

export type SignalId =
  | LineSignalId
  | 'high_cpu'
  | 'high_memory'
  | 'unhealthy_status'
  | 'server_down'
  | 'recent_change'
  /** A recent change followed by regression errors: the change, not load, is the likely cause. */
  | 'bad_deploy';

export type Signal = {
  id: SignalId;
  /** The server (or service, for changes) it was seen on. */
  subject: string;
  evidence: string[];
  /** The matching line or reading, for facts and hypotheses. */
  detail: string;
  /** For line signals: every matching line, oldest first (at most 20). */
  lines?: readonly string[];
};

export type SignalOptions = {
  /** CPU or memory at or above this percent supports a restart. */
  thresholdPercent: number;
  now: Date;
  /** A change this recent counts as "since last known good". */
  recentChangeMinutes?: number;
  /** Server id → service, so a change is linked to the errors of its own servers only. */
  serviceOf?: ReadonlyMap<string, string | null>;
};
