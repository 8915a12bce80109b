import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { counterMessage, GroupCounter } from '../../src/slack/alert-groups.ts';
import { encodeRef } from '../../src/slack/thread.ts';
import type { AlertGroup } from '../../src/store/ports.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { ALERTS, type SlackParts, slackParts, until } from '../support/slack-parts.ts';

const WINDOW_MS = 15 * 60_000;

let slack: FakeSlack;
let parts: SlackParts;
const counters: GroupCounter[] = [];

beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  slack.calls.length = 0;
  parts = await slackParts({ slack });
});
afterEach(async () => {
  // No timer may outlive its test and write into the next one.
  for (const c of counters.splice(0)) await c.flushAll();
  await parts.close();
});

function counter(debounceMs: number): GroupCounter {
  const made = new GroupCounter({
    store: parts.runtime.store,
    writer: parts.writer,
    debounceMs,
    logger: parts.logger,
    clock: parts.clock,
  });
  counters.push(made);
  return made;
}

/** One alert for `key`: opens its group on `threadTs` or joins the open one; returns the group. */
async function alertFor(key: string, threadTs: string): Promise<AlertGroup> {
  const { group } = await parts.runtime.store.coordination.joinAlertGroup({
    key,
    now: parts.clock.now(),
    windowMs: WINDOW_MS,
    place: encodeRef(ALERTS, threadTs),
  });
  return group;
}

/** A repeat of an alert, as Intake reports it: counted in the store, then bumped. */
async function repeat(sut: GroupCounter, key: string): Promise<AlertGroup> {
  const group = await alertFor(key, 'unused');
  sut.bump(group.id);
  return group;
}

const posts = () => slack.callsTo('chat.postMessage');
const updates = () => slack.callsTo('chat.update');

