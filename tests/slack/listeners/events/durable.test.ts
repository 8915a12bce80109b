import { describe, expect, it } from 'vitest';
import { DeliveryInFlight } from '../../../../src/operator/intake/deliveries.ts';
import { isNotAcknowledged } from '../../../../src/slack/acks.ts';
import { alertMessage } from '../../../../src/slack/listeners/events/alert-message.ts';
import { appMention } from '../../../../src/slack/listeners/events/app-mention.ts';
import { subteamMembersChanged } from '../../../../src/slack/listeners/events/subteam-members-changed.ts';
import { ALERTS, CONTEXT, invoke, OPS, recordingDeps } from '../support.ts';

const TS = '1700000000.000200';
const full = async () => {
  throw new Error('database or disk is full');
};

describe('events are acknowledged only once stored', () => {
  it('a mention the store cannot write is not acknowledged (so Slack retries) and is reported', async () => {
    const { deps, rec } = recordingDeps({ accept: full });
    const event = {
      type: 'app_mention',
      channel: OPS,
      ts: TS,
      user: 'U0HUMAN',
      text: '<@UBOT> db-node-02',
    };
    const error = await invoke(appMention(deps), {
      event,
      body: { type: 'event_callback', event_id: 'EvD1', event },
      context: { ...CONTEXT },
    }).catch((e: unknown) => e);
    expect(isNotAcknowledged(error)).toBe(true);
    expect(rec.readiness).toEqual(['failed:event']);
  });

  it('an alert the store cannot write is not acknowledged either', async () => {
    const { deps, rec } = recordingDeps({ accept: full });
    const event = {
      type: 'message',
      channel: ALERTS,
      ts: TS,
      user: 'U0HUMAN',
      text: 'web-01 down',
    };
    const error = await invoke(alertMessage(deps), {
      event,
      body: { type: 'event_callback', event_id: 'EvD2', event },
      context: { ...CONTEXT },
    }).catch((e: unknown) => e);
    expect(isNotAcknowledged(error)).toBe(true);
    expect(rec.readiness).toEqual(['failed:event']);
  });

  it('a repeat whose first delivery is still being taken in is not acknowledged, and is no store failure', async () => {
    const { deps, rec } = recordingDeps({
      accept: async () => {
        throw new DeliveryInFlight('event:EvD3');
      },
    });
    const event = {
      type: 'app_mention',
      channel: OPS,
      ts: TS,
      user: 'U0HUMAN',
      text: '<@UBOT> db-node-02',
    };
    const error = await invoke(appMention(deps), {
      event,
      body: { type: 'event_callback', event_id: 'EvD3', event },
      context: { ...CONTEXT },
    }).catch((e: unknown) => e);
    expect(isNotAcknowledged(error)).toBe(true);
    expect(rec.readiness).toEqual([]);
  });

  it('a stored mention reports a working store', async () => {
    const { deps, rec } = recordingDeps();
    const event = {
      type: 'app_mention',
      channel: OPS,
      ts: TS,
      user: 'U0HUMAN',
      text: '<@UBOT> db-node-02',
    };
    await invoke(appMention(deps), {
      event,
      body: { type: 'event_callback', event_id: 'EvD4', event },
      context: { ...CONTEXT },
    });
    expect(rec.readiness).toEqual(['ok']);
  });
});

describe('subteam_members_changed', () => {
  it('drops the cached membership of an approver group at once', async () => {
    const { deps } = recordingDeps();
    const changed: string[] = [];
    deps.approvers = {
      watches: (group) => group === 'S0ONCALL',
      membershipChanged: async (group) => {
        changed.push(group);
      },
    };
    const event = (group: string) => ({
      type: 'subteam_members_changed',
      subteam_id: group,
      team_id: 'T0TEAM',
      removed_users: ['U0MEMBER'],
      removed_users_count: 1,
    });
    await invoke(subteamMembersChanged(deps), { event: event('S0ONCALL') });
    await invoke(subteamMembersChanged(deps), { event: event('S0OTHER') });
    await invoke(subteamMembersChanged(deps), { event: { type: 'subteam_members_changed' } });
    expect(changed).toEqual(['S0ONCALL']);
  });
});
