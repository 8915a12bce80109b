import type { SignalId } from './types.ts';

/** What each signal is called in facts, summaries and the guard's refusals. Wording only. */
export const SIGNAL_LABELS: Record<SignalId, string> = {
  suspicious_activity: 'suspicious activity',
  data_integrity: 'data integrity problem',
  disk_full: 'disk full',
  storage_failure: 'storage failure',
  dns_failure: 'DNS resolution failure',
  tls_failure: 'TLS/certificate failure',
  dependency_failure: 'dependency failure',
  crash_loop: 'crash loop',
  out_of_memory: 'out of memory',
  hung_process: 'hung or unresponsive process',
  traffic_surge: 'traffic surge',
  resource_exhaustion: 'resource exhaustion',
  auth_failure: 'authentication failures',
  application_errors: 'application errors',
  high_cpu: 'high CPU',
  high_memory: 'high memory',
  unhealthy_status: 'unhealthy status',
  server_down: 'server down',
  recent_change: 'recent change',
  bad_deploy: 'bad deploy',
};
