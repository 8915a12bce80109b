import type { Fact, Hypothesis, PlannerDraft } from '../../../../domain/brief.ts';
import type { Evidence } from '../../../../domain/evidence.ts';
import type { Action, Environment, Severity } from '../../../../domain/vocabulary.ts';
import type { ServerInfo } from '../../../../tools/backends.ts';
import type { Scope } from '../../../investigation/scope.ts';
import {
  abnormal,
  RESTART_BLOCKING,
  SIGNAL_LABELS,
  type Signal,
  type SignalId,
} from '../../signals/index.ts';
import { MONITOR_CHECKS, RUNBOOK } from './runbook.ts';
import type { Cause, Verdict } from './verdict.ts';

/** A few words for the title: what the verdict found, in a responder's terms. */
export function headline(verdict: Verdict): string {
  const said = causeText(verdict);
  return verdict.victims?.length ? `${said}; ${victimsText(verdict)}` : said;
}

/** "web-01 cannot reach it", "web-01, web-02 cannot reach it": why the verdict moved here. */
function victimsText(verdict: Verdict): string {
  return `${(verdict.victims ?? []).join(', ')} cannot reach it`;
}

/** What the verdict found, without who else it affects. */
function causeText(verdict: Verdict): string {
  const { drivers } = verdict;
  const ids = new Set(drivers.map((d) => d.id));
  const fixed: Partial<Record<Cause, string>> = {
    suspicious_activity: 'suspicious activity',
    data_integrity: 'data integrity at risk',
    bad_deploy: 'errors after a recent deploy',
    disk_full: 'disk full',
    storage_failure: 'storage failing',
    dns_failure: 'DNS resolution failing',
    dependency_failure: 'dependency unreachable',
    tls_failure: 'TLS certificate failure',
    tls_expiring: 'TLS certificate expiring soon',
    auth_failure: 'authentication failing',
    crash_loop: 'crash loop',
    traffic_surge: 'traffic surge',
    server_down: 'server down',
    config_error: 'configuration or syntax error',
    image_pull_failure: 'image cannot be pulled',
    node_pressure: 'node under resource pressure',
    scheduling_failure: 'pods cannot be scheduled',
    authorization_failure: 'permission denied',
    throttling: 'throttled at its limit',
    probe_failure: 'health checks failing',
    process_crashed: 'process crashed',
    crashed_and_recovered: 'crashed once and recovered',
    latency: 'slow responses',
    slow_but_healthy: 'slow responses, otherwise healthy',
    unclear_errors: 'errors with no clear cause',
    nothing_found: 'no problem found',
  };
  return sayCause(verdict, drivers, ids, fixed);
}

function sayCause(
  verdict: Verdict,
  drivers: readonly Signal[],
  ids: ReadonlySet<SignalId>,
  fixed: Partial<Record<Cause, string>>,
): string {
  switch (verdict.cause) {
    case 'busy_but_healthy':
      return `${drivers.map((s) => s.detail).join(', ')} but healthy, with no symptom in the logs`;
    case 'restartable':
      return [
        ids.has('out_of_memory')
          ? 'out of memory'
          : ids.has('high_memory')
            ? 'memory exhaustion'
            : null,
        ids.has('high_cpu') || ids.has('resource_exhaustion') ? 'CPU saturation' : null,
        ids.has('hung_process') ? 'hung process' : null,
      ]
        .filter(Boolean)
        .join(', ');
    case 'saturated_together':
      return `${new Set(drivers.map((d) => d.subject)).size} servers saturated at once`;
    case 'below_restart_threshold':
      return `${SIGNAL_LABELS[drivers[0]?.id ?? 'unhealthy_status']}, below the restart threshold`;
    case 'unclear_status':
      return `${drivers[0]?.detail ?? 'unhealthy'}, cause unclear`;
    default:
      return fixed[verdict.cause] ?? verdict.cause;
  }
}

