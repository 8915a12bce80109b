import type { Evidence } from '../../domain/evidence.ts';
import type { Signal, SignalId, SignalOptions } from './types.ts';
import { SIGNATURES } from './vocabulary.ts';

/** Lines longer than this are cut before detection, so no pattern ever scans an unbounded line. */
const MAX_LINE = 500;

/**
 * The text lines of an evidence item, the one input of log-signature detection. Logs are their
 * lines; a new evidence kind with text a human would read (events, pod status) adds its case here.
 */
export function evidenceLines(e: Evidence): readonly string[] {
  switch (e.data.kind) {
    case 'logs':
      return e.data.lines.map((l) => (l.length > MAX_LINE ? l.slice(0, MAX_LINE) : l));
    case 'health':
    case 'changes':
    case 'error':
      return [];
  }
}

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

const DEFAULT_RECENT_CHANGE_MINUTES = 120;

/** How loud a log line is, to quote the most severe of several matching lines. */
function loudness(line: string): number {
  if (/\b(FATAL|CRIT(ICAL)?|EMERG|ALERT|PANIC)\b/i.test(line)) return 3;
  if (/\bERR(OR)?\b/i.test(line)) return 2;
  if (/\bWARN(ING)?\b/i.test(line)) return 1;
  return 0;
}

function lineSignals(e: Evidence, lines: readonly string[]): Signal[] {
  const found: Signal[] = [];
  for (const signature of SIGNATURES) {
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
      case 'logs':
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
