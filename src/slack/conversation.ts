import { errorCode } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { FollowUpAnswer } from '../operator/conversation/answers.ts';
import type { ConversationPresenter } from '../operator/conversation/conversation.ts';
import type { Postmortem } from '../operator/postmortem/draft.ts';
import type { PostmortemPresenter } from '../operator/postmortem/postmortems.ts';
import type { Store } from '../store/ports.ts';
import { followUpMessage } from './blocks/followup.ts';
import { postmortemMessage } from './blocks/postmortem.ts';
import { currentBrief } from './brief-view.ts';
import { decodeRoute, threadOf } from './thread.ts';
import type { SlackWriter } from './writer.ts';

export type SlackConversationDeps = {
  store: Pick<Store, 'incidents' | 'audit' | 'proposals'>;
  writer: Pick<SlackWriter, 'post' | 'update'>;
  approverIds: readonly string[];
  metrics: Metrics;
  logger: Logger;
};

/**
 * Follow-up answers and postmortem drafts in the incident's thread, and the brief's own message
 * edited when a follow-up changed the decision.
 */
export class SlackConversation implements ConversationPresenter, PostmortemPresenter {
  private readonly deps: SlackConversationDeps;

  constructor(deps: SlackConversationDeps) {
    this.deps = deps;
  }

  async answer(incidentId: string, route: string, answer: FollowUpAnswer): Promise<void> {
    const { channel, replyTo } = decodeRoute(route);
    await this.deps.writer.post(channel, followUpMessage(incidentId, answer), {
      threadTs: replyTo,
    });
  }

  async refresh(incidentId: string): Promise<void> {
    const incident = await this.deps.store.incidents.get(incidentId);
    const thread = threadOf(incident?.presentation);
    if (!thread?.messageTs) return;
    const current = await currentBrief(this.deps.store, incidentId, {
      approvers: this.deps.approverIds,
    });
    if (!current) return;
    await this.deps.writer
      .update(thread.channel, thread.messageTs, current.message)
      .catch((error) => {
        this.deps.metrics.slackErrors.inc({ error: errorCode(error) });
        this.deps.logger.warn({ err: error, incidentId }, 'could not update the brief');
      });
  }

  async postmortem(incidentId: string, draft: Postmortem): Promise<void> {
    const incident = await this.deps.store.incidents.get(incidentId);
    const thread = threadOf(incident?.presentation);
    if (!thread) throw new Error(`${incidentId} has no Slack thread to post its postmortem in`);
    await this.deps.writer.post(thread.channel, postmortemMessage(draft), {
      threadTs: thread.threadTs,
    });
  }
}
