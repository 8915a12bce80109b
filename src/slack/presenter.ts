import { setTimeout as delay } from 'node:timers/promises';
import type { IncidentBrief } from '../domain/brief.ts';
import { errorCode } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { DecisionOutcome, ReconciledOutcome } from '../operator/approval/approval.ts';
import type { Investigation } from '../operator/investigation/investigate.ts';
import { initialProgress, type ProgressState } from '../operator/investigation/progress.ts';
import type { Presenter } from '../operator/presentation/presenter.ts';
import type { IncidentRecord, Store } from '../store/ports.ts';
import type { GroupCounter } from './alert-groups.ts';
import { briefMessage } from './blocks/brief.ts';
import { fullBriefMessage } from './blocks/full-brief.ts';
import { preliminaryMessage } from './blocks/preliminary.ts';
import { progressMessage } from './blocks/progress.ts';
import type { Decisions } from './decisions.ts';
import { postToResponseUrl } from './respond.ts';
import {
  channelOnlyPresentation,
  decodeRoute,
  presentationOf,
  type SlackThread,
  threadOf,
} from './thread.ts';
import type { SlackMessage, SlackWriter } from './writer.ts';

const SLACK_PRESENTER_LIMITS = {
  /** The longest a brief waits for this replica's progress post before posting on its own. */
  awaitProgressMs: 2_000,
} as const;

/** Errors that mean the bot cannot post in the channel, so a slash command falls back to its response_url. */
const NOT_A_MEMBER = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
]);

export type SlackPresenterDeps = {
  store: Pick<Store, 'incidents'>;
  writer: SlackWriter;
  counter: Pick<GroupCounter, 'bump'>;
  decisions: Pick<Decisions, 'showExpired' | 'showReconciled'>;
  /** The configured approvers, shown under the restart buttons. */
  approverIds: readonly string[];
  progressIntervalMs: number;
  /** The model a preliminary brief says is reasoning, when there is one. */
  model: string | null;
  /**
   * Sets (or, with "", clears) the thread's status line under the message box — Slack's
   * `assistant.threads.setStatus`. Best effort; absent where the client cannot.
   */
  threadStatus?: (channel: string, threadTs: string, status: string) => Promise<void>;
  metrics: Metrics;
  logger: Logger;
  fetch?: typeof fetch;
};

/**
 * The core's presenter in Slack: a progress message in the incident's thread that the brief
 * replaces, a response_url when the bot may not post, and whoever posts the incident's message
 * first owns it (a copy that lost the race is removed).
 */
export class SlackPresenter implements Presenter {
  private readonly deps: SlackPresenterDeps;
  readonly progressIntervalMs: number;

  constructor(deps: SlackPresenterDeps) {
    this.deps = deps;
    this.progressIntervalMs = deps.progressIntervalMs;
  }

  private async thread(incidentId: string): Promise<SlackThread | null> {
    return threadOf((await this.deps.store.incidents.get(incidentId))?.presentation);
  }

  /**
   * Posts "Investigating…" and makes it the incident's message. Low priority (a brief goes first)
   * and skipped when the incident already has a message by the time its turn comes; if another
   * message still won the race, this one is removed. When the bot may not post there, the brief
   * goes through the command's response_url; when Slack does not answer, the brief is posted itself.
   */
  async announce(incidentId: string, route: string): Promise<void> {
    const announcing = this.postProgress(incidentId, route).finally(() =>
      this.announcing.delete(incidentId),
    );
    this.announcing.set(incidentId, announcing);
    await announcing;
  }

  /** Progress posts in flight in this replica, so a brief edits them instead of racing them. */
  private readonly announcing = new Map<string, Promise<void>>();

  private async postProgress(incidentId: string, route: string): Promise<void> {
    const { channel, replyTo } = decodeRoute(route);
    const posted = async () => Boolean((await this.thread(incidentId))?.messageTs);
    let result: { ts: string } | null;
    try {
      result = await this.deps.writer.post(channel, progressMessage(initialProgress), {
        threadTs: replyTo,
        priority: 'low',
        unless: posted,
      });
    } catch (error) {
      const code = errorCode(error);
      this.deps.metrics.slackErrors.inc({ error: code });
      if (!NOT_A_MEMBER.has(code))
        this.deps.logger.warn({ err: error, channel }, 'could not post the progress message');
      return;
    }
    if (!result) return;
    const thread = { channel, threadTs: replyTo ?? result.ts, messageTs: result.ts };
    if (await this.deps.store.incidents.claimPresentation(incidentId, presentationOf(thread)))
      return;
    await this.deps.writer.delete(channel, result.ts).catch(() => {});
  }

  async progress(incident: IncidentRecord, state: ProgressState): Promise<void> {
    // Never wait for Slack: progress goes to the incident's message only if it is there already.
    const thread = threadOf(incident.presentation);
    if (!thread?.messageTs) return;
    await this.deps.writer.update(thread.channel, thread.messageTs, progressMessage(state), {
      priority: 'low',
    });
  }

