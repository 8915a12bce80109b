import { setTimeout as delay } from 'node:timers/promises';
import type { IncidentBrief } from '../domain/brief.ts';
import { errorCode } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { DecisionOutcome, ReconciledOutcome } from '../operator/approval/approval.ts';
import type { Folded, Investigation } from '../operator/investigation/investigate.ts';
import { initialProgress, type ProgressState } from '../operator/investigation/progress.ts';
import type { Presenter } from '../operator/presentation/presenter.ts';
import type { IncidentRecord, Store } from '../store/ports.ts';
import type { GroupCounter } from './alert-groups.ts';
import { briefMessage } from './blocks/brief.ts';
import { fullBriefMessage } from './blocks/full-brief.ts';
import { preliminaryMessage } from './blocks/preliminary.ts';
import { progressMessage } from './blocks/progress.ts';
import { resolvedLine } from './blocks/state.ts';
import { esc, escCut, link } from './blocks/text.ts';
import type { Decisions } from './decisions.ts';
import { postToResponseUrl } from './respond.ts';
import { type StormSummaries, storedBriefMessage } from './storm-summary.ts';
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

/** The reactions that answer alerts without a message. */
export const ALERT_REACTIONS = {
  /** Taken in, being investigated. */
  investigating: 'eyes',
  /** Folded into a storm's parent incident. */
  folded: 'link',
  /** Resolved (on the alert, and on the recovery message that resolved it). */
  resolved: 'white_check_mark',
} as const;

export type SlackPresenterDeps = {
  store: Pick<Store, 'incidents' | 'audit' | 'proposals' | 'coordination'>;
  writer: SlackWriter;
  counter: Pick<GroupCounter, 'bump'>;
  /** A storm parent's live summary; absent = storms are not summarised. */
  storms?: Pick<StormSummaries, 'bump'>;
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
    const { channel, replyTo, alert } = decodeRoute(route);
    if (alert) {
      // An alert's answer is cheap: a reaction now (none for a webhook alert, which has no message
      // of its own), the brief — or a pointer to a storm's parent — when the investigation ends.
      // Not awaited: reactions wait for their own budget, and an acknowledgement never waits for one.
      if (replyTo) void this.react(channel, replyTo, ALERT_REACTIONS.investigating);
      return;
    }
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
    if (decodeRoute(route).alert) {
      // In an alert channel every new message costs the channel's one a second that a storm
      // needs for its briefs: the full brief stays behind the Full brief button there.
      await this.summariseIfStorm(incidentId);
      return;
    }
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

  /** A brief posted for a storm's parent: its summary may be behind folds that came meanwhile. */
  private async summariseIfStorm(incidentId: string): Promise<void> {
    const storm = await this.deps.store.coordination.stormOf(incidentId).catch(() => null);
    if (storm && storm.parentIncidentId === incidentId && storm.members > 1)
      this.deps.storms?.bump(incidentId);
  }

  async folded(incidentId: string, route: string, folded: Folded): Promise<void> {
    const { channel, replyTo } = decodeRoute(route);
    // A webhook alert has no message of its own: the parent's live summary counts it.
    if (!replyTo) return;
    await this.react(channel, replyTo, ALERT_REACTIONS.folded);
    const parent = threadOf((await this.deps.store.incidents.get(folded.parentId))?.presentation);
    const permalink = parent?.messageTs
      ? await this.deps.writer.permalink(parent.channel, parent.messageTs)
      : null;
    const where = permalink
      ? link(permalink, `the brief of ${folded.parentId}`)
      : esc(folded.parentId);
    const text = `🔗 Same cause as ${esc(folded.parentId)} (${escCut(folded.cause, 200)}): handled there, with one escalation for every server — see ${where}. Nothing is restarted for this alert alone.`;
    const message = {
      text,
      blocks: [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text }] }],
    };
    const current = await this.thread(incidentId);
    if (current?.messageTs) {
      await this.deps.writer.update(current.channel, current.messageTs, message, {
        priority: 'low',
      });
      return;
    }
    const { ts } = await this.deps.writer.post(channel, message, {
      threadTs: replyTo,
      priority: 'low',
    });
    const thread = { channel, threadTs: replyTo, messageTs: ts };
    if (!(await this.deps.store.incidents.claimPresentation(incidentId, presentationOf(thread))))
      await this.deps.writer.delete(channel, ts).catch(() => {});
  }

  stormGrew(parentId: string): void {
    this.deps.storms?.bump(parentId);
  }

  async resolved(incidentId: string, route: string | null): Promise<void> {
    const { store, writer } = this.deps;
    const recovery = route ? decodeRoute(route) : null;
    if (recovery?.replyTo)
      void this.react(recovery.channel, recovery.replyTo, ALERT_REACTIONS.resolved);
    const thread = await this.thread(incidentId);
    if (!thread) return;
    const audit = await store.audit.list({ incidentId });
    if (audit.some((e) => e.event === 'incident.linked' && e.details.relation === 'folded_into')) {
      // A folded incident's brief is its parent's: its own alert just gets the mark.
      await this.react(thread.channel, thread.threadTs, ALERT_REACTIONS.resolved);
      return;
    }
    // Before the brief is posted there is nothing to edit: it will say resolved when it comes.
    if (!thread.messageTs) return;
    const stored = await storedBriefMessage(store, incidentId, this.deps.approverIds);
    if (!stored) return;
    await writer.update(thread.channel, thread.messageTs, stored.message);
    const line = resolvedLine(stored.brief);
    if (line)
      await writer.post(
        thread.channel,
        { text: line, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: line } }] },
        { threadTs: thread.threadTs, priority: 'low' },
      );
  }

  /** A reaction, best effort: a missing scope or a deleted message never fails an answer. */
  private async react(channel: string, ts: string, name: string): Promise<void> {
    try {
      await this.deps.writer.react(channel, ts, name);
    } catch (error) {
      const code = errorCode(error);
      this.deps.metrics.slackErrors.inc({ error: code });
      this.deps.logger.debug({ err: error, channel, ts, name }, 'could not add a reaction');
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

  /** Deliveries in flight per incident in this replica: each waits for the one before it. */
  private readonly delivering = new Map<string, Promise<void>>();

  /**
   * Replaces the incident's message, or posts where it can — one delivery at a time per incident,
   * so a final brief edits the preliminary one it follows rather than racing it with a second post.
   */
  private deliver(incidentId: string, route: string, message: SlackMessage): Promise<void> {
    const before = this.delivering.get(incidentId) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(() => this.deliverNow(incidentId, route, message));
    this.delivering.set(incidentId, mine);
    const forget = () => {
      if (this.delivering.get(incidentId) === mine) this.delivering.delete(incidentId);
    };
    mine.then(forget, forget);
    return mine;
  }

  private async deliverNow(
    incidentId: string,
    route: string,
    message: SlackMessage,
  ): Promise<void> {
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
