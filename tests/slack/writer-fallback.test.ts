import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalPacer } from '../../src/slack/pacer.ts';
import { SlackWriter } from '../../src/slack/writer.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { fakeWebClient } from '../support/slack-parts.ts';

const C1 = 'C0ONE';
const modern: KnownBlock[] = [{ type: 'markdown', text: '**What we know**' }];
const classic: KnownBlock[] = [
  { type: 'section', text: { type: 'mrkdwn', text: '*What we know*' } },
];
const types = (blocks: unknown) => (Array.isArray(blocks) ? blocks.map((b) => b.type) : []);

describe('newer blocks, and a workspace that refuses them', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await FakeSlack.start();
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => {
    slack.calls.length = 0;
  });

  const writer = (refused: unknown[] = []) =>
    new SlackWriter(fakeWebClient(slack), {
      pacer: new LocalPacer(0),
      maxRateLimitWaitMs: 1_000,
      onNewerBlocksRefused: (e) => refused.push(e),
    });

  it('sends the newer blocks when Slack takes them', async () => {
    await writer().post(C1, { text: 't', blocks: modern, classic });
    expect(slack.callsTo('chat.postMessage').map((c) => types(c.args.blocks))).toEqual([
      ['markdown'],
    ]);
  });

  it('on invalid_blocks re-sends the classic ones, and sends those first from then on', async () => {
    slack.fail('chat.postMessage', { error: 'invalid_blocks' });
    const refused: unknown[] = [];
    const w = writer(refused);
    const { ts } = await w.post(C1, { text: 't', blocks: modern, classic });
    expect(ts).toMatch(/^1700000000\./);
    await w.update(C1, ts, { text: 't2', blocks: modern, classic });
    expect(slack.callsTo('chat.postMessage').map((c) => types(c.args.blocks))).toEqual([
      ['markdown'],
      ['section'],
    ]);
    expect(slack.callsTo('chat.update').map((c) => types(c.args.blocks))).toEqual([['section']]);
    expect(refused).toHaveLength(1);
  });

  it('a message without a classic copy fails as before; other errors are not retried', async () => {
    slack.fail('chat.postMessage', { error: 'invalid_blocks' });
    await expect(writer().post(C1, { text: 't', blocks: modern })).rejects.toThrow(
      /invalid_blocks/,
    );
    slack.fail('chat.postMessage', { error: 'channel_not_found' });
    await expect(writer().post(C1, { text: 't', blocks: modern, classic })).rejects.toThrow(
      /channel_not_found/,
    );
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
  });
});
