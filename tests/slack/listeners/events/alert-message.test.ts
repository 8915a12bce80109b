import { describe, expect, it } from 'vitest';
import { alertMessage, notAnAlert } from '../../../../src/slack/listeners/events/alert-message.ts';
import type { MessageEvent } from '../../../../src/slack/payloads.ts';
import { ALERTS, CONTEXT, invoke, OPS, recordingDeps } from '../support.ts';

const TS = '1700000000.000100';

async function deliver(
  event: Record<string, unknown>,
  options: { body?: Record<string, unknown>; context?: Record<string, unknown> } = {},
) {
  const { deps, rec } = recordingDeps();
  await invoke(alertMessage(deps), {
    event,
    body: options.body ?? { type: 'event_callback', event_id: 'Ev42', event },
    context: options.context ?? { ...CONTEXT },
  });
  return rec;
}

const grafana = (extra: Record<string, unknown> = {}) => ({
  type: 'message',
  subtype: 'bot_message',
  channel: ALERTS,
  ts: TS,
  bot_id: 'B0GRAFANA',
  text: '',
  attachments: [
    {
      fallback: '[FIRING:1] HighCPU payment-server-01',
      title: '[FIRING:1] HighCPU',
      text: 'payment-server-01 CPU above 90% for 5 minutes',
    },
  ],
  ...extra,
});

const human = (extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channel: ALERTS,
  ts: TS,
  user: 'U0HUMAN',
  text: 'db-node-02 looks slow',
  ...extra,
});

describe('alertMessage listener', () => {
  it('an integration’s bot_message with its words only in attachments is triaged with them', async () => {
    const rec = await deliver(grafana());
    expect(rec.accepted).toEqual([
      {
        origin: 'alert',
        text: '[FIRING:1] HighCPU\npayment-server-01 CPU above 90% for 5 minutes',
        actor: 'B0GRAFANA',
        channel: ALERTS,
        replyTo: TS,
        messageTs: TS,
        eventId: 'Ev42',
      },
    ]);
  });

  it('a person’s message in an alert channel is triaged, markup made plain, bot mention dropped', async () => {
    const rec = await deliver(
      human({ text: '<@UBOT> <https://grafana.example/d/1|db-node-02> is slow &amp; lagging' }),
    );
    expect(rec.accepted).toEqual([
      expect.objectContaining({
        text: 'db-node-02 is slow & lagging',
        actor: 'U0HUMAN',
        replyTo: TS,
        messageTs: TS,
      }),
    ]);
  });

  it('a file_share message (an integration posting a graph with its alert) is triaged like any other', async () => {
    const rec = await deliver(
      human({
        subtype: 'file_share',
        user: undefined,
        bot_id: 'B0ZABBIX',
        text: 'Problem: High CPU utilization\nHost: payment-server-01',
        files: [{ id: 'F1', name: 'graph.png', title: 'CPU utilization, last hour' }],
      }),
    );
    expect(rec.accepted).toEqual([
      expect.objectContaining({
        text: 'Problem: High CPU utilization\nHost: payment-server-01\nCPU utilization, last hour',
        actor: 'B0ZABBIX',
        replyTo: TS,
      }),
    ]);
  });

  it('without an event id in the body, none is passed on', async () => {
    const rec = await deliver(human(), { body: { type: 'event_callback' } });
    expect(rec.accepted).toHaveLength(1);
    expect(rec.accepted[0]).not.toHaveProperty('eventId');
  });

  it('a thread’s parent message counts as a new message', async () => {
    const rec = await deliver(human({ thread_ts: TS }));
    expect(rec.accepted).toHaveLength(1);
  });

  it.each([
    ['a reply in a thread', human({ thread_ts: '1700000000.000001' })],
    [
      'an edit (message_changed)',
      {
        type: 'message',
        subtype: 'message_changed',
        channel: ALERTS,
        ts: TS,
        hidden: true,
        message: { type: 'message', user: 'U0HUMAN', text: 'payment-server-01 down', ts: '1.1' },
      },
    ],
    [
      'a deletion (message_deleted)',
      { type: 'message', subtype: 'message_deleted', channel: ALERTS, ts: TS, deleted_ts: '1.1' },
    ],
    ['a join', human({ subtype: 'channel_join', text: '<@U0HUMAN> has joined the channel' })],
    ['a broadcast thread reply', human({ subtype: 'thread_broadcast', thread_ts: '1.1' })],
    ['the bot’s own message, by bot id', grafana({ bot_id: CONTEXT.botId })],
    ['the bot’s own message, by user id', human({ user: CONTEXT.botUserId, bot_id: 'B0OTHER' })],
    ['a message outside ALERT_CHANNELS', human({ channel: OPS })],
    ['a message with no words at all', human({ text: '' })],
    ['a message of unexpected shape', { type: 'message', channel: ALERTS, text: 'no ts' }],
  ])('ignores %s', async (_what, event) => {
    const rec = await deliver(event);
    expect(rec.accepted).toEqual([]);
    expect(rec.order).toEqual([]);
  });

  it('another bot’s message is triaged even though it is a bot', async () => {
    const rec = await deliver(grafana({ bot_id: 'B0PAGERDUTY' }));
    expect(rec.accepted).toHaveLength(1);
  });
});

describe('notAnAlert', () => {
  const message = (extra: Partial<MessageEvent>): MessageEvent => ({
    type: 'message',
    channel: ALERTS,
    ts: TS,
    ...extra,
  });

  it('says why a message is not an alert', () => {
    expect(notAnAlert(message({ subtype: 'message_changed' }), CONTEXT)).toBe(
      'subtype message_changed',
    );
    expect(notAnAlert(message({ bot_id: 'BBOT', subtype: 'bot_message' }), CONTEXT)).toBe(
      'our own message',
    );
    expect(notAnAlert(message({ user: 'UBOT' }), CONTEXT)).toBe('our own message');
    expect(notAnAlert(message({ user: 'U1', thread_ts: '1.0' }), CONTEXT)).toBe(
      'a reply in a thread',
    );
  });

  it('is null for alerts, and does not treat an unknown bot identity as ours', () => {
    expect(notAnAlert(message({ user: 'U1' }), CONTEXT)).toBeNull();
    expect(notAnAlert(message({ subtype: 'bot_message', bot_id: 'B1' }), CONTEXT)).toBeNull();
    // With no identity in the context, nothing is "ours" (an undefined id matches nobody).
    expect(notAnAlert(message({ subtype: 'bot_message' }), {})).toBeNull();
    expect(notAnAlert(message({ user: 'U1' }), {})).toBeNull();
  });
});
