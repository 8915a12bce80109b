import type { Evidence } from '../domain/evidence.ts';
import type { Category } from '../domain/vocabulary.ts';

/**
 * Signals are what the evidence says, found by code: log signatures, health thresholds, recent
 * changes. The rules planner decides from them, and the policy guard checks any planner against
 * them, so a model cannot talk its way past a dependency failure or a security signature.
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

type LogSignature = {
  id: LogSignatureId;
  label: string;
  category: Category;
  patterns: readonly RegExp[];
  /**
   * Ignore lines the logger itself marked routine (INFO/DEBUG/TRACE): a client hanging up or a
   * user mistyping a password is logged at info all day and is not an incident.
   */
  skipRoutine?: boolean;
};

export const LOG_SIGNATURES: readonly LogSignature[] = [
  {
    id: 'suspicious_activity',
    label: 'suspicious activity',
    category: 'security',
    patterns: [
      /\b(xmrig|cryptominer|coinhive|minerd|kinsing|kdevtmpfsi)\b/i,
      /stratum\+tcp|\b(supportxmr|nanopool|minexmr|moneroocean|nicehash)\b/i,
      /reverse shell/i,
      /failed password for (invalid user|root)/i,
      /invalid user \S+ from \d/i,
      /brute[- ]?force/i,
      /unexpected outbound connection/i,
      /suspicious (process|binary|activity|login|file)/i,
      /\/(tmp|dev\/shm|var\/tmp)\/\.[a-z0-9_-]+/i,
      /privilege escalation/i,
      /(unauthori[sz]ed|unknown) (ssh )?key (was )?added/i,
      /port scan/i,
      /known malicious/i,
      /\brootkit\b/i,
      /\b(nc|ncat|netcat) -e\b/i,
      /(curl|wget) [^|]*\|\s*(ba)?sh\b/i,
      /new (admin|root|sudo) user (created|added)/i,
      // useradd/auditd: a second uid-0 account is a backdoor, whatever its name.
      /new user: name=[^,\s]+,\s*UID=0\b/i,
      /data exfiltration|exfiltrat/i,
    ],
  },
  {
    id: 'data_integrity',
    label: 'data integrity problem',
    category: 'data',
    patterns: [
      /replication (lag|broken|stopped|error|failed)/i,
      /replica\b.*\b(behind|out of sync|diverged)/i,
      /(replica|slave) (sql|io) thread (aborted|stopped|exiting)/i,
      /requested WAL segment \S+ has already been removed/i,
      /checksum (mismatch|failure)/i,
      /page verification failed/i,
      /invalid page in block/i,
      // Elasticsearch/OpenSearch red: a primary shard is unassigned, its data unavailable.
      /cluster health status changed from \[\w+\] to \[RED\]/i,
      /unassigned primary shards?|primary shard is not active/i,
      /data corruption|corrupt(ed)? (page|index|block|row|table|record)/i,
      /split[- ]brain/i,
      /inconsistent (data|state)/i,
      /\brows? (lost|missing)\b/i,
    ],
  },
  {
    id: 'disk_full',
    label: 'disk full',
    category: 'availability',
    patterns: [
      /no space left on device/i,
      /\bENOSPC\b/,
      /disk (is )?full/i,
      /disk quota exceeded/i,
      /(disk|filesystem|volume|partition)\b.*\b(9[5-9]|100)\s?% (full|used)/i,
      /disk usage (at )?(9[5-9]|100)\s?%/i,
    ],
  },
  {
    id: 'storage_failure',
    label: 'storage failure',
    category: 'availability',
    patterns: [
      // A block device's I/O error, not an HTTP client's "I/O error on POST request".
      /\bI\/O error,? (on )?dev(ice)?\b/i,
      /\bEXT4-fs error\b|\bXFS\b.*\b(corruption|shutdown)/i,
      /remounting filesystem read-only/i,
      /read-only file system|\bEROFS\b/i,
      /\b(medium|media) error\b|\bbad sector/i,
    ],
  },
  {
    id: 'dns_failure',
    label: 'DNS resolution failure',
    category: 'availability',
    skipRoutine: true,
    patterns: [
      /\bNXDOMAIN\b/,
      /\bENOTFOUND\b/,
      /\bEAI_AGAIN\b/,
      /name or service not known/i,
      /temporary failure in name resolution/i,
      /dns (lookup|resolution|query) (failed|error|timed out)/i,
      /no such host/i,
      /\bSERVFAIL\b/,
      /UnknownHostException/,
    ],
  },
  {
    id: 'tls_failure',
    label: 'TLS/certificate failure',
    category: 'availability',
    patterns: [
      /certificate (has )?expired/i,
      /\bCERT_HAS_EXPIRED\b/,
      /x509: certificate/i,
      /(ssl|tls)[ _]?handshake (failed|failure|error)/i,
      /SSL_do_handshake\(\) failed/,
      /certificate verify failed/i,
      /unable to verify the first certificate/i,
      /PKIX path (building|validation) failed/i,
      /certificate\b.*\b(will )?expires? in \d+ days?/i,
    ],
  },
  {
    id: 'dependency_failure',
    label: 'dependency failure',
    category: 'availability',
    skipRoutine: true,
    patterns: [
      /connection refused/i,
      /\bECONNREFUSED\b/,
      /connection to \S+ refused/i,
      /dependency (is )?(unreachable|down|unavailable)/i,
      /upstream\b.*\b(unavailable|unreachable|timed? ?out|down|refused)/i,
      /\b(502|503|504)\b.*\bupstream\b/i,
      /circuit ?breaker\b.*\b(is |to )?open\b/i,
      /no route to host/i,
      /connection reset by peer/i,
      /could not connect to/i,
      /(broker|queue|database|cache|cluster|service) (is )?(unreachable|unavailable|down)\b/i,
    ],
  },
  {
    id: 'crash_loop',
    label: 'crash loop',
    category: 'availability',
    patterns: [
      /CrashLoopBackOff/,
      /back-?off restarting failed container/i,
      /start request repeated too quickly/i,
      /restart (count|counter)( is at)?:?\s*([3-9]|\d{2,})\b/i,
    ],
  },
  {
    id: 'out_of_memory',
    label: 'out of memory',
    category: 'availability',
    patterns: [
      /OutOfMemoryError/,
      /\bout of memory\b/i,
      /\bOOM[- ]?kill(ed|er)?\b/i,
      /invoked oom-killer/i,
      /memory leak (suspected|detected)|leak(ing)? memory|due to (a )?memory leak/i,
      /cannot allocate memory/i,
      /heap (space|exhausted|out of)/i,
      /JavaScript heap out of memory|reached heap limit/i,
      /GC overhead limit/i,
      /garbage collection taking too long/i,
    ],
  },
  {
    id: 'hung_process',
    label: 'hung or unresponsive process',
    category: 'performance',
    patterns: [
      /process (is )?hung/i,
      /not accepting (new )?connections/i,
      /\bunresponsive\b/i,
      // Thread deadlocks hang a process; a database's "deadlock detected" aborts one transaction and moves on.
      /java-level deadlock|deadlocked threads?|threads? (are )?deadlocked/i,
      /watchdog\b.*\b(timeout|expired|fired)/i,
      /timeout waiting for (a )?(thread|worker|lock)/i,
      /\bWORKER TIMEOUT\b/,
      /event loop (blocked|lag)/i,
      /health ?check (timed out|timeout)/i,
      /blocked for more than \d+ seconds/i,
    ],
  },
  {
    id: 'traffic_surge',
    label: 'traffic surge',
    category: 'performance',
    patterns: [
      /limiting (requests|connections), excess/i,
      /\btraffic (spike|surge)\b/i,
      /request rate\b.*\b(\d+x|times) (normal|baseline)/i,
    ],
  },
  {
    id: 'resource_exhaustion',
    label: 'resource exhaustion',
    category: 'performance',
    patterns: [
      /cpu (threshold|usage|load)\b.*\b(exceeded|high|above|saturat)/i,
      /thread pool (exhaust|saturat|full)/i,
      /too many open files/i,
      /\bEMFILE\b/,
      /request queue (full|overflow)/i,
      /worker pool (exhaust|saturat|full)/i,
      /connection is not available, request timed out|timeout acquiring a connection/i,
      /(connection|db|database) pool (is )?(exhausted|full)/i,
      /unable to create (new )?native thread/i,
    ],
  },
  {
    id: 'auth_failure',
    label: 'authentication failures',
    category: 'availability',
    skipRoutine: true,
    patterns: [
      /authentication failed/i,
      /invalid credentials/i,
      /\b401 unauthori[sz]ed\b/i,
      /access denied for user/i,
      /\b(api|access|service([ _-]account)?|client|oauth|bearer)[ _-]?(token|key|credentials?)\b.*\b(expired|revoked)\b/i,
      /credentials? (have |has )?(expired|been revoked)/i,
      /invalid (api[ _-]?key|access key|client secret|client credentials)/i,
      /login failed for user/i,
      /\bbad credentials\b/i,
      /clock skew too great|\bKRB_AP_ERR_SKEW\b/i,
    ],
  },
  {
    id: 'application_errors',
    label: 'application errors',
    category: 'change',
    patterns: [
      /\b(NullPointerException|ClassNotFoundException|NoSuchMethodError|NoClassDefFoundError|IllegalStateException|ClassCastException)\b/,
      /\b(TypeError|ReferenceError|ModuleNotFoundError|ImportError|AttributeError|KeyError)\b/,
      /undefined is not a function|cannot read propert(y|ies) of (undefined|null)/i,
      /cannot find module/i,
      /\bpanic:/,
      /segmentation fault|\bsegfault\b|\bSIGSEGV\b/i,
      /migration (failed|error)/i,
      /(unknown column|column .* does not exist|schema mismatch)/i,
      /error rate (rose|increased|spiked|above)/i,
      /\b(since|after) (the )?(deploy|release|rollout|upgrade)\b/i,
      /\bHTTP 5\d\d\b|\bstatus[=: ]5\d\d\b/i,
      // An access-log line: method, path, optional protocol, then a 5xx status.
      /\b(GET|POST|PUT|PATCH|DELETE) \S+( HTTP\/[\d.]+)?"? 5\d\d\b/,
    ],
  },
];

