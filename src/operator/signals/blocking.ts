import type { SignalId } from './types.ts';

/** Signatures that mean a restart will not help; the guard refuses a restart while any is present. */
export const RESTART_BLOCKING: ReadonlySet<SignalId> = new Set([
  'dependency_failure',
  'dns_failure',
  'disk_full',
  'storage_failure',
  'crash_loop',
  'traffic_surge',
  'bad_deploy',
  'suspicious_activity',
]);
