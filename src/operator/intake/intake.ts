import type { Clock } from '../../domain/clock.ts';
import type { IncidentSource } from '../../domain/incident.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import type { Store } from '../../store/ports.ts';
import type { Inventory } from '../../tools/backends.ts';
import type { Operator } from '../investigation/investigate.ts';
import { resolveScope } from '../investigation/scope.ts';
import { INVESTIGATE, type InvestigationJob } from '../jobs/investigation-job.ts';
import type { Presenter } from '../presentation/presenter.ts';
import { markTaken, takeDelivery } from './deliveries.ts';

export type IntakeOrigin = 'mention' | 'alert' | 'command';

export type IntakeRequest = {
  origin: IntakeOrigin;
  /** The report: the alert's or user's words, platform markup already made plain. */
  text: string;
  /** Who raised it: a user id, or an alerting integration's bot id. */
  actor: string;
  /** Where the incident will live (opaque, the presenter's); null when its message opens one. */
  place: string | null;
  /** The presenter's note of where to answer, handed back with the brief (opaque). */
  route: string;
  /** What identifies this delivery (an event id, a message); a repeat of any of them is dropped. */
  dedupeKeys: readonly string[];
};

export type IntakeResult =
  | { kind: 'duplicate' }
  | { kind: 'grouped'; groupId: string; count: number }
  | { kind: 'accepted'; incidentId: string; jobId: string };

export type IntakeSettings = {
  source: IncidentSource;
  /** Repeats of one alert within this window join the first one's incident. */
  groupWindowMs: number;
  /** How long a delivery is remembered for de-duplication. */
  dedupeTtlMs: number;
};

export type IntakeDeps = {
  store: Store;
  operator: Operator;
  inventory: Inventory;
  presenter: Presenter;
  settings: IntakeSettings;
  /** Called after a job is queued, to start a runner on it at once. */
  wake: () => void;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
};

/** Alerts group by the servers they name; an alert naming none groups by its wording, numbers aside. */
export function alertGroupKey(text: string, serverIds: readonly string[]): string {
  if (serverIds.length > 0) return `servers:${[...serverIds].sort().join(',')}`;
  return `text:${text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim().slice(0, 200)}`;
}

/**
 * Intake: everything between a platform's request and the queued investigation, fast enough to
 * run before a 3-second ack matters. It de-duplicates, groups repeated alerts, opens the incident
 * and queues the job — durable, so a crash loses nothing — then lets the presenter announce it.
 */
export class Intake {
  private readonly deps: IntakeDeps;

  constructor(deps: IntakeDeps) {
    this.deps = deps;
  }

  /**
   * Takes a request in, durably: when this resolves, its incident and job (or its place in an alert
   * group) are stored. It throws when they could not be — the platform should then retry it.
   */
  async accept(request: IntakeRequest): Promise<IntakeResult> {
    const { store, settings, metrics, clock } = this.deps;
    const deliveries = { coordination: store.coordination, clock, ttlMs: settings.dedupeTtlMs };
    if ((await takeDelivery(deliveries, request.dedupeKeys)) === 'duplicate') {
      metrics.intake.inc({ origin: request.origin, result: 'duplicate' });
      return { kind: 'duplicate' };
    }
    const result = await this.takeIn(request, clock.now());
    // Taken in: a repeat from now on is a duplicate. If this one mark cannot be written, the work
    // is stored all the same; a repeat is then taken in again rather than lost.
    await markTaken(deliveries, request.dedupeKeys).catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'could not mark a delivery as taken in'),
    );
    return result;
  }

  private async takeIn(request: IntakeRequest, now: Date): Promise<IntakeResult> {
    const { store, settings, metrics, clock } = this.deps;

    let groupId: string | null = null;
    if (request.origin === 'alert' && request.place) {
      const { opened, group } = await store.coordination.joinAlertGroup({
        key: alertGroupKey(request.text, await this.serversNamed(request.text)),
        now,
        windowMs: settings.groupWindowMs,
        place: request.place,
      });
      if (!opened) {
        metrics.intake.inc({ origin: request.origin, result: 'grouped' });
        this.deps.presenter.repeated(group.id);
        return { kind: 'grouped', groupId: group.id, count: group.count };
      }
      groupId = group.id;
    }

    // Durable first: once the incident and its job are stored, a crash loses nothing.
    const incident = await this.deps.operator.open({
      report: request.text,
      source: settings.source,
      actor: request.actor,
      ...(request.place ? { presentation: { place: request.place, message: null } } : {}),
    });
    if (groupId) await store.coordination.setAlertGroupIncident(groupId, incident.id);
    const payload: InvestigationJob = {
      incidentId: incident.id,
      actor: request.actor,
      route: request.route,
      groupId,
    };
    const job = await store.jobs.enqueue({ kind: INVESTIGATE, payload, now: clock.now() });
    metrics.intake.inc({ origin: request.origin, result: 'accepted' });
    await this.deps.presenter.announce(incident.id, request.route);
    this.deps.wake();
    return { kind: 'accepted', incidentId: incident.id, jobId: job.id };
  }

  /** The ids of the servers a text names; none when the inventory cannot be read (then it groups by wording). */
  private async serversNamed(text: string): Promise<string[]> {
    try {
      return resolveScope(text, await this.deps.inventory.listServers()).servers.map((s) => s.id);
    } catch (error) {
      this.deps.logger.warn(
        { err: error },
        'could not read the inventory to group an alert; grouping by its wording',
      );
      return [];
    }
  }
}
