import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExpirySweep } from '../../src/operator/approval/expiry.ts';
import { type ClickSite, Decisions } from '../../src/slack/decisions.ts';
import { FakeSlack, type SlackCall } from '../../testing/fake-slack.ts';
import { fleetOf, SEED_SERVERS } from '../support/fleet.ts';
import { APPROVER, STRANGER } from '../support/runtime.ts';
import {
  ESCALATION,
  OPS,
  presentedRestart,
  type SlackParts,
  type SlackPartsOptions,
  slackParts,
} from '../support/slack-parts.ts';

const THREAD_TS = '1700000000.000500';
const BRIEF_TS = '1700000000.000501';
const THREAD = { channel: OPS, threadTs: THREAD_TS, messageTs: BRIEF_TS };

/** The core's expiry sweep, showing what it expires through these decisions. */
function sweepOf(decisions: Decisions): ExpirySweep {
  return new ExpirySweep({
    approvals: parts.runtime.approvals,
    presenter: { expired: (outcome) => decisions.showExpired(outcome) },
    intervalMs: 60_000,
    metrics: parts.metrics,
    logger: parts.logger,
  });
}

let slack: FakeSlack;
let parts: SlackParts;

beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.calls.length = 0;
  slack.responses.length = 0;
});
afterEach(async () => {
  await parts.close();
});

/** Decisions over real parts, with a pending restart of payment-server-01 shown at BRIEF_TS. */
async function setup(options: SlackPartsOptions = {}) {
  parts = await slackParts({ slack, ...options });
  const decisions = new Decisions({
    approvals: parts.runtime.approvals,
    store: parts.runtime.store,
    writer: parts.writer,
    approverIds: [APPROVER],
    metrics: parts.metrics,
    logger: parts.logger,
  });
  const { proposal, incidentId } = await presentedRestart(parts, THREAD);
  // The investigation's own Slack writes are not what these tests are about.
  slack.calls.length = 0;
  return { decisions, proposal, incidentId };
}

const site = (extra: Partial<ClickSite> = {}): ClickSite => ({
  user: APPROVER,
  channel: OPS,
  messageTs: BRIEF_TS,
  threadTs: THREAD_TS,
  responseUrl: slack.responseUrl('click'),
  ...extra,
});

type Block = { type: string; block_id?: string; text?: { text?: string } };
const blocksOf = (call: SlackCall | undefined): Block[] =>
  Array.isArray(call?.args.blocks) ? (call.args.blocks as Block[]) : [];
const decisionText = (call: SlackCall | undefined) =>
  blocksOf(call).find((b) => b.block_id?.startsWith('lzo_restart_decision'))?.text?.text ?? '';
/** Whether the restart decision's buttons are on screen (the Full brief button is always there). */
const hasButtons = (call: SlackCall | undefined) =>
  blocksOf(call).some(
    (b) => b.type === 'actions' && String(b.block_id ?? '').startsWith('lzo_restart_actions'),
  );
const sequence = () =>
  slack.calls.map(
    (c) => `${c.method} ${String(c.args.channel)} ${String(c.args.ts ?? c.args.thread_ts ?? '')}`,
  );

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const found = (await parts.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return value?.value ?? 0;
}

