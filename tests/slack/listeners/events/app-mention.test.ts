import { describe, expect, it } from 'vitest';
import { appMention, MENTION_HELP } from '../../../../src/slack/listeners/events/app-mention.ts';
import { CONTEXT, invoke, OPS, recordingDeps } from '../support.ts';

const TS = '1700000000.000200';

async function deliver(
  event: Record<string, unknown>,
  body: Record<string, unknown> = { type: 'event_callback', event_id: 'EvM1' },
) {
  const { deps, rec } = recordingDeps();
  await invoke(appMention(deps), { event, body: { ...body, event }, context: { ...CONTEXT } });
  return rec;
}

const mention = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'app_mention',
  channel: OPS,
  ts: TS,
  user: 'U0HUMAN',
  text,
  ...extra,
});

describe('appMention listener', () => {
  it('strips the bot mention and triages in the mention’s own thread', async () => {
    const rec = await deliver(mention('<@UBOT> payment-server-01 is timing out'));
    expect(rec.accepted).toEqual([
      {
        origin: 'mention',
        text: 'payment-server-01 is timing out',
        actor: 'U0HUMAN',
        channel: OPS,
        replyTo: TS,
        messageTs: TS,
        eventId: 'EvM1',
      },
    ]);
  });

  it('a mention inside a thread answers in that thread', async () => {
    const rec = await deliver(
      mention('can you check <@UBOT|lzo> auth-service-03?', { thread_ts: '1700000000.000001' }),
    );
    expect(rec.accepted[0]).toMatchObject({
      text: 'can you check auth-service-03?',
      replyTo: '1700000000.000001',
      messageTs: TS,
    });
  });

  it('keeps other people’s mentions as words', async () => {
    const rec = await deliver(mention('<@UBOT> <@U0ALICE> says db-node-02 is down'));
    expect(rec.accepted[0]?.text).toBe('@U0ALICE says db-node-02 is down');
  });

  it('a bare mention gets help in its thread, and no triage', async () => {
    const rec = await deliver(mention('<@UBOT>  ', { thread_ts: '1700000000.000001' }));
    expect(rec.accepted).toEqual([]);
    expect(rec.posts).toEqual([
      { channel: OPS, message: { text: MENTION_HELP }, threadTs: '1700000000.000001' },
    ]);
  });

  it('a bare mention at top level gets help in a thread on it', async () => {
    const rec = await deliver(mention('<@UBOT>'));
    expect(rec.posts.map((p) => p.threadTs)).toEqual([TS]);
  });

  it('another bot’s mention is triaged; the bot’s own is not', async () => {
    const fromBot = await deliver(
      mention('<@UBOT> payment-server-01 alert', { user: undefined, bot_id: 'B0OTHER' }),
    );
    expect(fromBot.accepted[0]?.actor).toBe('B0OTHER');
    const own = await deliver(mention('<@UBOT> payment-server-01', { bot_id: CONTEXT.botId }));
    expect(own.order).toEqual([]);
  });

  it('without an event id none is passed on', async () => {
    const rec = await deliver(mention('<@UBOT> db-node-02'), { type: 'event_callback' });
    expect(rec.accepted[0]).not.toHaveProperty('eventId');
  });

  it('drops a mention of unexpected shape without answering', async () => {
    const rec = await deliver({ type: 'app_mention', channel: OPS, ts: TS });
    expect(rec.order).toEqual([]);
  });
});
