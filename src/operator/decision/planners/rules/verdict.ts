import type { Evidence } from '../../../../domain/evidence.ts';
import {
  type Action,
  type Category,
  type Environment,
  leastSevere,
  mostSevere,
  type Severity,
  severityRank,
} from '../../../../domain/vocabulary.ts';
import type { ServerInfo } from '../../../../tools/backends.ts';
import { has, RESTART_BLOCKING, type Signal, type SignalId } from '../../signals/index.ts';

/**
 * What the rules conclude, before any wording: the decision and the signals that drove it.
 * `cause` names the conclusion so wording.ts can say it; nothing here is prose.
 */
export type Cause =
  | 'suspicious_activity'
  | 'data_integrity'
  | 'bad_deploy'
  | 'config_error'
  | 'image_pull_failure'
  | 'disk_full'
  | 'storage_failure'
  | 'node_pressure'
  | 'scheduling_failure'
  | 'dns_failure'
  | 'dependency_failure'
  | 'tls_failure'
  | 'tls_expiring'
  | 'auth_failure'
  | 'authorization_failure'
  | 'crash_loop'
  | 'throttling'
  | 'traffic_surge'
  | 'server_down'
  /** High CPU or memory on a server that reports healthy and logs no symptom. */
  | 'busy_but_healthy'
  /** Exhaustion or a hang a bounded restart clears. */
  | 'restartable'
  /** Several servers at once would each qualify for a restart: a shared cause. */
  | 'saturated_together'
  | 'probe_failure'
  /** The process died and is down or failing still. */
  | 'process_crashed'
  /** The process died once and is back and healthy. */
  | 'crashed_and_recovered'
  /** Slow, with no error: measured latency above a second. */
  | 'latency'
  /** Slow responses on a server that still reports healthy. */
  | 'slow_but_healthy'
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
  /** The server this verdict is about. */
  server: string;
  /** The signals that drove it, most important first. */
  drivers: Signal[];
  /**
   * Servers whose errors point at this one: they log that they cannot reach it. Set when the
   * verdict followed a dependency to the server that carries the problem.
   */
  victims?: string[];
};

const WIDESPREAD =
  /\b(all (users|customers|regions)|everyone|widespread|complete outage|entire (site|platform)|site[- ]wide)\b/i;
const LEGAL_RISK = /exfiltrat|data breach|\bPII\b|personal data/i;
/** A report that says the trouble is slowness, or gives a latency. */
const REPORTS_SLOWNESS =
  /\b(slow(ness|er|ly)?|sluggish|laggy|latency|lagging|takes? (forever|ages)|p9[059])\b|\b\d+(\.\d+)?\s?(ms|milliseconds|seconds|secs)\b/i;

/** A report that says the CPU is held at a limit: the reporter knows it is throttling. */
const REPORTS_THROTTLING =
  /\bthrottl(ed|ing)\b|\bcpu limit\b|\bat (its|the) (own )?(cpu )?(limit|quota)\b/i;

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

export type JudgeContext = {
  thresholdPercent: number;
  report: string;
};

