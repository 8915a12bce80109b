import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../src/domain/errors.ts';
import { SlackApprovers } from '../../src/slack/approvers.ts';
import { FakeSlack } from '../../testing/fake-slack.ts';
import { fakeWebClient } from '../support/slack-parts.ts';

const APPROVER = 'U0APPROVER';
const ONCALL = 'S0ONCALL';
const DBA = 'S0DBA';
const MEMBER = 'U0MEMBER';
const DBA_MEMBER = 'W0DBA';
const STRANGER = 'U0STRANGER';

describe('SlackApprovers', () => {
  let slack: FakeSlack;
  let nowMs: number;
  let failures: { group: string; code: string }[];

  beforeAll(async () => {
    slack = await FakeSlack.start();
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => {
    slack.calls.length = 0;
    slack.groups.clear();
    slack.groups.set(ONCALL, [MEMBER]);
    slack.groups.set(DBA, [DBA_MEMBER]);
    nowMs = Date.parse('2025-03-01T09:00:00.000Z');
    failures = [];
  });

  const approvers = (ids: string[]) =>
    new SlackApprovers(ids, fakeWebClient(slack), {
      now: () => nowMs,
      onLookupFailed: (group, error) => failures.push({ group, code: errorCode(error) }),
    });
  const lookups = () => slack.callsTo('usergroups.users.list').map((c) => String(c.args.usergroup));

  it('a configured user approves without asking Slack', async () => {
    const policy = approvers([APPROVER, ONCALL]);
    expect(await policy.isApprover(APPROVER)).toBe(true);
    expect(lookups()).toEqual([]);
  });

  it('a member of a configured user group approves; a W… user id is a user, not a group', async () => {
    const policy = approvers([APPROVER, ONCALL, DBA_MEMBER]);
    expect(await policy.isApprover(MEMBER)).toBe(true);
    expect(await policy.isApprover(DBA_MEMBER)).toBe(true);
    expect(lookups()).toEqual([ONCALL]);
  });

  it('looks through every configured group', async () => {
    const policy = approvers([ONCALL, DBA]);
    expect(await policy.isApprover(DBA_MEMBER)).toBe(true);
    expect(lookups()).toEqual([ONCALL, DBA]);
  });

  it('someone in neither the users nor any group may not approve', async () => {
    const policy = approvers([APPROVER, ONCALL, DBA]);
    expect(await policy.isApprover(STRANGER)).toBe(false);
    expect(failures).toEqual([]);
  });

  it('fails closed when Slack cannot say who is in a group, and reports it', async () => {
    const policy = approvers([APPROVER, ONCALL]);
    slack.fail('usergroups.users.list', { error: 'missing_scope' });
    expect(await policy.isApprover(MEMBER)).toBe(false);
    expect(failures).toEqual([{ group: ONCALL, code: 'missing_scope' }]);
    // Direct approvers are unaffected by the broken lookup.
    expect(await policy.isApprover(APPROVER)).toBe(true);
  });

  it('fails closed on a Slack outage too, and asks again next time (a failure is not cached)', async () => {
    const policy = approvers([ONCALL]);
    slack.fail('usergroups.users.list', { status: 500 });
    expect(await policy.isApprover(MEMBER)).toBe(false);
    expect(failures).toEqual([{ group: ONCALL, code: 'slack_webapi_http_error' }]);
    expect(await policy.isApprover(MEMBER)).toBe(true);
    expect(lookups()).toEqual([ONCALL, ONCALL]);
  });

  it('caches a group for five minutes: one lookup for two checks, a fresh one after', async () => {
    const policy = approvers([ONCALL]);
    expect(await policy.isApprover(MEMBER)).toBe(true);
    expect(await policy.isApprover(STRANGER)).toBe(false);
    expect(lookups()).toEqual([ONCALL]);

    // Someone is removed from the group: within the cache period the old answer stands…
    slack.groups.set(ONCALL, []);
    nowMs += 5 * 60_000 - 1;
    expect(await policy.isApprover(MEMBER)).toBe(true);
    expect(lookups()).toHaveLength(1);
    // …and after it Slack is asked again.
    nowMs += 1;
    expect(await policy.isApprover(MEMBER)).toBe(false);
    expect(lookups()).toHaveLength(2);
  });

  it('describes who may approve, users and groups in Slack markup', () => {
    const policy = approvers([APPROVER, ONCALL]);
    expect(policy.describe()).toBe(
      `Restarts can be approved by <@${APPROVER}>, <!subteam^${ONCALL}>.`,
    );
    expect(policy.ids).toEqual([APPROVER, ONCALL]);
  });

  it('without approvers nobody may approve, and the description says how to configure them', async () => {
    const policy = approvers([]);
    expect(await policy.isApprover(APPROVER)).toBe(false);
    expect(policy.describe()).toMatch(/^No approvers are configured, so nobody can approve/);
    expect(policy.describe()).toContain('APPROVERS');
    expect(policy.ids).toEqual([]);
  });
});
