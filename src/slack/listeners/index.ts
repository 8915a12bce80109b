import type { App } from '@slack/bolt';
import { ACTION_IDS } from '../blocks/ids.ts';
import { openFullBrief } from './actions/open-full-brief.ts';
import { approveRestart, denyRestart } from './actions/restart-decision.ts';
import { triageCommand } from './commands/triage.ts';
import type { ListenerDeps } from './deps.ts';
import { alertMessage } from './events/alert-message.ts';
import { appHomeOpened } from './events/app-home-opened.ts';
import { appMention } from './events/app-mention.ts';
import { subteamMembersChanged } from './events/subteam-members-changed.ts';

/** Every listener, grouped by kind as Slack delivers them. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  app.event('app_mention', appMention(deps));
  app.event('message', alertMessage(deps));
  app.event('subteam_members_changed', subteamMembersChanged(deps));
  app.event('app_home_opened', appHomeOpened(deps));
  app.command('/triage', triageCommand(deps));
  app.action(ACTION_IDS.approve, approveRestart(deps));
  app.action(ACTION_IDS.deny, denyRestart(deps));
  app.action(ACTION_IDS.openBrief, openFullBrief(deps));
}
