import type { Memory, PastIncident } from '../../domain/brief.ts';
import { SIGNAL_LABELS, type SignalId } from '../decision/signals/index.ts';

/**
 * Memory in plain words, platform-neutral: the rules planner's wording, the model's context, the
 * terminal and the chat renderers all say the same thing.
 */

export function signalLabel(id: string): string {
  return id in SIGNAL_LABELS ? SIGNAL_LABELS[id as SignalId] : id.replaceAll('_', ' ');
}

/** At most three signatures by name, "and N more" after. */
function labels(ids: readonly string[]): string {
  const named = ids.slice(0, 3).map(signalLabel).join(', ');
  return ids.length > 3 ? `${named} and ${ids.length - 3} more` : named;
}

const OUTCOME: Record<PastIncident['outcome'], string> = {
  restart_recovered: 'a restart fixed it',
  restart_not_recovered: 'a restart did not fix it',
  restart_failed: 'the restart failed',
  restart_denied: 'the restart was denied',
  restart_expired: 'the restart proposal expired undecided',
  restart_pending: 'a restart was proposed',
  escalated: 'it was escalated',
  monitored: 'nothing was done (monitored)',
};

/** "a restart fixed it in 2 min", "it was escalated". */
export function outcomeText(p: PastIncident): string {
  if (p.outcome === 'restart_recovered' && p.minutesToRecovery !== null)
    return p.minutesToRecovery < 1
      ? 'a restart fixed it within a minute'
      : `a restart fixed it in ${p.minutesToRecovery} min`;
  return OUTCOME[p.outcome];
}

/**
 * "Seen 3× in the last 30 days (5× in 90) on payment-server-01 with the same signature (hung
 * process); last time a restart fixed it in 2 min — INC-1A2B3C4D". Null when nothing similar.
 */
export function memorySummary(memory: Memory | null | undefined): string | null {
  const last = memory?.similar[0];
  if (!memory || !last) return null;
  const counts =
    memory.seenInWindow > memory.seenLast30Days
      ? `${memory.seenLast30Days}× in the last 30 days (${memory.seenInWindow}× in ${memory.windowDays})`
      : `${memory.seenLast30Days}× in the last 30 days`;
  const seen =
    memory.seenLast30Days > 0 ? counts : `${memory.seenInWindow}× in ${memory.windowDays} days`;
  const where = last.subjects.join(', ');
  const what = labels(last.signals);
  return `Seen ${seen} on ${where} with the same signature (${what}); last time ${outcomeText(last)} — ${last.incidentId}`;
}

/** The chronic-restart sentence, or null: a restart only buys time. */
export function chronicNote(memory: Memory | null | undefined): string | null {
  const c = memory?.chronic;
  if (!c) return null;
  const what = labels(c.signals);
  return `${c.server} was restarted ${c.restarts}× in ${memory?.windowDays ?? 90} days for the same signature (${what}; ${c.incidents.join(', ')}): a restart only buys time, so the cause goes to the owning team as well`;
}

/** One line per similar incident (its date, UTC), for the model's context and the full brief. */
export function pastLines(memory: Memory | null | undefined): string[] {
  return (memory?.similar ?? []).map(
    (p) =>
      `${p.incidentId} (${p.at.slice(0, 10)}) on ${p.subjects.join(', ')}: ${labels(p.signals)} — ${outcomeText(p)}`,
  );
}
