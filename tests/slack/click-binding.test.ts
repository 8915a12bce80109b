import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ClickSite, Decisions } from '../../src/slack/decisions.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { APPROVER } from '../support/runtime.ts';
import { OPS, presentedRestart, type SlackParts, slackParts } from '../support/slack-parts.ts';

const TEAM = 'T0TEAM';
const THREAD_TS = '1700000000.000700';
const BRIEF_TS = '1700000000.000701';
const THREAD = { channel: OPS, threadTs: THREAD_TS, messageTs: BRIEF_TS };

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
});
afterEach(async () => {
  await parts.close();
});

async function setup(installed: string | null = TEAM) {
  parts = await slackParts({ slack });
  const decisions = new Decisions({
    approvals: parts.runtime.approvals,
    installedTeam: async () => installed,
    store: parts.runtime.store,
    writer: parts.writer,
    approverIds: [APPROVER],
    metrics: parts.metrics,
    logger: parts.logger,
  });
  const { proposal } = await presentedRestart(parts, THREAD);
  slack.calls.length = 0;
  return { decisions, proposal };
}

const site = (extra: Partial<ClickSite> = {}): ClickSite => ({
  user: APPROVER,
  team: TEAM,
  channel: OPS,
  messageTs: BRIEF_TS,
  threadTs: THREAD_TS,
  responseUrl: slack.responseUrl('click'),
  ...extra,
});

describe('a click is bound to its brief: workspace, channel and message', () => {
  it.each([
    [
      'another message (a button value copied elsewhere)',
      { messageTs: '1700000000.000999' },
      /click on another message/,
    ],
    ['another channel', { channel: 'C0ELSEWHERE' }, /click from another channel/],
    ['another workspace', { team: 'T0EVIL' }, /click from another workspace/],
    ['no workspace at all', { team: null }, /click from another workspace/],
  ])('a click from %s is refused, audited, and restarts nothing', async (_what, extra, reason) => {
    const { decisions, proposal } = await setup();
    const outcome = await decisions.click('approve', proposal.id, site(extra));
    expect(outcome.kind).toBe('refused');
    expect(parts.fleet.restartCount('payment-server-01')).toBe(0);
    expect((await parts.runtime.store.proposals.get(proposal.id))?.state).toBe('pending');
    const refused = (await parts.runtime.store.audit.list()).find(
      (e) => e.event === 'approval.refused',
    );
    expect(refused).toMatchObject({ actor: APPROVER, details: { attempted: 'approve' } });
    expect(refused?.event === 'approval.refused' && refused.details.reason).toMatch(reason);
    // The clicker is told, privately; the brief keeps its buttons.
    expect(slack.callsTo('chat.postEphemeral')).toHaveLength(1);
    expect(slack.callsTo('chat.update')).toHaveLength(0);
    console.log(`click from ${_what} → restarts: ${parts.fleet.restartCount('payment-server-01')}`);
  });

  it('a deny from another message is refused too', async () => {
    const { decisions, proposal } = await setup();
    const outcome = await decisions.click('deny', proposal.id, site({ messageTs: '1.000001' }));
    expect(outcome.kind).toBe('refused');
    expect((await parts.runtime.store.proposals.get(proposal.id))?.state).toBe('pending');
  });

  it('when the installation cannot be told (auth.test failing), clicks are refused and the clicker told why', async () => {
    const { decisions, proposal } = await setup(null);
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome).toMatchObject({ kind: 'refused' });
    expect(outcome.kind === 'refused' && outcome.message).toMatch(
      /could not confirm which Slack workspace/,
    );
    expect(parts.fleet.restartCount('payment-server-01')).toBe(0);
  });

  it('the click from its own brief goes through and restarts once', async () => {
    const { decisions, proposal } = await setup();
    const outcome = await decisions.click('approve', proposal.id, site());
    expect(outcome).toMatchObject({ kind: 'restarted', recovered: true });
    expect(parts.fleet.restartCount('payment-server-01')).toBe(1);
  });
});
