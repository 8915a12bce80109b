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
