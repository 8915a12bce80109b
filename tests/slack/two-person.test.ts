import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClickSite, Decisions } from '../../src/slack/decisions.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { APPROVER } from '../support/runtime.ts';
import { OPS, presentedRestart, type SlackParts, slackParts } from '../support/slack-parts.ts';

const SECOND = 'U0SECOND';
const THREAD = { channel: OPS, threadTs: '1700000000.000800', messageTs: '1700000000.000801' };

let slack: FakeSlack;
let parts: SlackParts;
beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  await slack.close();
});
afterEach(async () => {
  await parts.close();
});

const site = (user: string): ClickSite => ({
  user,
  channel: OPS,
  messageTs: THREAD.messageTs,
  threadTs: THREAD.threadTs,
  responseUrl: slack.responseUrl('click'),
});

describe('APPROVALS_REQUIRED=2 in Slack', () => {
  it('the first approval is shown in the thread and keeps the buttons; the second distinct one restarts once', async () => {
    parts = await slackParts({
      slack,
      approvers: [APPROVER, SECOND],
      env: { APPROVALS_REQUIRED: '2' },
    });
    const decisions = new Decisions({
      approvals: parts.runtime.approvals,
      store: parts.runtime.store,
      writer: parts.writer,
      approverIds: [APPROVER, SECOND],
      metrics: parts.metrics,
      logger: parts.logger,
    });
    const { proposal } = await presentedRestart(parts, THREAD);
    slack.calls.length = 0;

    expect((await decisions.click('approve', proposal.id, site(APPROVER))).kind).toBe('recorded');
    expect(parts.fleet.restartCount('payment-server-01')).toBe(0);
    expect(slack.callsTo('chat.update')).toHaveLength(0);
    const [thread] = slack.callsTo('chat.postMessage');
    expect(String(thread?.args.text)).toBe(
      `☑️ <@${APPROVER}> approved the restart of payment-server-01 (1 of 2 approvals); 1 more approver needed before it runs.`,
    );
    // A second click by the same person is only told; nothing more in the thread.
    expect((await decisions.click('approve', proposal.id, site(APPROVER))).kind).toBe('recorded');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);

    expect(await decisions.click('approve', proposal.id, site(SECOND))).toMatchObject({
      kind: 'restarted',
    });
    expect(parts.fleet.restartCount('payment-server-01')).toBe(1);
  });
});
