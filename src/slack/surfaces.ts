import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import type { ApproverPolicy } from '../operator/approval/approval.ts';
import { readBrief } from '../operator/presentation/brief.ts';
import { overview } from '../operator/presentation/overview.ts';
import { resolutionOf } from '../operator/presentation/resolution.ts';
import type { Store } from '../store/ports.ts';
import type { SlackMessage } from './blocks/brief.ts';
import { section } from './blocks/fit.ts';
import { fullBriefModal } from './blocks/full-brief.ts';
import { homeView, overviewMessage } from './blocks/home.ts';
import { esc, slackDate } from './blocks/text.ts';
import { currentBrief } from './brief-view.ts';
import type { SlackViews } from './views.ts';

export type SurfacesDeps = {
  store: Pick<Store, 'incidents' | 'audit' | 'proposals'>;
  views: Pick<SlackViews, 'open' | 'update' | 'publish'>;
  approvers: Pick<ApproverPolicy, 'isApprover'>;
  approverIds: readonly string[];
  clock: Clock;
  logger: Logger;
};

/**
 * The incident's other surfaces in Slack: the Full brief modal (anyone may open it; its buttons
 * take the same approval path as the brief's), App Home, and the `/triage list` and
 * `/triage status` answers. Each is rendered from the store when asked for.
 */
export class Surfaces {
  private readonly deps: SurfacesDeps;

  constructor(deps: SurfacesDeps) {
    this.deps = deps;
  }

  private async modal(incidentId: string, notice?: string) {
    const brief = await readBrief(this.deps.store, incidentId);
    if (!brief) return null;
    const proposal = (await this.deps.store.proposals.forIncident(incidentId)).at(-1);
    return fullBriefModal(brief, {
      approvers: this.deps.approverIds,
      ...(proposal ? { proposalState: proposal.state } : {}),
      ...(notice ? { notice } : {}),
    });
  }

  /** Opens the whole brief in a modal; false when the incident has no brief yet. */
  async openFullBrief(triggerId: string, incidentId: string): Promise<boolean> {
    const view = await this.modal(incidentId);
    if (!view) return false;
    await this.deps.views.open(triggerId, view);
    return true;
  }

  /** The modal again, after a click in it, with the outcome at the top. */
  async refreshModal(viewId: string, incidentId: string, notice: string): Promise<void> {
    const view = await this.modal(incidentId, notice);
    if (view) await this.deps.views.update(viewId, view);
  }

  private async overviewFor(userId: string) {
    const approver = await this.deps.approvers.isApprover(userId).catch(() => false);
    return overview(this.deps.store, { now: this.deps.clock.now(), approver });
  }

  /** One user's Home tab: open incidents, proposals awaiting them, the last actions. */
  async publishHome(userId: string, notice?: string): Promise<void> {
    const data = await this.overviewFor(userId);
    await this.deps.views.publish(
      userId,
      homeView(data, {
        approvers: this.deps.approverIds,
        now: this.deps.clock.now(),
        ...(notice ? { notice } : {}),
      }),
    );
  }

  /** `/triage list`: the same as App Home, as a message. */
  async listMessage(userId: string): Promise<SlackMessage> {
    const data = await this.overviewFor(userId);
    return overviewMessage(data, { approvers: this.deps.approverIds, now: this.deps.clock.now() });
  }

  /** `/triage status INC-…`: the compact brief with whether it is open; null when unknown. */
  async statusMessage(incidentId: string): Promise<SlackMessage | null> {
    const { store } = this.deps;
    const incident = await store.incidents.get(incidentId);
    if (!incident) return null;
    const current = await currentBrief(store, incidentId, {
      approvers: this.deps.approverIds,
    });
    const resolved = resolutionOf(await store.audit.list({ incidentId }));
    const state = resolved
      ? `✅ *${esc(incidentId)}* is resolved (${slackDate(resolved.at)})`
      : `🟢 *${esc(incidentId)}* is open (since ${slackDate(incident.createdAt)})`;
    if (!current)
      return {
        text: `${incidentId} is being investigated`,
        blocks: [section(`${state}; its investigation has not finished yet.`)],
      };
    return { text: current.message.text, blocks: [section(state), ...current.message.blocks] };
  }
}
