import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../../src/store/postgres/index.ts';
import { clickBody, eventEnvelope, FakeSlack, postSigned } from '../../../testing/fake-slack.ts';
import { callsShowing, shown, waitForBriefWithButtons } from '../../slack/e2e-support.ts';
import { APPROVER, ESCALATIONS, mention, OPS, SECRET } from '../../slack/harness.ts';
import { type LoopbackReply, LoopbackServer } from '../../support/loopback-http.ts';
import { dropFreshSchemas, freshPostgresSchema, requirePostgres } from '../../support/postgres.ts';
import { promVector } from '../../support/recorded-apis.ts';
import { expectNoCrashes, type Replica, startReplica } from '../../support/replica.ts';

/**
 * kill -9 of the replica executing an approved restart — before, during and after the restarter
 * call — with real processes: two replicas on one PostgreSQL, a restart webhook that counts what
 * it receives, health from a Prometheus the test holds at the moment it wants. Whatever the moment,
 * the server is never restarted twice for one approval, and the other replica tells the thread
 * the truth within the restart's lease.
 */

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';
const LEASE_S = 3;
const TOOL_TIMEOUT_MS = 1_000;
/** staleAfterMs(lease, tool timeout): when the surviving replica takes over. */
const STALE_MS = Math.max(LEASE_S * 1000, 2 * TOOL_TIMEOUT_MS + 1_000);

type Phase = 'saturated' | 'healthy';
type Gate = { promise: Promise<void>; open: () => void };
const gate = (): Gate => {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
};

let slack: FakeSlack;
let prometheus: LoopbackServer;
let webhook: LoopbackServer;
let phase: Phase = 'saturated';
/** While set, health reads wait on it (the replica is caught inside its read). */
let holdHealth: Gate | null = null;
/** While set, restart requests wait on it (the replica is caught inside the restarter call). */
let holdRestart: Gate | null = null;
/** Health reads from the moment the webhook got a restart request are held (verification). */
let holdAfterRestart = false;
const replicas: Replica[] = [];
const stores: PostgresStore[] = [];

function health(query: string): LoopbackReply {
  const [cpu, memory] = phase === 'saturated' ? ['98', '40'] : ['20', '30'];
  const value = query.includes('node_cpu') ? cpu : query.includes('node_memory') ? memory : '1';
  return {
    status: 200,
    body: promVector([{ labels: { instance: 'payment-server-01:9100' }, value }]),
  };
}

beforeAll(async () => {
  await requirePostgres();
  prometheus = await LoopbackServer.start(async (r) => {
    const held = holdHealth ?? (holdAfterRestart && webhook.requests.length > 0 ? gate() : null);
    if (held && !holdHealth) holdHealth = held;
    if (held) await held.promise;
    return health(new URLSearchParams(r.body).get('query') ?? '');
  });
  webhook = await LoopbackServer.start(async () => {
    if (holdRestart) await holdRestart.promise;
    return { status: 200, body: { detail: 'runbook job 17 restarted payments' } };
  });
});

afterEach(async () => {
  holdHealth?.open();
  holdRestart?.open();
  holdHealth = null;
  holdRestart = null;
  holdAfterRestart = false;
  phase = 'saturated';
  const seen = replicas.splice(0);
  try {
    expectNoCrashes(seen);
  } finally {
    await Promise.all(seen.map((r) => r.stop()));
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await slack?.close();
    webhook.requests.length = 0;
    prometheus.requests.length = 0;
    await dropFreshSchemas();
  }
});

afterAll(async () => {
  await prometheus?.close();
  await webhook?.close();
  await dropFreshSchemas();
});