describe('Decisions.click', () => {
  it('an approver’s approval: "restarting…", then the result in place of the buttons and in the thread', async () => {
    const { decisions, proposal } = await setup();
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome).toMatchObject({ kind: 'restarted', recovered: true });

    expect(sequence()).toEqual([
      `chat.update ${OPS} ${BRIEF_TS}`,
      `chat.update ${OPS} ${BRIEF_TS}`,
      `chat.postMessage ${OPS} ${THREAD_TS}`,
    ]);
    const [restarting, final] = slack.callsTo('chat.update');
    expect(decisionText(restarting)).toBe(
      `⏳ Restarting payment-server-01… approved by <@${APPROVER}>`,
    );
    expect(hasButtons(restarting)).toBe(false);
    expect(decisionText(final)).toMatch(
      new RegExp(
        `^✅ Approved by <@${APPROVER}> at .* — restarted payment-server-01; cpu 98% → 31%`,
      ),
    );
    expect(hasButtons(final)).toBe(false);
    // The rest of the brief is still there.
    expect(blocksOf(final).find((b) => b.type === 'header')).toBeDefined();
    const [thread] = slack.callsTo('chat.postMessage');
    expect(String(thread?.args.text)).toMatch(/^✅ Approved by/);
    expect(JSON.stringify(thread?.args.blocks)).toContain(`proposal ${proposal.id}`);

    expect(await parts.runtime.store.proposals.get(proposal.id)).toMatchObject({
      state: 'recovered',
      decidedBy: APPROVER,
    });
    expect(await metric('lzo_restart_decisions_total', { outcome: 'restarted' })).toBe(1);
  });

  it('a restart that does not recover says so and escalates', async () => {
    const { after_restart: _gone, ...stuck } = SEED_SERVERS['payment-server-01'];
    const { decisions, proposal } = await setup({
      fleet: fleetOf({ 'payment-server-01': structuredClone(stuck) }),
    });
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome).toMatchObject({ kind: 'restarted', recovered: false });
    expect(decisionText(slack.callsTo('chat.update').at(-1))).toContain('did NOT recover');
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.map((c) => c.args.channel).sort()).toEqual([ESCALATION, OPS].sort());
    expect(await metric('lzo_escalations_total', { sent: 'true' })).toBe(1);
  });

  it('a denial: buttons replaced, result in the thread, escalated to the escalation channel', async () => {
    const { decisions, proposal } = await setup();
    const outcome = await decisions.click('deny', proposal.id, site());
    expect(outcome).toMatchObject({ kind: 'denied', escalation: { sent: true } });
    const [update] = slack.callsTo('chat.update');
    expect(decisionText(update)).toMatch(
      new RegExp(
        `^❌ Denied by <@${APPROVER}> .* nothing was restarted; escalated to <#${ESCALATION}>`,
      ),
    );
    expect(hasButtons(update)).toBe(false);
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.find((c) => c.args.channel === ESCALATION)).toBeDefined();
    expect(posts.find((c) => c.args.thread_ts === THREAD_TS)?.args.text).toMatch(/^❌ Denied/);
    expect(await parts.runtime.store.proposals.get(proposal.id)).toMatchObject({ state: 'denied' });
  });

  it('someone who may not approve is told privately; the brief keeps its buttons', async () => {
    const { decisions, proposal } = await setup();
    const outcome = await decisions.click('approve', proposal.id, site({ user: STRANGER }));
    expect(outcome.kind).toBe('refused');
    expect(slack.callsTo('chat.update')).toEqual([]);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    const [ephemeral] = slack.callsTo('chat.postEphemeral');
    expect(ephemeral?.args).toMatchObject({ channel: OPS, user: STRANGER, thread_ts: THREAD_TS });
    expect(String(ephemeral?.args.text)).toMatch(/^🚫 You are not allowed to approve restarts\./);
    expect(await parts.runtime.store.proposals.get(proposal.id)).toMatchObject({
      state: 'pending',
    });
    expect(await metric('lzo_restart_decisions_total', { outcome: 'refused' })).toBe(1);
  });

  it('a click on a decided proposal is answered privately and changes nothing', async () => {
    const { decisions, proposal } = await setup();
    await decisions.click('deny', proposal.id, site());
    const before = slack.calls.length;
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome.kind).toBe('already_decided');
    const after = slack.calls.slice(before);
    expect(after.map((c) => c.method)).toEqual(['chat.postEphemeral']);
    expect(String(after[0]?.args.text)).toMatch(/^❌ Denied by <@U0APPROVER>/);
    expect(await parts.runtime.store.proposals.get(proposal.id)).toMatchObject({ state: 'denied' });
  });

  it('an unknown proposal id is answered privately', async () => {
    const { decisions } = await setup();
    const outcome = await decisions.click('approve', 'forged', site());
    expect(outcome.kind).toBe('unknown');
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postEphemeral']);
    expect(String(slack.calls[0]?.args.text)).toMatch(/^❓ This restart proposal is unknown/);
  });

  it('when the brief cannot be updated (not_in_channel), replaces it through the response_url', async () => {
    const { decisions, proposal } = await setup();
    slack.fail('chat.update', { error: 'not_in_channel', times: 2 });
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome.kind).toBe('restarted');
    expect(slack.callsTo('chat.update')).toHaveLength(2);
    expect(slack.responses.map((r) => r.path)).toEqual(['/response/click', '/response/click']);
    for (const r of slack.responses) expect(r.body).toMatchObject({ replace_original: true });
    const last = slack.responses.at(-1)?.body;
    expect(JSON.stringify(last?.blocks)).toContain('✅ Approved by');
    expect(JSON.stringify(last?.blocks)).not.toContain('approve_restart');
    expect(await metric('lzo_slack_errors_total', { error: 'not_in_channel' })).toBe(2);
  });

  it('when the clicker cannot be answered privately, answers through the response_url', async () => {
    const { decisions, proposal } = await setup();
    slack.fail('chat.postEphemeral', { error: 'channel_not_found' });
    await decisions.click('deny', proposal.id, site({ user: STRANGER }));
    expect(slack.responses).toEqual([
      {
        path: '/response/click',
        body: expect.objectContaining({
          response_type: 'ephemeral',
          replace_original: false,
          text: expect.stringMatching(/^🚫 You are not allowed to deny restarts/),
        }),
      },
    ]);
  });

  it('a failed thread post does not fail the decision', async () => {
    const { decisions, proposal } = await setup();
    slack.fail('chat.postMessage', { error: 'is_archived' });
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome.kind).toBe('restarted');
    expect(await metric('lzo_slack_errors_total', { error: 'is_archived' })).toBe(1);
  });

  it('a click on an expired proposal: brief shows it expired, clicker told, escalated, no thread post', async () => {
    const { decisions, proposal } = await setup();
    parts.clock.advanceMinutes(31);
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome.kind).toBe('expired');
    expect(decisionText(slack.callsTo('chat.update')[0])).toMatch(
      /^⌛ Expired at .* — nobody decided; nothing was restarted; escalated to <#C0ESCAL>/,
    );
    expect(slack.callsTo('chat.postEphemeral')).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([ESCALATION]);
  });
});

