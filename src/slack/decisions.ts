import { errorCode } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type {
  ApprovalService,
  DecisionOutcome,
  ReconciledOutcome,
} from '../operator/approval/approval.ts';
import { readBrief } from '../operator/presentation/brief.ts';
import type { Store } from '../store/ports.ts';
import { briefMessage } from './blocks/brief.ts';
import {
  type DecisionView,
  decisionContext,
  decisionHeadline,
  decisionThreadMessage,
  replacesButtons,
  withDecision,
} from './blocks/decision.ts';
import { esc, mention } from './blocks/text.ts';
import { postToResponseUrl } from './respond.ts';
import { briefSiteOf, threadOf } from './thread.ts';
import type { SlackMessage, SlackWriter } from './writer.ts';

/**
 * Where the click happened: the brief message, its thread, and the response_url Slack gave.
 * `surface` says which kind of place it was: the brief itself (the default), a private copy
 * (`/triage list`), the Full brief modal or App Home. Off the brief, the brief is found from the
 * store and updated where it lives; the clicker's own surface is shown the outcome by its listener.
 */
export type ClickSite = {
  user: string;
  /** The workspace the click says it came from; absent in payloads that do not say. */
  team?: string | null;
  channel: string | null;
  messageTs: string | null;
  threadTs: string | null;
  responseUrl: string | null;
  surface?: 'message' | 'ephemeral' | 'modal' | 'home';
  /** For a click in a modal: the incident the bot opened that modal for (its private_metadata). */
  viewIncident?: string | null;
};

export type DecisionsDeps = {
  approvals: Pick<ApprovalService, 'approve' | 'deny' | 'refuse'>;
  /**
   * The workspace the bot is installed in (auth.test's team_id), for refusing a click that comes
   * from another one; null when it cannot be told (then such clicks are refused).
   */
  installedTeam?: () => Promise<string | null>;
  store: Pick<Store, 'incidents' | 'audit' | 'proposals'>;
  writer: SlackWriter;
  approverIds: readonly string[];
  metrics: Metrics;
  logger: Logger;
  fetch?: typeof fetch;
};

/**
 * Presents restart decisions in Slack: the approval service decides and executes; this shows
 * "restarting…", swaps the buttons for the outcome, posts the result in the thread, and answers a
 * refused or late click privately.
 */
export class Decisions {
  private readonly deps: DecisionsDeps;

  constructor(deps: DecisionsDeps) {
    this.deps = deps;
  }

  /**
   * A click on Approve or Deny. `onRecorded` runs once the decision is durably recorded (or there
   * is nothing to record): the moment Slack may be acknowledged; the rest (the restart, the
   * re-check, the escalation) may still be running.
   */
  async click(
    verb: 'approve' | 'deny',
    proposalId: string,
    clicked: ClickSite,
    hooks: { onRecorded?: () => void } = {},
  ): Promise<DecisionOutcome> {
    const { approvals } = this.deps;
    const surface = clicked.surface ?? 'message';
    const outOfPlace = await this.outOfPlace(verb, proposalId, clicked);
    // Off the brief (a list, a modal, App Home) the brief's own message is updated, from the store.
    const site = surface === 'message' ? clicked : await this.briefSiteOf(proposalId, clicked);
    const outcome =
      outOfPlace ??
      (verb === 'approve'
        ? await approvals.approve(proposalId, site.user, {
            ...hooks,
            onApproved: (proposal) =>
              this.showOnBrief(site, proposal.incidentId, {
                kind: 'restarting',
                serverId: proposal.serverId,
                approvedBy: site.user,
                proposalId: proposal.id,
              }),
          })
        : await approvals.deny(proposalId, site.user, hooks));
    if (outOfPlace) hooks.onRecorded?.();
    this.deps.metrics.decisions.inc({ outcome: outcome.kind });
    if ('escalation' in outcome && outcome.escalation) {
      this.deps.metrics.escalations.inc({ sent: String(outcome.escalation.sent) });
    }

    // A modal or App Home shows the outcome itself (its listener updates the view).
    const tellable = surface === 'message' || surface === 'ephemeral';
    if (!replacesButtons(outcome)) {
      if (tellable) await this.tellClicker(clicked, decisionHeadline(outcome));
      // One approval of several: the thread sees who approved; the buttons stay for the next.
      const threadTs = site.threadTs ?? site.messageTs;
      if (outcome.kind === 'recorded' && !outcome.repeat && site.channel && threadTs) {
        const more = outcome.required - outcome.approvals;
        const text = `☑️ ${mention(site.user)} approved the restart of ${esc(outcome.proposal.serverId)} (${outcome.approvals} of ${outcome.required} approvals); ${more} more approver${more === 1 ? '' : 's'} needed before it runs.`;
        await this.deps.writer
          .post(site.channel, { text }, { threadTs })
          .catch((error) => this.slackFailed(error, 'could not post an approval in the thread'));
      }
      return outcome;
    }
    const incidentId = 'proposal' in outcome ? outcome.proposal.incidentId : null;
    if (incidentId) await this.showOnBrief(site, incidentId, outcome);
    const threadTs = site.threadTs ?? site.messageTs;
    if (site.channel && threadTs && outcome.kind !== 'expired') {
      await this.deps.writer
        .post(site.channel, decisionThreadMessage(outcome), { threadTs })
        .catch((error) => this.slackFailed(error, 'could not post the decision in the thread'));
    }
    if (outcome.kind === 'expired' || surface === 'ephemeral')
      if (tellable) await this.tellClicker(clicked, decisionHeadline(outcome));
    return outcome;
  }

