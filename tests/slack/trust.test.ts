import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { clickBody, commandBody, eventEnvelope, postSigned } from '../../testing/fake-slack.ts';
import { waitForBriefWithButtons } from './e2e-support.ts';
import { APPROVER, type BotHarness, mention, OPS, SECRET, startBot } from './harness.ts';

/**
 * The bot over signed HTTP on loopback, tried as an attacker and as a failing disk would: forged
 * and replayed requests, clicks from the wrong place, a store that stops writing.
 */

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

const open: BotHarness[] = [];
async function bot(options: Parameters<typeof startBot>[0] = {}): Promise<BotHarness> {
  const h = await startBot(options);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const now = () => Math.floor(Date.now() / 1000);

describe('requests must be signed, and fresh in both directions', () => {
  it('forged, stale, future, tampered and unsigned requests are all refused (401) and do nothing', async () => {
    const h = await bot();
    const body = (ts: string) => eventEnvelope(mention(OPS, PAYMENT, ts));
    const forged = [
      () =>
        postSigned(h.url, SECRET, body('1700001000.000100'), 'application/json', {
          secret: 'guessed',
        }),
      () =>
        postSigned(h.url, SECRET, body('1700001000.000200'), 'application/json', {
          timestamp: now() - 6 * 60,
        }),
      () =>
        postSigned(h.url, SECRET, body('1700001000.000300'), 'application/json', {
          timestamp: now() + 6 * 60,
        }),
      // A signature made for a timestamp a year ahead: valid HMAC, never expiring — unless refused.
      () =>
        postSigned(h.url, SECRET, body('1700001000.000400'), 'application/json', {
          timestamp: now() + 365 * 24 * 3600,
        }),
      // A signed body, with a different body sent under its signature.
      async () => {
        const ts = now();
        const signed = body('1700001000.000500');
        const { slackSignature } = await import('../../testing/fake-slack.ts');
        const response = await fetch(h.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-slack-request-timestamp': String(ts),
            'x-slack-signature': slackSignature(SECRET, ts, signed),
          },
          body: signed.replace('payment-server-01', 'auth-service-03'),
        });
        return { status: response.status };
      },
      async () => ({
        status: (
          await fetch(h.url, {
            method: 'POST',
            body: body('1700001000.000600'),
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      }),
    ];
    const statuses: number[] = [];
    for (const send of forged) statuses.push((await send()).status);
    await new Promise((r) => setTimeout(r, 200));
    const accepted = statuses.filter((s) => s < 400).length;
    console.log(`requests forged → accepted: ${forged.length} → ${accepted}`);
    expect(statuses).toEqual(forged.map(() => 401));
    expect(await h.store.audit.list()).toEqual([]);
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a timestamp a little ahead (clock skew within 5 minutes) is still accepted', async () => {
    const h = await bot();
    const skewed = await h.event(mention(OPS, PAYMENT, '1700001100.000100'), {
      timestamp: now() + 4 * 60,
    });
    expect(skewed.status).toBe(200);
    await waitForBriefWithButtons(h.slack);
  });

  it('a byte-identical replay of /triage is handled once', async () => {
    const h = await bot();
    const body = commandBody({
      text: 'payment-server-01 is timing out',
      user_id: 'U0ASKER',
      channel_id: OPS,
      response_url: h.slack.responseUrl('cmd'),
    });
    const ts = now();
    const first = await postSigned(h.url, SECRET, body, 'application/x-www-form-urlencoded', {
      timestamp: ts,
    });
    const replay = await postSigned(h.url, SECRET, body, 'application/x-www-form-urlencoded', {
      timestamp: ts,
    });
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(replay.text).toMatch(/already taken in/);
    await waitForBriefWithButtons(h.slack);
    await new Promise((r) => setTimeout(r, 200));
    const opened = (await h.store.audit.list()).filter((e) => e.event === 'incident.opened');
    expect(opened).toHaveLength(1);
  });
});

describe('clicks must come from their own brief', () => {
  it('cross-message, cross-channel and cross-team clicks over HTTP are refused; clicks → restarts stays 0', async () => {
    const h = await bot();
    await h.event(mention(OPS, PAYMENT, '1700001200.000100'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    const briefTs = String(call.args.ts);
    const send = (payload: (p: Record<string, unknown>) => Record<string, unknown>) => {
      const form = new URLSearchParams(
        clickBody({
          actionId: 'approve_restart',
          value: proposalId,
          userId: APPROVER,
          channel: OPS,
          messageTs: briefTs,
          responseUrl: h.slack.responseUrl('click'),
        }),
      );
      const original = JSON.parse(form.get('payload') ?? '{}') as Record<string, unknown>;
      return postSigned(
        h.url,
        SECRET,
        new URLSearchParams({ payload: JSON.stringify(payload(original)) }).toString(),
        'application/x-www-form-urlencoded',
      );
    };
    const tries: [string, (p: Record<string, unknown>) => Record<string, unknown>][] = [
      [
        'another message',
        (p) => ({
          ...p,
          message: { ts: '1700001299.000001', text: 'x' },
          container: { message_ts: '1700001299.000001', channel_id: OPS },
        }),
      ],
      [
        'another channel',
        (p) => ({
          ...p,
          channel: { id: 'C0OTHER' },
          container: { message_ts: briefTs, channel_id: 'C0OTHER' },
        }),
      ],
      [
        'another team',
        (p) => ({ ...p, team: { id: 'T0OTHER' }, user: { id: APPROVER, team_id: 'T0OTHER' } }),
      ],
    ];
    for (const [, forge] of tries) expect((await send(forge)).status).toBe(200);
    await h.slack.waitFor(
      (s) => s.callsTo('chat.postEphemeral').length >= tries.length,
      5_000,
      'every refused clicker told',
    );
    const refused = (await h.store.audit.list()).filter((e) => e.event === 'approval.refused');
    const restarts = h.fleet.restartCount('payment-server-01');
    console.log(`clicks from the wrong place → restarts: ${tries.length} → ${restarts}`);
    expect(refused).toHaveLength(tries.length);
    expect(restarts).toBe(0);
    expect((await h.store.proposals.get(proposalId))?.state).toBe('pending');

    // The real click still works, once.
    await h.click('approve_restart', proposalId, { messageTs: briefTs });
    await h.slack.waitFor(
      () => h.fleet.restartCount('payment-server-01') === 1,
      5_000,
      'the real restart',
    );
  });
});

describe('a store that cannot write', () => {
  it('/readyz fails, events are not acknowledged (503), and it is counted; /healthz stays liveness', async () => {
    const store = SqliteStore.open(':memory:');
    const h = await bot({ store });
    const base = h.url.replace('/slack/events', '');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // The database goes away underneath the bot (the embedded file closed: every write fails).
    await store.close();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready' });
    const event = await h.event(mention(OPS, PAYMENT, '1700001300.000100'));
    expect(event.status).toBe(503);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/lzo_store_writable\{app="level-zero-operator"\} 0/);
    expect(metrics).toMatch(
      /lzo_store_write_failures_total\{kind="event",app="level-zero-operator"\} 1/,
    );
    // The command is answered with the truth rather than "investigating".
    const command = await h.command('payment-server-01 is timing out');
    expect(command.status).toBe(200);
    expect(command.text).toMatch(/could not take this in/);
  });
});
