import type { AuditEntry } from '../../domain/audit.ts';
import type { Proposal } from '../../domain/proposal.ts';
import { type Severity, severityRank } from '../../domain/vocabulary.ts';
import type { IncidentRecord, Store } from '../../store/ports.ts';
import { actionsTaken } from './brief.ts';
import { isResolvedEntry, RESOLVED_EVENT } from './resolution.ts';

/**
 * What is going on, for one person: open incidents by severity, the restart proposals awaiting an
 * approver, and the last actions taken. App Home and `/triage list` show it; read from the store
 * with a handful of queries, whatever the size of the history.
 */
export const OVERVIEW_LIMITS = {
  /** Incidents older than this are not listed as open (nobody resolved them, but nobody looks). */
  openDays: 7,
  incidents: 50,
  pending: 20,
  actions: 10,
} as const;

export type OpenIncident = {
  id: string;
  createdAt: string;
  title: string;
  severity: Severity | null;
  action: string | null;
  servers: readonly string[];
  /** The latest proposal's state, when there is one. */
  proposal: Proposal | null;
  /** Where it is presented (opaque, the presenter's). */
  place: string | null;
};

export type AwaitingApproval = {
  proposal: Proposal;
  incidentId: string;
  title: string;
  severity: Severity | null;
  place: string | null;
};

export type RecentAction = { at: string; incidentId: string; actor: string; action: string };

export type Overview = {
  open: OpenIncident[];
  awaiting: AwaitingApproval[];
  /** Newest first. */
  recent: RecentAction[];
  /** Whether the person asking may decide the proposals awaiting approval. */
  approver: boolean;
};

/** The events whose entries are actions taken (the brief's "Actions taken" reads the same ones). */
export const ACTION_EVENTS: readonly AuditEntry['event'][] = [
  'proposal.approved',
  'proposal.denied',
  'proposal.expired',
  'restart.executed',
  'restart.verified',
  'restart.failed',
  'escalation.sent',
];

function openOf(incident: IncidentRecord, proposal: Proposal | null): OpenIncident {
  const a = incident.assessment;
  return {
    id: incident.id,
    createdAt: incident.createdAt,
    title: a?.title ?? `${incident.report.slice(0, 140)} (investigating)`,
    severity: a?.severity ?? null,
    action: a?.action ?? null,
    servers: a?.servers ?? [],
    proposal,
    place: incident.presentation?.place ?? null,
  };
}

export async function overview(
  store: Pick<Store, 'incidents' | 'proposals' | 'audit'>,
  options: { now: Date; approver: boolean },
): Promise<Overview> {
  const since = new Date(options.now.getTime() - OVERVIEW_LIMITS.openDays * 86_400_000);
  const [incidents, resolvedEntries, pending, actionEntries] = await Promise.all([
    store.incidents.listRecent({ since, limit: OVERVIEW_LIMITS.incidents }),
    store.audit.list({ events: [RESOLVED_EVENT], limit: 1_000 }),
    store.proposals.listPending(options.now, OVERVIEW_LIMITS.pending),
    store.audit.list({ events: ACTION_EVENTS, limit: OVERVIEW_LIMITS.actions }),
  ]);
  const resolved = new Set(resolvedEntries.filter(isResolvedEntry).map((e) => e.incident_id));
  const proposals = await store.proposals.forIncidents(incidents.map((i) => i.id));
  const latest = new Map<string, Proposal>();
  for (const p of proposals) latest.set(p.incidentId, p);
  const open = incidents
    .filter((i) => !resolved.has(i.id))
    .map((i) => openOf(i, latest.get(i.id) ?? null))
    .sort(
      (a, b) =>
        (a.severity ? severityRank[a.severity] : 9) - (b.severity ? severityRank[b.severity] : 9) ||
        b.createdAt.localeCompare(a.createdAt),
    );

  const byId = new Map(incidents.map((i) => [i.id, i]));
  const awaiting: AwaitingApproval[] = [];
  for (const proposal of pending) {
    if (resolved.has(proposal.incidentId)) continue;
    const incident =
      byId.get(proposal.incidentId) ?? (await store.incidents.get(proposal.incidentId));
    awaiting.push({
      proposal,
      incidentId: proposal.incidentId,
      title: incident?.assessment?.title ?? incident?.report.slice(0, 140) ?? proposal.incidentId,
      severity: incident?.assessment?.severity ?? null,
      place: incident?.presentation?.place ?? null,
    });
  }

  const recent = actionEntries.flatMap((entry) =>
    actionsTaken([entry]).map((a) => ({ ...a, incidentId: entry.incident_id })),
  );
  return { open, awaiting, recent, approver: options.approver };
}