/** The verdict for one server, from the most to the least decisive signal. */
export function judgeServer(
  server: ServerInfo,
  signals: readonly Signal[],
  context: JudgeContext,
  health?: Evidence,
): Verdict {
  const id = server.id;
  const mine = signals.filter((s) => s.subject === id || s.subject === server.service);
  const status = statusSeverity(signals, id);
  const atLeastSev2 = mostSevere(status, 'sev2');
  const verdict = (
    action: Action,
    category: Category,
    severity: Severity,
    cause: Cause,
    drivers: Signal[],
  ): Verdict => ({
    action,
    category,
    severity,
    restartServer: action === 'restart' ? id : null,
    cause,
    server: id,
    drivers,
  });
  const escalate = (category: Category, severity: Severity, cause: Cause, drivers: Signal[]) =>
    verdict('escalate', category, severity, cause, drivers);
  const health_ = pick(mine, ['unhealthy_status', 'server_down', 'high_cpu', 'high_memory']);

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

  // A change, then a regression: the change is the likely cause, whatever else the logs show.
  const deploy = pick(signals, ['bad_deploy'], id);
  if (deploy.length)
    return escalate('change', atLeastSev2, 'bad_deploy', [
      ...deploy,
      ...pick(mine, ['recent_change', 'change_in_logs', 'config_error', 'application_errors']),
    ]);

  // What the process was given is wrong (config, image): fixing it is a change, not a restart.
  const config = pick(mine, ['config_error']);
  if (config.length)
    return escalate('change', atLeastSev2, 'config_error', [...config, ...health_]);
  const image = pick(mine, ['image_pull_failure']);
  if (image.length)
    return escalate('change', atLeastSev2, 'image_pull_failure', [...image, ...health_]);

  const disk = pick(mine, ['disk_full', 'storage_failure']);
  if (disk.length)
    return escalate(
      'availability',
      atLeastSev2,
      disk[0]?.id === 'disk_full' ? 'disk_full' : 'storage_failure',
      [...disk, ...health_],
    );

  const node = pick(mine, ['node_pressure']);
  if (node.length) return escalate('availability', atLeastSev2, 'node_pressure', node);
  const unschedulable = pick(mine, ['scheduling_failure']);
  if (unschedulable.length)
    return escalate('availability', atLeastSev2, 'scheduling_failure', unschedulable);

  const dependency = pick(mine, ['dependency_failure', 'dns_failure']);
  if (dependency.length)
    return escalate(
      'availability',
      atLeastSev2,
      dependency[0]?.id === 'dns_failure' ? 'dns_failure' : 'dependency_failure',
      [...dependency, ...health_],
    );

  const tls = pick(mine, ['tls_failure']);
  if (tls.length) {
    const expiringOnly = tls.every((s) => EXPIRING_ONLY.test(s.detail));
    return escalate(
      'availability',
      expiringOnly ? 'sev3' : atLeastSev2,
      expiringOnly ? 'tls_expiring' : 'tls_failure',
      tls,
    );
  }

  const auth = pick(mine, ['auth_failure']);
  if (auth.length) return escalate('availability', atLeastSev2, 'auth_failure', auth);
  const denied = pick(mine, ['authorization_failure']);
  if (denied.length)
    return escalate('availability', atLeastSev2, 'authorization_failure', [...denied, ...health_]);

  // The platform already restarts it and it dies again: another restart is not a fix.
  const looping = pick(mine, ['crash_loop']);
  if (looping.length)
    return escalate('availability', atLeastSev2, 'crash_loop', [
      ...looping,
      ...pick(mine, ['out_of_memory', 'process_crashed', 'application_errors']),
    ]);

  // Held at a limit (its own CPU quota, a provider's rate, a configured cap): busy, not sick.
  // A report can only make the rules more careful: pinned CPU the reporter calls throttling is
  // not proposed for a restart.
  const reportedThrottling = REPORTS_THROTTLING.test(context.report)
    ? pick(mine, ['high_cpu'])
    : [];
  const throttled = [...pick(mine, ['throttling']), ...reportedThrottling];
  if (throttled.length)
    return escalate('performance', status, 'throttling', [
      ...throttled,
      ...pick(mine, ['high_cpu', 'latency']),
    ]);

  const surge = pick(mine, ['traffic_surge']);
  if (surge.length)
    return escalate('performance', atLeastSev2, 'traffic_surge', [
      ...surge,
      ...pick(mine, ['high_cpu', 'resource_exhaustion']),
    ]);

  // A server that is down needs more than a service restart, whatever its last log lines said.
  const down = pick(mine, ['server_down']);
  if (down.length)
    return escalate('availability', 'sev1', 'server_down', [
      ...down,
      ...pick(mine, ['process_crashed', 'probe_failure']),
    ]);

  const hung = pick(mine, ['hung_process']);
  const oom = pick(mine, ['out_of_memory']);
  const exhaustion = pick(mine, ['resource_exhaustion']);
  const hot = pick(mine, ['high_cpu', 'high_memory']);
  const symptoms = pick(mine, ['latency', 'probe_failure', 'process_crashed']);
  const hotEnough =
    hung.length > 0 ||
    (health?.data.kind === 'health' &&
      (health.data.cpu >= context.thresholdPercent ||
        health.data.memory >= context.thresholdPercent));
  // Busy is not sick: high CPU or memory on a server that reports healthy and logs no symptom.
  if (
    hot.length &&
    !hung.length &&
    !oom.length &&
    !exhaustion.length &&
    !symptoms.length &&
    status === 'sev3'
  )
    return verdict('monitor', 'performance', 'sev3', 'busy_but_healthy', hot);
  if (hotEnough && (hung.length || oom.length || exhaustion.length || hot.length)) {
    const memoryLed = oom.length > 0 || has(mine, 'high_memory');
    const crashing = memoryLed && (oom.length > 0 || status === 'sev1');
    return verdict(
      'restart',
      crashing ? 'availability' : 'performance',
      atLeastSev2,
      'restartable',
      [...oom, ...hung, ...exhaustion, ...hot, ...symptoms],
    );
  }

  const probes = pick(mine, ['probe_failure']);
  if (probes.length)
    return escalate('availability', atLeastSev2, 'probe_failure', [...probes, ...health_]);

  // Crashed once: back and healthy is a ticket to watch; still failing is an outage.
  const crashed = pick(mine, ['process_crashed']);
  if (crashed.length) {
    const drivers = [...crashed, ...oom, ...pick(mine, ['application_errors']), ...health_];
    return status === 'sev3'
      ? verdict('monitor', 'availability', 'sev3', 'crashed_and_recovered', drivers)
      : escalate('availability', status, 'process_crashed', drivers);
  }

  const slow = pick(mine, ['latency']);
  if (slow.length)
    return status === 'sev3'
      ? verdict('monitor', 'performance', 'sev3', 'slow_but_healthy', slow)
      : escalate('performance', status, 'latency', [...slow, ...health_]);

  // A known symptom that does not justify a restart still says what kind of incident this is.
  const belowThreshold = [...oom, ...exhaustion];
  if (belowThreshold.length)
    return escalate(
      oom.length ? 'availability' : 'performance',
      status,
      'below_restart_threshold',
      [...belowThreshold, ...pick(mine, ['unhealthy_status'])],
    );

  const unhealthy = pick(mine, [
    'unhealthy_status',
    'application_errors',
    'high_cpu',
    'high_memory',
  ]);
  // Nothing explains it; if the report is about slowness, it is a performance incident.
  // An unexplained failure right after a change (recorded, or seen in the logs) is the change's
  // until shown otherwise.
  const changed = pick(mine, ['recent_change', 'change_in_logs']);
  const unclearCategory: Category = changed.length
    ? 'change'
    : REPORTS_SLOWNESS.test(context.report)
      ? 'performance'
      : 'unknown';
  if (unhealthy.length && status !== 'sev3')
    return escalate(unclearCategory, status, 'unclear_status', [...unhealthy, ...changed]);
  if (unhealthy.length)
    return escalate(unclearCategory, 'sev3', 'unclear_errors', [...unhealthy, ...changed]);

  return verdict('monitor', 'unknown', 'sev3', 'nothing_found', []);
}