/** How loggers mark a routine line: `[INFO]`, `level=info`, `"level":"info"`, a leading `INFO`, `LOG:`. */
const ROUTINE_MARKS: readonly RegExp[] = [
  /\[\s*(info|debug|trace)\s*\]/i,
  /\blevel=(info|debug|trace)\b/i,
  /"level"\s*:\s*"(info|debug|trace)"/i,
  /^(\S+\s+){0,2}(INFO|DEBUG|TRACE)\b/,
  // PostgreSQL: `[pid] LOG:` is its informational level.
  /\]\s+(LOG|NOTICE|INFO|DEBUG\d?):\s/,
];
const routine = (line: string) => ROUTINE_MARKS.some((m) => m.test(line));

export const SIGNAL_LABELS: Record<SignalId, string> = {
  ...(Object.fromEntries(LOG_SIGNATURES.map((s) => [s.id, s.label])) as Record<
    LogSignatureId,
    string
  >),
  high_cpu: 'high CPU',
  high_memory: 'high memory',
  unhealthy_status: 'unhealthy status',
  server_down: 'server down',
  recent_change: 'recent change',
  bad_deploy: 'bad deploy',
};

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

export type SignalOptions = {
  /** CPU or memory at or above this percent supports a restart. */
  thresholdPercent: number;
  now: Date;
  /** A change this recent counts as "since last known good". */
  recentChangeMinutes?: number;
  /** Server id → service, so a change is linked to the errors of its own servers only. */
  serviceOf?: ReadonlyMap<string, string | null>;
};

