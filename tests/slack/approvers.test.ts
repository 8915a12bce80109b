import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../src/domain/errors.ts';
import { GROUP_LOOKUP_TIMEOUT_MS, SlackApprovers } from '../../src/slack/approvers.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
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

  it('a failed group lookup is answered truthfully, with the reason and the fix, never as "not allowed"', async () => {
    const policy = approvers([APPROVER, ONCALL]);
    slack.fail('usergroups.users.list', { error: 'missing_scope' });
    const check = await policy.check(MEMBER);
    expect(check).toEqual({
      allowed: false,
      reason:
        'I could not check your membership of user group S0ONCALL: missing_scope — add the usergroups:read scope to the app (manifest.json has it) and reinstall it. Until Slack answers, members of that group cannot approve (nothing was restarted); a listed approver still can.',
    });
    // Someone Slack did answer about is refused plainly: no reason, the usual wording applies.
    expect(await policy.check(STRANGER)).toEqual({ allowed: false });
  });

  it('a stalled lookup is answered within the bound (under the 3 s Slack allows), fail closed and truthful', async () => {
    const policy = approvers([ONCALL]);
    slack.fail('usergroups.users.list', { delayMs: 10_000 });
    const started = performance.now();
    const check = await policy.check(MEMBER);
    const ms = performance.now() - started;
    console.log(
      `group lookup stalled 10 s → answered in ${Math.round(ms)} ms (bound ${GROUP_LOOKUP_TIMEOUT_MS} ms, Slack allows 3000 ms)`,
    );
    expect(check.allowed).toBe(false);
    expect(check.allowed === false && check.reason).toMatch(
      /could not check your membership of user group S0ONCALL: timeout — Slack did not answer within 2 s/,
    );
    // The bound is the lookup's own; this only fails if it is not applied at all.
    expect(ms).toBeLessThan(3_000);
  });

  it('a membership change is taken in at once, here and on every replica sharing the store', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      const shared = { coordination: store.coordination, now: () => nowMs };
      const here = new SlackApprovers([ONCALL], fakeWebClient(slack), shared);
      const there = new SlackApprovers([ONCALL], fakeWebClient(slack), shared);
      expect(await here.isApprover(MEMBER)).toBe(true);
      expect(await there.isApprover(MEMBER)).toBe(true);
      expect(lookups()).toHaveLength(2);

      // MEMBER leaves on-call; Slack tells one replica.
      slack.groups.set(ONCALL, []);
      expect(here.watches(ONCALL)).toBe(true);
      expect(here.watches('S0OTHER')).toBe(false);
      await here.membershipChanged(ONCALL);
      expect(await here.isApprover(MEMBER)).toBe(false);
      // The other replica never saw the event, and its cache is fresh; it still asks Slack again.
      expect(await there.isApprover(MEMBER)).toBe(false);
      expect(lookups()).toHaveLength(4);
    } finally {
      await store.close();
    }
  });
});
