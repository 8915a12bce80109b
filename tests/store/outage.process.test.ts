import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/index.ts';
import { escalateDraft } from '../../testing/drafts.ts';
import { FakeOpenAi, finalReply } from '../../testing/fake-openai.ts';
import { clickBody, eventEnvelope, FakeSlack, postSigned } from '../../testing/fake-slack.ts';
import { callsShowing, shown, waitForBriefWithButtons } from '../slack/e2e-support.ts';
import { APPROVER, ESCALATIONS, GROUP_MEMBER, mention, OPS, SECRET } from '../slack/harness.ts';
import { LoopbackServer } from '../support/loopback-http.ts';
import {
  dropFreshSchemas,
  freshPostgresSchema,
  requirePostgres,
  TEST_DATABASE_URL,
} from '../support/postgres.ts';
import { expectNoCrashes, type Replica, startReplica } from '../support/replica.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/**
 * PostgreSQL made unreachable for 10 s — through a TCP proxy the test controls, never by touching
 * the shared server — while an investigation and a restart are in flight, on two real replicas.
 * Nothing is lost, nothing is done twice, no replica exits, and requests that arrive during the
 * outage are refused so Slack retries them, loudly (/readyz), instead of being dropped.
 */

const OUTAGE_MS = 10_000;
const SEARCH = "Search isn't working. Can you check search-index-09?";
const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

let slack: FakeSlack;
let proxy: TcpProxy;
const replicas: Replica[] = [];
const stores: PostgresStore[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await requirePostgres();
});

afterEach(async () => {
  proxy?.restore();
  const seen = replicas.splice(0);
  try {
    expectNoCrashes(seen);
  } finally {
    await Promise.all(seen.map((r) => r.stop()));
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const close of closers.splice(0)) await close();
    await slack?.close();
    await proxy?.close();
    await dropFreshSchemas();
  }
});

afterAll(async () => {
  await dropFreshSchemas();
});

/** The test database's URL with its host and port replaced by the proxy's. */
function throughProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

async function twoReplicas(extra: Record<string, string>) {
  slack = await FakeSlack.start();
  const target = new URL(TEST_DATABASE_URL);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  const { url } = await freshPostgresSchema();
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-outage-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    APPROVERS: `${APPROVER},${GROUP_MEMBER}`,
    ESCALATION_CHANNEL: ESCALATIONS,
    DATABASE_URL: throughProxy(url, proxy.port),
    SLACK_WRITE_INTERVAL_MS: '0',
    SLACK_EDITS_PER_MINUTE: '100000',
    // Longer than the outage: the replica holding a job keeps it and finishes it.
    JOB_LEASE_SECONDS: '30',
    ...extra,
  };
  const [a, b] = await Promise.all([
    startReplica('replica-a', env),
    startReplica('replica-b', env),
  ]);
  replicas.push(a, b);
  // The test reads the store directly, not through the proxy.
  const store = await PostgresStore.open(url);
  stores.push(store);
  return { a, b, store };
}

const base = (r: Replica) => r.url.replace('/slack/events', '');
const readyz = async (r: Replica) => (await fetch(`${base(r)}/readyz`)).status;

async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function count(store: PostgresStore, event: string) {
  return (await store.audit.list()).filter((e) => e.event === event).length;
}