  /**
   * A click must come from where its proposal is shown: always the workspace the bot is installed
   * in; on a message, the channel and the message the brief was posted as; in the Full brief modal,
   * a modal the bot opened for that very incident. (App Home and a `/triage list` answer are the
   * clicker's own views, built by the bot: the workspace is all there is to check.) A button value
   * copied into another message, or a click reported from another channel or workspace, restarts
   * nothing: it is refused and audited with the reason. Null when the click is where it belongs
   * (or names no proposal we know, which the approval service answers itself).
   */
  private async outOfPlace(
    verb: 'approve' | 'deny',
    proposalId: string,
    site: ClickSite,
  ): Promise<DecisionOutcome | null> {
    const proposal = await this.deps.store.proposals.get(proposalId);
    if (!proposal) return null;
    const incident = await this.deps.store.incidents.get(proposal.incidentId);
    const brief = briefSiteOf(incident?.presentation);
    const installed = this.deps.installedTeam ? await this.deps.installedTeam() : null;
    const surface = site.surface ?? 'message';
    const elsewhere =
      'This button does not belong to the message it was clicked on, so nothing was done. Use the buttons on the incident brief itself.';
    let refusal: { reason: string; message: string } | null = null;
    if (this.deps.installedTeam && !installed)
      refusal = {
        reason: 'the workspace the bot is installed in is unknown (auth.test failed)',
        message:
          'I could not confirm which Slack workspace I am installed in, so I accept no restart decision until I can. Nothing was done; try again in a minute.',
      };
    else if (this.deps.installedTeam && (site.team ?? null) !== installed)
      refusal = {
        reason: `click from another workspace (${site.team ?? 'none'}; installed in ${installed})`,
        message: elsewhere,
      };
    else if (surface === 'modal' && site.viewIncident !== proposal.incidentId)
      refusal = {
        reason: `click in a view of another incident (${site.viewIncident ?? 'none'}; the proposal is ${proposal.incidentId}'s)`,
        message: elsewhere,
      };
    else if (surface === 'message' && !brief)
      refusal = { reason: 'the proposal is not presented in Slack', message: elsewhere };
    else if (surface === 'message' && brief && site.channel !== brief.channel)
      refusal = {
        reason: `click from another channel (${site.channel ?? 'none'}; the brief is in ${brief.channel})`,
        message: elsewhere,
      };
    else if (surface === 'message' && brief && brief.ts !== null && site.messageTs !== brief.ts)
      refusal = {
        reason: `click on another message (${site.messageTs ?? 'none'}; the brief is ${brief.ts})`,
        message: elsewhere,
      };
    if (!refusal) return null;
    this.deps.logger.warn(
      { proposal: proposalId, user: site.user, reason: refusal.reason },
      'refused a click that did not come from its brief',
    );
    return this.deps.approvals.refuse(proposalId, site.user, verb, refusal.reason, refusal.message);
  }

  /**
   * The clicker learns that their click could not be recorded (the store cannot write), or that
   * the work after it failed: the truth, privately.
   */
  async clickFailed(site: ClickSite, text: string): Promise<void> {
    await this.tellClicker(site, text);
  }