describe('the expiry sweep, shown by Decisions.showExpired', () => {
  it('expires what is due: brief updated, a thread message, an escalation; once', async () => {
    const { decisions, proposal } = await setup();
    expect(await sweepOf(decisions).sweep()).toBe(0);
    expect(slack.calls).toEqual([]);

    parts.clock.advanceMinutes(30);
    expect(await sweepOf(decisions).sweep()).toBe(1);
    expect(await parts.runtime.store.proposals.get(proposal.id)).toMatchObject({
      state: 'expired',
    });
    const [update] = slack.callsTo('chat.update');
    expect(update?.args).toMatchObject({ channel: OPS, ts: BRIEF_TS });
    expect(decisionText(update)).toMatch(/^⌛ Expired at .* nothing was restarted; escalated/);
    expect(hasButtons(update)).toBe(false);
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.find((c) => c.args.channel === ESCALATION)).toBeDefined();
    expect(String(posts.find((c) => c.args.thread_ts === THREAD_TS)?.args.text)).toMatch(
      /^⌛ Expired/,
    );
    expect(await metric('lzo_restart_decisions_total', { outcome: 'expired' })).toBe(1);

    const before = slack.calls.length;
    expect(await sweepOf(decisions).sweep()).toBe(0);
    expect(slack.calls.length).toBe(before);
  });

  it('an expired proposal of an incident with no Slack message is escalated but not shown', async () => {
    parts = await slackParts({ slack });
    const decisions = new Decisions({
      approvals: parts.runtime.approvals,
      store: parts.runtime.store,
      writer: parts.writer,
      approverIds: [APPROVER],
      metrics: parts.metrics,
      logger: parts.logger,
    });
    const investigation = await parts.runtime.operator.investigate({
      report: 'The payment-server-01 is extremely slow and timing out.',
      source: 'slack',
      actor: 'U0ASKER',
    });
    expect(investigation.proposal).not.toBeNull();
    parts.clock.advanceMinutes(30);
    expect(await sweepOf(decisions).sweep()).toBe(1);
    expect(slack.calls.map((c) => `${c.method} ${String(c.args.channel)}`)).toEqual([
      `chat.postMessage ${ESCALATION}`,
    ]);
  });
});
