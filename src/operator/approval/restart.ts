import { AuditEntry, type AuditEntryOf } from '../../domain/audit.ts';
import type { IncidentBrief } from '../../domain/brief.ts';
import type { Clock } from '../../domain/clock.ts';
import type { HealthReading } from '../../domain/evidence.ts';
import type { Proposal, ProposalState } from '../../domain/proposal.ts';
import type { ProposalPatch, Store } from '../../store/ports.ts';
import type { Escalator } from '../../tools/backends.ts';
import type { Toolbox } from '../../tools/toolbox.ts';
import { type EscalationResult, sendEscalation } from './escalate.ts';

/**
 * What the approval path and the reconciler share: the audit entries about one proposal, the
 * health re-check after a restart, escalation, and store writes that outlast a database blip.
 */

export type VerifySettings = {
  /** Health readings after a restart before giving up on recovery. */
  attempts: number;
  intervalMs: number;
  thresholdPercent: number;
};

export type RestartDeps = {
  store: Store;
  toolbox: Toolbox;
  escalator: Escalator;
  verify: VerifySettings;
  clock: Clock;
  /**
   * How long a write that records what a restart did is retried while the store cannot take it
   * (a database failover): the replica holding the truth keeps it until the store is back.
   */
  storeRetryMs: number;
};

/** The events about one proposal (their details name it). */
export type ProposalEvent = Extract<
  AuditEntry,
  { details: { proposal_id: string; server_id: string } }
>['event'];

/** The entry for an event about one proposal, by `actor`, now. */
export function proposalEntry<E extends ProposalEvent>(
  clock: Clock,
  proposal: Proposal,
  event: E,
  actor: string,
  details: Omit<AuditEntryOf<E>['details'], 'proposal_id' | 'server_id'>,
): AuditEntry {
  // Parsed rather than asserted: the union cannot narrow on a generic event name.
  return AuditEntry.parse({
    at: clock.now().toISOString(),
    incident_id: proposal.incidentId,
    event,
    actor,
    details: { proposal_id: proposal.id, server_id: proposal.serverId, ...details },
  });
}

export function recovered(h: HealthReading, thresholdPercent: number): boolean {
  return h.status === 'healthy' && h.cpu < thresholdPercent && h.memory < thresholdPercent;
}

export function describeHealth(h: HealthReading | null): string {
  return h ? `cpu ${h.cpu}%, memory ${h.memory}%, ${h.status}` : 'no health reading';
}

/** Re-checks health until the server has recovered or the attempts run out. */
export async function verifyRecovery(
  deps: Pick<RestartDeps, 'toolbox' | 'verify' | 'clock'>,
  server: string,
): Promise<HealthReading | null> {
  const { attempts, intervalMs, thresholdPercent } = deps.verify;
  let last: HealthReading | null = null;
  for (let i = 0; i < Math.max(1, attempts); i++) {
    if (i > 0) await deps.clock.sleep(intervalMs);
    last = await readHealth(deps, server);
    if (last && recovered(last, thresholdPercent)) return last;
  }
  return last;
}

/** One health reading, or null when the backend cannot give one. */
export async function readHealth(
  deps: Pick<RestartDeps, 'toolbox'>,
  server: string,
): Promise<HealthReading | null> {
  try {
    const { cpu, memory, status } = await deps.toolbox.checkHealth(server);
    return { cpu, memory, status };
  } catch {
    return null;
  }
}

/** The server's reading in the investigation's evidence: how it looked when the restart was proposed. */
export function proposedHealth(brief: IncidentBrief, server: string): HealthReading | null {
  for (const e of [...brief.evidence].reverse()) {
    if (e.data.kind === 'health' && e.source.subject === server) {
      const { cpu, memory, status } = e.data;
      return { cpu, memory, status };
    }
  }
  return null;
}

export function escalate(
  deps: Pick<RestartDeps, 'store' | 'escalator' | 'clock'>,
  brief: IncidentBrief,
  reason: string,
): Promise<EscalationResult> {
  return sendEscalation(
    { store: deps.store, escalator: deps.escalator, clock: deps.clock },
    brief,
    reason,
  );
}

/**
 * Runs a store write, retrying with backoff while it fails, for up to `retryMs` of the clock's
 * time; then the last error is thrown. For writes that record what already happened (a restart
 * performed): losing them would leave a restart nobody can account for.
 */
export async function durably<T>(
  deps: Pick<RestartDeps, 'clock' | 'storeRetryMs'>,
  work: () => Promise<T>,
): Promise<T> {
  const until = deps.clock.now().getTime() + deps.storeRetryMs;
  let wait = 200;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (deps.clock.now().getTime() + wait > until) throw error;
      await deps.clock.sleep(wait);
      wait = Math.min(wait * 2, 5_000);
    }
  }
}

/**
 * A proposal transition, retried like `durably`. When an attempt failed without an answer (the
 * connection dropped, so it may have committed), a later "not in `from`" is checked: a proposal
 * already in `to` is this caller's own transition, not a lost race.
 */
export async function transitionDurably(
  deps: Pick<RestartDeps, 'store' | 'clock' | 'storeRetryMs'>,
  id: string,
  from: readonly ProposalState[],
  to: ProposalState,
  patch: ProposalPatch = {},
): Promise<Proposal | null> {
  let uncertain = false;
  return durably(deps, async () => {
    let moved: Proposal | null;
    try {
      moved = await deps.store.proposals.transition(id, from, to, patch);
    } catch (error) {
      uncertain = true;
      throw error;
    }
    if (moved || !uncertain) return moved;
    const current = await deps.store.proposals.get(id);
    return current?.state === to ? current : null;
  });
}