  /** The site of a proposal's brief (its channel, message and thread), for a click made elsewhere. */
  private async briefSiteOf(proposalId: string, clicked: ClickSite): Promise<ClickSite> {
    const proposal = await this.deps.store.proposals.get(proposalId);
    const incident = proposal ? await this.deps.store.incidents.get(proposal.incidentId) : null;
    const thread = threadOf(incident?.presentation);
    return {
      user: clicked.user,
      channel: thread?.channel ?? null,
      messageTs: thread?.messageTs ?? null,
      threadTs: thread?.threadTs ?? null,
      responseUrl: null,
      surface: 'message',
    };
  }

  /** An expiry found by the sweep, shown on its brief and in its thread. */
  showExpired(outcome: Extract<DecisionOutcome, { kind: 'expired' }>): Promise<void> {
    return this.showSettled(outcome, 'could not post the expiry in the thread');
  }

  /**
   * A restart the reconciler settled (its replica stopped half-way), shown on its brief and in its
   * thread: the truth, whatever the brief said before ("Restarting…").
   */
  showReconciled(outcome: ReconciledOutcome): Promise<void> {
    return this.showSettled(outcome, 'could not post a reconciled restart in the thread');
  }

  private async showSettled(
    outcome: Extract<DecisionOutcome, { kind: 'expired' }> | ReconciledOutcome,
    failure: string,
  ): Promise<void> {
    const incident = await this.deps.store.incidents.get(outcome.proposal.incidentId);
    const thread = threadOf(incident?.presentation);
    if (!thread?.messageTs) return;
    const site: ClickSite = {
      user: 'operator',
      channel: thread.channel,
      messageTs: thread.messageTs,
      threadTs: thread.threadTs,
      responseUrl: null,
    };
    await this.showOnBrief(site, outcome.proposal.incidentId, outcome);
    await this.deps.writer
      .post(thread.channel, decisionThreadMessage(outcome), { threadTs: thread.threadTs })
      .catch((error) => this.slackFailed(error, failure));
  }

  /** The brief re-rendered from the store with the decision where its buttons were. */
  private async showOnBrief(
    site: ClickSite,
    incidentId: string,
    view: DecisionView,
  ): Promise<void> {
    const current = await readBrief(this.deps.store, incidentId);
    if (!current) return;
    const proposals = await this.deps.store.proposals.forIncident(incidentId);
    const state = proposals.at(-1)?.state;
    const brief = briefMessage(current, {
      approvers: this.deps.approverIds,
      ...(state ? { proposalState: state } : {}),
    });
    const message: SlackMessage = {
      text: brief.text,
      blocks: withDecision(brief.blocks ?? [], decisionContext(view)),
    };
    await this.replaceBrief(site, message);
  }

  private async replaceBrief(site: ClickSite, message: SlackMessage): Promise<void> {
    if (site.channel && site.messageTs) {
      try {
        await this.deps.writer.update(site.channel, site.messageTs, message);
        return;
      } catch (error) {
        this.slackFailed(error, 'could not update the brief; trying its response_url');
      }
    }
    if (site.responseUrl) {
      await postToResponseUrl(
        site.responseUrl,
        { ...message, replace_original: true },
        this.deps.fetch,
      ).catch((error) =>
        this.deps.logger.warn(
          { err: error },
          'could not update the brief through its response_url',
        ),
      );
    }
  }

  private async tellClicker(site: ClickSite, text: string): Promise<void> {
    if (site.channel) {
      try {
        await this.deps.writer.ephemeral(
          site.channel,
          site.user,
          { text },
          { threadTs: site.threadTs },
        );
        return;
      } catch (error) {
        this.slackFailed(error, 'could not answer the clicker privately; trying the response_url');
      }
    }
    if (site.responseUrl) {
      await postToResponseUrl(
        site.responseUrl,
        { text, response_type: 'ephemeral', replace_original: false },
        this.deps.fetch,
      ).catch((error) => this.deps.logger.warn({ err: error }, 'could not answer the clicker'));
    }
  }

  private slackFailed(error: unknown, what: string): void {
    this.deps.metrics.slackErrors.inc({ error: errorCode(error) });
    this.deps.logger.warn({ err: error }, what);
  }
}
