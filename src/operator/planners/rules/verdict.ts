import type { Evidence } from '../../../domain/evidence.ts';
import {
  type Action,
  type Category,
  type Environment,
  leastSevere,
  mostSevere,
  type Severity,
  severityRank,
} from '../../../domain/vocabulary.ts';
import type { ServerInfo } from '../../../tools/backends.ts';
import { has, type Signal, type SignalId } from '../../signals/index.ts';

/**
 * What the rules conclude, before any wording: the decision and the signals that drove it.
 * `cause` names the conclusion so wording.ts can say it; nothing here is prose.
 */
export type Cause =
  | 'suspicious_activity'
  | 'data_integrity'
  | 'bad_deploy'
  | 'disk_full'
  | 'storage_failure'
  | 'dns_failure'
  | 'dependency_failure'
  | 'tls_failure'
  | 'tls_expiring'
  | 'auth_failure'
  | 'crash_loop'
  | 'traffic_surge'
  | 'server_down'
  /** High CPU or memory on a server that reports healthy and logs no symptom. */
  | 'busy_but_healthy'
  /** Exhaustion or a hang a bounded restart clears. */
  | 'restartable'
  /** Several servers at once would each qualify for a restart: a shared cause. */
  | 'saturated_together'
  /** A known symptom on a server whose readings do not support a restart. */
  | 'below_restart_threshold'
  /** An unhealthy status with nothing in the logs to explain it. */
  | 'unclear_status'
  /** Errors that fit no known cause, on a server that still reports well. */
  | 'unclear_errors'
  | 'nothing_found';

export type Verdict = {
  action: Action;
  category: Category;
  severity: Severity;
  restartServer: string | null;
  cause: Cause;
  /** The signals that drove it, most important first. */
  drivers: Signal[];
};

const WIDESPREAD =
  /\b(all (users|customers|regions)|everyone|widespread|complete outage|entire (site|platform)|site[- ]wide)\b/i;
const LEGAL_RISK = /exfiltrat|data breach|\bPII\b|personal data/i;

/** A TLS signal that only warns of an expiry to come: nothing is broken yet. */
export const EXPIRING_ONLY = /expires? in \d+ days?/i;

function statusSeverity(signals: readonly Signal[], server: string): Severity {
  if (has(signals, 'server_down', server)) return 'sev1';
  const status = signals.find((s) => s.id === 'unhealthy_status' && s.subject === server)?.detail;
  if (status === 'status critical' || status === 'status error') return 'sev1';
  if (status === 'status warning') return 'sev2';
  return 'sev3';
}

function pick(signals: readonly Signal[], ids: readonly SignalId[], server?: string): Signal[] {
  return ids.flatMap((id) =>
    signals.filter((s) => s.id === id && (server === undefined || s.subject === server)),
  );
}

