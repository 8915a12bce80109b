import type { Memory, PastIncident, PastOutcome } from '../../domain/brief.ts';
import type { Proposal } from '../../domain/proposal.ts';
import type { IncidentRecord, Store } from '../../store/ports.ts';
import type { ServerInfo } from '../../tools/backends.ts';
import { CONTEXT_ONLY, type Signal } from '../decision/signals/index.ts';

/**
 * Memory of past incidents, from our own store: incidents about the same server or service with
 * the same signature (a signal id seen on it) in the last `windowDays`, how each ended, and whether
 * a server keeps being restarted for the same signature — chronic, where a restart only buys time.
 */
export const MEMORY_LIMITS = {
  windowDays: 90,
  /** The "seen N× in 30 days" count. */
  recentDays: 30,
  /** Past incidents read per lookup, newest first: bounded, so a busy fleet stays cheap. */
  candidates: 100,
  /** Similar incidents kept on the assessment (the counts cover all of them). */
  kept: 5,
  /** Restarts of one server for one signature before this incident that make it chronic. */
  chronicRestarts: 2,
} as const;

export type RecallInput = {
  incidentId: string;
  /** The servers in this incident's scope. */
  servers: readonly ServerInfo[];
  /** This incident's signals (context-only ones are ignored). */
  signals: readonly Signal[];
  /** Server id → service, for every known server: the same service counts as the same place. */
  serviceOf: ReadonlyMap<string, string | null>;
  now: Date;
};

type Sig = { id: string; subject: string };

const DAY_MS = 86_400_000;
const EXECUTED: ReadonlySet<Proposal['state']> = new Set([
  'executed',
  'recovered',
  'not_recovered',
]);

function outcomeOf(incident: IncidentRecord, proposal: Proposal | undefined): PastOutcome {
  switch (proposal?.state) {
    case 'recovered':
      return 'restart_recovered';
    case 'not_recovered':
      return 'restart_not_recovered';
    case 'failed':
      return 'restart_failed';
    case 'denied':
      return 'restart_denied';
    case 'expired':
      return 'restart_expired';
    case 'pending':
    case 'approved':
    case 'executed':
      return 'restart_pending';
    default:
      return incident.assessment?.action === 'escalate' ? 'escalated' : 'monitored';
  }
}

/** The signal ids two incidents share on one server, or on servers of one service. */
function shared(
  mine: readonly Sig[],
  theirs: readonly Sig[],
  serviceOf: ReadonlyMap<string, string | null>,
): { signals: string[]; subjects: string[] } {
  const place = (subject: string) => serviceOf.get(subject) ?? subject;
  const signals = new Set<string>();
  const subjects = new Set<string>();
  for (const p of theirs) {
    for (const c of mine) {
      if (c.id !== p.id) continue;
      if (c.subject === p.subject) subjects.add(p.subject);
      else if (place(c.subject) === place(p.subject)) subjects.add(place(p.subject));
      else continue;
      signals.add(p.id);
    }
  }
  return { signals: [...signals], subjects: [...subjects] };
}

/** What the store remembers about incidents like this one; null when there is nothing to compare. */
export async function recall(
  store: Pick<Store, 'incidents' | 'proposals'>,
  input: RecallInput,
): Promise<Memory | null> {
  const mine: Sig[] = input.signals.filter((s) => !CONTEXT_ONLY.has(s.id));
  if (mine.length === 0 || input.servers.length === 0) return null;
  const subjects = new Set<string>();
  for (const s of input.servers) {
    subjects.add(s.id);
    if (s.service) subjects.add(s.service);
  }
  for (const s of mine) subjects.add(s.subject);
  const since = new Date(input.now.getTime() - MEMORY_LIMITS.windowDays * DAY_MS);
  const candidates = await store.incidents.findBySubjects({
    subjects: [...subjects],
    since,
    excluding: input.incidentId,
    limit: MEMORY_LIMITS.candidates,
  });

  const similar: { incident: IncidentRecord; signals: string[]; subjects: string[] }[] = [];
  for (const incident of candidates) {
    const theirs = (incident.assessment?.signals ?? []).filter(
      (s) => !CONTEXT_ONLY.has(s.id as Signal['id']),
    );
    const match = shared(mine, theirs, input.serviceOf);
    if (match.signals.length) similar.push({ incident, ...match });
  }
  const proposals = await store.proposals.forIncidents(similar.map((s) => s.incident.id));
  const lastProposal = new Map<string, Proposal>();
  // Restarts executed per server and signature: the same signature restarted again and again.
  const restarts = new Map<string, Map<string, string[]>>();
  const inScope = new Set(input.servers.map((s) => s.id));
  for (const p of proposals) lastProposal.set(p.incidentId, p);
  for (const s of similar) {
    for (const p of proposals.filter((p) => p.incidentId === s.incident.id)) {
      if (!EXECUTED.has(p.state) || !inScope.has(p.serverId)) continue;
      const bySignal = restarts.get(p.serverId) ?? new Map<string, string[]>();
      for (const id of s.signals) bySignal.set(id, [...(bySignal.get(id) ?? []), s.incident.id]);
      restarts.set(p.serverId, bySignal);
    }
  }

  const past: PastIncident[] = similar.map(({ incident, signals, subjects: on }) => {
    const proposal = lastProposal.get(incident.id);
    const outcome = outcomeOf(incident, proposal);
    const minutes =
      outcome === 'restart_recovered' && proposal?.executedAt
        ? Math.max(0, (Date.parse(proposal.executedAt) - Date.parse(incident.createdAt)) / 60_000)
        : null;
    return {
      incidentId: incident.id,
      at: incident.createdAt,
      title: incident.assessment?.title ?? incident.report.slice(0, 150),
      subjects: on,
      signals,
      outcome,
      restartedServer: proposal?.serverId ?? null,
      minutesToRecovery: minutes === null ? null : Math.round(minutes),
    };
  });
  const recentSince = input.now.getTime() - MEMORY_LIMITS.recentDays * DAY_MS;
  const chronic = [...restarts]
    .map(([server, bySignal]) => {
      const often = [...bySignal].filter(([, ids]) => ids.length >= MEMORY_LIMITS.chronicRestarts);
      return {
        server,
        signals: often.map(([id]) => id),
        restarts: Math.max(0, ...often.map(([, ids]) => ids.length)),
        incidents: [...new Set(often.flatMap(([, ids]) => ids))],
      };
    })
    .filter((c) => c.signals.length > 0)
    .sort((a, b) => b.restarts - a.restarts)[0];
  return {
    windowDays: MEMORY_LIMITS.windowDays,
    similar: past.slice(0, MEMORY_LIMITS.kept),
    seenLast30Days: past.filter((p) => Date.parse(p.at) >= recentSince).length,
    seenInWindow: past.length,
    chronic: chronic ?? null,
  };
}
