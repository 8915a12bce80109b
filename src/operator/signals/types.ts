/**
 * Signals are what the evidence says, found by code: log signatures, health thresholds, recent
 * changes. The rules planner decides from them, and the policy guard checks any planner against
 * them, so a model cannot talk its way past a dependency failure or a security signature.
 *
 * This file names what a signal is; detect.ts finds them, labels.ts words them.
 */

export type LogSignatureId =
  | 'resource_exhaustion'
  | 'hung_process'
  | 'out_of_memory'
  | 'dependency_failure'
  | 'dns_failure'
  | 'disk_full'
  | 'tls_failure'
  | 'auth_failure'
  | 'suspicious_activity'
  | 'data_integrity'
  | 'application_errors'
  | 'storage_failure'
  /** The platform keeps restarting it and it keeps dying: one more restart will not help. */
  | 'crash_loop'
  /** Load, not a sick process: restarting drops sessions and the load comes back. */
  | 'traffic_surge';

export type SignalId =
  | LogSignatureId
  | 'high_cpu'
  | 'high_memory'
  | 'unhealthy_status'
  | 'server_down'
  | 'recent_change'
  /** A recent change followed by application errors: a deploy, not load, is the likely cause. */
  | 'bad_deploy';

export type Signal = {
  id: SignalId;
  /** The server (or service, for changes) it was seen on. */
  subject: string;
  evidence: string[];
  /** The matching line or reading, for facts and hypotheses. */
  detail: string;
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