async function twoReplicas() {
  slack = await FakeSlack.start();
  const { url } = await freshPostgresSchema();
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-crash-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    APPROVERS: APPROVER,
    ESCALATION_CHANNEL: ESCALATIONS,
    DATABASE_URL: url,
    SLACK_WRITE_INTERVAL_MS: '0',
    SLACK_EDITS_PER_MINUTE: '100000',
    PROMETHEUS_URL: prometheus.url,
    RESTARTER: 'webhook',
    RESTART_WEBHOOK_URL: `${webhook.url}/hooks/restart`,
    RESTART_WEBHOOK_SECRET: 'a-restart-webhook-secret-32-chars',
    JOB_LEASE_SECONDS: String(LEASE_S),
    TOOL_TIMEOUT_MS: String(TOOL_TIMEOUT_MS),
    VERIFY_ATTEMPTS: '1',
    VERIFY_INTERVAL_MS: '100',
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

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The brief with buttons, then an Approve click on replica A from that very message. */
async function approveOn(a: Replica, threadTs: string, beforeClick: () => void = () => {}) {
  await postSigned(
    a.url,
    SECRET,
    eventEnvelope(mention(OPS, PAYMENT, threadTs), `Ev${threadTs.replace('.', '')}`),
    'application/json',
  );
  const { call, proposalId } = await waitForBriefWithButtons(slack);
  beforeClick();
  const clicked = await postSigned(
    a.url,
    SECRET,
    clickBody({
      actionId: 'approve_restart',
      value: proposalId,
      userId: APPROVER,
      channel: OPS,
      messageTs: String(call.args.ts),
      threadTs,
      responseUrl: slack.responseUrl('click'),
    }),
    'application/x-www-form-urlencoded',
  );
  expect(clicked.status).toBe(200);
  return proposalId;
}

async function truthInThread(pattern: RegExp, killedAt: number) {
  await slack.waitFor(
    (s) => callsShowing(s, 'chat.postMessage', pattern).some((c) => c.args.channel === OPS),
    STALE_MS + 15_000,
    `the thread to learn: ${pattern}`,
  );
  const seconds = (Date.now() - killedAt) / 1000;
  return seconds;
}

async function eventsOf(store: PostgresStore, proposalId: string) {
  return (await store.audit.list())
    .filter((e) => 'proposal_id' in e.details && e.details.proposal_id === proposalId)
    .map((e) => e.event)
    .reverse();
}

describe('kill -9 of the replica executing a restart', () => {
  it('before the restarter call: nothing was restarted, and the thread is told so', async () => {
    const { a, store } = await twoReplicas();
    holdHealth = gate();
    const proposalId = await approveOn(a, '1700003000.000100');
    // A has recorded the approval and is reading health before restarting: kill it there.
    await until(
      'replica A inside its pre-restart health read',
      () => prometheus.requests.length > 0 && holdHealth !== null,
    );
    const reads = prometheus.requests.length;
    await until('the held read', () => prometheus.requests.length >= reads);
    await a.kill();
    const killedAt = Date.now();
    holdHealth.open();
    holdHealth = null;

    const seconds = await truthInThread(/not restarted/i, killedAt);
    await new Promise((r) => setTimeout(r, 1_500));
    console.log(
      `kill -9 before the restarter call: restarts ${webhook.requests.length}, thread told in ${seconds.toFixed(1)} s (lease ${STALE_MS / 1000} s)`,
    );
    expect(webhook.requests).toHaveLength(0);
    expect((await store.proposals.get(proposalId))?.state).toBe('cancelled');
    expect(await eventsOf(store, proposalId)).toEqual([
      'proposal.created',
      'proposal.approved',
      'restart.cancelled',
    ]);
    const told = callsShowing(slack, 'chat.postMessage', /not restarted/i)[0];
    expect(shown(told ?? { method: '', args: {}, at: 0 })).toMatch(/nothing was restarted/);
  }, 60_000);

  it('during the restarter call: restarted at most once, and the thread learns it may have run', async () => {
    const { a, store } = await twoReplicas();
    const held = gate();
    // Hold the restart request once it arrives: A is inside the restarter call.
    const proposalId = await approveOn(a, '1700003100.000100', () => {
      holdRestart = held;
    });
    await until('the restart request at the webhook', () => webhook.requests.length === 1);
    await a.kill();
    const killedAt = Date.now();
    held.open();
    holdRestart = null;

    const seconds = await truthInThread(/may have run/i, killedAt);
    await new Promise((r) => setTimeout(r, 1_500));
    console.log(
      `kill -9 during the restarter call: restarts ${webhook.requests.length}, thread told in ${seconds.toFixed(1)} s (lease ${STALE_MS / 1000} s)`,
    );
    expect(webhook.requests).toHaveLength(1);
    expect(webhook.last.headers['idempotency-key']).toBe(proposalId);
    expect((await store.proposals.get(proposalId))?.state).toBe('unknown');
    const events = await eventsOf(store, proposalId);
    expect(events).toEqual([
      'proposal.created',
      'proposal.approved',
      'restart.started',
      'restart.unknown',
    ]);
    // In doubt, it escalated, with health as it is now.
    const escalation = callsShowing(slack, 'chat.postMessage', /may or may not have run/).find(
      (c) => c.args.channel === ESCALATIONS,
    );
    expect(escalation).toBeDefined();
    const told = callsShowing(slack, 'chat.postMessage', /may have run/i).find(
      (c) => c.args.channel === OPS,
    );
    expect(shown(told ?? { method: '', args: {}, at: 0 })).toMatch(/health now: cpu 98%/);
  }, 60_000);

  it('after the restarter call (while verifying): restarted once, verified by the other replica', async () => {
    const { a, store } = await twoReplicas();
    const proposalId = await approveOn(a, '1700003200.000100', () => {
      holdAfterRestart = true;
    });
    await until('replica A re-checking health after the restart', () => holdHealth !== null);
    await a.kill();
    const killedAt = Date.now();
    phase = 'healthy';
    holdAfterRestart = false;
    holdHealth?.open();
    holdHealth = null;

    const seconds = await truthInThread(/verified by the reconciler/i, killedAt);
    await new Promise((r) => setTimeout(r, 1_500));
    console.log(
      `kill -9 after the restarter call: restarts ${webhook.requests.length}, thread told in ${seconds.toFixed(1)} s (lease ${STALE_MS / 1000} s)`,
    );
    expect(webhook.requests).toHaveLength(1);
    expect((await store.proposals.get(proposalId))?.state).toBe('recovered');
    expect(await eventsOf(store, proposalId)).toEqual([
      'proposal.created',
      'proposal.approved',
      'restart.started',
      'restart.executed',
      'restart.verified',
    ]);
  }, 60_000);
});