/** Non-production cannot have major customer impact; a dev box is never more than minor. */
export function environmentCap(verdict: Verdict, environment: Environment): Severity {
  if (environment === 'prod') return verdict.severity;
  // A compromised host is a foothold wherever it is: security keeps sev2 even in dev.
  const cap = environment === 'staging' || verdict.category === 'security' ? 'sev2' : 'sev3';
  return leastSevere(verdict.severity, cap);
}

const ACTION_RANK: Record<Action, number> = { escalate: 0, restart: 1, monitor: 2 };
const UNCLEAR: ReadonlySet<Cause> = new Set(['unclear_status', 'unclear_errors', 'nothing_found']);

/**
 * Which server's verdict speaks for the incident: a security finding first; then a server with a
 * problem over one without; the server that carries the problem over those that only suffer it
 * (they log that they cannot reach it); a known cause over "cause unclear", so noise on a
 * bystander does not decide; then the more cautious action and the worse severity.
 */
function rank(a: Verdict, b: Verdict): number {
  return (
    Number(b.category === 'security') - Number(a.category === 'security') ||
    Number(a.action === 'monitor') - Number(b.action === 'monitor') ||
    Number(Boolean(b.victims?.length)) - Number(Boolean(a.victims?.length)) ||
    Number(UNCLEAR.has(a.cause)) - Number(UNCLEAR.has(b.cause)) ||
    ACTION_RANK[a.action] - ACTION_RANK[b.action] ||
    severityRank[a.severity] - severityRank[b.severity]
  );
}

