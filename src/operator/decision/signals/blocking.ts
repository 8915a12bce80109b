import type { SignalId } from './types.ts';

/**
 * Signatures that mean a restart will not help; the guard refuses a restart while any is present.
 * A restart does not bring back a dependency, free a disk, undo a deploy or a config mistake, grant
 * a permission, pull an image, find a node, raise a CPU quota or rate limit, or stop an attacker;
 * and a crash loop is the platform restarting it already.
 */
export const RESTART_BLOCKING: ReadonlySet<SignalId> = new Set([
  'dependency_failure',
  'dns_failure',
  'disk_full',
  'storage_failure',
  'crash_loop',
  'traffic_surge',
  'bad_deploy',
  'suspicious_activity',
  'throttling',
  'config_error',
  'authorization_failure',
  'image_pull_failure',
  'scheduling_failure',
  'node_pressure',
]);
