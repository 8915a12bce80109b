import { afterEach, describe, expect, it } from 'vitest';
import type { SlackCall } from '../../testing/fake-slack.ts';
import {
  allButtonsOf,
  blocksOf,
  buttonsOf,
  callsShowing,
  shown,
  waitForBriefWithButtons,
} from './e2e-support.ts';
import {
  APPROVER,
  type BotHarness,
  GROUP_MEMBER,
  mention,
  OPS,
  STRANGER,
  startBot,
} from './harness.ts';

/**
 * The incident as a conversation, over signed HTTP against the fake Slack Web API: follow-ups in
 * the incident's thread, "also check" leading to a proposal that restarts once, the Full brief
 * modal and App Home with the same approval rules, the full brief and postmortem in the thread.
 */

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';
const FRONTEND = 'Check frontend-node-04 just to be safe.';

const open: BotHarness[] = [];
async function bot(options: Parameters<typeof startBot>[0] = {}): Promise<BotHarness> {
  const h = await startBot(options);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const none: SlackCall = { method: '', args: {}, at: 0 };

/** Resolves once `check` holds (what the bot records right after a Slack call), or fails. */
async function until(check: () => Promise<boolean>, what = 'the record'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits for the incident opened in `thread` to have its brief, and returns the brief's message ts. */
async function briefIn(h: BotHarness, thread: string, pattern: RegExp): Promise<string> {
  await h.slack.waitFor(
    (s) =>
      s
        .callsTo('chat.update')
        .some((c) => pattern.test(shown(c)) && blocksOf(c).some((b) => b.type === 'header')),
    10_000,
    'the brief',
  );
  const incident = await h.store.incidents.findByPlace(`slack:${OPS}:${thread}`);
  const ts = incident?.presentation?.message?.split(':')[2];
  if (!ts) throw new Error('the incident has no message');
  return ts;
}

/** Messages the bot posted in a thread, in order. */
const inThread = (h: BotHarness, thread: string) =>
  h.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === thread);

async function opened(h: BotHarness): Promise<number> {
  return (await h.store.audit.list({ events: ['incident.opened'] })).length;
}

describe('follow-ups in an incident thread (end to end)', () => {
  it('a follow-up mention in the thread is answered there, cites evidence, and opens no incident', async () => {
    const h = await bot();
    const thread = '1700002000.000100';
    await h.event(mention(OPS, PAYMENT, thread));
    await waitForBriefWithButtons(h.slack);
    // The full brief follows in the thread, as markdown with the evidence table.
    await h.slack.waitFor(
      () => inThread(h, thread).some((c) => /^Full brief/.test(String(c.args.text))),
      5_000,
      'the full brief',
    );
    const full = inThread(h, thread).find((c) => /^Full brief/.test(String(c.args.text))) ?? none;
    expect(blocksOf(full).map((b) => b.type)).toEqual(
      expect.arrayContaining(['markdown', 'table']),
    );

    await h.event(mention(OPS, 'why not restart?', '1700002000.000300', { thread_ts: thread }), {
      eventId: 'EvFollow1',
    });
    await h.slack.waitFor(
      (s) =>
        callsShowing(s, 'chat.postMessage', /A restart of payment-server-01 is proposed/).length >
        0,
      5_000,
      'the answer',
    );
    const answer = callsShowing(
      h.slack,
      'chat.postMessage',
      /A restart of payment-server-01 is proposed/,
    )[0];
    expect(answer?.args.thread_ts).toBe(thread);
    expect(shown(answer ?? none)).toMatch(/answered by rules/);

    await h.event(mention(OPS, 'status', '1700002000.000400', { thread_ts: thread }));
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.postMessage', /is open: SEV2 performance/).length > 0,
      5_000,
      'the status',
    );
    const status = callsShowing(h.slack, 'chat.postMessage', /is open: SEV2 performance/)[0];
    expect(shown(status ?? none)).toMatch(/restart of payment-server-01: awaiting approval/);
    expect(shown(status ?? none)).toMatch(/cites E\d/);

    // A retried delivery of the follow-up is answered once.
    await h.event(mention(OPS, 'why not restart?', '1700002000.000300', { thread_ts: thread }), {
      eventId: 'EvFollow1',
    });
    expect(await opened(h)).toBe(1);
    const events = (await h.store.audit.list()).map((e) => e.event);
    expect(events.filter((e) => e === 'followup.answered')).toHaveLength(2);
    expect(h.fleet.restartCount('payment-server-01')).toBe(0);
  });

  it('"show 20 more log lines" fetches them, quotes them and cites the new evidence', async () => {
    const h = await bot();
    const thread = '1700002100.000100';
    await h.event(mention(OPS, PAYMENT, thread));
    await waitForBriefWithButtons(h.slack);
    await h.event(
      mention(OPS, 'show 20 more log lines of payment-server-01', '1700002100.000200', {
        thread_ts: thread,
      }),
    );
    await h.slack.waitFor(
      (s) =>
        callsShowing(s, 'chat.postMessage', /payment-server-01 (has no older|: \d+ more)/).length >
        0,
      5_000,
      'the log lines',
    );
    const reply = callsShowing(
      h.slack,
      'chat.postMessage',
      /payment-server-01 (has no older|: \d+ more)/,
    )[0];
    expect(reply?.args.thread_ts).toBe(thread);
    expect(shown(reply ?? none)).toMatch(/```/);
    const answered = (await h.store.audit.list()).find((e) => e.event === 'followup.answered');
    if (answered?.event !== 'followup.answered') throw new Error('no answer audited');
    const [fresh] = answered.details.evidence;
    expect(fresh?.source).toMatchObject({
      tool: 'fetch_recent_logs',
      subject: 'payment-server-01',
    });
    expect(shown(reply ?? none)).toMatch(new RegExp(`cites [E0-9, ]*\\b${fresh?.id}\\b`));
    // The new evidence joins the incident's record, numbered after what was there.
    const incident = await h.store.incidents.findByPlace(`slack:${OPS}:${thread}`);
    const assessed = incident?.assessment?.evidence.map((e) => e.id) ?? [];
    expect(assessed).not.toContain(fresh?.id);
    expect(Number(fresh?.id.slice(1))).toBeGreaterThan(assessed.length);
  });

  it('"also check X" re-assesses with X’s evidence, the brief gets a proposal, and Approve restarts once', async () => {
    const h = await bot();
    const thread = '1700002200.000100';
    await h.event(mention(OPS, FRONTEND, thread));
    const briefTs = await briefIn(h, thread, /frontend-node-04/);
    expect(h.slack.callsTo('chat.update').every((c) => buttonsOf(c).length === 0)).toBe(true);

    await h.event(
      mention(OPS, 'also check payment-server-01', '1700002200.000200', { thread_ts: thread }),
    );
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    // The incident's own message is the one edited: no new incident, no new brief message.
    expect(call.args.ts).toBe(briefTs);
    expect(await opened(h)).toBe(1);
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.postMessage', /Checked payment-server-01/).length > 0,
      5_000,
      'the answer',
    );
    const answer = callsShowing(h.slack, 'chat.postMessage', /Checked payment-server-01/)[0];
    expect(answer?.args.thread_ts).toBe(thread);
    expect(shown(answer ?? none)).toMatch(/cpu 98%/);
    expect(shown(answer ?? none)).toMatch(
      /The decision changed: monitor → restart of payment-server-01 proposed/,
    );
    const events = (await h.store.audit.list()).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['incident.reassessed', 'proposal.created']));

    await Promise.all([
      h.click('approve_restart', proposalId, {
        user: APPROVER,
        messageTs: briefTs,
        threadTs: thread,
      }),
      h.click('approve_restart', proposalId, {
        user: GROUP_MEMBER,
        messageTs: briefTs,
        threadTs: thread,
      }),
    ]);
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.postMessage', /restarted payment-server-01/).length > 0,
      5_000,
      'the restart',
    );
    expect(h.fleet.restartCount('payment-server-01')).toBe(1);
    expect(h.fleet.restartCount('frontend-node-04')).toBe(0);
    expect((await h.store.audit.list()).filter((e) => e.event === 'restart.executed')).toHaveLength(
      1,
    );
  });

  it('a mention in a thread that is no incident’s opens a new incident, as before', async () => {
    const h = await bot();
    await h.event(mention(OPS, PAYMENT, '1700002300.000100'));
    await waitForBriefWithButtons(h.slack);
    await h.event(
      mention(OPS, 'also check auth-service-03', '1700002300.000300', {
        thread_ts: '1700002300.000250',
      }),
    );
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /auth-service-03/).length > 0,
      10_000,
      'a second brief',
    );
    expect(await opened(h)).toBe(2);
    expect((await h.store.audit.list()).some((e) => e.event === 'followup.answered')).toBe(false);
  });
});

describe('the Full brief modal and App Home (end to end)', () => {
  it('anyone opens the modal; in it, a stranger is refused and an approver restarts once', async () => {
    const h = await bot();
    const thread = '1700002400.000100';
    await h.event(mention(OPS, PAYMENT, thread));
    const { call, proposalId } = await waitForBriefWithButtons(h.slack);
    const incident = await h.store.incidents.findByPlace(`slack:${OPS}:${thread}`);
    const nav = allButtonsOf(call).find((b) => b.action_id === 'open_full_brief');
    expect(nav?.value).toBe(incident?.id);

    await h.click('open_full_brief', String(nav?.value), {
      user: STRANGER,
      messageTs: String(call.args.ts),
      triggerId: '111.222.stranger',
    });
    await h.slack.waitFor((s) => s.callsTo('views.open').length > 0, 5_000, 'the modal');
    const opened = h.slack.callsTo('views.open')[0] ?? none;
    expect(opened.args.trigger_id).toBe('111.222.stranger');
    const view = opened.args.view as { type: string; private_metadata: string; blocks: unknown[] };
    expect(view.type).toBe('modal');
    expect(JSON.stringify(view.blocks)).toMatch(/"action_id":"approve_restart"/);
    expect(JSON.stringify(view.blocks)).toMatch(/What we know/);
    const modal = {
      id: 'V0MODAL',
      type: 'modal' as const,
      private_metadata: view.private_metadata,
    };

    await h.viewClick('approve_restart', proposalId, { user: STRANGER, view: modal });
    await h.slack.waitFor((s) => s.callsTo('views.update').length > 0, 5_000, 'the refusal');
    expect(
      shown({ ...none, args: { blocks: h.slack.callsTo('views.update')[0]?.args.view } }),
    ).toMatch(/not allowed to approve/);
    expect(h.fleet.restartCount('payment-server-01')).toBe(0);
    expect((await h.store.audit.list()).find((e) => e.event === 'approval.refused')?.actor).toBe(
      STRANGER,
    );

    await h.viewClick('approve_restart', proposalId, { user: APPROVER, view: modal });
    await h.slack.waitFor(
      (s) =>
        callsShowing(s, 'chat.update', /Approved by <@U0APPROVER>.*restarted payment-server-01/)
          .length > 0,
      5_000,
      'the brief shows the approval',
    );
    // The brief's own message is updated, the thread hears the result, and the modal shows it.
    const updated = callsShowing(h.slack, 'chat.update', /Approved by <@U0APPROVER>/).at(-1);
    expect(updated?.args.ts).toBe(call.args.ts);
    await h.slack.waitFor((s) => s.callsTo('views.update').length >= 2, 5_000, 'the modal update');
    expect(JSON.stringify(h.slack.callsTo('views.update')[1]?.args.view)).toMatch(/Approved by/);
    await h.viewClick('approve_restart', proposalId, { user: APPROVER, view: modal });
    await h.slack.waitFor((s) => s.callsTo('views.update').length >= 3, 5_000, 'a late click');
    expect(h.fleet.restartCount('payment-server-01')).toBe(1);
  });

  it('App Home: published on app_home_opened with the open incidents and, for an approver, the proposals with buttons', async () => {
    const h = await bot();
    await h.event(mention(OPS, PAYMENT, '1700002500.000100'));
    const { proposalId } = await waitForBriefWithButtons(h.slack);
    await h.event(
      mention(OPS, "Search isn't working. Can you check search-index-09?", '1700002500.000200'),
    );
    await h.slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /search-index-09: dependency unreachable/).length > 0,
      10_000,
      'the second brief',
    );

    const home = async (user: string) => {
      const before = h.slack.callsTo('views.publish').length;
      await h.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
      await h.slack.waitFor((s) => s.callsTo('views.publish').length > before, 5_000, 'Home');
      return h.slack.callsTo('views.publish').at(-1) ?? none;
    };
    const mine = await home(APPROVER);
    expect(mine.args.user_id).toBe(APPROVER);
    const view = mine.args.view as { type: string; blocks: { type: string }[] };
    expect(view.type).toBe('home');
    const text = JSON.stringify(view.blocks);
    expect(text).toMatch(/Awaiting your approval\* \(1\)/);
    expect(text).toContain(`"value":"${proposalId}"`);
    expect(text).toMatch(/"action_id":"approve_restart"/);
    // Open incidents by severity: the SEV1 escalation before the SEV2 restart.
    expect(text.indexOf('SEV1')).toBeGreaterThan(-1);
    expect(text.indexOf('search-index-09')).toBeLessThan(text.lastIndexOf('payment-server-01'));
    expect(text).toMatch(/Escalated to/);

    const theirs = JSON.stringify((await home(STRANGER)).args.view);
    expect(theirs).toMatch(/Restart proposals awaiting an approver\* \(1\)/);
    expect(theirs).not.toMatch(/"action_id":"approve_restart"/);

    // Approving from Home takes the same path: one restart, and Home shows the outcome.
    await h.viewClick('approve_restart', proposalId, {
      user: APPROVER,
      view: { id: `V${APPROVER}`, type: 'home' },
    });
    await h.slack.waitFor(
      (s) =>
        s.callsTo('views.publish').some((c) => /Approved by/.test(JSON.stringify(c.args.view))),
      5_000,
      'Home with the outcome',
    );
    expect(h.fleet.restartCount('payment-server-01')).toBe(1);
    const after = JSON.stringify((await home(APPROVER)).args.view);
    expect(after).toMatch(/Awaiting your approval\* \(0\)/);
  });

  it('/triage list and /triage status answer privately; /triage postmortem posts a draft in the thread', async () => {
    const h = await bot();
    const thread = '1700002600.000100';
    await h.event(mention(OPS, PAYMENT, thread));
    await waitForBriefWithButtons(h.slack);
    const incident = await h.store.incidents.findByPlace(`slack:${OPS}:${thread}`);
    const id = incident?.id ?? '';

    const list = JSON.parse((await h.command('list', { user: APPROVER })).text);
    expect(list.response_type).toBe('ephemeral');
    expect(JSON.stringify(list.blocks)).toContain(id);
    expect(JSON.stringify(list.blocks)).toMatch(/"action_id":"approve_restart"/);

    const status = JSON.parse((await h.command(`status ${id}`)).text);
    expect(status.response_type).toBe('ephemeral');
    expect(JSON.stringify(status.blocks)).toMatch(new RegExp(`${id}\\*? is open`));

    await h.command(`postmortem ${id}`);
    await h.slack.waitFor(
      (s) =>
        s.callsTo('chat.postMessage').some((c) => /^Postmortem draft/.test(String(c.args.text))),
      5_000,
      'the postmortem',
    );
    const draft =
      h.slack
        .callsTo('chat.postMessage')
        .find((c) => /^Postmortem draft/.test(String(c.args.text))) ?? none;
    expect(draft.args.thread_ts).toBe(thread);
    expect(blocksOf(draft)[0]?.type).toBe('markdown');
    expect(shown(draft)).toMatch(/Open questions/);
    expect(shown(draft)).toMatch(/Root cause not established/);
    expect(shown(draft)).toMatch(/still open/);
    await until(async () =>
      (await h.store.audit.list()).some((e) => e.event === 'postmortem.drafted'),
    );
  });

  it('a workspace that refuses markdown and table blocks gets the full brief in classic blocks', async () => {
    const h = await bot();
    h.slack.fail('chat.postMessage', {
      error: 'invalid_blocks',
      when: (args) => JSON.stringify(args.blocks ?? []).includes('"type":"markdown"'),
    });
    const thread = '1700002700.000100';
    await h.event(mention(OPS, PAYMENT, thread));
    await waitForBriefWithButtons(h.slack);
    await h.slack.waitFor(
      () =>
        inThread(h, thread).some(
          (c) => /^Full brief/.test(String(c.args.text)) && c.result?.ok === true,
        ),
      5_000,
      'the classic full brief',
    );
    const attempts = inThread(h, thread).filter((c) => /^Full brief/.test(String(c.args.text)));
    expect(attempts.map((c) => c.result?.ok)).toEqual([false, true]);
    const classic = attempts[1] ?? none;
    expect(blocksOf(classic).some((b) => b.type === 'markdown' || b.type === 'table')).toBe(false);
    expect(shown(classic)).toMatch(/What we know/);
  });
});
