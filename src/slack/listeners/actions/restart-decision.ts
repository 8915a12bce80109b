import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ClickSite } from '../../decisions.ts';
import { ButtonClick } from '../../payloads.ts';
import type { ListenerDeps } from '../deps.ts';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

function siteOf(click: ButtonClick): ClickSite {
  return {
    user: click.user.id,
    channel: click.channel?.id ?? click.container?.channel_id ?? null,
    messageTs: click.message?.ts ?? click.container?.message_ts ?? null,
    threadTs: click.message?.thread_ts ?? click.container?.thread_ts ?? null,
    responseUrl: click.response_url ?? null,
  };
}

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
    await deps.decisions.click(verb, action.value, siteOf(parsed.data));
  };
}

/** The Approve button (`approve_restart`): only APPROVERS may; it restarts once, then re-checks health. */
export const approveRestart = (deps: ListenerDeps) => decide('approve', deps);

/** The Deny button (`deny_restart`): records who and when, then escalates with the brief. */
export const denyRestart = (deps: ListenerDeps) => decide('deny', deps);