describe('GroupCounter', () => {
  it('several repeats within the debounce become one post, then updates with the latest count', async () => {
    const sut = counter(30);
    const group = await alertFor('servers:payment-server-01', '1.000001');
    for (let i = 0; i < 3; i++) await repeat(sut, 'servers:payment-server-01');
    expect(posts()).toHaveLength(0);

    await slack.waitFor((s) => s.callsTo('chat.postMessage').length === 1, 5_000, 'the counter');
    const [post] = posts();
    expect(post?.args).toMatchObject({ channel: ALERTS, thread_ts: '1.000001' });
    expect(String(post?.args.text)).toMatch(/^🔁 \+3 more alerts like this one — seen 4 times/);
    const counterTs = String(post?.result?.ts);
    await until(
      async () =>
        (await parts.runtime.store.coordination.getAlertGroup(group.id))?.reportedCount === 4,
      'the counter recorded',
    );
    expect(await parts.runtime.store.coordination.getAlertGroup(group.id)).toMatchObject({
      counter: encodeRef(ALERTS, counterTs),
    });

    for (let i = 0; i < 2; i++) await repeat(sut, 'servers:payment-server-01');
    await slack.waitFor((s) => s.callsTo('chat.update').length === 1, 5_000, 'the update');
    expect(updates()[0]?.args).toMatchObject({ channel: ALERTS, ts: counterTs });
    expect(String(updates()[0]?.args.text)).toMatch(/\+5 more alerts .* seen 6 times/);
    // Nothing is pending: a flush now writes nothing more.
    await sut.flushAll();
    expect(posts()).toHaveLength(1);
    expect(updates()).toHaveLength(1);
  });

  it('takes no more repeats after shutdown, so no timer fires against a closed store', async () => {
    const sut = counter(20);
    await sut.flushAll();
    const { group } = await parts.runtime.store.coordination.joinAlertGroup({
      key: 'servers:auth-service-03',
      now: parts.clock.now(),
      windowMs: 60_000,
      place: encodeRef(ALERTS, '9.000001'),
    });
    await repeat(sut, 'servers:auth-service-03');
    await new Promise((r) => setTimeout(r, 100));
    expect((await parts.runtime.store.coordination.getAlertGroup(group.id))?.count).toBe(2);
    expect(posts()).toEqual([]);
  });

  it('keeps each group to its own thread and count', async () => {
    const sut = counter(20);
    await alertFor('servers:payment-server-01', '1.000001');
    await alertFor('servers:auth-service-03', '2.000001');
    await repeat(sut, 'servers:payment-server-01');
    await repeat(sut, 'servers:auth-service-03');
    await repeat(sut, 'servers:auth-service-03');
    await slack.waitFor((s) => s.callsTo('chat.postMessage').length === 2, 5_000, 'two counters');
    const byThread = Object.fromEntries(
      posts().map((c) => [String(c.args.thread_ts), String(c.args.text)]),
    );
    expect(byThread['1.000001']).toMatch(/\+1 more alert like this one — seen 2 times/);
    expect(byThread['2.000001']).toMatch(/\+2 more alerts like this one — seen 3 times/);
  });

  it('flushAll writes what is pending at once (shutdown) and cancels the timers', async () => {
    const sut = counter(60_000);
    await alertFor('servers:db-node-02', '3.000001');
    await repeat(sut, 'servers:db-node-02');
    expect(posts()).toHaveLength(0);
    await sut.flushAll();
    expect(posts()).toHaveLength(1);
    await sut.flushAll();
    expect(posts()).toHaveLength(1);
  });

  it('writes nothing for a group with no repeats since the last write', async () => {
    const sut = counter(60_000);
    const group = await alertFor('servers:db-node-02', '3.000001');
    await sut.flush(group.id);
    await sut.flush('no-such-group');
    expect(slack.calls).toEqual([]);
  });

  it('when another replica holds the counter, tries again later and then updates its message', async () => {
    const sut = counter(20);
    const group = await alertFor('servers:payment-server-01', '1.000001');
    expect(
      await parts.runtime.store.coordination.claim(
        `counter:${group.id}`,
        parts.clock.now(),
        60_000,
      ),
    ).toBe(true);
    await alertFor('servers:payment-server-01', 'unused');
    // This replica's flush finds the counter claimed and schedules another look by itself.
    await sut.flush(group.id);
    expect(posts()).toHaveLength(0);
    // The other replica posts its counter message (showing 2); one more alert arrives there.
    await parts.runtime.store.coordination.setAlertGroupCounter(
      group.id,
      encodeRef(ALERTS, '1.999999'),
      2,
    );
    await alertFor('servers:payment-server-01', 'unused');
    await slack.waitFor((s) => s.callsTo('chat.update').length === 1, 5_000, 'the update');
    expect(updates()[0]?.args).toMatchObject({ ts: '1.999999' });
    expect(String(updates()[0]?.args.text)).toContain('+2 more alerts');
    expect(posts()).toHaveLength(0);
  });

  it('reads the store once per debounce period, however many repeats arrive', async () => {
    const store = parts.runtime.store;
    let reads = 0;
    const counted = new GroupCounter({
      store: {
        coordination: Object.assign(
          Object.create(store.coordination) as typeof store.coordination,
          {
            getAlertGroup: (id: string) => {
              reads += 1;
              return store.coordination.getAlertGroup(id);
            },
          },
        ),
        incidents: store.incidents,
      },
      writer: parts.writer,
      debounceMs: 20,
      logger: parts.logger,
      clock: parts.clock,
    });
    counters.push(counted);
    await alertFor('servers:payment-server-01', '1.000001');
    for (let i = 0; i < 5; i++) await repeat(counted, 'servers:payment-server-01');
    await slack.waitFor((s) => s.callsTo('chat.postMessage').length === 1, 5_000, 'the counter');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reads).toBe(1);
  });

  it('a failed Slack write rejects flush, and the timer path swallows it (logged)', async () => {
    const sut = counter(10);
    const group = await alertFor('servers:payment-server-01', '1.000001');
    await repeat(sut, 'servers:payment-server-01');
    slack.fail('chat.postMessage', { error: 'channel_not_found' });
    await expect(sut.flush(group.id)).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    slack.fail('chat.postMessage', { error: 'channel_not_found' });
    await alertFor('servers:auth-service-03', '2.000001');
    await repeat(sut, 'servers:auth-service-03');
    await slack.waitFor((s) => s.callsTo('chat.postMessage').length === 2, 5_000, 'the attempt');
  });
});

describe('counterMessage', () => {
  const group = (count: number): AlertGroup => ({
    id: 'g',
    key: 'k',
    openedAt: '2025-03-01T09:00:00.000Z',
    count,
    place: encodeRef(ALERTS, '1.1'),
    incidentId: null,
    counter: null,
    reportedCount: 0,
    resolvedAt: null,
  });

  it('counts the repeats beyond the first, singular and plural, in text and a context block', () => {
    const at = new Date('2025-03-01T09:07:00.000Z');
    const one = counterMessage(group(2), at);
    expect(one.text).toMatch(/^🔁 \+1 more alert like this one — seen 2 times, last <!date\^/);
    expect(one.blocks).toEqual([
      { type: 'context', elements: [{ type: 'mrkdwn', text: one.text }] },
    ]);
    expect(counterMessage(group(11), at).text).toContain('+10 more alerts');
  });
});
