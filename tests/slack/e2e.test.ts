import { afterEach, describe, expect, it } from 'vitest';
import type { FleetFile } from '../../src/tools/fleet/format.ts';
import { loadDemoFleet } from '../../src/tools/fleet/load.ts';
import {
  briefWithButtons,
  buttonsOf,
  callsShowing,
  postsBesidesFullBriefs,
  postsTo,
  shown,
  waitForBriefWithButtons,
} from './e2e-support.ts';
import {
  ALERTS,
  APPROVER,
  type BotHarness,
  ESCALATIONS,
  GROUP_MEMBER,
  mention,
  OPS,
  STRANGER,
  startBot,
  userMessage,
} from './harness.ts';

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';
const SEARCH = "Search isn't working. Can you check search-index-09?";

const open: BotHarness[] = [];
async function bot(options: Parameters<typeof startBot>[0] = {}): Promise<BotHarness> {
  const h = await startBot(options);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function auditEvents(h: BotHarness): Promise<string[]> {
  return (await h.store.audit.list()).map((e) => e.event);
}

describe('the Slack bot end to end (HTTP mode, fake Slack Web API)', () => {
  it('a mention about payment-server-01: progress, a brief with both buttons, an approval restarts once and reports recovery', async () => {
    const h = await bot();
    const asked = await h.event(mention(OPS, PAYMENT, '1700000100.000100'));
    expect(asked.status).toBe(200);

    // Progress first, in the mention's thread.
    await h.slack.waitFor((s) => s.callsTo('chat.postMessage').length > 0, 5_000, 'progress');
    const progress = h.slack.callsTo('chat.postMessage')[0];
    expect(progress?.args).toMatchObject({ channel: OPS, thread_ts: '1700000100.000100' });
    expect(shown(progress ?? { method: '', args: {}, at: 0 })).toMatch(/Investigating/);

    // Then the brief replaces it, with Approve (primary, confirm naming the server) and Deny.
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    expect(call.args.ts).toBe(progress?.result?.ts);
    const [approve, deny] = buttonsOf(call);
    expect(approve).toMatchObject({
      action_id: 'approve_restart',
      style: 'primary',
      value: proposalId,
    });
    expect(JSON.stringify(approve?.confirm)).toMatch(/payment-server-01/);
    expect(deny).toMatchObject({ action_id: 'deny_restart', value: proposalId });
    expect(shown(call)).toMatch(/SEV2/);
    expect(h.fleet.restartCount('payment-server-01')).toBe(0);

    const clicked = await h.click('approve_restart', proposalId, {
      user: APPROVER,
      messageTs: String(call.args.ts),
      threadTs: '1700000100.000100',
    });
    expect(clicked.status).toBe(200);
    await h.slack.waitFor(
      (s) =>
        callsShowing(s, 'chat.update', /Approved by <@U0APPROVER>.*restarted payment-server-01/)
          .length > 0,
      5_000,
      'the decision on the brief',
    );
    const decided = callsShowing(
      h.slack,
      'chat.update',
      /Approved by <@U0APPROVER>.*restarted payment-server-01/,
    ).at(-1);
    expect(shown(decided ?? { method: '', args: {}, at: 0 })).toMatch(/cpu 98% → 31%/);
    expect(buttonsOf(decided ?? { method: '', args: {}, at: 0 })).toEqual([]);
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.postMessage', /restarted payment-server-01/).length > 0,
      5_000,
      'the result in the thread',
    );
    const result = callsShowing(h.slack, 'chat.postMessage', /restarted payment-server-01/)[0];
    expect(result?.args.thread_ts).toBe('1700000100.000100');

    expect(h.fleet.restartCount('payment-server-01')).toBe(1);
    const events = await auditEvents(h);
    expect(events.filter((e) => e === 'restart.executed')).toHaveLength(1);
    expect(events).toContain('restart.verified');
    expect(events).not.toContain('escalation.sent');
  });

  it('search-index-09: a brief without buttons, escalated to the escalation channel with a link to the thread', async () => {
    const h = await bot();
    await h.event(mention(OPS, SEARCH, '1700000200.000100'));
    await h.slack.waitFor((s) => postsTo(s, ESCALATIONS).length > 0, 10_000, 'the escalation');
    const escalation = postsTo(h.slack, ESCALATIONS)[0];
    const text = shown(escalation ?? { method: '', args: {}, at: 0 });
    expect(text).toMatch(/search-index-09/);
    expect(text).toMatch(/page_l1/);
    expect(text).toMatch(/archives\/C0OPS\/p1700000200000100/);
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /dependency/i).length > 0,
      5_000,
      'the brief',
    );
    expect(briefWithButtons(h.slack)).toBeUndefined();
    expect(await auditEvents(h)).toContain('escalation.sent');
  });

  it('an unauthorized click is refused privately, audited, and restarts nothing', async () => {
    const h = await bot();
    await h.event(mention(OPS, PAYMENT, '1700000300.000100'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    const updatesBefore = h.slack.callsTo('chat.update').length;

    await h.click('approve_restart', proposalId, {
      user: STRANGER,
      messageTs: String(call.args.ts),
    });
    await h.slack.waitFor((s) => s.callsTo('chat.postEphemeral').length > 0, 5_000, 'the refusal');
    const refusal = h.slack.callsTo('chat.postEphemeral')[0];
    expect(refusal?.args.user).toBe(STRANGER);
    expect(shown(refusal ?? { method: '', args: {}, at: 0 })).toMatch(/not allowed to approve/);
    expect(h.fleet.restartCount('payment-server-01')).toBe(0);
    expect(h.slack.callsTo('chat.update')).toHaveLength(updatesBefore);
    const refused = (await h.store.audit.list()).find((e) => e.event === 'approval.refused');
    expect(refused?.actor).toBe(STRANGER);
    expect((await h.store.proposals.get(proposalId))?.state).toBe('pending');
  });

  it('a member of an approver user group may approve', async () => {
    const h = await bot();
    await h.event(mention(OPS, PAYMENT, '1700000400.000100'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    await h.click('approve_restart', proposalId, {
      user: GROUP_MEMBER,
      messageTs: String(call.args.ts),
    });
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.postMessage', /restarted payment-server-01/).length > 0,
      5_000,
      'the result',
    );
    expect(h.fleet.restartCount('payment-server-01')).toBe(1);
    expect(h.slack.callsTo('usergroups.users.list')[0]?.args.usergroup).toBe('S0ONCALL');
  });

  it('two concurrent approvals restart once', async () => {
    const h = await bot();
    await h.event(mention(OPS, PAYMENT, '1700000500.000100'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    const ts = String(call.args.ts);
    const clicks = await Promise.all([
      h.click('approve_restart', proposalId, { user: APPROVER, messageTs: ts }),
      h.click('approve_restart', proposalId, { user: GROUP_MEMBER, messageTs: ts }),
      h.click('approve_restart', proposalId, { user: APPROVER, messageTs: ts }),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200, 200]);
    await h.slack.waitFor(
      (s) => s.callsTo('chat.postEphemeral').length >= 2,
      5_000,
      'two "already approved" answers',
    );
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.postMessage', /restarted/).length > 0,
      5_000,
      'the result',
    );
    expect(h.fleet.restartCount('payment-server-01')).toBe(1);
    expect((await auditEvents(h)).filter((e) => e === 'proposal.approved')).toHaveLength(1);
    // The late clickers learn it is already decided, and by whom.
    for (const e of h.slack.callsTo('chat.postEphemeral'))
      expect(shown(e)).toMatch(/[Aa]pproved by <@U0/);
  });

  it('a bad or stale signature gets 401 and nothing is done', async () => {
    const h = await bot();
    const forged = await h.event(mention(OPS, PAYMENT, '1700000600.000100'), {
      secret: 'not-the-secret',
    });
    expect(forged.status).toBe(401);
    const stale = await h.event(mention(OPS, PAYMENT, '1700000600.000200'), {
      timestamp: Math.floor(Date.now() / 1000) - 10 * 60,
    });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(h.url, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(401);
    // Give a wrongly accepted request time to show itself before asserting nothing happened.
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
    expect(await h.store.audit.list()).toEqual([]);
  });

  it('a retried event (same event_id) is investigated once', async () => {
    const h = await bot();
    const event = mention(OPS, PAYMENT, '1700000700.000100');
    await h.event(event, { eventId: 'Ev0RETRIED' });
    await h.event(event, {
      eventId: 'Ev0RETRIED',
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    await waitForBriefWithButtons(h.slack);
    expect(postsBesidesFullBriefs(h.slack)).toHaveLength(1);
    expect((await auditEvents(h)).filter((e) => e === 'incident.opened')).toHaveLength(1);
  });

  it('a mention in an alert channel, which also arrives as a channel message, is handled once', async () => {
    const h = await bot();
    const ts = '1700000800.000100';
    await Promise.all([
      h.event(mention(ALERTS, PAYMENT, ts), { eventId: 'Ev0MENTION' }),
      h.event(userMessage(ALERTS, `<@UBOT> ${PAYMENT}`, ts), { eventId: 'Ev0MESSAGE' }),
    ]);
    await waitForBriefWithButtons(h.slack);
    expect(postsBesidesFullBriefs(h.slack)).toHaveLength(1);
    expect((await auditEvents(h)).filter((e) => e === 'incident.opened')).toHaveLength(1);
  });

  it('an alert from a bot in an alert channel, with its text only in attachments, is triaged', async () => {
    const h = await bot();
    await h.event({
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0ALERTMANAGER',
      username: 'Alertmanager',
      channel: ALERTS,
      ts: '1700000900.000100',
      text: '',
      attachments: [
        {
          title: '[FIRING:1] HighCPU payment-server-01',
          text: 'payment-server-01: CPU above 95% for 10 minutes; requests timing out',
          fallback: '[FIRING:1] HighCPU',
        },
      ],
    });
    const { call } = await waitForBriefWithButtons(h.slack);
    expect(h.slack.callsTo('chat.postMessage')[0]?.args).toMatchObject({
      channel: ALERTS,
      thread_ts: '1700000900.000100',
    });
    expect(shown(call)).toMatch(/payment-server-01/);
    const opened = (await h.store.audit.list()).find((e) => e.event === 'incident.opened');
    expect(opened?.actor).toBe('B0ALERTMANAGER');
    expect(String(opened?.details.report)).toMatch(/HighCPU payment-server-01/);
  });

  it("thread replies, edits, deletions, the bot's own messages and other channels are not triaged", async () => {
    const h = await bot();
    const replies = [
      userMessage(ALERTS, 'payment-server-01 again?', '1700001000.000200', {
        thread_ts: '1700001000.000100',
      }),
      userMessage(ALERTS, 'payment-server-01 edited', '1700001000.000300', {
        subtype: 'message_changed',
      }),
      { type: 'message', subtype: 'message_deleted', channel: ALERTS, ts: '1700001000.000400' },
      {
        type: 'message',
        channel: ALERTS,
        bot_id: 'BBOT',
        text: 'payment-server-01 brief',
        ts: '1700001000.000500',
      },
      userMessage('C0RANDOM', 'payment-server-01 is down', '1700001000.000600'),
    ];
    for (const event of replies) expect((await h.event(event)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
    expect(await h.store.audit.list()).toEqual([]);
  });

  it('the same alert again within 15 minutes joins the first thread with a "+N more" counter instead of a new investigation', async () => {
    const h = await bot();
    const alert = (ts: string) =>
      userMessage(ALERTS, 'ALERT payment-server-01 CPU 98% for 5m', ts, {
        user: undefined,
        bot_id: 'B0ALERTS',
        subtype: 'bot_message',
      });
    await h.event(alert('1700001100.000100'));
    await waitForBriefWithButtons(h.slack);
    await h.event(alert('1700001100.000200'));
    await h.event(alert('1700001100.000300'));
    await h.slack.waitFor(
      (s) =>
        [...s.callsTo('chat.postMessage'), ...s.callsTo('chat.update')].some((c) =>
          /\+2 more alerts/.test(shown(c)),
        ),
      8_000,
      'the counter showing +2',
    );
    const counter = [
      ...h.slack.callsTo('chat.postMessage'),
      ...h.slack.callsTo('chat.update'),
    ].find((c) => /more alert/.test(shown(c)));
    expect(counter?.args.channel).toBe(ALERTS);
    expect(
      h.slack.callsTo('chat.postMessage').find((c) => /more alert/.test(shown(c)))?.args.thread_ts,
    ).toBe('1700001100.000100');
    expect((await auditEvents(h)).filter((e) => e === 'incident.opened')).toHaveLength(1);
    // An alert is answered with a reaction and its brief, never a progress message.
    expect(
      h.slack.callsTo('chat.postMessage').filter((c) => /Investigating/.test(shown(c))),
    ).toHaveLength(0);
    expect(h.slack.callsTo('reactions.add')).toHaveLength(1);
  });

  it('/triage is acknowledged at once, privately, while the investigation goes on', async () => {
    const h = await bot();
    // Make the investigation slower than Slack's 3 s: the ack must not wait for it.
    const slowHealth = h.fleet.getHealth.bind(h.fleet);
    h.fleet.getHealth = async (id: string) => {
      await new Promise((r) => setTimeout(r, 3_500));
      return slowHealth(id);
    };
    const ack = await h.command('payment-server-01 is timing out');
    expect(ack.status).toBe(200);
    expect(JSON.parse(ack.text)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/Investigating/),
    });
    expect(ack.ms).toBeLessThan(3_000);
    expect(briefWithButtons(h.slack)).toBeUndefined();
    // The brief follows in the channel, top-level.
    await waitForBriefWithButtons(h.slack);
    expect(h.slack.callsTo('chat.postMessage')[0]?.args).toMatchObject({ channel: OPS });
    expect(h.slack.callsTo('chat.postMessage')[0]?.args.thread_ts).toBeUndefined();
  });

  it('/triage with no text gets usage help and starts nothing', async () => {
    const h = await bot();
    const ack = await h.command('   ');
    expect(JSON.parse(ack.text)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/Usage/),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('/triage in a channel the bot is not in answers through the response_url', async () => {
    const h = await bot();
    h.slack.fail('chat.postMessage', { error: 'not_in_channel' });
    await h.command(SEARCH, { channel: 'C0NOTMEMBER' });
    await h.slack.waitFor((s) => s.responses.length > 0, 10_000, 'the response_url post');
    const posted = h.slack.responses[0];
    expect(posted?.body).toMatchObject({ response_type: 'in_channel' });
    expect(JSON.stringify(posted?.body)).toMatch(/search-index-09/);
  });

  it('deny records who decided and escalates with the brief', async () => {
    const h = await bot();
    await h.event(mention(OPS, PAYMENT, '1700001200.000100'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    await h.click('deny_restart', proposalId, { user: APPROVER, messageTs: String(call.args.ts) });
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /Denied by <@U0APPROVER>/).length > 0,
      5_000,
      'the denial',
    );
    await h.slack.waitFor((s) => postsTo(s, ESCALATIONS).length > 0, 5_000, 'the escalation');
    expect(h.fleet.restartCount('payment-server-01')).toBe(0);
    const denied = (await h.store.audit.list()).find((e) => e.event === 'proposal.denied');
    expect(denied?.actor).toBe(APPROVER);
    expect(shown(postsTo(h.slack, ESCALATIONS)[0] ?? { method: '', args: {}, at: 0 })).toMatch(
      /denied by U0APPROVER/,
    );
  });

  it('a restart that does not help is reported honestly and escalated', async () => {
    const fleet: FleetFile = await loadDemoFleet();
    const payment = fleet.servers['payment-server-01'];
    if (!payment) throw new Error('demo fleet lost payment-server-01');
    delete payment.after_restart;
    const h = await bot({ fleet });
    await h.event(mention(OPS, PAYMENT, '1700001300.000100'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    await h.click('approve_restart', proposalId, {
      user: APPROVER,
      messageTs: String(call.args.ts),
    });
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /did NOT recover/).length > 0,
      5_000,
      'not recovered',
    );
    await h.slack.waitFor((s) => postsTo(s, ESCALATIONS).length > 0, 5_000, 'the escalation');
    expect(h.fleet.restartCount('payment-server-01')).toBe(1);
  });

  it('with no approvers configured nobody can approve, and the brief says how to configure it', async () => {
    const h = await bot({ env: { APPROVERS: '' } });
    await h.event(mention(OPS, PAYMENT, '1700001400.000100'));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    expect(shown(call)).toMatch(/No approvers configured.*APPROVERS/);
    await h.click('approve_restart', proposalId, {
      user: APPROVER,
      messageTs: String(call.args.ts),
    });
    await h.slack.waitFor((s) => s.callsTo('chat.postEphemeral').length > 0, 5_000, 'the refusal');
    expect(
      shown(h.slack.callsTo('chat.postEphemeral')[0] ?? { method: '', args: {}, at: 0 }),
    ).toMatch(/set APPROVERS/);
    expect(h.fleet.restartCount('payment-server-01')).toBe(0);
  });

  it('serves /healthz and /metrics on PORT', async () => {
    const h = await bot();
    const base = h.url.replace('/slack/events', '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      mode: 'http',
      store: 'sqlite',
      planner: 'rules',
    });
    await h.event(mention(OPS, SEARCH, '1700001500.000100'));
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /dependency/i).length > 0,
      10_000,
      'the brief',
    );
    await h.bot.runner.stop();
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/lzo_intake_total\{[^}]*origin="mention"[^}]*result="accepted"[^}]*\} 1/);
    expect(text).toMatch(/lzo_investigations_total\{[^}]*action="escalate"[^}]*\} 1/);
  });
});
