import type { AuditEntry } from '../../domain/audit.ts';
import type { Clock } from '../../domain/clock.ts';
import { describeError } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/ports.ts';
import type { Presenter } from '../presentation/presenter.ts';

/**
 * Firing → resolved. A recovery (a webhook's `resolved`, an integration's "[RESOLVED]") closes its
 * alert's group and resolves the incident: audited once, whichever replica takes it; a restart
 * nobody approved yet is withdrawn (the approval path then refuses it); the presenter edits the
 * brief in place. A storm's parent resolves when every incident folded into it has.
 */

export type ResolutionsDeps = {
  store: Store;
  presenter: Pick<Presenter, 'resolved' | 'stormGrew'>;
  /** How far back a recovery looks for its alert's group. */
  lookbackMs: number;
  /** Called once an incident is resolved and shown (its postmortem draft, say); best effort. */
  onResolved?: (incidentId: string) => Promise<unknown>;
  logger: Logger;
  clock: Clock;
};

export type Recovery = {
  /** The recovered alert's group key (its servers or wording) and aliases (fingerprint, group key). */
  key: string | null;
  aliases: readonly string[];
  via: string;
  reason: string;
  fingerprint: string | null;
  /** Where the recovery itself arrived (the presenter may acknowledge it there); null for none. */
  route: string | null;
};

export class Resolutions {
  private readonly deps: ResolutionsDeps;

  constructor(deps: ResolutionsDeps) {
    this.deps = deps;
  }

  /** Resolves the open group a recovery belongs to, and its incident. The incident's id, or null. */
  async alertResolved(recovery: Recovery): Promise<string | null> {
    const { store, clock } = this.deps;
    const group = await store.coordination.resolveAlertGroup({
      key: recovery.key,
      aliases: recovery.aliases,
      now: clock.now(),
      lookbackMs: this.deps.lookbackMs,
    });
    if (!group?.incidentId) return null;
    await this.resolveIncident(group.incidentId, recovery);
    return group.incidentId;
  }

  /** Resolves one incident (and its storm's parent when it was the last member open). */
  async resolveIncident(
    incidentId: string,
    recovery: Pick<Recovery, 'via' | 'reason' | 'fingerprint' | 'route'>,
  ): Promise<void> {
    const { store, clock } = this.deps;
    const member = await store.coordination.resolveStormMember(incidentId, clock.now());
    const parent = member?.storm.parentIncidentId ?? null;
    if (parent === incidentId && member && member.unresolved > 0) {
      // The parent's own alert recovered while others of its storm still fire: it stays open.
      this.deps.presenter.stormGrew(incidentId);
      return;
    }
    // A folded incident's story is its parent's: only the parent gets a postmortem draft.
    await this.close(incidentId, recovery, { followUp: !(parent && parent !== incidentId) });
    if (parent && parent !== incidentId) {
      if (member?.unresolved === 0) {
        await this.close(parent, {
          via: 'storm',
          reason: `every incident folded into it resolved (${member.storm.members} incidents, last ${incidentId})`,
          fingerprint: null,
          route: null,
        });
      } else this.deps.presenter.stormGrew(parent);
    }
  }

  /** incident.resolved once, pending restarts withdrawn, then the presenter told. */
  private async close(
    incidentId: string,
    recovery: Pick<Recovery, 'via' | 'reason' | 'fingerprint' | 'route'>,
    options: { followUp: boolean } = { followUp: true },
  ): Promise<void> {
    const { store, clock } = this.deps;
    const audit = await store.audit.list({ incidentId });
    if (audit.some((e) => e.event === 'incident.resolved')) return;
    const at = clock.now().toISOString();
    await store.audit.append({
      at,
      incident_id: incidentId,
      event: 'incident.resolved',
      actor: 'operator',
      details: { via: recovery.via, reason: recovery.reason, fingerprint: recovery.fingerprint },
    });
    for (const proposal of await store.proposals.forIncident(incidentId)) {
      if (proposal.state !== 'pending') continue;
      // The compare-and-set decides a race with a click: a restart approved first stays approved.
      const withdrawn = await store.proposals.transition(proposal.id, ['pending'], 'withdrawn');
      if (!withdrawn) continue;
      await store.audit.append({
        at,
        incident_id: incidentId,
        event: 'proposal.withdrawn',
        actor: 'operator',
        details: {
          proposal_id: proposal.id,
          server_id: proposal.serverId,
          reason: `the alert resolved before anyone decided (${recovery.via}); nothing was restarted`,
        },
      });
    }
    await this.deps.presenter.resolved(incidentId, recovery.route).catch((error: unknown) => {
      this.deps.logger.warn(
        { err: error, incident: incidentId, why: describeError(error) },
        'could not show a resolution; the audit log has it',
      );
    });
    if (!options.followUp) return;
    await this.deps.onResolved?.(incidentId).catch((error: unknown) => {
      this.deps.logger.warn(
        { err: error, incident: incidentId, why: describeError(error) },
        'could not finish what follows a resolution (its postmortem draft)',
      );
    });
  }
}

/** A new firing of an alert whose incident was resolved: both incidents say so. */
export async function linkRecurrence(
  store: Pick<Store, 'audit'>,
  input: { incidentId: string; previous: string; now: Date },
): Promise<void> {
  const at = input.now.toISOString();
  const entry = (
    incident: string,
    other: string,
    relation: 'recurrence_of' | 'recurred_as',
  ): AuditEntry => ({
    at,
    incident_id: incident,
    event: 'incident.linked',
    actor: 'operator',
    details: {
      linked_incident_id: other,
      relation,
      reason:
        relation === 'recurrence_of'
          ? 'the same alert fired again after its incident was resolved'
          : 'its alert fired again after this incident was resolved',
      servers: [],
    },
  });
  await store.audit.append(entry(input.incidentId, input.previous, 'recurrence_of'));
  await store.audit.append(entry(input.previous, input.incidentId, 'recurred_as'));
}