describe('PostgreSQL unreachable for 10 s', () => {
  it('mid-investigation: the in-flight brief is posted once the database is back, an event sent meanwhile is refused and taken in on its retry', async () => {
    let release = () => {};
    const modelHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    const model = await FakeOpenAi.start([], {
      whenExhausted: async () => {
        await modelHeld;
        return finalReply(escalateDraft());
      },
    });
    closers.push(() => model.close());
    const { a, b, store } = await twoReplicas({
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: model.url,
      PLANNER_CALL_TIMEOUT_MS: '60000',
      PLANNER_DEADLINE_MS: '90000',
    });

    const first = await postSigned(
      a.url,
      SECRET,
      eventEnvelope(mention(OPS, SEARCH, '1700004000.000100'), 'Ev0OUTAGE1'),
      'application/json',
    );
    expect(first.status).toBe(200);
    await until('the investigation waiting for the model', () => model.requests.length > 0);

    proxy.cut();
    const cutAt = Date.now();
    // Requests during the outage are refused for a retry, and readiness says why.
    const during = eventEnvelope(mention(OPS, SEARCH, '1700004000.000200'), 'Ev0OUTAGE2');
    const refused = await postSigned(b.url, SECRET, during, 'application/json');
    expect(refused.status).toBe(503);
    expect(await readyz(a)).toBe(503);
    expect(await readyz(b)).toBe(503);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
    const outage = proxy.restore();
    expect(proxy.refused).toBeGreaterThan(0);
    release();

    // Slack's retry of the refused event is taken in.
    const retried = await postSigned(b.url, SECRET, during, 'application/json', {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' },
    });
    expect(retried.status).toBe(200);

    // Both investigations end in a brief: nothing lost.
    await until(
      'both incidents escalated (their briefs done)',
      async () => (await count(store, 'escalation.sent')) >= 2,
      40_000,
    );
    await until(
      'readiness back',
      async () => (await readyz(a)) === 200 && (await readyz(b)) === 200,
    );
    const briefs = (await store.audit.list()).filter((e) => e.event === 'incident.opened');
    console.log(
      `PostgreSQL cut for ${(outage / 1000).toFixed(1)} s mid-investigation: incidents 2 → briefs lost ${2 - (await count(store, 'escalation.sent'))}, replicas exited ${replicas.filter((r) => r.process.exitCode !== null).length}`,
    );
    expect(briefs).toHaveLength(2);
    expect(await count(store, 'escalation.sent')).toBe(2);
    await slack.waitFor(
      (s) => s.callsTo('chat.update').filter((c) => /"type":"header"/.test(shown(c))).length >= 2,
      20_000,
      'two briefs shown in Slack',
    );
    for (const r of [a, b]) expect(r.process.exitCode).toBeNull();
    const logged = [...a.log, ...b.log].join('\n');
    expect(logged).toMatch(/could not renew a lease|the store could not write|not ready/);
  }, 120_000);

  it('mid-click: a restart in flight is recorded once the database is back; a click during the outage is refused truthfully', async () => {
    let releaseRestart = () => {};
    const restartHeld = new Promise<void>((resolve) => {
      releaseRestart = resolve;
    });
    const webhook = await LoopbackServer.start(async () => {
      await restartHeld;
      return { status: 200, body: { detail: 'runbook job 21 restarted payments' } };
    });
    closers.push(() => webhook.close());
    const { a, store } = await twoReplicas({
      RESTARTER: 'webhook',
      RESTART_WEBHOOK_URL: `${webhook.url}/hooks/restart`,
      RESTART_WEBHOOK_SECRET: 'a-restart-webhook-secret-32-chars',
      TOOL_TIMEOUT_MS: '20000',
    });
    await postSigned(
      a.url,
      SECRET,
      eventEnvelope(mention(OPS, PAYMENT, '1700004100.000100'), 'Ev0OUTAGE3'),
      'application/json',
    );
    const { call, proposalId } = await waitForBriefWithButtons(slack);
    const click = (user: string, responseId: string) =>
      postSigned(
        a.url,
        SECRET,
        clickBody({
          actionId: 'approve_restart',
          value: proposalId,
          userId: user,
          channel: OPS,
          messageTs: String(call.args.ts),
          threadTs: '1700004100.000100',
          responseUrl: slack.responseUrl(responseId),
        }),
        'application/x-www-form-urlencoded',
      );
    expect((await click(APPROVER, 'approver')).status).toBe(200);
    await until('the restart request at the webhook', () => webhook.requests.length === 1);

    proxy.cut();
    const cutAt = Date.now();
    // The restart returns while the database is away: its outcome must not be lost.
    releaseRestart();
    // Another approver clicks during the outage: told the truth, nothing done.
    expect((await click(GROUP_MEMBER, 'late')).status).toBe(200);
    // Privately, in the channel — or through the click's response_url when that fails too.
    const toldLate = (s: FakeSlack) =>
      s.callsTo('chat.postEphemeral').find((c) => c.args.user === GROUP_MEMBER)?.args.text ??
      s.responses.find((r) => r.path === '/response/late')?.body.text;
    await slack.waitFor((s) => toldLate(s) !== undefined, 10_000, 'the clicker told');
    expect(String(toldLate(slack))).toMatch(/not recorded.*Nothing was restarted/);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
    proxy.restore();

    await slack.waitFor(
      (s) => callsShowing(s, 'chat.postMessage', /restarted payment-server-01/).length > 0,
      40_000,
      'the restart outcome in the thread',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const events = (await store.audit.list())
      .filter((e) => 'proposal_id' in e.details && e.details.proposal_id === proposalId)
      .map((e) => e.event)
      .reverse();
    console.log(
      `PostgreSQL cut for 10 s mid-click: clicks 2 → restarts ${webhook.requests.length}; outcome recorded: ${events.includes('restart.executed')}`,
    );
    expect(webhook.requests).toHaveLength(1);
    expect(events).toEqual([
      'proposal.created',
      'proposal.approved',
      'restart.started',
      'restart.executed',
      'restart.verified',
    ]);
    expect((await store.proposals.get(proposalId))?.state).toMatch(/recovered|not_recovered/);
    for (const r of replicas) expect(r.process.exitCode).toBeNull();
  }, 120_000);
});