/** One verdict for the incident; two restarts at once mean a shared cause. */
export function combine(
  verdicts: readonly Verdict[],
  signals: readonly Signal[],
  inScope: ReadonlySet<string>,
): Verdict | null {
  const sorted = [...verdicts].sort(rank);
  const top = sorted[0];
  if (!top) return null;
  const worst = verdicts
    .filter((v) => v.action !== 'monitor' || top.action === 'monitor')
    .reduce<Severity>((s, v) => mostSevere(s, v.severity), 'sev3');
  const restarts = verdicts.filter((v) => v.action === 'restart');
  if (top.action === 'restart' && restarts.length > 1) {
    return {
      ...top,
      action: 'escalate',
      restartServer: null,
      cause: 'saturated_together',
      severity: worst,
      drivers: restarts.flatMap((v) => v.drivers),
    };
  }
  // A restart the guard would refuse is not proposed: the server is not in scope, or something
  // anywhere in the evidence (its clients' dependency failures, say) blocks it.
  if (
    top.action === 'restart' &&
    (!inScope.has(top.server) || signals.some((s) => RESTART_BLOCKING.has(s.id)))
  )
    return { ...top, action: 'escalate', restartServer: null, severity: worst };
  return { ...top, severity: worst };
}

/** Severity for the whole incident: a widespread report raises it. */
export function adjustSeverity(
  verdict: Verdict,
  report: string,
  signals: readonly Signal[],
): Severity {
  const failing = new Set(
    signals
      .filter((s) => s.id === 'server_down' || s.detail === 'status error')
      .map((s) => s.subject),
  );
  if (verdict.action !== 'monitor' && WIDESPREAD.test(report))
    return mostSevere(verdict.severity, failing.size >= 2 ? 'sev0' : 'sev1');
  return verdict.severity;
}

/** Servers that log they cannot reach another server, and the servers they name. */
export type Dependencies = ReadonlyMap<string, readonly string[]>;

/**
 * The incident's verdict from its signals: each server judged (in scope, or followed to as a
 * dependency), severity capped by the environment it runs in, then combined and raised for a
 * widespread report. Null when nothing is in scope.
 */
export function decide(
  servers: readonly ServerInfo[],
  evidence: readonly Evidence[],
  signals: readonly Signal[],
  context: JudgeContext & {
    environment: Environment;
    inScope: ReadonlySet<string>;
    dependencies?: Dependencies;
  },
): Verdict | null {
  if (servers.length === 0) return null;
  const healthOf = (id: string) =>
    [...evidence].reverse().find((e) => e.source.subject === id && e.data.kind === 'health');
  const judged = servers.map((s) => {
    const v = judgeServer(s, signals, context, healthOf(s.id));
    // The incident's environment applies to what is in its scope; a followed server keeps its own.
    const environment = context.inScope.has(s.id) ? context.environment : s.environment;
    return { ...v, severity: environmentCap(v, environment) };
  });
  // Follow a dependency: a server others cannot reach, with a problem of its own, carries it.
  const verdicts = judged.map((v) => {
    if (v.action === 'monitor' || UNCLEAR.has(v.cause)) return v;
    const victims = [...(context.dependencies ?? [])]
      .filter(([victim, named]) => victim !== v.server && named.includes(v.server))
      .map(([victim]) => victim);
    return victims.length
      ? {
          ...v,
          victims,
          drivers: [
            ...v.drivers,
            ...signals.filter(
              (s) =>
                victims.includes(s.subject) &&
                (s.id === 'dependency_failure' || s.id === 'dns_failure'),
            ),
          ],
        }
      : v;
  });
  const combined = combine(verdicts, signals, context.inScope);
  if (!combined) return null;
  const raised = { ...combined, severity: adjustSeverity(combined, context.report, signals) };
  const where = context.inScope.has(raised.server)
    ? context.environment
    : (servers.find((s) => s.id === raised.server)?.environment ?? context.environment);
  return { ...raised, severity: environmentCap(raised, where) };
}
