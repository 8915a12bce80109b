import type { LogSignatureId } from './types.ts';

/**
 * The log signatures: which lines raise which signal. Detection only — what a signal is called
 * lives in labels.ts, and what it means for the decision in the planners and the guard.
 */
export type LogSignature = {
  id: LogSignatureId;
  patterns: readonly RegExp[];
  /**
   * Ignore lines the logger itself marked routine (INFO/DEBUG/TRACE): a client hanging up or a
   * user mistyping a password is logged at info all day and is not an incident.
   */
  skipRoutine?: boolean;
};

export const SIGNATURES: readonly LogSignature[] = [
  {
    id: 'suspicious_activity',
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
    patterns: [
      /CrashLoopBackOff/,
      /back-?off restarting failed container/i,
      /start request repeated too quickly/i,
      /restart (count|counter)( is at)?:?\s*([3-9]|\d{2,})\b/i,
    ],
  },
  {
    id: 'out_of_memory',
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
    patterns: [
      /limiting (requests|connections), excess/i,
      /\btraffic (spike|surge)\b/i,
      /request rate\b.*\b(\d+x|times) (normal|baseline)/i,
    ],
  },
  {
    id: 'resource_exhaustion',
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