const DEFAULT_RECENT_CHANGE_MINUTES = 120;

/** How loud a log line is, to quote the most severe of several matching lines. */
function loudness(line: string): number {
  if (/\b(FATAL|CRIT(ICAL)?|EMERG|ALERT|PANIC)\b/i.test(line)) return 3;
  if (/\bERR(OR)?\b/i.test(line)) return 2;
  if (/\bWARN(ING)?\b/i.test(line)) return 1;
  return 0;
}

function logSignals(e: Evidence, lines: readonly string[]): Signal[] {
  const found: Signal[] = [];
  for (const signature of LOG_SIGNATURES) {
    const matching = lines.filter(
      (l) => !(signature.skipRoutine && routine(l)) && signature.patterns.some((p) => p.test(l)),
    );
    // The loudest matching line is the one a human should read first; ties keep log order.
    const line = matching.reduce<string | undefined>(
      (best, l) => (best === undefined || loudness(l) > loudness(best) ? l : best),
      undefined,
    );
    if (line !== undefined)
      found.push({ id: signature.id, subject: e.source.subject, evidence: [e.id], detail: line });
  }
  return found;
}

export function detectSignals(evidence: readonly Evidence[], options: SignalOptions): Signal[] {
  const signals: Signal[] = [];
  const recentMs = (options.recentChangeMinutes ?? DEFAULT_RECENT_CHANGE_MINUTES) * 60_000;
  for (const e of evidence) {
    const subject = e.source.subject;
    switch (e.data.kind) {
      case 'health': {
        const { cpu, memory, status } = e.data;
        if (cpu >= options.thresholdPercent)
          signals.push({ id: 'high_cpu', subject, evidence: [e.id], detail: `cpu ${cpu}%` });
        if (memory >= options.thresholdPercent)
          signals.push({
            id: 'high_memory',
            subject,
            evidence: [e.id],
            detail: `memory ${memory}%`,
          });
        if (status === 'down')
          signals.push({ id: 'server_down', subject, evidence: [e.id], detail: 'status down' });
        else if (status !== 'healthy')
          signals.push({
            id: 'unhealthy_status',
            subject,
            evidence: [e.id],
            detail: `status ${status}`,
          });
        break;
      }
      case 'logs':
        signals.push(...logSignals(e, e.data.lines));
        break;
      case 'changes': {
        const recent = e.data.changes.filter(
          (c) => options.now.getTime() - Date.parse(c.at) <= recentMs,
        );
        const newest = recent[0];
        if (newest)
          signals.push({
            id: 'recent_change',
            subject,
            evidence: [e.id],
            detail: `${newest.description} (${Math.round((options.now.getTime() - Date.parse(newest.at)) / 60_000)} min ago)`,
          });
        break;
      }
      case 'error':
        break;
    }
  }
  return [...signals, ...badDeploySignals(signals, options.serviceOf)];
}

