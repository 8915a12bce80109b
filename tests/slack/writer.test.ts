import { ErrorCode } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorCode } from '../../src/domain/errors.ts';
import { LocalPacer } from '../../src/slack/pacer.ts';
import {
  type ChatClient,
  SlackWriteError,
  SlackWriter,
  type WriterOptions,
} from '../../src/slack/writer.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { fakeWebClient } from '../support/slack-parts.ts';

/**
 * Two kinds of client: the real WebClient against FakeSlack (what Slack answers, error shapes,
 * coalescing), and a scripted in-process client under fake timers for everything about time
 * (spacing, Retry-After), so no assertion depends on how fast the machine is.
 */

const C1 = 'C0ONE';
const C2 = 'C0TWO';

describe('SlackWriter against the fake Slack Web API', () => {
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

  const writerFor = (options: Partial<WriterOptions> = {}) =>
    new SlackWriter(fakeWebClient(slack), {
      pacer: new LocalPacer(0),
      maxRateLimitWaitMs: 1_000,
      ...options,
    });

  it('posts in a thread without unfurls and returns the ts Slack gave', async () => {
    const writer = writerFor();
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hi' } }];
    const { ts } = await writer.post(C1, { text: 'hi', blocks }, { threadTs: '1.000001' });
    expect(ts).toMatch(/^1700000000\.\d{6}$/);
    expect(slack.callsTo('chat.postMessage')).toEqual([
      expect.objectContaining({
        args: expect.objectContaining({
          channel: C1,
          text: 'hi',
          blocks,
          thread_ts: '1.000001',
          // Form-encoded on the wire.
          unfurl_links: 'false',
          unfurl_media: 'false',
        }),
      }),
    ]);
  });

  it('a top-level post carries no thread_ts, and an update without blocks clears them', async () => {
    const writer = writerFor();
    const { ts } = await writer.post(C1, { text: 'top' }, { threadTs: null });
    await writer.update(C1, ts, { text: 'plain now' });
    const [post] = slack.callsTo('chat.postMessage');
    expect(post?.args).not.toHaveProperty('thread_ts');
    expect(post?.args).not.toHaveProperty('blocks');
    expect(slack.callsTo('chat.update').map((c) => c.args)).toEqual([
      expect.objectContaining({ channel: C1, ts, text: 'plain now', blocks: [] }),
    ]);
  });

  it('coalesces queued updates of one message: one call, the last content wins, every caller resolves', async () => {
    const writer = writerFor();
    // An update in flight holds the edits lane, so the three updates queue behind it.
    const first = writer.update(C1, '9.000001', { text: 'step 0' });
    const updates = [1, 2, 3].map((n) => writer.update(C1, '9.000001', { text: `step ${n}` }));
    expect(writer.pending).toBe(2);
    await first;
    await expect(Promise.all(updates)).resolves.toEqual([undefined, undefined, undefined]);
    expect(slack.callsTo('chat.update').map((c) => c.args.text)).toEqual(['step 0', 'step 3']);
    expect(writer.pending).toBe(0);
  });

  it('does not coalesce updates of different messages, nor posts', async () => {
    const writer = writerFor();
    const hold = writer.update(C1, '9.000009', { text: 'holds the lane' });
    const rest = [
      writer.update(C1, '9.000001', { text: 'a1' }),
      writer.update(C1, '9.000002', { text: 'b1' }),
      writer.post(C1, { text: 'p1' }),
      writer.post(C1, { text: 'p2' }),
      writer.update(C1, '9.000001', { text: 'a2' }),
    ];
    await Promise.all([hold, ...rest]);
    expect(slack.callsTo('chat.update').map((c) => String(c.args.text))).toEqual([
      'holds the lane',
      'a2',
      'b1',
    ]);
    expect(slack.callsTo('chat.postMessage').map((c) => String(c.args.text))).toEqual(['p1', 'p2']);
  });

  it('skips a post whose `unless` holds when its turn comes', async () => {
    const writer = writerFor();
    let posted = false;
    const skipped = await writer.post(C1, { text: 'progress' }, { unless: async () => true });
    expect(skipped).toBeNull();
    const sent = await writer.post(C1, { text: 'progress' }, { unless: async () => posted });
    expect(sent).toEqual({ ts: expect.any(String) });
    posted = true;
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('waits out a 429 and retries the write, reporting the rate limit', async () => {
    const limited: [string, number][] = [];
    const writer = writerFor({ onRateLimited: (channel, s) => limited.push([channel, s]) });
    slack.fail('chat.postMessage', { status: 429, retryAfter: 0 });
    const { ts } = await writer.post(C1, { text: 'after the limit' });
    expect(ts).toBeTruthy();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(limited).toEqual([[C1, 0]]);
  });

  it('rejects a write whose Retry-After is beyond maxRateLimitWaitMs, without waiting', async () => {
    const limited: number[] = [];
    const writer = writerFor({
      maxRateLimitWaitMs: 500,
      onRateLimited: (_c, s) => limited.push(s),
    });
    slack.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    const error = await writer.post(C1, { text: 'too late' }).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('slack_webapi_rate_limited_error');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(limited).toEqual([]);
  });

  it('rejects a platform error with its Slack code, and the lane goes on with the next write', async () => {
    const writer = writerFor();
    slack.fail('chat.postMessage', { error: 'not_in_channel' });
    const failed = writer.post(C1, { text: 'nope' }).catch((e: unknown) => e);
    const next = writer.post(C1, { text: 'still works' });
    expect(errorCode(await failed)).toBe('not_in_channel');
    await expect(next).resolves.toEqual({ ts: expect.any(String) });
  });

  it('rejects a Slack outage (HTTP 500) with the client error code', async () => {
    const writer = writerFor();
    slack.fail('chat.update', { status: 500 });
    const error = await writer.update(C1, '9.1', { text: 'x' }).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('slack_webapi_http_error');
  });

  it('a permalink that Slack refuses is null, not an error', async () => {
    const writer = writerFor();
    expect(await writer.permalink(C1, '1700000000.000123')).toBe(
      `https://example.slack.com/archives/${C1}/p1700000000000123`,
    );
    slack.fail('chat.getPermalink', { error: 'channel_not_found' });
    expect(await writer.permalink(C1, '1700000000.000123')).toBeNull();
  });
});

type Call = { method: string; args: Record<string, unknown>; at: number };

/** An in-process chat client: records each call with the (fake) time, fails as scripted. */
function scriptedClient() {
  const calls: Call[] = [];
  const failures: { method: string; error: unknown }[] = [];
  let tsCounter = 0;
  const call = (method: string) => async (args: Record<string, unknown>) => {
    calls.push({ method, args, at: Date.now() });
    const i = failures.findIndex((f) => f.method === method);
    const failure = failures[i];
    if (failure) {
      failures.splice(i, 1);
      throw failure.error;
    }
    if (method === 'chat.postMessage') return { ok: true, ts: `2.${++tsCounter}` };
    return { ok: true };
  };
  const chat = {
    postMessage: call('chat.postMessage'),
    update: call('chat.update'),
    postEphemeral: call('chat.postEphemeral'),
    getPermalink: call('chat.getPermalink'),
  };
  return {
    calls,
    client: { chat } as unknown as ChatClient,
    fail(method: string, error: unknown) {
      failures.push({ method, error });
    },
    /** Drops the ts from postMessage answers. */
    noTs() {
      chat.postMessage = async (args) => {
        calls.push({ method: 'chat.postMessage', args, at: Date.now() });
        return { ok: true };
      };
    },
  };
}

const rateLimited = (retryAfter: number) =>
  Object.assign(new Error('rate limited'), { code: ErrorCode.RateLimitedError, retryAfter });

describe('SlackWriter timing (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-03-01T09:00:00.000Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const scripted = (options: Partial<WriterOptions> = {}) => {
    const fake = scriptedClient();
    const writer = new SlackWriter(fake.client, {
      pacer: new LocalPacer(1_000),
      maxRateLimitWaitMs: 10_000,
      now: () => Date.now(),
      ...options,
    });
    return { ...fake, writer };
  };
  const texts = (calls: Call[], channel?: string) =>
    calls.filter((c) => !channel || c.args.channel === channel).map((c) => String(c.args.text));

  it('a new message woken late for its slot takes a fresh one rather than land next to the next slot', async () => {
    // A shared pace whose first slot the writer only reaches 600 ms late (a busy event loop):
    // another replica holds the slot a second after it, so posting now would be 400 ms from it.
    const slots: number[] = [];
    let late = true;
    const pacer = {
      reserve: async () => {
        const slot = late ? Date.now() - 600 : Date.now() + 1_000;
        late = false;
        slots.push(slot);
        return slot;
      },
      penalize: async () => {},
    };
    const { writer, calls } = scripted({ pacer });
    const posted = writer.post(C1, { text: 'one' });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    await posted;
    expect(slots).toHaveLength(2);
    expect(calls.map((c) => c.at)).toEqual([slots[1]]);
  });

  it('spaces queued writes to one channel by minIntervalMs', async () => {
    const { writer, calls } = scripted();
    const all = Promise.all([
      writer.post(C1, { text: 'one' }),
      writer.post(C1, { text: 'two' }),
      writer.post(C1, { text: 'three' }),
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(texts(calls)).toEqual(['one']);
    await vi.advanceTimersByTimeAsync(999);
    expect(texts(calls)).toEqual(['one']);
    await vi.advanceTimersByTimeAsync(1);
    expect(texts(calls)).toEqual(['one', 'two']);
    await vi.advanceTimersByTimeAsync(1_000);
    await all;
    expect(calls.map((c) => c.at - (calls[0]?.at ?? 0))).toEqual([0, 1_000, 2_000]);
  });

  // The pace outlives a lane: `await post; await post` (Decisions updating the brief, then posting
  // in the thread) is spaced like two queued writes.
  it('spaces writes to one channel made one after the other, not only queued ones', async () => {
    const { writer, calls } = scripted();
    const sequence = (async () => {
      await writer.post(C1, { text: 'one' });
      await writer.post(C1, { text: 'two' });
    })();
    await vi.advanceTimersByTimeAsync(0);
    expect(texts(calls)).toEqual(['one']);
    await vi.advanceTimersByTimeAsync(1_000);
    await sequence;
    expect(calls.map((c) => c.at - (calls[0]?.at ?? 0))).toEqual([0, 1_000]);
  });

  it('does not pace edits: an update goes out while a new message waits for its slot', async () => {
    const { writer, calls } = scripted();
    const posts = [writer.post(C1, { text: 'p1' }), writer.post(C1, { text: 'p2' })];
    await vi.advanceTimersByTimeAsync(0);
    const edit = writer.update(C1, '7.1', { text: 'brief' });
    await vi.advanceTimersByTimeAsync(0);
    expect(texts(calls)).toEqual(['p1', 'brief']);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([...posts, edit]);
    expect(texts(calls)).toEqual(['p1', 'brief', 'p2']);
  });

  it('paces edits across channels by the workspace budget when given an edit pacer', async () => {
    const { writer, calls } = scripted({
      pacer: new LocalPacer(0),
      editPacer: new LocalPacer(1_200, { scope: 'workspace' }),
    });
    const edits = [
      writer.update(C1, '1.1', { text: 'one' }),
      writer.update(C2, '2.1', { text: 'two' }),
      writer.update(C1, '1.2', { text: 'three' }),
    ];
    await vi.advanceTimersByTimeAsync(2_400);
    await Promise.all(edits);
    expect(texts(calls)).toEqual(['one', 'two', 'three']);
    expect(calls.map((c) => c.at - (calls[0]?.at ?? 0))).toEqual([0, 1_200, 2_400]);
  });

  it('gives a brief the next slot ahead of queued progress and counters', async () => {
    const { writer, calls } = scripted();
    const all = [
      writer.post(C1, { text: 'first' }),
      writer.post(C1, { text: 'progress' }, { priority: 'low' }),
      writer.post(C1, { text: 'counter' }, { priority: 'low' }),
      writer.post(C1, { text: 'brief' }),
    ];
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(all);
    expect(texts(calls)).toEqual(['first', 'brief', 'progress', 'counter']);
    expect(calls.map((c) => c.at - (calls[0]?.at ?? 0))).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it('keeps one lane per channel: a busy channel does not hold up another', async () => {
    const { writer, calls } = scripted();
    const a = [writer.post(C1, { text: 'a1' }), writer.post(C1, { text: 'a2' })];
    const b = [writer.post(C2, { text: 'b1' }), writer.post(C2, { text: 'b2' })];
    await vi.advanceTimersByTimeAsync(0);
    expect(texts(calls, C1)).toEqual(['a1']);
    expect(texts(calls, C2)).toEqual(['b1']);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([...a, ...b]);
    expect(texts(calls, C1)).toEqual(['a1', 'a2']);
    expect(texts(calls, C2)).toEqual(['b1', 'b2']);
  });

  it('ephemeral answers skip the lanes', async () => {
    const { writer, calls } = scripted();
    const queued = [writer.post(C1, { text: 'one' }), writer.post(C1, { text: 'two' })];
    await vi.advanceTimersByTimeAsync(0);
    await writer.ephemeral(C1, 'U1', { text: 'private' }, { threadTs: '1.1' });
    expect(texts(calls)).toEqual(['one', 'private']);
    expect(calls[1]?.args).toMatchObject({ channel: C1, user: 'U1', thread_ts: '1.1' });
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(queued);
  });

  it('waits Retry-After seconds before retrying, holding the lane meanwhile', async () => {
    const { writer, calls, fail } = scripted({ pacer: new LocalPacer(0) });
    fail('chat.postMessage', rateLimited(2));
    const first = writer.post(C1, { text: 'limited' });
    const second = writer.post(C1, { text: 'behind it' });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(texts(calls)).toEqual(['limited']);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([first, second]);
    expect(texts(calls)).toEqual(['limited', 'limited', 'behind it']);
    expect(calls[1]?.at).toBe((calls[0]?.at ?? 0) + 2_000);
  });

  it('bounds the total rate-limit wait of one write by maxRateLimitWaitMs', async () => {
    const limited: number[] = [];
    const { writer, calls, fail } = scripted({
      pacer: new LocalPacer(0),
      maxRateLimitWaitMs: 2_500,
      onRateLimited: (_c, s) => limited.push(s),
    });
    for (let i = 0; i < 3; i++) fail('chat.postMessage', rateLimited(1));
    const result = writer.post(C1, { text: 'storm' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_000);
    const error = await result;
    // Waited 1 s twice; a third wait would make 3 s > 2.5 s, so the write is given up.
    expect(errorCode(error)).toBe(ErrorCode.RateLimitedError);
    expect(calls).toHaveLength(3);
    expect(limited).toEqual([1, 1]);
  });

  it('an update that hit a 429 is retried with the newest content queued meanwhile', async () => {
    const { writer, calls, fail } = scripted({ pacer: new LocalPacer(0) });
    fail('chat.update', rateLimited(1));
    const old = writer.update(C1, '5.1', { text: 'old' });
    await vi.advanceTimersByTimeAsync(0);
    const newer = writer.update(C1, '5.1', { text: 'new' });
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([old, newer]);
    expect(texts(calls)).toEqual(['old', 'new']);
  });

  it('a post answered without a ts is an error, not a silent success', async () => {
    const { writer, noTs } = scripted();
    noTs();
    const error = await writer.post(C1, { text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackWriteError);
    expect(errorCode(error)).toBe('no_ts');
  });
});
