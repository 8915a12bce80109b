import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/env.ts';
import type { ApproverPolicy } from '../../../src/operator/approval/approval.ts';
import { createBackends } from '../../../src/root/backends.ts';
import { createRuntime, type Runtime } from '../../../src/root/runtime.ts';
import { SqliteStore } from '../../../src/store/sqlite/index.ts';
import { CompositeEscalator } from '../../../src/tools/composite-escalator.ts';
import { LocalEscalator } from '../../../src/tools/local-escalator.ts';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../../src/tools/webhook/restarter.ts';
import { ManualClock } from '../../../testing/clock.ts';
import { type LoopbackReply, LoopbackServer } from '../../support/loopback-http.ts';
import { lokiNoOrgId, lokiStreams, pdAccepted, promVector } from '../../support/recorded-apis.ts';
import { writeTempFile } from '../../support/temp-files.ts';

/**
 * Through the real Operator: createRuntime with backends from createBackends, pointed at
 * loopback Prometheus, Loki, restart-webhook and PagerDuty fakes, and a service catalog. The
 * guard must hold with real backends, and backend failures must become evidence, not crashes.
 */

const SECRET = 'e2e-webhook-secret-0123456789';
const PD_KEY = 'R0PAYMENTSROUTINGKEY00000000000A';
const HUNG_LOGS = [
  '[INFO] Request received /pay/v1',
  '[WARN] CPU threshold exceeded 90%',
  '[WARN] Thread pool exhaustion',
  '[CRITICAL] Process hung, not accepting new connections',
  '[ERROR] Timeout waiting for thread',
];

const allowAll: ApproverPolicy = {
  isApprover: async () => true,
  describe: () => 'Approvers: everyone (test).',
};

type Fakes = {
  prometheus: LoopbackServer;
  loki: LoopbackServer;
  webhook: LoopbackServer;
  pagerduty: LoopbackServer;
};

let fakes: Fakes;
let promReply: (query: string) => LoopbackReply;
let lokiReply: () => LoopbackReply;
const clock = new ManualClock('2025-03-01T09:00:00.000Z');
const nowNs = () => BigInt(clock.now().getTime()) * 1_000_000n;

/** node_exporter-shaped answers: cpu 98 %, memory 40 %, up. */
function saturated(query: string): LoopbackReply {
  const value = query.includes('node_cpu') ? '98' : query.includes('node_memory') ? '40' : '1';
  return {
    status: 200,
    body: promVector([{ labels: { instance: 'payment-server-01:9100' }, value }]),
  };
}