/** A recent change to a service whose servers log application errors. */
function badDeploySignals(
  signals: readonly Signal[],
  serviceOf: ReadonlyMap<string, string | null> | undefined,
): Signal[] {
  return signals
    .filter((s) => s.id === 'recent_change')
    .flatMap((change) => {
      const errors = signals.filter(
        (s) =>
          s.id === 'application_errors' &&
          (!serviceOf || (serviceOf.get(s.subject) ?? s.subject) === change.subject),
      );
      const first = errors[0];
      if (!first) return [];
      return [
        {
          id: 'bad_deploy' as const,
          subject: first.subject,
          evidence: [...change.evidence, ...errors.flatMap((s) => s.evidence)],
          detail: `${change.detail}, followed by "${first.detail}"`,
        },
      ];
    });
}

export function has(signals: readonly Signal[], id: SignalId, subject?: string): boolean {
  return signals.some((s) => s.id === id && (subject === undefined || s.subject === subject));
}

export function find(
  signals: readonly Signal[],
  id: SignalId,
  subject?: string,
): Signal | undefined {
  return signals.find((s) => s.id === id && (subject === undefined || s.subject === subject));
}

/** Signals that show something is wrong (a recent change alone does not). */
export function abnormal(signals: readonly Signal[]): Signal[] {
  return signals.filter((s) => s.id !== 'recent_change');
}