const capitalised = (text: string) => `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;

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
      case 'kubernetes': {
        const found = signals.filter(
          (s) => s.evidence.includes(e.id) && s.evidence.length === 1 && s.id !== 'recent_change',
        );
        for (const s of found)
          out.push({
            text: `${e.source.subject} in Kubernetes shows ${SIGNAL_LABELS[s.id]}: "${s.detail}"`,
            evidence: [e.id],
          });
        if (found.length === 0) out.push({ text: e.summary, evidence: [e.id] });
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

/** Signals a reading or a status implies, as against a line that states the cause. */
const INFERRED: ReadonlySet<SignalId> = new Set([
  'unhealthy_status',
  'server_down',
  'high_cpu',
  'high_memory',
]);

/**
 * The readings that bear out a cause on their own terms: memory for out of memory, CPU for a hang
 * or a pool starved of threads. A status such as "error" fits any cause, so it bears out none.
 */
const BORNE_OUT_BY: Partial<Record<SignalId, readonly SignalId[]>> = {
  out_of_memory: ['high_memory'],
  hung_process: ['high_cpu', 'high_memory'],
  resource_exhaustion: ['high_cpu'],
  throttling: ['high_cpu'],
  latency: ['high_cpu'],
  traffic_surge: ['high_cpu'],
};

/**
 * How sure the rules can be of one hypothesis, and why, in words the responder can check.
 * High: the cause drives the verdict and independent evidence agrees: a reading that bears it out
 * (memory at the threshold beside an OutOfMemoryError), or more than one evidence item says it
 * (two servers, a change record and the errors after it). Medium: it drives the verdict on lines
 * of one log only, however many; or a secondary cause several lines state. Low: only inferred (a
 * status, a reading), or one line beside the main cause.
 */
function confidenceOf(
  id: SignalId,
  verdict: Verdict,
  signals: readonly Signal[],
): { confidence: Hypothesis['confidence']; basis: string } {
  const seen = signals.filter((s) => s.id === id);
  const lines = seen.reduce((n, s) => n + (s.lines?.length ?? 0), 0);
  const evidence = [...new Set(seen.flatMap((s) => s.evidence))];
  const main = verdict.drivers[0]?.id === id;
  const where = evidence.join(', ');
  if (INFERRED.has(id)) {
    const others = [
      ...new Set(verdict.drivers.filter((d) => d.id !== id).flatMap((d) => d.evidence)),
    ].filter((e) => !evidence.includes(e));
    const agrees = others.length > 0;
    return {
      confidence: main && agrees ? 'medium' : 'low',
      basis: agrees
        ? `inferred from ${where}, consistent with ${others.join(', ')}`
        : `inferred from ${where} only`,
    };
  }
  const readings = verdict.drivers.filter(
    (d) => BORNE_OUT_BY[id]?.includes(d.id) && d.evidence.some((e) => !evidence.includes(e)),
  );
  const said =
    lines > 0 && lines < evidence.length
      ? `${lines === 1 ? 'one line' : `${lines} lines`} and a reading in ${where}`
      : lines > 1
        ? `${lines} matching lines in ${where}`
        : lines === 1
          ? `one line in ${where}`
          : `seen in ${where}`;
  if (main && (readings.length > 0 || evidence.length > 1))
    return {
      confidence: 'high',
      basis: readings.length
        ? `${said}, borne out by ${readings.map((r) => `${r.detail} (${r.evidence.join(', ')})`).join(', ')}`
        : said,
    };
  if (main || lines > 1) return { confidence: 'medium', basis: said };
  return { confidence: 'low', basis: `${said}, beside the main cause` };
}

function hypotheses(verdict: Verdict, signals: readonly Signal[]): Hypothesis[] {
  const out: Hypothesis[] = [];
  for (const id of runbookIds(verdict, signals)) {
    const entry = RUNBOOK[id];
    if (!entry) continue;
    const { confidence, basis } = confidenceOf(id, verdict, signals);
    out.push({ text: `${entry.hypothesis} (${basis})`, confidence });
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

const IMPACT: Record<Severity, string> = {
  sev0: 'widespread outage',
  sev1: 'major customer impact',
  sev2: 'partial degradation',
  sev3: 'minor or no visible impact',
};

function impactOf(
  verdict: Verdict,
  servers: readonly ServerInfo[],
  report: string,
  environment: Environment,
): string {
  const names =
    servers.map((s) => (s.service ? `${s.id} (${s.service})` : s.id)).join(', ') ||
    'no known server';
  return `${names} in ${environment}: ${headline(verdict)}; ${verdict.severity} (${IMPACT[verdict.severity]}). Reported as: "${report.slice(0, 200)}"`;
}

/** The draft a responder reads: the verdict, said in words, with the runbook's checks. */
export function wordDraft(
  verdict: Verdict,
  context: {
    scope: Scope;
    report: string;
    environment: Environment;
    evidence: readonly Evidence[];
  },
  signals: readonly Signal[],
): PlannerDraft {
  const { scope, report, environment } = context;
  const title = headline(verdict);
  // The server that carries the problem names the incident when the verdict followed it there.
  const subject =
    verdict.restartServer ??
    (verdict.victims?.length ? verdict.server : scope.servers.map((s) => s.id).join(', '));
  // The refusal names what drove the verdict first, then anything else that blocks a restart.
  const blocking = [...verdict.drivers, ...signals].filter((s) => RESTART_BLOCKING.has(s.id));
  const decisionText: Record<Action, string> = {
    restart: `a restart of ${verdict.restartServer} is proposed and needs approval`,
    escalate: blocking.length
      ? `a restart will not help (${SIGNAL_LABELS[blocking[0]?.id ?? 'unhealthy_status']}), escalating to an engineer`
      : 'escalating to an engineer',
    monitor: 'no action needed; keep watching',
  };
  const { safeChecks, nextActions } = checksAndNext(verdict, signals);
  if (scope.unknown.length)
    nextActions.push(`Check the name: ${scope.unknown.join(', ')} is not a known server`);
  if (!scope.servers.some((s) => s.id === verdict.server))
    nextActions.unshift(
      `${verdict.server} is outside this incident's scope: the bot read its health and logs because ${victimsText(verdict).replace(' it', ` ${verdict.server}`)}, but will not restart it; engage its owners`,
    );
  return {
    title: `${subject}: ${title}`.slice(0, 150),
    summary: `${capitalised(causeText(verdict))} on ${subject}${verdict.victims?.length ? ` (${victimsText(verdict)})` : ''}; ${decisionText[verdict.action]}.`,
    category: verdict.category,
    severity: verdict.severity,
    action: verdict.action,
    restartServer: verdict.restartServer,
    facts: facts(context.evidence, signals),
    hypotheses: hypotheses(verdict, signals),
    // The runbook's checks name the server when there is one to name.
    safeChecks:
      scope.servers.length === 1 || verdict.restartServer
        ? safeChecks.map((c) => c.replaceAll('<server>', verdict.restartServer ?? subject))
        : safeChecks,
    nextActions,
    impact: impactOf(verdict, scope.servers, report, environment),
  };
}
