import { describe, expect, it } from 'vitest';
import {
  approveRestart,
  CLICK_NOT_STORED,
  denyRestart,
} from '../../../../src/slack/listeners/actions/restart-decision.ts';
import { invoke, OPS, recordingAck, recordingDeps } from '../support.ts';

const RESPONSE_URL = 'https://hooks.slack.com/actions/T0TEAM/1/abc';

/** A block_actions payload for a click on a brief posted in a thread, as Slack sends it. */
function clickBody(actionId: string, value: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    user: { id: 'U0APPROVER', username: 'approver', team_id: 'T0TEAM' },
    container: {
      type: 'message',
      message_ts: '1700000000.000301',
      channel_id: OPS,
      thread_ts: '1700000000.000300',
      is_ephemeral: false,
    },
    channel: { id: OPS, name: 'ops' },
    message: {
      type: 'message',
      ts: '1700000000.000301',
      thread_ts: '1700000000.000300',
      bot_id: 'BBOT',
      text: 'brief',
    },
    response_url: RESPONSE_URL,
    actions: [
      { type: 'button', action_id: actionId, block_id: `lzo_restart_actions.${value}`, value },
    ],
    ...extra,
  };
}

async function click(
  listener: typeof approveRestart,
  body: Record<string, unknown>,
  options: Parameters<typeof recordingDeps>[0] = {},
) {
  const { deps, rec } = recordingDeps(options);
  const { ack, acks } = recordingAck(rec);
  await invoke(listener(deps), { ack, body, action: (body.actions as unknown[] | undefined)?.[0] });
  return { rec, acks };
}

