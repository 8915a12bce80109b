import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { waitForBriefWithButtons } from './e2e-support.ts';
import { APPROVER, type BotHarness, mention, OPS, startBot } from './harness.ts';

/** A port nobody is listening on, for the Socket Mode bot's /healthz (PORT=0 cannot be read back). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let harness: BotHarness | null = null;
let slack: FakeSlack | null = null;
afterEach(async () => {
  await harness?.close();
  await slack?.close();
  harness = null;
  slack = null;
});

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Socket Mode (SLACK_APP_TOKEN set): no public URL needed', () => {
  it('connects through SLACK_API_URL, acks over the socket, triages, and a click restarts once', async () => {
    slack = await FakeSlack.start();
    const socket = slack.socketMode();
    const port = await freePort();
    harness = await startBot({
      slack,
      env: { SLACK_APP_TOKEN: 'xapp-1-test', PORT: String(port) },
    });
    expect(harness.bot.mode).toBe('socket');
    await socket.whenConnected();
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);

    const mentioned = socket.deliver('events_api', {
      type: 'event_callback',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      event_id: 'Ev0SOCKET',
      event: mention(
        OPS,
        'The payment-server-01 is extremely slow and timing out.',
        '1700003000.000100',
      ),
    });
    await until(() => socket.acks.has(mentioned), 'the event ack');
    const { call, proposalId } = await waitForBriefWithButtons(slack);

    const command = socket.deliver('slash_commands', {
      command: '/triage',
      text: '',
      user_id: 'U0ASKER',
      channel_id: OPS,
      response_url: slack.responseUrl('socket-cmd'),
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
    });
    await until(() => socket.acks.has(command), 'the command ack');
    expect(JSON.stringify(socket.acks.get(command))).toMatch(/Usage/);

    const click = socket.deliver('interactive', {
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: APPROVER },
      api_app_id: 'A0APP',
      channel: { id: OPS },
      container: { type: 'message', channel_id: OPS, message_ts: String(call.args.ts) },
      message: { ts: String(call.args.ts), thread_ts: '1700003000.000100' },
      response_url: slack.responseUrl('socket-click'),
      actions: [
        {
          type: 'button',
          action_id: 'approve_restart',
          block_id: `lzo_restart_actions.${proposalId}`,
          value: proposalId,
        },
      ],
    });
    await until(() => socket.acks.has(click), 'the click ack');
    await until(() => harness?.fleet.restartCount('payment-server-01') === 1, 'the restart');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', mode: 'socket' });
  });

  it('an event the store cannot write is not acknowledged over the socket, so Slack delivers it again', async () => {
    slack = await FakeSlack.start();
    const socket = slack.socketMode();
    const port = await freePort();
    const store = SqliteStore.open(':memory:');
    harness = await startBot({
      slack,
      store,
      env: { SLACK_APP_TOKEN: 'xapp-1-test', PORT: String(port) },
    });
    await socket.whenConnected();
    const event = {
      type: 'event_callback',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      event_id: 'Ev0SOCKETFULL',
      event: mention(OPS, 'db-node-02 looks odd', '1700003100.000100'),
    };
    // A stored one is acknowledged…
    const fine = socket.deliver('events_api', { ...event, event_id: 'Ev0SOCKETOK' });
    await until(() => socket.acks.has(fine), 'the ack of a stored event');
    // …one the store refuses is not.
    await store.close();
    const refused = socket.deliver('events_api', event);
    await new Promise((r) => setTimeout(r, 500));
    expect(socket.acks.has(refused)).toBe(false);
  });
});
