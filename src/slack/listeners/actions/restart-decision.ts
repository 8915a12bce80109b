import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { decisionHeadline } from '../../blocks/decision.ts';
import type { ClickSite } from '../../decisions.ts';
import { BriefViewMetadata, ButtonClick } from '../../payloads.ts';
import type { ListenerDeps } from '../deps.ts';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

type Surface = NonNullable<ClickSite['surface']>;

function surfaceOf(click: ButtonClick): Surface {
  if (click.container?.type === 'view' || click.view)
    return click.view?.type === 'home' ? 'home' : 'modal';
  return click.container?.is_ephemeral ? 'ephemeral' : 'message';
}

function siteOf(click: ButtonClick, surface: Surface): ClickSite {
  return {
    user: click.user.id,
    channel: click.channel?.id ?? click.container?.channel_id ?? null,
    messageTs: click.message?.ts ?? click.container?.message_ts ?? null,
    threadTs: click.message?.thread_ts ?? click.container?.thread_ts ?? null,
    responseUrl: click.response_url ?? null,
    surface,
  };
}

function incidentOfView(click: ButtonClick): string | null {
  try {
    return BriefViewMetadata.parse(JSON.parse(click.view?.private_metadata ?? '')).incidentId;
  } catch {
    return null;
  }
}

/**
 * Approve and Deny, wherever the buttons are — the brief, the Full brief modal, App Home, a
 * `/triage list` answer: one approval path, one set of rules. A modal or App Home then shows the
 * outcome in place.
 */
function decide(verb: 'approve' | 'deny', deps: ListenerDeps) {
  return async ({ ack, body }: ClickArgs) => {
    await ack();
    const parsed = ButtonClick.safeParse(body);
    const action = parsed.data?.actions[0];
    if (!parsed.success || !action) {
      deps.logger.warn(
        { issues: parsed.error?.issues },
        'dropped a button click of unexpected shape',
      );
      return;
    }
    const click = parsed.data;
    const surface = surfaceOf(click);
    const outcome = await deps.decisions.click(verb, action.value, siteOf(click, surface));
    const notice = decisionHeadline(outcome);
    if (surface === 'modal' && click.view) {
      const incidentId =
        ('proposal' in outcome ? outcome.proposal.incidentId : null) ?? incidentOfView(click);
      if (incidentId) await deps.surfaces.refreshModal(click.view.id, incidentId, notice);
    }
    if (surface === 'home') await deps.surfaces.publishHome(click.user.id, notice);
  };
}

/** The Approve button (`approve_restart`): only APPROVERS may; it restarts once, then re-checks health. */
export const approveRestart = (deps: ListenerDeps) => decide('approve', deps);

/** The Deny button (`deny_restart`): records who and when, then escalates with the brief. */
export const denyRestart = (deps: ListenerDeps) => decide('deny', deps);
