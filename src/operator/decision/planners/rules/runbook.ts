import type { SignalId } from '../../signals/index.ts';

/**
 * What an experienced responder thinks and checks for each signal. The rules planner writes its
 * hypotheses, safe checks and next actions from this table. Checks are read-only diagnostics.
 */
export type RunbookEntry = {
  hypothesis: string;
  checks: readonly string[];
  next: readonly string[];
};

export const RUNBOOK: Partial<Record<SignalId, RunbookEntry>> = {
  hung_process: {
    hypothesis:
      'The service process is hung (threads blocked or deadlocked) and no longer serves requests',
    checks: [
      'Confirm the health endpoint times out: curl -m 5 -sS http://<server>/healthz',
      'Capture a thread dump before any restart (jstack <pid> or kill -QUIT <pid>) so the cause can be found later',
    ],
    next: [
      'Approve the proposed restart if the checks confirm the hang; keep the thread dump for the owning team',
    ],
  },
  resource_exhaustion: {
    hypothesis: 'Resource exhaustion (CPU or worker/thread pool) is starving request handling',
    checks: [
      'List the top CPU consumers: ps aux --sort=-%cpu | head',
      'Compare the request rate with the same hour yesterday on the service dashboard',
    ],
    next: [
      'If traffic is normal, a restart clears the saturated pool; if traffic spiked, scale out instead',
    ],
  },
  out_of_memory: {
    hypothesis:
      'A memory leak or undersized heap is exhausting memory and crashing the application',
    checks: [
      'Capture a heap histogram before restart (jmap -histo:live <pid> | head -30)',
      'Check memory growth over the last 24 h for a steady climb (leak) versus a sudden jump (load)',
    ],
    next: [
      'A restart buys time; ask the owning team to investigate the leak with the heap histogram',
    ],
  },
  high_cpu: {
    hypothesis: 'CPU saturation is slowing or timing out requests',
    checks: ['Check CPU steal and load average (top, vmstat 1 5) to rule out a noisy neighbour'],
    next: [],
  },
  high_memory: {
    hypothesis: 'Memory pressure is degrading the service',
    checks: ['Check swap use and the OOM killer log (dmesg -T | grep -i oom)'],
    next: [],
  },
  dependency_failure: {
    hypothesis:
      'A dependency this service calls is down or unreachable; restarting this service will not fix it',
    checks: [
      "Check the dependency's own health endpoint or status page",
      'Test the network path from this server: nc -vz <host> <port>',
    ],
    next: [
      'Engage the team that owns the dependency with this brief',
      'Do not restart this service: it will fail the same way until the dependency is back',
    ],
  },
  dns_failure: {
    hypothesis: 'Name resolution is failing, so the service cannot find its dependencies',
    checks: [
      'Resolve the failing name from this server and from another host: dig <name>',
      "Check the resolver configuration (/etc/resolv.conf) and the DNS service's health",
    ],
    next: ['Engage the network/DNS owners; a restart will not fix resolution'],
  },
  disk_full: {
    hypothesis: 'A full disk is making writes fail',
    checks: [
      'Find what filled it: df -h; du -xsh /var/log/* | sort -h | tail',
      'Check whether log rotation ran (ls -lt /var/log | head)',
    ],
    next: [
      'Ask the owning team to free space or extend the volume; a restart will not free disk and may fail to start',
    ],
  },
  storage_failure: {
    hypothesis:
      'The disk or filesystem is failing (I/O errors, read-only remount); data on it may be at risk',
    checks: [
      'Read the kernel log for the failing device: dmesg -T | grep -iE "i/o error|ext4|xfs"',
      'Check the mount state without changing it: findmnt -o TARGET,SOURCE,OPTIONS | grep ro,',
    ],
    next: [
      'Engage the infrastructure owners to replace or fail over the volume; a restart will not repair a disk',
    ],
  },
  crash_loop: {
    hypothesis:
      'The service crashes on or soon after start and the platform keeps restarting it; another restart will not fix it',
    checks: [
      'Read the logs of the previous run (kubectl logs --previous, journalctl -u <unit> -b) for the first error',
      'Compare the exit reason (OOMKilled, exit code) with the memory limit and the last change',
    ],
    next: [
      'Engage the owning team with the crash reason; fixing it needs a config, limit or code change, not a restart',
    ],
  },
  traffic_surge: {
    hypothesis:
      'Load well above normal (a campaign, a bot, an attack) is saturating the service; the process itself is fine',
    checks: [
      'Compare the request rate with the same hour yesterday and look at the top client IPs and user agents',
    ],
    next: [
      'Scale out or tighten rate limits with the owning team; a restart drops sessions and the load comes straight back',
      'If the traffic looks hostile, bring in security',
    ],
  },
  tls_failure: {
    hypothesis: 'A TLS certificate has expired or fails verification, so clients cannot connect',
    checks: [
      'Read the certificate dates: openssl s_client -connect <host>:443 -servername <host> </dev/null | openssl x509 -noout -dates',
    ],
    next: [
      'Engage the certificate owner to renew and deploy the certificate; a restart will not renew it',
    ],
  },
  auth_failure: {
    hypothesis: 'Credentials were rotated, expired or revoked, so authentication fails',
    checks: [
      'Check when the credential was last rotated in the secret store (read only)',
      'Count failures per source to tell a config problem (one client) from an attack (many sources)',
    ],
    next: ['Engage the owning team to restore valid credentials; the bot never changes secrets'],
  },
  suspicious_activity: {
    hypothesis: 'Possible compromise: activity on this host matches a known attack pattern',
    checks: [
      'Preserve evidence: do not restart, log in interactively or kill processes',
      'Read-only: list the process tree and connections (ps -ef --forest; ss -tupn) from your EDR/console',
    ],
    next: [
      'Engage security now with this brief; let them decide on isolation',
      'Do not restart: it destroys forensic evidence',
    ],
  },
  data_integrity: {
    hypothesis: 'Data integrity is at risk (replication or corruption); a wrong move can lose data',
    checks: [
      'Check replication status (pg_stat_replication / SHOW REPLICA STATUS) without changing it',
    ],
    next: ['Engage the database owners; do not restart or fail over without them'],
  },
  bad_deploy: {
    hypothesis: 'A recent deploy introduced a regression',
    checks: [
      'Compare the error rate before and after the deploy time on the dashboard',
      "Read the deploy's change list for the failing code path",
    ],
    next: ['Engage the deploying team to decide on a rollback; the bot never changes deployments'],
  },
  application_errors: {
    hypothesis: 'Application errors point to a code or configuration fault',
    checks: ['Group the errors by type and first-seen time in the log search'],
    next: [],
  },
  unhealthy_status: {
    hypothesis: 'The server reports an unhealthy status without a clear signature in the logs',
    checks: ['Read more log lines and the service dashboard for the first error'],
    next: ['Escalate with this brief: the cause is unknown, so a restart is a guess'],
  },
  authorization_failure: {
    hypothesis:
      'The service is authenticated but not allowed: a role, policy or file permission denies what it needs',
    checks: [
      'Read the denial for the exact principal, action and resource it names (the quoted line)',
      'Compare the role or policy with its last change in the access-management history (read only)',
    ],
    next: [
      'Engage the owner of the role or policy to grant the missing permission; a restart grants nothing',
    ],
  },
  config_error: {
    hypothesis:
      'The configuration, script or manifest the process was given is invalid, so it cannot start or serve',
    checks: [
      'Open the file and line the error names; compare it with the last known-good version',
      'Validate it offline with the tool of that software (nginx -t, haproxy -c, promtool, yamllint, bash -n)',
    ],
    next: [
      'Engage the owning team to fix or roll back the configuration; a restart reads the same bad file again',
    ],
  },
  image_pull_failure: {
    hypothesis:
      'The container image cannot be pulled (wrong name or tag, missing registry credentials, or a registry limit)',
    checks: [
      'kubectl describe pod <pod> and read the pull error in Events',
      'Check the tag exists in the registry and the pull secret is referenced (read only)',
    ],
    next: [
      'Engage the deploying team to correct the image reference or pull secret; the pods start once the image is pullable',
    ],
  },
  scheduling_failure: {
    hypothesis:
      'No node can take the pod: requests exceed free capacity, or taints, affinity or unbound volumes rule the nodes out',
    checks: [
      'kubectl describe pod <pod> and read the FailedScheduling reason per node',
      'kubectl describe nodes | grep -A5 "Allocated resources" to compare requests with capacity',
    ],
    next: [
      'Engage the platform team to add capacity or fix the placement rules; a restart is just another unschedulable pod',
    ],
  },
  node_pressure: {
    hypothesis:
      'The node is short of memory, disk or PIDs (or not ready), so the kubelet evicts or cannot run pods',
    checks: [
      'kubectl describe node <node> and read Conditions (MemoryPressure, DiskPressure, PIDPressure, Ready)',
      'kubectl get pods -A --field-selector spec.nodeName=<node> to see what else is affected',
    ],
    next: [
      'Engage the platform team to drain or fix the node; restarting the service does not free the node',
    ],
  },
  throttling: {
    hypothesis:
      'The service is held at a limit: its own CPU quota (CFS throttling) or a provider rate limit, not a sick process',
    checks: [
      'Compare CPU use with the container CPU limit and read the throttling counters (container_cpu_cfs_throttled_periods_total)',
      "Read the provider's quota or rate-limit headers for the calls that are refused",
    ],
    next: [
      'Engage the owning team to raise the limit or quota, or reduce the load; a restart hits the same limit at once',
    ],
  },
  probe_failure: {
    hypothesis:
      'Health checks are failing, so the platform takes the instance out of service (readiness) or restarts it (liveness)',
    checks: [
      'Call the probe endpoint yourself from the node or a debug pod: curl -m 5 -sS http://<server>/healthz',
      'Read the application log around the first failed probe for what the check depends on',
    ],
    next: [
      'Escalate with the probe failures; if the probe depends on a dependency, fix that first',
    ],
  },
  process_crashed: {
    hypothesis:
      'The process crashed (a signal, a non-zero exit, a runtime panic); what killed it is in the last lines before exit',
    checks: [
      'Read the logs of the crashed run (kubectl logs --previous, journalctl -u <unit> -b) for the first error',
      'Check the exit code and signal against the memory limit and the last change',
    ],
    next: [
      'Engage the owning team with the crash reason; watch for a second crash, which would make it a crash loop',
    ],
  },
  latency: {
    hypothesis:
      'Requests or queries are slow without failing: a slow query, lock contention or a saturated dependency',
    checks: [
      'Find the slowest operations in the logs or traces for the reported window (the quoted line is one)',
      'For a database: check locks and the query plan of the slow statement (pg_stat_activity, EXPLAIN) without changing anything',
    ],
    next: [
      'Hand the slow operations to the owning team; a restart clears nothing a slow query or a lock causes',
    ],
  },
  change_in_logs: {
    hypothesis:
      'A change the logs record (a reload, a rollout, an upgrade) came just before the errors',
    checks: [
      'Compare the configuration or version before and after the change the quoted line records',
    ],
    next: [
      'Engage the team that made the change to decide on a rollback; the bot never changes configuration',
    ],
  },
  server_down: {
    hypothesis: 'The server or its process is down',
    checks: [
      'Check whether the host answers at all (ping, console) and the last log lines before it stopped',
    ],
    next: ['Escalate to the owning team: a down host needs more than a service restart'],
  },
};

export const MONITOR_CHECKS: readonly string[] = [
  'Re-check health in 15 minutes, or when the reporter sees the problem again',
  'Compare with the service dashboard for the reported time window',
];
