import type { Fact, Hypothesis, PlannerDraft } from '../../domain/brief.ts';
import type { Evidence } from '../../domain/evidence.ts';
import {
  type Action,
  type Category,
  type Environment,
  leastSevere,
  mostSevere,
  type Severity,
  severityRank,
} from '../../domain/vocabulary.ts';
import type { ServerInfo } from '../../tools/backends.ts';
import { outOfScopeDraft } from '../scope.ts';
import {
  abnormal,
  detectSignals,
  has,
  RESTART_BLOCKING,
  SIGNAL_LABELS,
  type Signal,
  type SignalId,
} from '../signals.ts';
import { type PlanContext, type Planner, type PlanOutcome, reportWithoutModel } from './planner.ts';
import { MONITOR_CHECKS, RUNBOOK } from './runbook.ts';

type Verdict = {
  action: Action;
  category: Category;
  severity: Severity;
  restartServer: string | null;
  /** A few words for the title. */
  headline: string;
  /** The signals that drove it, most important first. */
  drivers: Signal[];
};

const WIDESPREAD =
  /\b(all (users|customers|regions)|everyone|widespread|complete outage|entire (site|platform)|site[- ]wide)\b/i;
const LEGAL_RISK = /exfiltrat|data breach|\bPII\b|personal data/i;

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
function judgeServer(
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
    headline: string,
    drivers: Signal[],
  ): Verdict => ({
    action: 'escalate',
    category,
    severity,
    restartServer: null,
    headline,
    drivers,
  });

  const suspicious = pick(mine, ['suspicious_activity']);
  if (suspicious.length)
    return escalate(
      'security',
      suspicious.some((s) => LEGAL_RISK.test(s.detail)) ? 'sev0' : 'sev1',
      'suspicious activity',
      suspicious,
    );

  const data = pick(mine, ['data_integrity']);
  if (data.length) return escalate('data', 'sev1', 'data integrity at risk', data);

  const deploy = pick(signals, ['bad_deploy'], id);
  if (deploy.length)
    return escalate('change', mostSevere(status, 'sev2'), 'errors after a recent deploy', [
      ...deploy,
      ...pick(mine, ['recent_change', 'application_errors']),
    ]);

  const disk = pick(mine, ['disk_full', 'storage_failure']);
  if (disk.length)
    return escalate(
      'availability',
      mostSevere(status, 'sev2'),
      disk[0]?.id === 'disk_full' ? 'disk full' : 'storage failing',
      disk,
    );

  const dependency = pick(mine, ['dependency_failure', 'dns_failure']);
  if (dependency.length)
    return escalate(
      'availability',
      mostSevere(status, 'sev2'),
      dependency[0]?.id === 'dns_failure' ? 'DNS resolution failing' : 'dependency unreachable',
      dependency,
    );

  const tls = pick(mine, ['tls_failure']);
  if (tls.length) {
    const expiringOnly = tls.every((s) => /expires? in \d+ days?/i.test(s.detail));
    return escalate(
      'availability',
      expiringOnly ? 'sev3' : mostSevere(status, 'sev2'),
      expiringOnly ? 'TLS certificate expiring soon' : 'TLS certificate failure',
      tls,
    );
  }

  const auth = pick(mine, ['auth_failure']);
  if (auth.length)
    return escalate('availability', mostSevere(status, 'sev2'), 'authentication failing', auth);

  // The platform already restarts it and it dies again: another restart is not a fix.
  const looping = pick(mine, ['crash_loop']);
  if (looping.length)
    return escalate('availability', mostSevere(status, 'sev2'), 'crash loop', [
      ...looping,
      ...pick(mine, ['out_of_memory', 'application_errors']),
    ]);

  const surge = pick(mine, ['traffic_surge']);
  if (surge.length)
    return escalate('performance', mostSevere(status, 'sev2'), 'traffic surge', [
      ...surge,
      ...pick(mine, ['high_cpu', 'resource_exhaustion']),
    ]);

  // A server that is down needs more than a service restart, whatever its last log lines said.
  const down = pick(mine, ['server_down']);
  if (down.length) return escalate('availability', 'sev1', 'server down', down);

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
      headline: `${hot.map((s) => s.detail).join(', ')} but healthy, with no symptom in the logs`,
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
      headline: [
        oom.length ? 'out of memory' : has(mine, 'high_memory') ? 'memory exhaustion' : null,
        has(mine, 'high_cpu') || exhaustion.length ? 'CPU saturation' : null,
        hung.length ? 'hung process' : null,
      ]
        .filter(Boolean)
        .join(', '),
      drivers: [...oom, ...hung, ...exhaustion, ...hot],
    };
  }

  // A known symptom that does not justify a restart still says what kind of incident this is.
  const symptoms = [...oom, ...exhaustion];
  if (symptoms.length)
    return escalate(
      oom.length ? 'availability' : 'performance',
      status,
      `${SIGNAL_LABELS[symptoms[0]?.id ?? 'unhealthy_status']}, below the restart threshold`,
      [...symptoms, ...pick(mine, ['unhealthy_status'])],
    );

  const unhealthy = pick(mine, [
    'unhealthy_status',
    'application_errors',
    'high_cpu',
    'high_memory',
  ]);
  if (unhealthy.length && status !== 'sev3')
    return escalate(
      'unknown',
      status,
      `${unhealthy[0]?.detail ?? 'unhealthy'}, cause unclear`,
      unhealthy,
    );
  if (unhealthy.length) return escalate('unknown', 'sev3', 'errors with no clear cause', unhealthy);

  return {
    action: 'monitor',
    category: 'unknown',
    severity: 'sev3',
    restartServer: null,
    headline: 'no problem found',
    drivers: [],
  };
}