beforeAll(async () => {
  fakes = {
    prometheus: await LoopbackServer.start((r) =>
      promReply(new URLSearchParams(r.body).get('query') ?? ''),
    ),
    loki: await LoopbackServer.start(() => lokiReply()),
    webhook: await LoopbackServer.start(() => ({ status: 200, body: { detail: 'job 7 done' } })),
    pagerduty: await LoopbackServer.start((r) => ({
      status: 202,
      body: pdAccepted((JSON.parse(r.body) as { dedup_key: string }).dedup_key),
    })),
  };
});
afterAll(async () => {
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

let runtime: Runtime;
let local: LocalEscalator;

async function start(restartAllowed: boolean) {
  const catalog = await writeTempFile(
    'catalog.yaml',
    `services:
  payments:
    team: payments-team
    on_call: S0PAYONCALL
    pagerduty: { routing_key: ${PD_KEY} }
    dependencies: [postgres-main]
    servers: [payment-server-01]
    restart: { allowed: ${restartAllowed}, via: webhook }
`,
  );
  const deployLog = await writeTempFile('deploys.jsonl', '');
  const config = parseConfig({
    LOG_LEVEL: 'silent',
    CATALOG_FILE: catalog,
    PROMETHEUS_URL: fakes.prometheus.url,
    LOKI_URL: fakes.loki.url,
    CHANGES_FILE: deployLog,
    RESTART_WEBHOOK_URL: `${fakes.webhook.url}/restart`,
    RESTART_WEBHOOK_SECRET: SECRET,
    PAGERDUTY_EVENTS_URL: `${fakes.pagerduty.url}/v2/enqueue`,
    VERIFY_ATTEMPTS: '1',
  });
  const selected = await createBackends(config, { env: {}, clock });
  local = new LocalEscalator();
  runtime = await createRuntime(config, {
    store: SqliteStore.open(':memory:'),
    backends: selected.backends,
    escalator: new CompositeEscalator([local, ...selected.escalators]),
    approvers: allowAll,
    clock,
  });
}

const triage = (report: string) =>
  runtime.operator.investigate({ report, source: 'cli', actor: 'cli:tester' });

beforeEach(() => {
  for (const f of Object.values(fakes)) f.requests.length = 0;
  promReply = saturated;
  lokiReply = () => ({
    status: 200,
    body: lokiStreams([
      {
        labels: { host: 'payment-server-01' },
        entries: HUNG_LOGS.map((line, i) => [nowNs() - BigInt(60 - i) * 1_000_000_000n, line]),
      },
    ]),
  });
});
afterEach(() => runtime?.close());

describe('the guard holds with real backends', () => {
  it('a catalog service marked not restartable gets no proposal (no buttons) and is escalated', async () => {
    await start(false);
    const { brief, proposal, escalation } = await triage(
      'The payment-server-01 is extremely slow and timing out.',
    );
    // The evidence would justify a restart…
    const health = brief.evidence.find((e) => e.data.kind === 'health');
    expect(health?.source.backend).toBe('prometheus');
    expect(health?.data).toMatchObject({ cpu: 98, memory: 40, status: 'critical' });
    expect(brief.evidence.find((e) => e.data.kind === 'logs')?.source.backend).toBe('loki');
    // …but the catalog says never.
    expect(proposal).toBeNull();
    expect(brief.restart).toBeNull();
    expect(brief.action).toBe('escalate');
    expect(brief.policyNotes.join('\n')).toMatch(
      /restart of payment-server-01 refused: the service catalog \(.*catalog\.yaml\) marks payments as not restartable by the bot/,
    );
    // The brief never claims a restart is proposed when the guard said no.
    expect(brief.summary).toMatch(/the policy guard decided on an escalation instead/);
    expect(brief.summary).not.toMatch(/is proposed and needs approval/);
    expect(brief.nextActions.join('\n')).not.toMatch(/approve/i);
    expect(fakes.webhook.requests).toHaveLength(0);

    // Ownership comes from the catalog; the escalation reached PagerDuty with the incident as dedup key.
    expect(brief.escalationPackage.ownership).toMatchObject({
      service: 'payments',
      team: 'payments-team',
      onCall: 'S0PAYONCALL',
    });
    expect(brief.escalationPackage.ownership.dependencies).toContain('postgres-main');
    expect(escalation?.sent).toBe(true);
    const event = JSON.parse(fakes.pagerduty.last.body) as {
      routing_key: string;
      dedup_key: string;
      payload: { component: string; group: string };
    };
    expect(event).toMatchObject({
      routing_key: PD_KEY,
      dedup_key: brief.incidentId,
      payload: { component: 'payments', group: 'payments-team' },
    });
    expect(brief.escalationPackage.actionsTaken.map((a) => a.action).join('\n')).toMatch(
      /Escalated to local record .* and PagerDuty \(service payments\)/,
    );
  });

  it('the same evidence on a restartable service gets a proposal, and approval calls the webhook once', async () => {
    await start(true);
    const { brief, proposal } = await triage(
      'The payment-server-01 is extremely slow and timing out.',
    );
    expect(brief.action).toBe('restart');
    expect(proposal?.serverId).toBe('payment-server-01');
    // Healthy once the webhook restarted it: the verification reads Prometheus again. (Healthy
    // before it, the approval would find it recovered on its own and restart nothing.)
    promReply = (q) =>
      fakes.webhook.requests.length > 0
        ? {
            status: 200,
            body: promVector([{ labels: {}, value: q.includes('node_') ? '20' : '1' }]),
          }
        : saturated(q);
    const outcome = await runtime.approvals.approve(proposal?.id ?? '', 'U0APPROVER');
    expect(outcome.kind).toBe('restarted');
    expect(fakes.webhook.requests).toHaveLength(1);
    const r = fakes.webhook.last;
    expect(JSON.parse(r.body)).toMatchObject({
      server_id: 'payment-server-01',
      service: 'payments',
    });
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: r.headers[WEBHOOK_HEADERS.timestamp] as string,
        signature: r.headers[WEBHOOK_HEADERS.signature] as string,
        body: r.body,
        now: clock.now(),
      }),
    ).toBe(true);
    if (outcome.kind === 'restarted') expect(outcome.recovered).toBe(true);
  });

  it('a failing restart webhook is reported as a failed restart, never as done', async () => {
    await start(true);
    const { proposal } = await triage('The payment-server-01 is extremely slow and timing out.');
    fakes.webhook.handler = () => ({ status: 500, body: 'ansible: host unreachable' });
    try {
      const outcome = await runtime.approvals.approve(proposal?.id ?? '', 'U0APPROVER');
      expect(outcome.kind).toBe('restart_failed');
      if (outcome.kind !== 'restart_failed') return;
      expect(outcome.error).toMatch(/500 Internal Server Error \("ansible: host unreachable"\)/);
      const actions = outcome.brief.escalationPackage.actionsTaken.map((a) => a.action);
      expect(actions.some((a) => /^Restarted /.test(a))).toBe(false);
      expect(actions.some((a) => /Restart of payment-server-01 FAILED/.test(a))).toBe(true);
    } finally {
      fakes.webhook.handler = () => ({ status: 200, body: { detail: 'job 7 done' } });
    }
  });
});

