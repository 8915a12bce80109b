import type { IncidentBrief } from '../../domain/brief.ts';
import { MAX_SCOPE, type Scope } from './scope.ts';

/**
 * The scope of a re-assessment: what the report named, what the incident's last assessment looked
 * at, and what the follow-up names, in that order, at most MAX_SCOPE servers. Only servers the
 * inventory knows get in; the follow-up's unknown names are reported like the report's.
 */
export function widenScope(
  report: Scope,
  earlierServers: readonly string[],
  followUp: Scope,
): Scope {
  const byId = new Map(report.known.map((s) => [s.id, s]));
  const servers = new Map(report.servers.map((s) => [s.id, s]));
  for (const id of earlierServers) {
    const server = byId.get(id);
    if (server) servers.set(id, server);
  }
  for (const s of followUp.servers) servers.set(s.id, s);
  const all = [...servers.values()];
  const kept = all.slice(0, MAX_SCOPE);
  // What a person asks to check is a subject; what an alert named only as context stays context.
  const asked = new Set(followUp.servers.map((s) => s.id));
  return {
    servers: kept,
    unknown: [...new Set([...report.unknown, ...followUp.unknown])],
    truncatedFrom: all.length > MAX_SCOPE ? all.length : null,
    known: report.known,
    skipped: all.slice(MAX_SCOPE).map((s) => s.id),
    context: (report.context ?? []).filter((id) => !asked.has(id) && kept.some((s) => s.id === id)),
  };
}

/** The highest evidence number an incident's brief uses (E7 → 7), so new evidence continues it. */
export function highestEvidenceNumber(brief: Pick<IncidentBrief, 'evidence'>): number {
  return brief.evidence.reduce((max, e) => Math.max(max, Number(e.id.slice(1)) || 0), 0);
}
