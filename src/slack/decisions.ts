import { errorCode } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ApprovalService, DecisionOutcome } from '../operator/approval/approval.ts';
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
import { postToResponseUrl } from './respond.ts';
import { threadOf } from './thread.ts';
import type { SlackMessage, SlackWriter } from './writer.ts';

/**
 * Where the click happened: the brief message, its thread, and the response_url Slack gave.
 * `surface` says which kind of place it was: the brief itself (the default), a private copy
 * (`/triage list`), the Full brief modal or App Home. Off the brief, the brief is found from the
 * store and updated where it lives; the clicker's own surface is shown the outcome by its listener.
 */
export type ClickSite = {
  user: string;
  channel: string | null;
  messageTs: string | null;
  threadTs: string | null;
  responseUrl: string | null;
  surface?: 'message' | 'ephemeral' | 'modal' | 'home';
};

export type DecisionsDeps = {
  approvals: Pick<ApprovalService, 'approve' | 'deny'>;
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

  async click(
    verb: 'approve' | 'deny',
    proposalId: string,
    clicked: ClickSite,
  ): Promise<DecisionOutcome> {
    const { approvals } = this.deps;
    const surface = clicked.surface ?? 'message';
    // Off the brief (a list, a modal, App Home) the brief's own message is updated, from the store.
    const site = surface === 'message' ? clicked : await this.briefSiteOf(proposalId, clicked);
    const outcome =
      verb === 'approve'
        ? await approvals.approve(proposalId, site.user, {
            onApproved: (proposal) =>
              this.showOnBrief(site, proposal.incidentId, {
                kind: 'restarting',
                serverId: proposal.serverId,
                approvedBy: site.user,
                proposalId: proposal.id,
              }),
          })
        : await approvals.deny(proposalId, site.user);
    this.deps.metrics.decisions.inc({ outcome: outcome.kind });
    if ('escalation' in outcome && outcome.escalation) {
      this.deps.metrics.escalations.inc({ sent: String(outcome.escalation.sent) });
    }

    // A modal or App Home shows the outcome itself (its listener updates the view).
    const tellable = surface === 'message' || surface === 'ephemeral';
    if (!replacesButtons(outcome)) {
      if (tellable) await this.tellClicker(clicked, decisionHeadline(outcome));
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
  async showExpired(outcome: Extract<DecisionOutcome, { kind: 'expired' }>): Promise<void> {
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
      .catch((error) => this.slackFailed(error, 'could not post the expiry in the thread'));
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