describe('backend failures become evidence, not crashes or false claims', () => {
  it('Prometheus 500 and Loki 401: errors in the brief, no restart, no invented reading', async () => {
    await start(true);
    promReply = () => ({ status: 500, body: 'internal error: storage unavailable' });
    lokiReply = () => ({ status: 401, body: lokiNoOrgId });
    const { brief, proposal } = await triage('payment-server-01 is slow');

    const errors = brief.evidence.filter((e) => e.data.kind === 'error');
    const messages = errors.map((e) => (e.data.kind === 'error' ? e.data.message : ''));
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 500 Internal Server Error \("internal error: storage unavailable"\)/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^Loki at .* answered 401 Unauthorized \("no org id"\).*LOKI_TENANT/),
    );
    expect(errors.map((e) => e.source.backend).sort()).toEqual(['loki', 'prometheus']);
    expect(brief.evidence.some((e) => e.data.kind === 'health')).toBe(false);
    expect(proposal).toBeNull();
    expect(brief.action).not.toBe('restart');
    // No fact may rest on a reading that never arrived.
    for (const f of brief.facts)
      for (const id of f.evidence)
        expect(brief.evidence.find((e) => e.id === id)?.data.kind).not.toBe('health');
    expect(fakes.webhook.requests).toHaveLength(0);
  });

  it('a hung Prometheus is bounded by the tool timeout and reported as such', async () => {
    await start(true);
    promReply = () => ({ status: 200, hang: true });
    const config = { ...runtime.config, TOOL_TIMEOUT_MS: 200 };
    const selected = await createBackends(config, { env: {}, clock });
    const quick = await createRuntime(config, {
      store: SqliteStore.open(':memory:'),
      backends: selected.backends,
      escalator: new LocalEscalator(),
      approvers: allowAll,
      clock,
    });
    try {
      const { brief } = await quick.operator.investigate({
        report: 'payment-server-01 is slow',
        source: 'cli',
        actor: 'cli:tester',
      });
      const error = brief.evidence.find((e) => e.source.tool === 'get_server_health');
      expect(error?.data).toEqual({
        kind: 'error',
        message: 'get_server_health(payment-server-01) timed out after 200 ms',
      });
    } finally {
      await quick.close();
    }
  });
});
