import type { Change, Evidence } from '../../../domain/evidence.ts';
import { kubernetesLines, revisionChanges } from '../../../tools/kubernetes/lines.ts';
import type { LineSignalId, Signal, SignalId, SignalOptions } from './types.ts';
import { type Term, VOCABULARIES } from './vocabulary/index.ts';
import { CPU_LIMIT_LINES } from './vocabulary/kubernetes.ts';

/** Lines longer than this are cut before detection, so no pattern ever scans an unbounded line. */
const MAX_LINE = 500;
/** Matching lines kept on a signal. */
const MAX_LINES_KEPT = 20;

/**
 * The text lines of an evidence item, the one input of log-signature detection. Logs are their
 * lines; a new evidence kind with text a human would read (events, pod status) adds its case here.
 */
export function evidenceLines(e: Evidence): readonly string[] {
  switch (e.data.kind) {
    case 'logs':
      return e.data.lines.map((l) => (l.length > MAX_LINE ? l.slice(0, MAX_LINE) : l));
    case 'kubernetes':
      return kubernetesLines(e.data).map((l) => (l.length > MAX_LINE ? l.slice(0, MAX_LINE) : l));
    case 'health':
    case 'changes':
    case 'error':
      return [];
  }
}

/**
 * The line signals in the order facts list them, and how each reads lines. `skipRoutine` ignores
 * lines the logger itself marked routine (INFO/DEBUG/TRACE): a client hanging up or a user
 * mistyping a password is logged at info all day and is not an incident. `unless` drops lines that
 * only look like the class.
 */
const CLASSES: readonly { id: LineSignalId; skipRoutine?: boolean; unless?: RegExp }[] = [
  { id: 'suspicious_activity' },
  { id: 'data_integrity' },
  { id: 'disk_full' },
  { id: 'storage_failure' },
  // MySQL reverse-resolves client addresses and warns when it cannot: not the service's resolver.
  { id: 'dns_failure', skipRoutine: true, unless: /\bIP address '[^']+' could not be resolved\b/ },
  { id: 'tls_failure' },
  // A probe's "connection refused" is the container's own port, not a dependency; a volume mount
  // timing out is storage.
  {
    id: 'dependency_failure',
    skipRoutine: true,
    unless: /\b(readiness|liveness|startup) probe\b|\bprobe failed\b|\bMountVolume\b/i,
  },
  { id: 'crash_loop' },
  { id: 'out_of_memory' },
  { id: 'hung_process' },
  { id: 'traffic_surge' },
  { id: 'resource_exhaustion' },
  { id: 'auth_failure', skipRoutine: true },
  { id: 'application_errors' },
  { id: 'authorization_failure', skipRoutine: true },
  { id: 'config_error' },
  { id: 'image_pull_failure' },
  { id: 'scheduling_failure' },
  { id: 'node_pressure' },
  { id: 'throttling' },
  { id: 'probe_failure' },
  { id: 'process_crashed' },
  { id: 'latency' },
  { id: 'change_in_logs' },
];

/** How many lines of a tally make it a signal: a few failed logins are typos, more are an attack. */
const TALLIES: Record<NonNullable<Term['tally']>, number> = { failed_logins: 4 };

/**
 * Errors that, after a change, point at the change: the code or config it shipped is wrong.
 * Dependency, credential and capacity failures do not; they happen with or without a change.
 * Slowness does, when it follows a change to the same service: a release's slower query, or a
 * migration's lock that every query queues behind (PostgreSQL's log_lock_waits, MySQL's lock
 * wait timeouts) — rolling back or cancelling it is the fix, and a restart only drops the queue.
 */
export const REGRESSIONS: ReadonlySet<SignalId> = new Set([
  'application_errors',
  'config_error',
  'probe_failure',
  'crash_loop',
  'latency',
  'process_crashed',
  'image_pull_failure',
]);

const TERMS_BY_CLASS = new Map<LineSignalId, Term[]>();
for (const vocabulary of VOCABULARIES)
  for (const term of vocabulary.terms)
    TERMS_BY_CLASS.set(term.signal, [...(TERMS_BY_CLASS.get(term.signal) ?? []), term]);

/** Every pattern that raises a line signal, for readers and tests. */
export function patternsOf(id: LineSignalId): RegExp[] {
  return (TERMS_BY_CLASS.get(id) ?? []).map((t) => t.pattern);
}
export const LINE_SIGNAL_IDS: readonly LineSignalId[] = CLASSES.map((c) => c.id);

