import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { SubteamMembersChanged } from '../../payloads.ts';
import type { ListenerDeps } from '../deps.ts';

/**
 * `subteam_members_changed`: someone joined or left a user group. For an approver group the cached
 * membership is dropped at once, here and (through the store) on every replica, so a person removed
 * from on-call cannot approve a restart a minute later on a stale answer.
 */
export function subteamMembersChanged(deps: ListenerDeps) {
  return async ({
    event,
  }: SlackEventMiddlewareArgs<'subteam_members_changed'> & AllMiddlewareArgs) => {
    const parsed = SubteamMembersChanged.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn(
        { issues: parsed.error.issues },
        'dropped a subteam_members_changed event of unexpected shape',
      );
      return;
    }
    const { subteam_id: group, removed_users, added_users } = parsed.data;
    if (!deps.approvers.watches(group)) return;
    await deps.approvers.membershipChanged(group);
    deps.logger.info(
      { group, added: added_users?.length ?? 0, removed: removed_users?.length ?? 0 },
      'an approver group changed; its membership is read afresh',
    );
  };
}
