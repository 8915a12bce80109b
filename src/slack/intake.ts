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
      const scope = resolveScope(request.text, await this.deps.inventory.listServers());
      const { opened, group } = await store.joinAlertGroup({
        key: alertGroupKey(
          request.text,
          scope.servers.map((s) => s.id),
        ),
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

    const thread = await this.postProgress(request);
    const incident = await this.deps.operator.open({
      report: request.text,
      source: 'slack',
      actor: request.actor,
      ...(thread ? { thread } : {}),
    });
    if (groupId) await store.setAlertGroupIncident(groupId, incident.id);
    const payload: InvestigationJob = {
      incidentId: incident.id,
      actor: request.actor,
      thread,
      responseUrl: request.responseUrl ?? null,
      groupId,
    };
    const job = await store.enqueueJob({ kind: INVESTIGATE, payload, now: this.now() });
    metrics.intake.inc({ origin: request.origin, result: 'accepted' });
    this.deps.wake();
    return { kind: 'accepted', incidentId: incident.id, jobId: job.id, thread };
  }

  /**
   * The "Investigating…" message, in the thread of what was said (or top-level for a command).
   * Null when the bot may not post there; the worker then answers through the response_url.
   */
  private async postProgress(request: IntakeRequest): Promise<IncidentThread | null> {
    try {
      const { ts } = await this.deps.writer.post(
        request.channel,
        progressMessage(initialProgress),
        {
          threadTs: request.replyTo,
        },
      );
      return { channel: request.channel, threadTs: request.replyTo ?? ts, messageTs: ts };
    } catch (error) {
      const code = slackErrorCode(error);
      this.deps.metrics.slackErrors.inc({ error: code });
      if (request.responseUrl && NOT_A_MEMBER.has(code)) return null;
      // Slack is down or slow: the incident still opens and the worker posts when it can.
      this.deps.logger.warn(
        { err: error, channel: request.channel },
        'could not post the progress message',
      );
      return request.replyTo
        ? { channel: request.channel, threadTs: request.replyTo, messageTs: null }
        : null;
    }
  }
}