/** How loggers mark a routine line: `[INFO]`, `level=info`, `"level":"info"`, a leading `INFO`, `LOG:`. */
const ROUTINE_MARKS: readonly RegExp[] = [
  /\[\s*(info|debug|trace)\s*\]/i,
  /\blevel=(info|debug|trace)\b/i,
  /"level"\s*:\s*"(info|debug|trace)"/i,
  /^(\S+\s+){0,2}(INFO|DEBUG|TRACE)\b/,
  // PostgreSQL: `[pid] LOG:` is its informational level.
  /\]\s+(LOG|NOTICE|INFO|DEBUG\d?):\s/,
  /^(LOG|NOTICE|INFO|DEBUG\d?):\s/,
];
const routine = (line: string) => ROUTINE_MARKS.some((m) => m.test(line));

const UNIT_MS: Record<string, number> = { ms: 1, millisecond: 1, milliseconds: 1, s: 1000 };
function toMs(value: string | undefined, unit: string | undefined): number | null {
  if (value === undefined) return null;
  const u = (unit ?? 'ms').toLowerCase();
  const factor = UNIT_MS[u] ?? (u.startsWith('s') ? 1000 : 1);
  return Number(value) * factor;
}

function termMatches(term: Term, line: string): boolean {
  if (term.unless?.test(line)) return false;
  const match = term.pattern.exec(line);
  if (!match) return false;
  const groups = match.groups ?? {};
  if (term.slowerThanMs !== undefined) {
    const ms = toMs(groups.value, groups.unit || term.unit);
    return ms !== null && ms >= term.slowerThanMs;
  }
  const value = groups.value === undefined ? null : Number(groups.value);
  if (term.atLeast !== undefined && (value === null || value < term.atLeast)) return false;
  if (term.atMost !== undefined && (value === null || value > term.atMost)) return false;
  return true;
}

const DEFAULT_RECENT_CHANGE_MINUTES = 120;

/** How loud a log line is, to quote the most severe of several matching lines. */
function loudness(line: string): number {
  if (/\b(FATAL|CRIT(ICAL)?|EMERG|ALERT|PANIC)\b/i.test(line)) return 3;
  if (/\bERR(OR)?\b/i.test(line)) return 2;
  if (/\bWARN(ING)?\b/i.test(line)) return 1;
  return 0;
}

/** Line numbers matching each class in one evidence item. */
function matchLines(lines: readonly string[]): Map<LineSignalId, number[]> {
  const found = new Map<LineSignalId, number[]>();
  for (const cls of CLASSES) {
    const all = TERMS_BY_CLASS.get(cls.id) ?? [];
    const plain = all.filter((t) => !t.tally);
    const tallies = new Map<string, number[]>();
    const matched: number[] = [];
    lines.forEach((line, i) => {
      if (cls.skipRoutine && routine(line)) return;
      if (cls.unless?.test(line)) return;
      if (plain.some((t) => termMatches(t, line))) {
        matched.push(i);
        return;
      }
      for (const t of all)
        if (t.tally && termMatches(t, line)) {
          tallies.set(t.tally, [...(tallies.get(t.tally) ?? []), i]);
          break;
        }
    });
    for (const [tally, at] of tallies)
      if (at.length >= TALLIES[tally as keyof typeof TALLIES]) matched.push(...at);
    if (matched.length)
      found.set(
        cls.id,
        [...new Set(matched)].sort((a, b) => a - b),
      );
  }
  return found;
}

function loudest(lines: readonly string[]): string | undefined {
  // The loudest matching line is the one a human should read first; ties keep log order.
  return lines.reduce<string | undefined>(
    (best, l) => (best === undefined || loudness(l) > loudness(best) ? l : best),
    undefined,
  );
}