describe('restart decision buttons', () => {
  it('Approve decides with the proposal id and where the click happened, and acks once it is recorded', async () => {
    const { rec, acks } = await click(approveRestart, clickBody('approve_restart', 'prop-1'));
    expect(rec.order).toEqual(['click', 'ack']);
    expect(rec.readiness).toEqual(['ok']);
    expect(acks).toEqual([undefined]);
    expect(rec.clicks).toEqual([
      {
        verb: 'approve',
        proposalId: 'prop-1',
        site: {
          user: 'U0APPROVER',
          team: 'T0TEAM',
          channel: OPS,
          messageTs: '1700000000.000301',
          threadTs: '1700000000.000300',
          responseUrl: RESPONSE_URL,
          surface: 'message',
        },
      },
    ]);
  });

  it('Deny decides "deny"', async () => {
    const { rec } = await click(denyRestart, clickBody('deny_restart', 'prop-2'));
    expect(rec.clicks.map((c) => [c.verb, c.proposalId])).toEqual([['deny', 'prop-2']]);
  });

  it('falls back to the container for the site when channel and message are absent', async () => {
    const body = clickBody('approve_restart', 'prop-3');
    const { channel: _c, message: _m, response_url: _r, ...bare } = body;
    const { rec } = await click(approveRestart, bare);
    expect(rec.clicks[0]?.site).toEqual({
      user: 'U0APPROVER',
      team: 'T0TEAM',
      channel: OPS,
      messageTs: '1700000000.000301',
      threadTs: '1700000000.000300',
      responseUrl: null,
      surface: 'message',
    });
  });

  it('a click on a top-level brief has no thread', async () => {
    const body = clickBody('approve_restart', 'prop-4', {
      message: { type: 'message', ts: '1700000000.000400', text: 'brief' },
      container: { type: 'message', message_ts: '1700000000.000400', channel_id: OPS },
    });
    const { rec } = await click(approveRestart, body);
    expect(rec.clicks[0]?.site).toMatchObject({ messageTs: '1700000000.000400', threadTs: null });
  });

  it.each([
    ['no actions', { actions: [] }],
    ['an empty value', { actions: [{ type: 'button', action_id: 'approve_restart', value: '' }] }],
    ['no user', { user: undefined }],
  ])('a click with %s is acked and dropped', async (_what, extra) => {
    const { rec } = await click(approveRestart, clickBody('approve_restart', 'p', extra));
    expect(rec.order).toEqual(['ack']);
  });

  it('when the click cannot be recorded, it is acked, reported, and the clicker is told nothing was done', async () => {
    const { rec, acks } = await click(approveRestart, clickBody('approve_restart', 'prop-5'), {
      click: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    expect(acks).toEqual([undefined]);
    expect(rec.readiness).toEqual(['failed:click']);
    expect(rec.clickFailures).toEqual([
      { site: expect.objectContaining({ user: 'U0APPROVER' }), text: CLICK_NOT_STORED },
    ]);
    expect(rec.background).toEqual([]);
  });

  it('acks once recorded, while the restart goes on in the background; a later failure is told truthfully', async () => {
    let finish = (_error: unknown) => {};
    const { rec, acks } = await click(approveRestart, clickBody('approve_restart', 'prop-6'), {
      click: (_verb, _id, _site, hooks) =>
        new Promise((_resolve, reject) => {
          hooks?.onRecorded?.();
          finish = reject;
        }),
    });
    expect(acks).toEqual([undefined]);
    expect(rec.readiness).toEqual(['ok']);
    expect(rec.background).toHaveLength(1);
    finish(new Error('the restarter is down'));
    await Promise.all(rec.background);
    expect(rec.clickFailures).toEqual([
      {
        site: expect.objectContaining({ user: 'U0APPROVER' }),
        text: expect.stringMatching(
          /^⚠️ Your approval was recorded, but what follows it failed: the restarter is down/,
        ),
      },
    ]);
  });
});

describe('restart decision buttons off the brief', () => {
  const decided = async () => ({
    kind: 'denied' as const,
    proposal: {
      id: 'prop-9',
      incidentId: 'INC-0000MODL',
      serverId: 'payment-server-01',
      reason: 'hung',
      state: 'denied' as const,
      createdAt: '2025-03-01T09:00:00.000Z',
      expiresAt: '2025-03-01T09:30:00.000Z',
      decidedBy: 'U0APPROVER',
      decidedAt: '2025-03-01T09:05:00.000Z',
      executedAt: null,
      before: null,
      after: null,
    },
    brief: {} as never,
    escalation: { sent: false as const, reason: 'no package', brief: {} as never },
  });

  /** A click inside a view (a modal or the Home tab): no channel, no message, no response_url. */
  function viewClick(type: 'modal' | 'home') {
    return {
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0APPROVER', username: 'approver', team_id: 'T0TEAM' },
      container: { type: 'view', view_id: 'V0VIEW' },
      view: {
        id: 'V0VIEW',
        type,
        private_metadata: type === 'modal' ? JSON.stringify({ incidentId: 'INC-0000MODL' }) : '',
      },
      trigger_id: '1.2.3',
      actions: [
        {
          type: 'button',
          action_id: 'deny_restart',
          block_id: 'lzo_restart_actions.prop-9',
          value: 'prop-9',
        },
      ],
    };
  }

  it('a click in the Full brief modal takes the same path, then shows the outcome in the modal', async () => {
    const { deps, rec } = recordingDeps({ click: decided });
    const { ack } = recordingAck(rec);
    await invoke(denyRestart(deps), { ack, body: viewClick('modal') });
    await Promise.all(rec.background);
    expect(rec.clicks).toEqual([
      {
        verb: 'deny',
        proposalId: 'prop-9',
        site: {
          user: 'U0APPROVER',
          team: 'T0TEAM',
          channel: null,
          messageTs: null,
          threadTs: null,
          responseUrl: null,
          surface: 'modal',
          // The incident the bot opened the modal for: a click there must be for its proposal.
          viewIncident: 'INC-0000MODL',
        },
      },
    ]);
    expect(rec.order).toEqual(['click', 'ack', 'refreshModal']);
    expect(rec.surfaces[0]).toMatch(/^refreshModal:V0VIEW:INC-0000MODL:❌ Denied by <@U0APPROVER>/);
  });

  it('a click in App Home takes the same path, then publishes the Home tab again with the outcome', async () => {
    const { deps, rec } = recordingDeps({ click: decided });
    const { ack } = recordingAck(rec);
    await invoke(denyRestart(deps), { ack, body: viewClick('home') });
    await Promise.all(rec.background);
    expect(rec.clicks[0]?.site.surface).toBe('home');
    expect(rec.surfaces).toEqual([expect.stringMatching(/^publishHome:U0APPROVER:❌ Denied by/)]);
  });

  it('a click in a private /triage list answer is an ephemeral click', async () => {
    const { rec } = await click(
      approveRestart,
      clickBody('approve_restart', 'prop-5', {
        container: {
          type: 'message',
          message_ts: '1700000000.000500',
          channel_id: OPS,
          is_ephemeral: true,
        },
      }),
    );
    expect(rec.clicks[0]?.site.surface).toBe('ephemeral');
    expect(rec.surfaces).toEqual([]);
  });
});
