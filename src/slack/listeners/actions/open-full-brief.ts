import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ButtonClick } from '../../payloads.ts';
import type { ListenerDeps } from '../deps.ts';

type ClickArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * The Full brief button (`open_full_brief`, value: the incident id): the whole brief in a modal,
 * for anyone. views.open needs the click's trigger_id within 3 s, so it is opened at once, right
 * after the acknowledgement.
 */
export function openFullBrief(deps: ListenerDeps) {
  return async ({ ack, body }: ClickArgs) => {
    await ack();
    const parsed = ButtonClick.safeParse(body);
    const action = parsed.data?.actions[0];
    if (!parsed.success || !action || !parsed.data.trigger_id) {
      deps.logger.warn(
        { issues: parsed.error?.issues },
        'dropped a Full brief click of unexpected shape',
      );
      return;
    }
    // After the acknowledgement: in HTTP mode Slack gets its answer only once the listener returns.
    deps.background(
      deps.surfaces.openFullBrief(parsed.data.trigger_id, action.value).then((opened) => {
        if (!opened) deps.logger.info({ incident: action.value }, 'no brief to open yet');
      }),
      'the Full brief modal',
    );
  };
}
