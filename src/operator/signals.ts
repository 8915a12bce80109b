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
  | 'application_errors';

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
};

export const LOG_SIGNATURES: readonly LogSignature[] = [
  {
    id: 'suspicious_activity',
    label: 'suspicious activity',
    category: 'security',
    patterns: [
      /\b(xmrig|cryptominer|coinhive|minerd|kinsing|kdevtmpfsi)\b/i,
      /reverse shell/i,
      /failed password for (invalid user|root)/i,
      /brute[- ]?force/i,
      /unexpected outbound connection/i,
      /suspicious (process|binary|activity|login|file)/i,
      /\/(tmp|dev\/shm)\/\.[a-z0-9_-]+/i,
      /privilege escalation/i,
      /(unauthori[sz]ed|unknown) (ssh )?key (was )?added/i,
      /port scan/i,
      /known malicious/i,
      /\brootkit\b/i,
      /\b(nc|ncat|netcat) -e\b/i,
      /(curl|wget) [^|]*\|\s*(ba)?sh\b/i,
      /new (admin|root|sudo) user (created|added)/i,
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
      /checksum (mismatch|failure)/i,
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
    id: 'dns_failure',
    label: 'DNS resolution failure',
    category: 'availability',
    patterns: [
      /\bNXDOMAIN\b/,
      /\bENOTFOUND\b/,
      /\bEAI_AGAIN\b/,
      /name or service not known/i,
      /temporary failure in name resolution/i,
      /dns (lookup|resolution|query) (failed|error|timed out)/i,
      /no such host/i,
      /\bSERVFAIL\b/,
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
      /certificate verify failed/i,
      /unable to verify the first certificate/i,
      /certificate (will )?expires? in \d+ days?/i,
    ],
  },
  {
    id: 'dependency_failure',
    label: 'dependency failure',
    category: 'availability',
    patterns: [
      /connection refused/i,
      /\bECONNREFUSED\b/,
      /dependency (is )?(unreachable|down|unavailable)/i,
      /upstream\b.*\b(unavailable|unreachable|timed? ?out|down|refused)/i,
      /\b(502|503|504)\b.*\bupstream\b/i,
      /circuit breaker (is )?open/i,
      /no route to host/i,
      /connection reset by peer/i,
      /could not connect to/i,
      /(broker|queue|database|cache|cluster|service) (is )?(unreachable|unavailable|down)\b/i,
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
      /memory leak/i,
      /cannot allocate memory/i,
      /heap (space|exhausted|out of)/i,
      /JavaScript heap out of memory/i,
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
      /\bdeadlock(ed)?\b/i,
      /watchdog\b.*\b(timeout|expired|fired)/i,
      /timeout waiting for (thread|worker|lock)/i,
      /event loop (blocked|lag)/i,
      /health ?check (timed out|timeout)/i,
    ],
  },
  {
    id: 'resource_exhaustion',
    label: 'resource exhaustion',
    category: 'performance',
    patterns: [
      /cpu (threshold|usage|load)\b.*\b(exceeded|high|saturat)/i,
      /thread pool (exhaust|saturat|full)/i,
      /too many open files/i,
      /\bEMFILE\b/,
      /request queue (full|overflow)/i,
      /worker pool (exhaust|saturat|full)/i,
    ],
  },
  {
    id: 'auth_failure',
    label: 'authentication failures',
    category: 'availability',
    patterns: [
      /authentication failed/i,
      /invalid credentials/i,
      /\b401 unauthori[sz]ed\b/i,
      /access denied for user/i,
      /(token|certificate|credential)s? (has |have )?expired/i,
      /invalid (api )?key/i,
      /login failed/i,
    ],
  },
  {
    id: 'application_errors',
    label: 'application errors',
    category: 'change',
    patterns: [
      /\b(NullPointerException|ClassNotFoundException|NoSuchMethodError|NoClassDefFoundError|IllegalStateException)\b/,
      /\b(TypeError|ReferenceError|ModuleNotFoundError|ImportError|AttributeError|KeyError)\b/,
      /undefined is not a function|cannot read propert(y|ies) of (undefined|null)/i,
      /\bpanic:/,
      /segmentation fault|\bSIGSEGV\b/i,
      /migration (failed|error)/i,
      /(unknown column|column .* does not exist|schema mismatch)/i,
      /error rate (rose|increased|spiked|above)/i,
      /\b(since|after) (the )?(deploy|release|rollout|upgrade)\b/i,
      /\bHTTP 5\d\d\b|\bstatus[=: ]5\d\d\b/i,
    ],
  },
];

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

function logSignals(e: Evidence, lines: readonly string[]): Signal[] {
  const found: Signal[] = [];
  for (const signature of LOG_SIGNATURES) {
    const line = lines.find((l) => signature.patterns.some((p) => p.test(l)));
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
