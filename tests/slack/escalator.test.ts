import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackEscalator } from '../../src/slack/escalator.ts';
import { presentationOf, type SlackThread } from '../../src/slack/thread.ts';
import type { EscalationTicket } from '../../src/tools/backends.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { ESCALATION, OPS, type SlackParts, slackParts } from '../support/slack-parts.ts';

const THREAD: SlackThread = {
  channel: OPS,
  threadTs: '1700000000.000700',
  messageTs: '1700000000.000701',
};
const PERMALINK = `https://example.slack.com/archives/${OPS}/p1700000000000700`;

let slack: FakeSlack;
let parts: SlackParts;

beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  parts = await slackParts({ slack });
  slack.calls.length = 0;
});
afterEach(async () => {
  await parts.close();
});

/** A real brief (db-node-02: monitor, so the runtime escalates nothing itself) on `thread`. */
async function ticket(thread: SlackThread | null): Promise<EscalationTicket> {
  const { brief } = await parts.runtime.operator.investigate({
    report: 'Something is wrong with db-node-02',
    source: 'slack',
    actor: 'U0ASKER',
    ...(thread ? { presentation: presentationOf(thread) } : {}),
  });
  slack.calls.length = 0;
  return { incidentId: brief.incidentId, reason: 'the on-call asked for it', brief };
}

const shown = (i: number) => JSON.stringify(slack.callsTo('chat.postMessage')[i]?.args ?? {});

describe('SlackEscalator', () => {
  it('posts the package to ESCALATION_CHANNEL with a link to the incident thread', async () => {
    const escalator = new SlackEscalator(parts.runtime.store, parts.writer, ESCALATION);
    const receipt = await escalator.send(await ticket(THREAD));
    const [post] = slack.callsTo('chat.postMessage');
    expect(post?.args.channel).toBe(ESCALATION);
    expect(post?.args).not.toHaveProperty('thread_ts');
    expect(receipt).toEqual({ target: ESCALATION, ref: String(post?.result?.ts) });
    expect(slack.callsTo('chat.getPermalink')[0]?.args).toMatchObject({
      channel: OPS,
      message_ts: THREAD.threadTs,
    });
    expect(shown(0)).toContain(PERMALINK);
    expect(shown(0)).toContain('the on-call asked for it');
    expect(String(post?.args.text)).toMatch(/^Escalation \(/);
  });

  it('still escalates, without the link, when Slack will not give a permalink', async () => {
    const escalator = new SlackEscalator(parts.runtime.store, parts.writer, ESCALATION);
    slack.fail('chat.getPermalink', { error: 'message_not_found' });
    await escalator.send(await ticket(THREAD));
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(shown(0)).not.toContain('View incident thread');
  });

  it('an incident with no thread escalates to the channel without a link', async () => {
    const escalator = new SlackEscalator(parts.runtime.store, parts.writer, ESCALATION);
    await escalator.send(await ticket(null));
    expect(slack.callsTo('chat.getPermalink')).toEqual([]);
    expect(slack.callsTo('chat.postMessage')[0]?.args.channel).toBe(ESCALATION);
  });

  it('without ESCALATION_CHANNEL, posts into the incident thread and says so', async () => {
    const escalator = new SlackEscalator(parts.runtime.store, parts.writer, null);
    const receipt = await escalator.send(await ticket(THREAD));
    const [post] = slack.callsTo('chat.postMessage');
    expect(post?.args).toMatchObject({ channel: OPS, thread_ts: THREAD.threadTs });
    expect(receipt).toEqual({
      target: 'the incident thread (no ESCALATION_CHANNEL configured)',
      ref: String(post?.result?.ts),
    });
  });

  it('without ESCALATION_CHANNEL or a thread it refuses, saying why', async () => {
    const escalator = new SlackEscalator(parts.runtime.store, parts.writer, null);
    await expect(escalator.send(await ticket(null))).rejects.toThrow(
      'no ESCALATION_CHANNEL is configured and the incident has no Slack thread to post in',
    );
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a Slack error is not swallowed: the caller records the escalation as not sent', async () => {
    const escalator = new SlackEscalator(parts.runtime.store, parts.writer, ESCALATION);
    slack.fail('chat.postMessage', { error: 'not_in_channel' });
    await expect(escalator.send(await ticket(THREAD))).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
  });
});
