import type { AuditEntry } from '../../domain/audit.ts';

/**
 * When an incident ended. The alert intake records it as an `incident.resolved` audit entry; the
 * name is read as a string here so this code works before and after that event joins the union.
 * An incident is open until such an entry exists.
 */
export const RESOLVED_EVENT = 'incident.resolved';

export function isResolvedEntry(entry: Pick<AuditEntry, 'event'>): boolean {
  return (entry.event as string) === RESOLVED_EVENT;
}

/** The first resolution in an incident's audit log, or null while it is open. */
export function resolutionOf(audit: readonly AuditEntry[]): { at: string; actor: string } | null {
  const resolved = audit.filter(isResolvedEntry).sort((a, b) => a.at.localeCompare(b.at))[0];
  return resolved ? { at: resolved.at, actor: resolved.actor } : null;
}