function lineSignals(e: Evidence, lines: readonly string[]): Signal[] {
  const subject = e.source.subject;
  const matched = matchLines(lines);
  const found: Signal[] = [];
  for (const [id, at] of matched) {
    const quoted = at.map((i) => lines[i] ?? '');
    const detail = loudest(quoted);
    if (detail !== undefined)
      found.push({
        id,
        subject,
        evidence: [e.id],
        detail,
        lines: quoted.slice(0, MAX_LINES_KEPT),
      });
  }
  // A change the logs themselves record (a reload, a rollout), then a regression after it.
  const change = matched.get('change_in_logs')?.[0];
  if (change !== undefined) {
    const after = [...matched]
      .filter(([id]) => REGRESSIONS.has(id))
      .flatMap(([, at]) => at.filter((i) => i > change));
    const first = Math.min(...after);
    if (after.length)
      found.push({
        id: 'bad_deploy',
        subject,
        evidence: [e.id],
        detail: `${lines[change]}, followed by "${lines[first]}"`,
      });
  }
  return found;
}

export function detectSignals(evidence: readonly Evidence[], options: SignalOptions): Signal[] {
  const signals: Signal[] = [];
  const recentMs = (options.recentChangeMinutes ?? DEFAULT_RECENT_CHANGE_MINUTES) * 60_000;
  for (const e of evidence) {
    const subject = e.source.subject;
    const lines = evidenceLines(e);
    if (lines.length > 0) signals.push(...lineSignals(e, lines));
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
      case 'changes': {
        const change = newestRecent(e.data.changes, subject, e.id, options, recentMs);
        if (change) signals.push(change);
        break;
      }
      case 'kubernetes': {
        // Rollout revisions are recent changes too, of the workload's service.
        const service = options.serviceOf?.get(subject) ?? subject;
        const revisions = revisionChanges(e.data, service).sort((a, b) => b.at.localeCompare(a.at));
        const change = newestRecent(revisions, service, e.id, options, recentMs);
        if (change) signals.push(change);
        break;
      }
      case 'logs':
      case 'error':
        break;
    }
  }
  return [
    ...signals,
    ...throttledAtLimit(evidence, signals),
    ...badDeploySignals(signals, options.serviceOf),
  ];
}

/** The newest change within the recent window, as a recent_change signal of `subject`. */
function newestRecent(
  changes: readonly Change[],
  subject: string,
  evidenceId: string,
  options: SignalOptions,
  recentMs: number,
): Signal | null {
  const newest = changes.find((c) => options.now.getTime() - Date.parse(c.at) <= recentMs);
  if (!newest) return null;
  const minutes = Math.round((options.now.getTime() - Date.parse(newest.at)) / 60_000);
  return {
    id: 'recent_change',
    subject,
    evidence: [evidenceId],
    detail: `${newest.description} (${minutes} min ago)`,
  };
}

/** CPU pinned on a server whose lines state a CPU limit: throttled at its own limit, not saturated. */
function throttledAtLimit(evidence: readonly Evidence[], signals: readonly Signal[]): Signal[] {
  return signals
    .filter((s) => s.id === 'high_cpu' && !has(signals, 'throttling', s.subject))
    .flatMap((cpu) => {
      for (const e of evidence) {
        if (e.source.subject !== cpu.subject) continue;
        const limit = evidenceLines(e).find((l) => CPU_LIMIT_LINES.some((p) => p.test(l)));
        if (limit !== undefined)
          return [
            {
              id: 'throttling' as const,
              subject: cpu.subject,
              evidence: [...cpu.evidence, e.id],
              detail: `${cpu.detail} against its limit: "${limit}"`,
              lines: [limit],
            },
          ];
      }
      return [];
    });
}

/** A recent change to a service whose servers then show a regression. */
function badDeploySignals(
  signals: readonly Signal[],
  serviceOf: ReadonlyMap<string, string | null> | undefined,
): Signal[] {
  return signals
    .filter((s) => s.id === 'recent_change')
    .flatMap((change) => {
      const errors = signals.filter(
        (s) =>
          REGRESSIONS.has(s.id) &&
          (!serviceOf || (serviceOf.get(s.subject) ?? s.subject) === change.subject),
      );
      const first = errors[0];
      if (!first) return [];
      return [
        {
          id: 'bad_deploy' as const,
          subject: first.subject,
          evidence: [...change.evidence, ...new Set(errors.flatMap((s) => s.evidence))],
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

/** Changes are context, not problems: a recent change or a logged reload alone is not abnormal. */
export const CONTEXT_ONLY: ReadonlySet<SignalId> = new Set(['recent_change', 'change_in_logs']);

/** Signals that show something is wrong (a change alone does not). */
export function abnormal(signals: readonly Signal[]): Signal[] {
  return signals.filter((s) => !CONTEXT_ONLY.has(s.id));
}