/** The verdict for one server, from the most to the least decisive signal. */
export function judgeServer(
  server: ServerInfo,
  signals: readonly Signal[],
  thresholdPercent: number,
  health?: Evidence,
): Verdict {
  const id = server.id;
  const mine = signals.filter((s) => s.subject === id || s.subject === server.service);
  const status = statusSeverity(signals, id);
  const escalate = (
    category: Category,
    severity: Severity,
    cause: Cause,
    drivers: Signal[],
  ): Verdict => ({
    action: 'escalate',
    category,
    severity,
    restartServer: null,
    cause,
    drivers,
  });

  const suspicious = pick(mine, ['suspicious_activity']);
  if (suspicious.length)
    return escalate(
      'security',
      suspicious.some((s) => LEGAL_RISK.test(s.detail)) ? 'sev0' : 'sev1',
      'suspicious_activity',
      suspicious,
    );

  const data = pick(mine, ['data_integrity']);
  if (data.length) return escalate('data', 'sev1', 'data_integrity', data);

  const deploy = pick(signals, ['bad_deploy'], id);
  if (deploy.length)
    return escalate('change', mostSevere(status, 'sev2'), 'bad_deploy', [
      ...deploy,
      ...pick(mine, ['recent_change', 'application_errors']),
    ]);

  const disk = pick(mine, ['disk_full', 'storage_failure']);
  if (disk.length)
    return escalate(
      'availability',
      mostSevere(status, 'sev2'),
      disk[0]?.id === 'disk_full' ? 'disk_full' : 'storage_failure',
      disk,
    );

  const dependency = pick(mine, ['dependency_failure', 'dns_failure']);
  if (dependency.length)
    return escalate(
      'availability',
      mostSevere(status, 'sev2'),
      dependency[0]?.id === 'dns_failure' ? 'dns_failure' : 'dependency_failure',
      dependency,
    );

  const tls = pick(mine, ['tls_failure']);
  if (tls.length) {
    const expiringOnly = tls.every((s) => EXPIRING_ONLY.test(s.detail));
    return escalate(
      'availability',
      expiringOnly ? 'sev3' : mostSevere(status, 'sev2'),
      expiringOnly ? 'tls_expiring' : 'tls_failure',
      tls,
    );
  }

  const auth = pick(mine, ['auth_failure']);
  if (auth.length)
    return escalate('availability', mostSevere(status, 'sev2'), 'auth_failure', auth);

  // The platform already restarts it and it dies again: another restart is not a fix.
  const looping = pick(mine, ['crash_loop']);
  if (looping.length)
    return escalate('availability', mostSevere(status, 'sev2'), 'crash_loop', [
      ...looping,
      ...pick(mine, ['out_of_memory', 'application_errors']),
    ]);

  const surge = pick(mine, ['traffic_surge']);
  if (surge.length)
    return escalate('performance', mostSevere(status, 'sev2'), 'traffic_surge', [
      ...surge,
      ...pick(mine, ['high_cpu', 'resource_exhaustion']),
    ]);

  // A server that is down needs more than a service restart, whatever its last log lines said.
  const down = pick(mine, ['server_down']);
  if (down.length) return escalate('availability', 'sev1', 'server_down', down);

  const hung = pick(mine, ['hung_process']);
  const oom = pick(mine, ['out_of_memory']);
  const exhaustion = pick(mine, ['resource_exhaustion']);
  const hot = pick(mine, ['high_cpu', 'high_memory']);
  const hotEnough =
    hung.length > 0 ||
    (health?.data.kind === 'health' &&
      (health.data.cpu >= thresholdPercent || health.data.memory >= thresholdPercent));
  // Busy is not sick: high CPU or memory on a server that reports healthy and logs no symptom.
  if (hot.length && !hung.length && !oom.length && !exhaustion.length && status === 'sev3')
    return {
      action: 'monitor',
      category: 'performance',
      severity: 'sev3',
      restartServer: null,
      cause: 'busy_but_healthy',
      drivers: hot,
    };
  if (hotEnough && (hung.length || oom.length || exhaustion.length || hot.length)) {
    const memoryLed = oom.length > 0 || has(mine, 'high_memory');
    const crashing = memoryLed && (oom.length > 0 || status === 'sev1');
    return {
      action: 'restart',
      category: crashing ? 'availability' : 'performance',
      severity: mostSevere(status, 'sev2'),
      restartServer: id,
      cause: 'restartable',
      drivers: [...oom, ...hung, ...exhaustion, ...hot],
    };
  }

  // A known symptom that does not justify a restart still says what kind of incident this is.
  const symptoms = [...oom, ...exhaustion];
  if (symptoms.length)
    return escalate(
      oom.length ? 'availability' : 'performance',
      status,
      'below_restart_threshold',
      [...symptoms, ...pick(mine, ['unhealthy_status'])],
    );

  const unhealthy = pick(mine, [
    'unhealthy_status',
    'application_errors',
    'high_cpu',
    'high_memory',
  ]);
  if (unhealthy.length && status !== 'sev3')
    return escalate('unknown', status, 'unclear_status', unhealthy);
  if (unhealthy.length) return escalate('unknown', 'sev3', 'unclear_errors', unhealthy);

  return {
    action: 'monitor',
    category: 'unknown',
    severity: 'sev3',
    restartServer: null,
    cause: 'nothing_found',
    drivers: [],
  };
}

const ACTION_RANK: Record<Action, number> = { escalate: 0, restart: 1, monitor: 2 };

/** One verdict for the incident: the most decisive server wins; two restarts at once mean a shared cause. */
export function combine(verdicts: readonly Verdict[]): Verdict | null {
  // Ties go to a verdict with a known cause: "dependency down" explains more than "cause unclear".
  const sorted = [...verdicts].sort(
    (a, b) =>
      ACTION_RANK[a.action] - ACTION_RANK[b.action] ||
      severityRank[a.severity] - severityRank[b.severity] ||
      Number(a.category === 'unknown') - Number(b.category === 'unknown'),
  );
  const top = sorted[0];
  if (!top) return null;
  const restarts = verdicts.filter((v) => v.action === 'restart');
  if (top.action === 'restart' && restarts.length > 1) {
    return {
      ...top,
      action: 'escalate',
      restartServer: null,
      cause: 'saturated_together',
      drivers: restarts.flatMap((v) => v.drivers),
    };
  }
  const worst = verdicts.reduce<Severity>((s, v) => mostSevere(s, v.severity), 'sev3');
  return { ...top, severity: worst };
}

/** Severity for the whole incident: a widespread report raises it; outside production caps it. */
export function adjustSeverity(
  verdict: Verdict,
  report: string,
  environment: Environment,
  signals: readonly Signal[],
): Severity {
  let severity = verdict.severity;
  const failing = new Set(
    signals
      .filter((s) => s.id === 'server_down' || s.detail === 'status error')
      .map((s) => s.subject),
  );
  if (verdict.action !== 'monitor' && WIDESPREAD.test(report)) {
    severity = mostSevere(severity, failing.size >= 2 ? 'sev0' : 'sev1');
  }
  // Non-production cannot have major customer impact.
  if (environment !== 'prod') severity = leastSevere(severity, 'sev2');
  return severity;
}

/**
 * The incident's verdict from its signals: each server in scope judged, then combined, then the
 * severity set for the report and the environment. Null when nothing is in scope.
 */
export function decide(
  servers: readonly ServerInfo[],
  evidence: readonly Evidence[],
  signals: readonly Signal[],
  context: { thresholdPercent: number; report: string; environment: Environment },
): Verdict | null {
  const healthOf = (id: string) =>
    [...evidence].reverse().find((e) => e.source.subject === id && e.data.kind === 'health');
  const combined = combine(
    servers.map((s) => judgeServer(s, signals, context.thresholdPercent, healthOf(s.id))),
  );
  if (!combined) return null;
  return {
    ...combined,
    severity: adjustSeverity(combined, context.report, context.environment, signals),
  };
}
