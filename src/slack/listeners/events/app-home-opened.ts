import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { AppHomeOpenedEvent } from '../../payloads.ts';
import type { ListenerDeps } from '../deps.ts';

/**
 * `app_home_opened`: publishes the user's Home tab — open incidents by severity, the restart
 * proposals awaiting them (with the buttons), the last actions taken. The Messages tab is left
 * alone.
 */
export function appHomeOpened(deps: ListenerDeps) {
  return async ({ event }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    const parsed = AppHomeOpenedEvent.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn(
        { issues: parsed.error.issues },
        'dropped an app_home_opened event of unexpected shape',
      );
      return;
    }
    if (parsed.data.tab === 'messages') return;
    // Nothing to store: acknowledged at once (HTTP answers after the listeners), drawn after.
    deps.background(deps.surfaces.publishHome(parsed.data.user), 'the Home tab');
  };
}
