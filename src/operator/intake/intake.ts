import type { Clock } from '../../domain/clock.ts';
import type { IncidentSource } from '../../domain/incident.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import type { Store } from '../../store/ports.ts';
import type { Inventory } from '../../tools/backends.ts';
import type { Operator } from '../investigation/investigate.ts';
import { alertSubject, resolveScope } from '../investigation/scope.ts';
import { INVESTIGATE, type InvestigationJob } from '../jobs/investigation-job.ts';
import type { Presenter } from '../presentation/presenter.ts';
import { type AlertStatus, alertStatusOf } from './alerts.ts';
import { markTaken, takeDelivery } from './deliveries.ts';
import { linkRecurrence, type Resolutions } from './resolution.ts';

/** Where a request came from: a chat mention, an alert-channel message, a command, an alerting webhook. */
export type IntakeOrigin = 'mention' | 'alert' | 'command' | 'webhook';

/**
 * What an alerting system says about an alert beyond its words, when it says it (a webhook's
 * payload). Text-only alerts (an alert channel) leave these to be read from the text.
 */
export type AlertFacts = {
  /** What reported it: `alertmanager`, `grafana`, `generic`, `slack`. */
  via: string;
  status?: AlertStatus;
  /** What the alert is about (labels' servers, its title): the only names it may restart. */
  subject?: string;
  /** The alerting system's own ids for this alert and its group: how repeats and resolutions find it. */
  fingerprint?: string | null;
  groupKey?: string | null;
};

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
  /** For alerts: what the alerting system says about it (webhooks), or what its text says. */
  alert?: AlertFacts;
  /** The incident source, when not the intake's own (a webhook alert taken in by the Slack bot). */
  source?: IncidentSource;
};

export type IntakeResult =
  | { kind: 'duplicate' }
  | { kind: 'grouped'; groupId: string; count: number; incidentId: string | null }
  | { kind: 'accepted'; incidentId: string; jobId: string }
  /** A recovery: the incident it resolved, or null when no open incident matched it. */
  | { kind: 'resolved'; incidentId: string | null };

export type IntakeSettings = {
  source: IncidentSource;
  /** Repeats of one alert within this window join the first one's incident. */
  groupWindowMs: number;
  /** How long a delivery is remembered for de-duplication. */
  dedupeTtlMs: number;
  /**
   * How far back a recovery, a repeat carrying an alert's fingerprint, or a recurrence looks for
   * the alert's group (default 24 h).
   */
  lookbackMs?: number;
};

export type IntakeDeps = {
  store: Store;
  operator: Operator;
  inventory: Inventory;
  presenter: Presenter;
  /** Resolves incidents whose alert recovered; absent = recoveries are triaged like any alert. */
  resolutions?: Resolutions;
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
  return `text:${titleWords(text)}`;
}

/**
 * The words of an alert's title, numbers and status markers aside: a recovery ("[RESOLVED] X")
 * and its firing ("[FIRING:2] X") share them.
 */
function titleWords(text: string): string {
  const title = text.split('\n').find((l) => l.trim()) ?? '';
  return title
    .toLowerCase()
    .replace(/^\W*\[(?:firing|resolved|ok|recovered|recovery)[^\]]*\]\s*/, '')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/** The aliases an alert is known by besides its servers: its fingerprint and its group's key. */
export function alertAliases(facts: AlertFacts | undefined): string[] {
  if (!facts) return [];
  return [
    ...(facts.fingerprint ? [`fp:${facts.via}:${facts.fingerprint}`] : []),
    ...(facts.groupKey ? [`gk:${facts.via}:${facts.groupKey}`] : []),
  ];
}

const isAlert = (origin: IntakeOrigin) => origin === 'alert' || origin === 'webhook';

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
    let previousIncident: string | null = null;
    let subject: string | null = null;
    if (isAlert(request.origin)) {
      subject = request.alert?.subject ?? alertSubject(request.text);
      const key = alertGroupKey(request.text, await this.serversNamed(request.text, subject));
      const aliases = alertAliases(request.alert);
      const status = request.alert?.status ?? alertStatusOf(request.text);
      if (status === 'resolved' && this.deps.resolutions) {
        const incidentId = await this.deps.resolutions.alertResolved({
          key,
          aliases,
          via: request.alert?.via ?? 'slack',
          reason: `the alert resolved: ${titleLine(request.text)}`,
          fingerprint: request.alert?.fingerprint ?? null,
          route: request.route,
        });
        metrics.intake.inc({
          origin: request.origin,
          result: incidentId ? 'resolved' : 'unmatched',
        });
        return { kind: 'resolved', incidentId };
      }
      const { opened, group, previous } = await store.coordination.joinAlertGroup({
        key,
        aliases,
        now,
        windowMs: settings.groupWindowMs,
        place: request.place,
        ...(settings.lookbackMs ? { lookbackMs: settings.lookbackMs } : {}),
      });
      if (!opened) {
        metrics.intake.inc({ origin: request.origin, result: 'grouped' });
        this.deps.presenter.repeated(group.id);
        return {
          kind: 'grouped',
          groupId: group.id,
          count: group.count,
          incidentId: group.incidentId,
        };
      }
      groupId = group.id;
      previousIncident = previous?.incidentId ?? null;
    }

    // Durable first: once the incident and its job are stored, a crash loses nothing.
    const source = request.source ?? settings.source;
    const incident = await this.deps.operator.open({
      report: request.text,
      source,
      actor: request.actor,
      ...(request.place ? { presentation: { place: request.place, message: null } } : {}),
    });
    if (groupId) await store.coordination.setAlertGroupIncident(groupId, incident.id);
    if (previousIncident)
      await linkRecurrence(store, { incidentId: incident.id, previous: previousIncident, now });
    const payload: InvestigationJob = {
      incidentId: incident.id,
      actor: request.actor,
      route: request.route,
      groupId,
      ...(subject !== null ? { subject, fold: true } : {}),
    };
    const job = await store.jobs.enqueue({ kind: INVESTIGATE, payload, now: clock.now() });
    metrics.intake.inc({ origin: request.origin, result: 'accepted' });
    await this.deps.presenter.announce(incident.id, request.route);
    this.deps.wake();
    return { kind: 'accepted', incidentId: incident.id, jobId: job.id };
  }

  /**
   * The ids of the servers an alert is about (its subject's servers); none when the inventory
   * cannot be read (then it groups by wording).
   */
  private async serversNamed(text: string, subject: string): Promise<string[]> {
    try {
      const scope = resolveScope(text, await this.deps.inventory.listServers(), { subject });
      return scope.servers.filter((s) => !scope.context?.includes(s.id)).map((s) => s.id);
    } catch (error) {
      this.deps.logger.warn(
        { err: error },
        'could not read the inventory to group an alert; grouping by its wording',
      );
      return [];
    }
  }
}

/** An alert's first line, for the words of a resolution. */
function titleLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 200);
}
