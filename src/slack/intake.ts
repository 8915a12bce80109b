import type { Logger } from '../logger.ts';
import type { Operator } from '../operator/investigate.ts';
import { resolveScope } from '../operator/scope.ts';
import type { IncidentThread, Store } from '../store/store.ts';
import type { Inventory } from '../tools/backends.ts';
import { initialProgress, progressMessage } from './blocks/progress.ts';
import { INVESTIGATE, type InvestigationJob } from './jobs.ts';
import type { Metrics } from './metrics.ts';
import { type SlackWriter, slackErrorCode } from './writer.ts';

export type IntakeOrigin = 'mention' | 'alert' | 'command';

export type IntakeRequest = {
  origin: IntakeOrigin;
  /** The report: the alert's or user's words, Slack markup already made plain. */
  text: string;
  /** Who raised it: a user id, or an alerting integration's bot id. */
  actor: string;
  channel: string;
  /** The message to answer in the thread of; null for a slash command (a new top-level message). */
  replyTo: string | null;
  /** The triggering message, so a mention that is also a channel message is handled once. */
  messageTs?: string;
  /** Slack's event id, so a retried delivery is handled once. */
  eventId?: string;
  responseUrl?: string;
};

export type IntakeResult =
  | { kind: 'duplicate' }
  | { kind: 'grouped'; groupId: string; count: number }
  | { kind: 'accepted'; incidentId: string; jobId: string; thread: IncidentThread | null };

export type IntakeSettings = {
  /** Repeats of one alert within this window join the first one's thread. */
  groupWindowMs: number;
  /** How long an event id or message is remembered for de-duplication. */
  dedupeTtlMs: number;
};

export type IntakeDeps = {
  store: Store;
  operator: Operator;
  inventory: Inventory;
  writer: SlackWriter;
  settings: IntakeSettings;
  /** Called after a job is queued, to start a worker on it at once. */
  wake: () => void;
  /** Called when an alert joined an existing group, to update its "+N more" counter. */
  onGrouped: (groupId: string) => void;
  metrics: Metrics;
  logger: Logger;
  now?: () => Date;
};

/** Errors that mean the bot cannot post in the channel, so a slash command falls back to its response_url. */
const NOT_A_MEMBER = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
]);

/** Alerts group by the servers they name; an alert naming none groups by its wording, numbers aside. */
export function alertGroupKey(text: string, serverIds: readonly string[]): string {
  if (serverIds.length > 0) return `servers:${[...serverIds].sort().join(',')}`;
  return `text:${text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim().slice(0, 200)}`;
}

/**
 * Intake: everything between Slack's request and the queued investigation, fast enough to run
 * before the 3-second ack matters. It de-duplicates, groups repeated alerts, posts the progress
 * message, opens the incident and queues the job — durable, so a crash loses nothing.
 */
export class Intake {
  private readonly deps: IntakeDeps;
  private readonly now: () => Date;

  constructor(deps: IntakeDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  async accept(request: IntakeRequest): Promise<IntakeResult> {
    const { store, settings, metrics } = this.deps;
    const now = this.now();
    const keys = [
      request.eventId ? `event:${request.eventId}` : null,
      request.messageTs ? `message:${request.channel}:${request.messageTs}` : null,
    ].filter((k): k is string => k !== null);
    for (const key of keys) {
      if (!(await store.claim(key, now, settings.dedupeTtlMs))) {
        metrics.intake.inc({ origin: request.origin, result: 'duplicate' });
        return { kind: 'duplicate' };
      }
    }

    let groupId: string | null = null;
    if (request.origin === 'alert' && request.replyTo) {
      const { opened, group } = await store.joinAlertGroup({
        key: alertGroupKey(request.text, await this.serversNamed(request.text)),
        now,
        windowMs: settings.groupWindowMs,
        thread: { channel: request.channel, threadTs: request.replyTo, messageTs: null },
      });
      if (!opened) {
        metrics.intake.inc({ origin: request.origin, result: 'grouped' });
        this.deps.onGrouped(group.id);
        return { kind: 'grouped', groupId: group.id, count: group.count };
      }
      groupId = group.id;
    }

    // Durable first: once the incident and its job are stored, a crash loses nothing.
    const incident = await this.deps.operator.open({
      report: request.text,
      source: 'slack',
      actor: request.actor,
      ...(request.replyTo
        ? { thread: { channel: request.channel, threadTs: request.replyTo, messageTs: null } }
        : {}),
    });
    if (groupId) await store.setAlertGroupIncident(groupId, incident.id);
    const payload: InvestigationJob = {
      incidentId: incident.id,
      actor: request.actor,
      channel: request.channel,
      replyTo: request.replyTo,
      responseUrl: request.responseUrl ?? null,
      groupId,
    };
    const job = await store.enqueueJob({ kind: INVESTIGATE, payload, now: this.now() });
    metrics.intake.inc({ origin: request.origin, result: 'accepted' });
    const thread = await announce(this.deps, payload);
    this.deps.wake();
    return { kind: 'accepted', incidentId: incident.id, jobId: job.id, thread };
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

/**
 * Posts the "Investigating…" message for an incident and makes it the incident's message. It is
 * low priority (a brief goes first) and skipped when the incident already has a message by the time
 * its turn comes; if another message still won the race, this one is removed. Best effort: null
 * when the bot may not post there (the brief then goes through the command's response_url) or
 * Slack does not answer (the worker then posts the brief itself).
 */
export async function announce(
  deps: Pick<IntakeDeps, 'store' | 'writer' | 'metrics' | 'logger'>,
  job: Pick<InvestigationJob, 'incidentId' | 'channel' | 'replyTo'>,
): Promise<IncidentThread | null> {
  const posted = async () =>
    Boolean((await deps.store.getIncident(job.incidentId))?.thread?.messageTs);
  let result: { ts: string } | null;
  try {
    result = await deps.writer.post(job.channel, progressMessage(initialProgress), {
      threadTs: job.replyTo,
      priority: 'low',
      unless: posted,
    });
  } catch (error) {
    const code = slackErrorCode(error);
    deps.metrics.slackErrors.inc({ error: code });
    if (!NOT_A_MEMBER.has(code)) {
      deps.logger.warn({ err: error, channel: job.channel }, 'could not post the progress message');
    }
    return null;
  }
  if (result) {
    const thread: IncidentThread = {
      channel: job.channel,
      threadTs: job.replyTo ?? result.ts,
      messageTs: result.ts,
    };
    if (await deps.store.setIncidentThreadIfUnposted(job.incidentId, thread)) return thread;
    await deps.writer.delete(job.channel, result.ts).catch(() => {});
  }
  return (await deps.store.getIncident(job.incidentId))?.thread ?? null;
}