const ACTION_RANK: Record<Action, number> = { escalate: 0, restart: 1, monitor: 2 };

/** One verdict for the incident: the most decisive server wins; two restarts at once mean a shared cause. */
function combine(verdicts: readonly Verdict[]): Verdict | null {
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
      headline: `${restarts.length} servers saturated at once`,
      drivers: restarts.flatMap((v) => v.drivers),
    };
  }
  const worst = verdicts.reduce<Severity>((s, v) => mostSevere(s, v.severity), 'sev3');
  return { ...top, severity: worst };
}

function adjustSeverity(
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

/** "15 min ago", "5 h ago", "3 days ago": how long before the evidence was read. */
function ago(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

function facts(evidence: readonly Evidence[], signals: readonly Signal[]): Fact[] {
  const out: Fact[] = [];
  for (const e of evidence) {
    switch (e.data.kind) {
      case 'health':
        out.push({
          text: `${e.source.subject} reports cpu ${e.data.cpu}%, memory ${e.data.memory}%, status ${e.data.status}`,
          evidence: [e.id],
        });
        break;
      case 'logs': {
        const found = signals.filter((s) => s.evidence.includes(e.id) && s.evidence.length === 1);
        for (const s of found)
          out.push({
            text: `${e.source.subject} logs show ${SIGNAL_LABELS[s.id]}: "${s.detail}"`,
            evidence: [e.id],
          });
        if (found.length === 0)
          out.push({
            text: `${e.source.subject} logs show no error signature (${e.data.lines.length} lines read)`,
            evidence: [e.id],
          });
        break;
      }
      case 'changes': {
        const newest = e.data.changes[0];
        out.push({
          text: newest
            ? `${e.source.subject} last changed ${ago(Date.parse(e.source.at) - Date.parse(newest.at))}: "${newest.description}" (${newest.at})`
            : `${e.source.subject} has no recorded changes`,
          evidence: [e.id],
        });
        break;
      }
      case 'error':
        out.push({
          text: `Could not ${e.source.tool.replaceAll('_', ' ')} for ${e.source.subject}: ${e.data.message}`,
          evidence: [e.id],
        });
        break;
    }
  }
  const deploy = signals.find((s) => s.id === 'bad_deploy');
  if (deploy)
    out.push({
      text: `Errors follow a recent change: ${deploy.detail}`,
      evidence: deploy.evidence,
    });
  return out;
}

/**
 * The signals worth a runbook entry, most decisive first. "Unhealthy status without a clear
 * signature" is only true when no log signature explains the status.
 */
function runbookIds(verdict: Verdict, signals: readonly Signal[]): SignalId[] {
  const ids = [...new Set([...verdict.drivers, ...abnormal(signals)].map((s) => s.id))];
  const explained = ids.some(
    (id) => id !== 'unhealthy_status' && id !== 'high_cpu' && id !== 'high_memory',
  );
  return explained ? ids.filter((id) => id !== 'unhealthy_status') : ids;
}

function hypotheses(verdict: Verdict, signals: readonly Signal[]): Hypothesis[] {
  const ids = runbookIds(verdict, signals);
  const out: Hypothesis[] = [];
  for (const [i, id] of ids.entries()) {
    const entry = RUNBOOK[id];
    if (!entry) continue;
    const corroborated = verdict.drivers.some((d) => d.id === id) && verdict.drivers.length > 1;
    out.push({
      text: entry.hypothesis,
      confidence: i === 0 ? (corroborated ? 'high' : 'medium') : 'low',
    });
  }
  return out.slice(0, 4);
}

function checksAndNext(
  verdict: Verdict,
  signals: readonly Signal[],
): { safeChecks: string[]; nextActions: string[] } {
  const ids = runbookIds(verdict, signals);
  const safeChecks = [...new Set(ids.flatMap((id) => RUNBOOK[id]?.checks ?? []))].slice(0, 6);
  const nextActions = [...new Set(ids.flatMap((id) => RUNBOOK[id]?.next ?? []))].slice(0, 4);
  if (verdict.action === 'monitor')
    return {
      safeChecks: [...MONITOR_CHECKS],
      nextActions: ['No action needed now; re-run triage if the symptom returns'],
    };
  if (verdict.action === 'restart' && verdict.restartServer) {
    nextActions.unshift(
      `Approve or deny the proposed restart of ${verdict.restartServer}; the bot re-checks health afterwards and escalates if it does not recover`,
    );
  }
  return { safeChecks, nextActions };
}

function impactOf(
  verdict: Verdict,
  servers: readonly ServerInfo[],
  report: string,
  environment: Environment,
): string {
  const names =
    servers.map((s) => (s.service ? `${s.id} (${s.service})` : s.id)).join(', ') ||
    'no known server';
  const how: Record<Severity, string> = {
    sev0: 'widespread outage',
    sev1: 'major customer impact',
    sev2: 'partial degradation',
    sev3: 'minor or no visible impact',
  };
  return `${names} in ${environment}: ${verdict.headline}; ${verdict.severity} (${how[verdict.severity]}). Reported as: "${report.slice(0, 200)}"`;
}

/**
 * Deterministic triage from the evidence: log signatures and health thresholds, the same every
 * time. The default without a model key, and the fallback whenever the model fails.
 */
export class RulesPlanner implements Planner {
  readonly name = 'rules';
  readonly model = null;

  async plan(context: PlanContext): Promise<PlanOutcome> {
    const started = performance.now();
    const { scope, session } = context;
    const evidence = session.evidence;
    const serviceOf = new Map(scope.servers.map((s) => [s.id, s.service]));
    const signals = detectSignals(evidence, { ...context.signalOptions, serviceOf });
    const healthOf = (id: string) =>
      [...evidence].reverse().find((e) => e.source.subject === id && e.data.kind === 'health');
    const verdicts = scope.servers.map((s) =>
      judgeServer(s, signals, context.signalOptions.thresholdPercent, healthOf(s.id)),
    );
    const combined = combine(verdicts);
    const draft = combined ? this.draft(combined, context, signals) : outOfScopeDraft(scope);
    return {
      draft,
      report: reportWithoutModel(performance.now() - started),
    };
  }

  private draft(verdict: Verdict, context: PlanContext, signals: readonly Signal[]): PlannerDraft {
    const { scope, report, environment, session } = context;
    const severity = adjustSeverity(verdict, report, environment, signals);
    const final = { ...verdict, severity };
    const subject = final.restartServer ?? scope.servers.map((s) => s.id).join(', ');
    const blocking = signals.filter((s) => RESTART_BLOCKING.has(s.id));
    const decisionText: Record<Action, string> = {
      restart: `a restart of ${final.restartServer} is proposed and needs approval`,
      escalate: blocking.length
        ? `a restart will not help (${SIGNAL_LABELS[blocking[0]?.id ?? 'unhealthy_status']}), escalating to an engineer`
        : 'escalating to an engineer',
      monitor: 'no action needed; keep watching',
    };
    const { safeChecks, nextActions } = checksAndNext(final, signals);
    if (scope.unknown.length)
      nextActions.push(`Check the name: ${scope.unknown.join(', ')} is not a known server`);
    return {
      title: `${subject}: ${final.headline}`.slice(0, 150),
      summary: `${final.headline[0]?.toUpperCase()}${final.headline.slice(1)} on ${subject}; ${decisionText[final.action]}.`,
      category: final.category,
      severity,
      action: final.action,
      restartServer: final.restartServer,
      facts: facts(session.evidence, signals),
      hypotheses: hypotheses(final, signals),
      // The runbook's checks name the server when there is one to name.
      safeChecks:
        scope.servers.length === 1 || final.restartServer
          ? safeChecks.map((c) => c.replaceAll('<server>', final.restartServer ?? subject))
          : safeChecks,
      nextActions,
      impact: impactOf(final, scope.servers, report, environment),
    };
  }
}
