import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/index.ts';
import { escalateDraft } from '../../testing/drafts.ts';
import { FakeOpenAi, finalReply } from '../../testing/fake-openai.ts';
import { clickBody, eventEnvelope, FakeSlack, postSigned } from '../../testing/fake-slack.ts';
import { dropFreshSchemas, freshPostgresSchema, requirePostgres } from '../support/postgres.ts';
import { expectNoCrashes, type Replica, startReplica } from '../support/replica.ts';
import { briefWithButtons, callsShowing, shown, waitForBriefWithButtons } from './e2e-support.ts';
import {
  APPROVER,
  ESCALATIONS,
  GROUP_MEMBER,
  mention,
  ONCALL_GROUP,
  OPS,
  SECRET,
} from './harness.ts';

/**
 * Two real bot processes sharing one PostgreSQL and one fake Slack, as two replicas behind a load
 * balancer. Every guarantee here must come from the database: the processes share no memory.
 */

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

let slack: FakeSlack;
const replicas: Replica[] = [];
const stores: PostgresStore[] = [];

beforeAll(async () => {
  await requirePostgres();
});

afterEach(async () => {
  const seen = replicas.splice(0);
  try {
    // A replica that logged an unhandled rejection or a fatal error, or exited on its own, fails the test.
    expectNoCrashes(seen);
  } finally {
    await Promise.all(seen.map((r) => r.stop()));
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await slack?.close();
    await dropFreshSchemas();
  }
});

afterAll(async () => {
  await dropFreshSchemas();
});

async function twoReplicas(
  extra: Record<string, string> = {},
): Promise<{ a: Replica; b: Replica; store: PostgresStore }> {
  slack = await FakeSlack.start();
  slack.groups.set(ONCALL_GROUP, [GROUP_MEMBER]);
  const { url } = await freshPostgresSchema();
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-replica-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    APPROVERS: `${APPROVER},${ONCALL_GROUP}`,
    ESCALATION_CHANNEL: ESCALATIONS,
    DATABASE_URL: url,
    SLACK_WRITE_INTERVAL_MS: '0',
    SLACK_EDITS_PER_MINUTE: '100000',
    ...extra,
  };
  const [a, b] = await Promise.all([
    startReplica('replica-a', env),
    startReplica('replica-b', env),
  ]);
  replicas.push(a, b);
  const store = await PostgresStore.open(url);
  stores.push(store);
  return { a, b, store };
}

const signedEvent = (replica: Replica, event: Record<string, unknown>, eventId: string) =>
  postSigned(replica.url, SECRET, eventEnvelope(event, eventId), 'application/json');

async function events(store: PostgresStore, name: string): Promise<number> {
  return (await store.audit.list()).filter((e) => e.event === name).length;
}

describe('two replicas sharing one PostgreSQL and one Slack', () => {
  it('the same approval clicked on both at once restarts once', async () => {
    const { a, b, store } = await twoReplicas();
    await signedEvent(a, mention(OPS, PAYMENT, '1700002000.000100'), 'Ev0APPROVE');
    const { call, proposalId } = await waitForBriefWithButtons(slack);
    const click = (replica: Replica, user: string) =>
      postSigned(
        replica.url,
        SECRET,
        clickBody({
          actionId: 'approve_restart',
          value: proposalId,
          userId: user,
          channel: OPS,
          messageTs: String(call.args.ts),
          threadTs: '1700002000.000100',
          responseUrl: slack.responseUrl('click'),
        }),
        'application/x-www-form-urlencoded',
      );
    const answers = await Promise.all([
      click(a, APPROVER),
      click(b, GROUP_MEMBER),
      click(b, APPROVER),
      click(a, GROUP_MEMBER),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /Approved by/).length > 0,
      10_000,
      'the decision',
    );
    await slack.waitFor(
      (s) => s.callsTo('chat.postEphemeral').length >= 3,
      10_000,
      'three late clickers told',
    );
    expect(await events(store, 'proposal.approved')).toBe(1);
    expect(await events(store, 'restart.executed')).toBe(1);
    expect((await store.proposals.get(proposalId))?.state).toBe('recovered');
  });

  it('the same event delivered to both is investigated once', async () => {
    const { a, b, store } = await twoReplicas();
    const event = mention(OPS, PAYMENT, '1700002100.000100');
    await Promise.all([signedEvent(a, event, 'Ev0TWICE'), signedEvent(b, event, 'Ev0TWICE')]);
    await waitForBriefWithButtons(slack);
    // Let a second, wrongly accepted delivery show itself before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(await events(store, 'incident.opened')).toBe(1);
    expect(
      slack.callsTo('chat.postMessage').filter((c) => /Investigating/.test(shown(c))),
    ).toHaveLength(1);
  });

  it('a replica killed mid-investigation: the other takes the job over when the lease runs out, and the brief is posted', async () => {
    // A slow model keeps the investigation in flight long enough to kill its replica.
    const model = await FakeOpenAi.start([], {
      whenExhausted: finalReply(escalateDraft()),
      latencyMs: 2_500,
    });
    try {
      const { a, store } = await twoReplicas({
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: model.url,
        JOB_LEASE_SECONDS: '2',
      });
      await signedEvent(
        a,
        mention(OPS, "Search isn't working. Can you check search-index-09?", '1700002200.000100'),
        'Ev0KILL',
      );
      await slack.waitFor(
        (s) => s.callsTo('chat.postMessage').length > 0,
        10_000,
        'the progress message',
      );
      const progressTs = String(slack.callsTo('chat.postMessage')[0]?.result?.ts);
      // A is now waiting for the model: kill it without a chance to clean up.
      const deadline = Date.now() + 10_000;
      while (model.requests.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(model.requests.length).toBeGreaterThan(0);
      await a.kill();

      await slack.waitFor(
        (s) =>
          s.callsTo('chat.update').some(
            (c) =>
              c.args.ts === progressTs &&
              /search-index-09/.test(shown(c)) &&
              /"type":"header"/.test(shown(c)) &&
              // The final brief, not the preliminary one the killed replica may have shown.
              !String(c.args.text).startsWith('Preliminary:'),
          ),
        25_000,
        'the brief, posted by the surviving replica',
      );
      expect(briefWithButtons(slack)).toBeUndefined();
      expect(await events(store, 'incident.opened')).toBe(1);
      expect(await events(store, 'escalation.sent')).toBe(1);
      expect(model.requests.length).toBeGreaterThanOrEqual(2);
    } finally {
      await model.close();
    }
  }, 60_000);
});