  async preliminary(incidentId: string, route: string, brief: IncidentBrief): Promise<void> {
    const message = preliminaryMessage(brief, {
      approvers: this.deps.approverIds,
      model: this.deps.model,
    });
    try {
      await this.deliver(incidentId, route, message);
      await this.setStatus(incidentId, `is reasoning with ${this.deps.model ?? 'the model'}…`);
    } catch (error) {
      this.deps.metrics.slackErrors.inc({ error: errorCode(error) });
      this.deps.logger.warn({ err: error }, 'could not show the preliminary brief');
    }
  }

  async brief(incidentId: string, route: string, investigation: Investigation): Promise<void> {
    const message = briefMessage(investigation.brief, {
      approvers: this.deps.approverIds,
      ...(investigation.proposal ? { proposalState: investigation.proposal.state } : {}),
    });
    await this.deliver(incidentId, route, message);
    if (this.statusShown.delete(incidentId)) await this.setStatus(incidentId, '');
    // Not awaited: the brief is shown; the thread copy waits its turn behind other channels' briefs.
    this.background(this.postFullBrief(incidentId, investigation.brief));
  }

  /** Incidents whose thread shows a status this replica set. */
  private readonly statusShown = new Set<string>();

  private async setStatus(incidentId: string, status: string): Promise<void> {
    const thread = await this.thread(incidentId);
    if (!this.deps.threadStatus || !thread) return;
    await this.deps.threadStatus(thread.channel, thread.threadTs, status).then(
      () => {
        if (status) this.statusShown.add(incidentId);
      },
      (error: unknown) =>
        this.deps.logger.debug({ err: error }, 'could not set the thread status (optional)'),
    );
  }

  private readonly pending = new Set<Promise<void>>();

  private background(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once the full briefs still being posted are (for a graceful stop, and tests). */
  async drained(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * The whole brief in the incident's thread, after the compact one. Low priority (briefs of other
   * incidents go first) and best effort: the incident's message is already there, and the same
   * content is behind its Full brief button.
   */
  private async postFullBrief(incidentId: string, brief: IncidentBrief): Promise<void> {
    const thread = await this.thread(incidentId);
    if (!thread) return;
    try {
      await this.deps.writer.post(
        thread.channel,
        fullBriefMessage(brief, { approvers: this.deps.approverIds }),
        { threadTs: thread.threadTs, priority: 'low' },
      );
    } catch (error) {
      this.deps.metrics.slackErrors.inc({ error: errorCode(error) });
      this.deps.logger.warn({ err: error, incidentId }, 'could not post the full brief');
    }
  }

  async gaveUp(incidentId: string, route: string, why: string): Promise<void> {
    const text = `⚠️ The investigation of ${incidentId} was given up: ${why}. Nothing was restarted. Investigate by hand or run /triage again.`;
    await this.deliver(incidentId, route, { text });
  }

  repeated(groupId: string): void {
    this.deps.counter.bump(groupId);
  }

  expired(outcome: Extract<DecisionOutcome, { kind: 'expired' }>): Promise<void> {
    return this.deps.decisions.showExpired(outcome);
  }

  reconciled(outcome: ReconciledOutcome): Promise<void> {
    return this.deps.decisions.showReconciled(outcome);
  }

  /** Replaces the incident's message, or posts where it can. */
  private async deliver(incidentId: string, route: string, message: SlackMessage): Promise<void> {
    const { writer, store } = this.deps;
    const { channel, replyTo, responseUrl } = decodeRoute(route);
    // A progress post this replica is making lands in milliseconds; a new message instead would
    // wait for the channel's next slot (about a second) and then lose the race to it.
    const announcing = this.announcing.get(incidentId);
    if (announcing)
      await Promise.race([
        announcing,
        // Real time, like Slack's pace: how long people wait, not what the incident records.
        delay(SLACK_PRESENTER_LIMITS.awaitProgressMs, undefined, { ref: false }),
      ]);
    const current = await this.thread(incidentId);
    if (current?.messageTs) {
      await writer.update(current.channel, current.messageTs, message);
      return;
    }
    if (!replyTo && responseUrl) {
      // A command whose intake could not post answers through its response_url. Slack does not
      // say where that message lands, so the incident records its channel: clicks on its buttons
      // must come from there.
      await store.incidents.claimPresentation(incidentId, channelOnlyPresentation(channel));
      await postToResponseUrl(
        responseUrl,
        { ...message, response_type: 'in_channel', replace_original: false },
        this.deps.fetch,
      );
      return;
    }
    // No progress message (yet): the brief becomes the incident's message itself.
    const { ts } = await writer.post(channel, message, { threadTs: replyTo });
    const thread = { channel, threadTs: replyTo ?? ts, messageTs: ts };
    if (await store.incidents.claimPresentation(incidentId, presentationOf(thread))) return;
    // The progress message landed meanwhile: the brief goes there, and this copy goes away.
    const winner = await this.thread(incidentId);
    if (winner?.messageTs) await writer.update(winner.channel, winner.messageTs, message);
    await writer.delete(channel, ts).catch(() => {});
  }
}
