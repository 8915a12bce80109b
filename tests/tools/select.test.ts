import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/env.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { createBackends } from '../../src/root/backends.ts';
import type { EscalationReceipt, EscalationTicket, Escalator } from '../../src/tools/backends.ts';
import { CompositeEscalator } from '../../src/tools/composite-escalator.ts';
import { ToolError } from '../../src/tools/errors.ts';
import { SimulatedFleet } from '../../src/tools/fleet/simulated.ts';
import { RoutingRestarter } from '../../src/tools/routing-restarter.ts';
import { ManualClock } from '../../testing/clock.ts';
import { sampleBrief } from '../support/brief-fixture.ts';
import { type KubeFixture, startKube } from '../support/kube.ts';
import { LoopbackServer } from '../support/loopback-http.ts';
import { promVector } from '../support/recorded-apis.ts';
import { deployment, fakeCluster } from '../support/recorded-kubernetes.ts';
import { tempDir, writeTempFile } from '../support/temp-files.ts';

/** No variables beyond Config, and the real clock. */
const OPTIONS = { env: {}, clock: systemClock };

const SECRET = 'webhook-secret-0123456789';
const PD_KEY = 'R0CATALOGROUTINGKEY00000000000AA';

const CATALOG = `services:
  payments:
    team: payments-team
    on_call: S0PAYONCALL
    pagerduty: { routing_key_env: PD_KEY_PAYMENTS }
    servers: [payment-server-01]
    restart:
      via: kubernetes
      kubernetes: { namespace: payments, deployment: payment-api }
  auth:
    servers: [auth-service-03]
    restart: { via: webhook }
  ledger:
    servers: [ledger-db-01]
    restart: { allowed: false }
  web:
    servers: [frontend-node-04]
`;

async function configError(promise: Promise<unknown>): Promise<string[]> {
  const e = await promise.catch((x: unknown) => x);
  if (!(e instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(e)}`);
  return e.problems;
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('configuration of real backends', () => {
  it('defaults: node_exporter queries, Loki selector, PagerDuty URL; nothing chosen', () => {
    const c = parseConfig({});
    expect(c.PROMETHEUS_CPU_QUERY).toContain('node_cpu_seconds_total');
    expect(c.LOKI_QUERY).toBe('{host="{{server}}"}');
    expect(c.LOKI_LOOKBACK_MINUTES).toBe(60);
    expect(c.PAGERDUTY_EVENTS_URL).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(c.RESTARTER).toBeUndefined();
    expect(c.KUBERNETES_NAMESPACES).toEqual([]);
  });

  it('reports every bad variable at once, by name', () => {
    const e = (() => {
      try {
        parseConfig({
          PROMETHEUS_URL: 'prometheus:9090',
          PROMETHEUS_CPU_QUERY: 'avg(rate(node_cpu_seconds_total[5m]))',
          LOKI_LOOKBACK_MINUTES: 'an hour',
          RESTARTER: 'ansible',
          KUBERNETES_NAMESPACES: 'payments, Web_Team',
          RESTART_WEBHOOK_SECRET: 'short',
          PAGERDUTY_EVENTS_URL: 'ftp://x',
          PROMETHEUS_DASHBOARD_URL: 'grafana/d/node?host={{server}}',
        });
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(e.problems).toEqual([
      'PROMETHEUS_URL: must be an http(s) URL, e.g. http://prometheus:9090',
      'PROMETHEUS_CPU_QUERY: must contain {{server}} (or {{server_regex}}) where the server id goes',
      'PROMETHEUS_DASHBOARD_URL: must be an http(s) URL template, e.g. https://grafana.example.com/d/node?var-host={{server}}',
      'LOKI_LOOKBACK_MINUTES: must be a whole number from 1 to 10080',
      'RESTARTER: must be one of simulated, kubernetes, webhook',
      'KUBERNETES_NAMESPACES (entry 2): each entry must be a namespace name (lowercase, digits, dashes)',
      'RESTART_WEBHOOK_SECRET: must be at least 16 characters (the HMAC key the receiver shares)',
      'PAGERDUTY_EVENTS_URL: must be an http(s) URL',
    ]);
  });

  it('refuses combinations that cannot work, naming what to set', async () => {
    expect(
      await configError(createBackends(parseConfig({ RESTARTER: 'kubernetes' }), OPTIONS)),
    ).toEqual([
      'KUBERNETES_NAMESPACES: required when RESTARTER=kubernetes (the namespaces the bot may patch, comma-separated)',
      'CATALOG_FILE: required when RESTARTER=kubernetes (the catalog says which deployment each server belongs to)',
    ]);
    expect(
      await configError(
        createBackends(
          parseConfig({
            RESTARTER: 'webhook',
            RESTART_WEBHOOK_URL: 'http://runbooks.internal/restart',
          }),
          OPTIONS,
        ),
      ),
    ).toEqual([
      'RESTART_WEBHOOK_SECRET: required with RESTART_WEBHOOK_URL (requests are signed with it)',
      'RESTART_WEBHOOK_URL: must be an https:// URL (plain http only to localhost)',
    ]);
    expect(
      await configError(
        createBackends(parseConfig({ LOKI_URL: 'http://loki:3100', LOKI_USERNAME: 'u' }), OPTIONS),
      ),
    ).toEqual(['LOKI_USERNAME and LOKI_PASSWORD: set both (basic auth) or neither']);
    const catalog = await writeTempFile('catalog.yaml', CATALOG);
    expect(
      await configError(
        createBackends(parseConfig({ CATALOG_FILE: catalog }), {
          ...OPTIONS,
          env: { PD_KEY_PAYMENTS: PD_KEY },
        }),
      ),
    ).toEqual([
      'KUBERNETES_NAMESPACES: required because the catalog restarts payments via kubernetes',
      'RESTART_WEBHOOK_URL: required because the catalog restarts auth via webhook',
    ]);
  });
});

describe('createBackends selection', () => {
  it('with nothing set, the simulated fleet answers every tool', async () => {
    const selected = await createBackends(parseConfig({}), OPTIONS);
    const { inventory, health, logs, changes, restarter } = selected.backends;
    expect(inventory).toBeInstanceOf(SimulatedFleet);
    for (const b of [health, logs, changes, restarter]) expect(b).toBe(inventory);
    expect(selected.escalators).toEqual([]);
    expect(selected.catalog).toBeNull();
    expect(selected.changesWebhook).toBeNull();
  });

  it('each variable switches one tool to its real backend', async () => {
    const { backends } = await createBackends(
      parseConfig({ PROMETHEUS_URL: 'http://prom:9090', LOKI_URL: 'http://loki:3100' }),
      OPTIONS,
    );
    expect(backends.health.name).toBe('prometheus');
    expect(backends.logs.name).toBe('loki');
    expect(backends.changes.name).toBe('simulated');
    expect(backends.inventory.name).toBe('simulated');
  });

  it('the catalog is the inventory; real backends refuse servers it does not list', async () => {
    const kube = await startKube(fakeCluster());
    const prom = await LoopbackServer.start(() => ({ status: 200, body: promVector([]) }));
    try {
      const catalog = await writeTempFile('catalog.yaml', CATALOG);
      const { backends, catalog: loaded } = await createBackends(
        parseConfig({
          CATALOG_FILE: catalog,
          PROMETHEUS_URL: prom.url,
          KUBERNETES_NAMESPACES: 'payments',
          RESTART_WEBHOOK_URL: 'https://runbooks.example.com/restart',
          RESTART_WEBHOOK_SECRET: SECRET,
        }),
        { ...OPTIONS, env: { PD_KEY_PAYMENTS: PD_KEY }, kubernetes: { access: kube.access } },
      );
      expect(backends.inventory.name).toBe('catalog');
      expect(loaded?.service('payments')?.pagerdutyRoutingKey).toBe(PD_KEY);
      const e = await failure(backends.health.getHealth('db-node-02'));
      expect(e.code).toBe('unknown_server');
      expect(e.message).toBe(
        'no server named "db-node-02" in the service catalog; known: auth-service-03, frontend-node-04, ledger-db-01, payment-server-01',
      );
      expect(prom.requests).toHaveLength(0);
    } finally {
      await prom.close();
      await kube.close();
    }
  });

  it('PagerDuty joins the escalators when a routing key is configured or the catalog names one', async () => {
    expect(
      (
        await createBackends(parseConfig({ PAGERDUTY_ROUTING_KEY: PD_KEY }), OPTIONS)
      ).escalators.map((e) => e.name),
    ).toEqual(['pagerduty']);
    const catalog = await writeTempFile(
      'c.yaml',
      'services:\n  a:\n    servers: [a-1]\n    pagerduty: { routing_key: R0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA }\n',
    );
    expect(
      (await createBackends(parseConfig({ CATALOG_FILE: catalog }), OPTIONS)).escalators,
    ).toHaveLength(1);
  });

  it('the deploy log: the webhook handler comes with CHANGES_WEBHOOK_TOKEN, which creates the file', async () => {
    const file = join(tempDir(), 'deploys.jsonl');
    const selected = await createBackends(
      parseConfig({ CHANGES_FILE: file, CHANGES_WEBHOOK_TOKEN: 'cd-token-0123456789' }),
      OPTIONS,
    );
    expect(selected.backends.changes.name).toBe('deploy-log');
    expect(selected.changesWebhook).toBeTypeOf('function');
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('a missing or broken deploy log stops the start with the variable named', async () => {
    expect(
      await configError(
        createBackends(parseConfig({ CHANGES_FILE: '/nonexistent/deploys.jsonl' }), OPTIONS),
      ),
    ).toEqual([
      'CHANGES_FILE: /nonexistent/deploys.jsonl does not exist (create it, or set CHANGES_WEBHOOK_TOKEN and the bot creates it)',
    ]);
    const broken = await writeTempFile('d.jsonl', '{"service": "a"}\n');
    expect(
      (await configError(createBackends(parseConfig({ CHANGES_FILE: broken }), OPTIONS)))[0],
    ).toMatch(/^CHANGES_FILE: the deploy log .* is not valid: line 1: at:/);
  });
});

describe('RoutingRestarter through createBackends', () => {
  const clock = new ManualClock('2025-03-01T09:00:00.000Z');
  let hook: LoopbackServer;
  let kube: KubeFixture;

  beforeAll(async () => {
    hook = await LoopbackServer.start(() => ({ status: 200, body: { detail: 'restarted' } }));
    kube = await startKube(
      fakeCluster({
        deployments: { 'payments/payment-api': deployment('payments', 'payment-api') },
      }),
    );
  });
  afterAll(async () => {
    await hook.close();
    await kube.close();
  });
  beforeEach(() => {
    hook.requests.length = 0;
    kube.server.requests.length = 0;
  });
  const kubeMethods = () => kube.server.requests.map((r) => r.method);

  const build = async (extra: Record<string, string> = {}) => {
    const catalog = await writeTempFile('catalog.yaml', CATALOG);
    return createBackends(
      parseConfig({
        CATALOG_FILE: catalog,
        KUBERNETES_NAMESPACES: 'payments',
        RESTART_WEBHOOK_URL: `${hook.url}/restart`,
        RESTART_WEBHOOK_SECRET: SECRET,
        ...extra,
      }),
      {
        clock,
        env: { PD_KEY_PAYMENTS: PD_KEY },
        kubernetes: { access: kube.access },
      },
    );
  };

  it('routes each service to the restarter the catalog names', async () => {
    const { backends } = await build();
    expect(backends.restarter).toBeInstanceOf(RoutingRestarter);
    const k = await backends.restarter.restart('payment-server-01');
    expect(k.detail).toMatch(/^rollout restart of deployment payments\/payment-api started/);
    expect(kubeMethods()).toEqual(['GET', 'PATCH']);
    const w = await backends.restarter.restart('auth-service-03');
    expect(w.detail).toMatch(/performed the restart of auth-service-03 \(200\): restarted/);
    expect(JSON.parse(hook.last.body)).toMatchObject({
      server_id: 'auth-service-03',
      service: 'auth',
    });
  });

  it('refuses a service the catalog marks not restartable, touching nothing (defence in depth)', async () => {
    const { backends } = await build();
    const e = await failure(backends.restarter.restart('ledger-db-01'));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/marks ledger as not restartable by the bot; nothing was restarted$/);
    const servers = await backends.inventory.listServers();
    expect(servers.find((s) => s.id === 'ledger-db-01')?.restartable).toBe(false);
    expect(kube.server.requests).toHaveLength(0);
    expect(hook.requests).toHaveLength(0);
  });

  it('a service without restart.via follows RESTARTER, and is not restartable without it', async () => {
    const without = await build();
    expect(
      (await without.backends.inventory.listServers()).find((s) => s.id === 'frontend-node-04')
        ?.restartable,
    ).toBe(false);
    expect((await failure(without.backends.restarter.restart('frontend-node-04'))).message).toMatch(
      /no restarter is configured for web: set restart.via in the catalog .* or RESTARTER/,
    );
    const withWebhook = await build({ RESTARTER: 'webhook' });
    await withWebhook.backends.restarter.restart('frontend-node-04');
    expect(JSON.parse(hook.last.body)).toMatchObject({ server_id: 'frontend-node-04' });
  });

  it('says which restarter is missing when the route leads nowhere', async () => {
    const restarter = new RoutingRestarter({
      catalog: null,
      defaultKind: 'kubernetes',
      restarters: {},
    });
    expect((await failure(restarter.restart('x-1'))).message).toBe(
      'x-1 restarts via kubernetes, which is not configured (set KUBERNETES_NAMESPACES (and KUBECONFIG, or run in the cluster)); nothing was restarted',
    );
  });
});

describe('Kubernetes evidence selection (KUBERNETES_EVIDENCE)', () => {
  const MAPPED = `services:
  cart:
    servers: [cart-api-13]
    restart:
      via: webhook
      kubernetes: { namespace: shop, deployment: cart-api }
`;
  const hookEnv = {
    RESTART_WEBHOOK_URL: 'https://runbooks.example.com/restart',
    RESTART_WEBHOOK_SECRET: SECRET,
  };

  it('auto: on when the catalog maps a server to a deployment in KUBERNETES_NAMESPACES', async () => {
    const kube = await startKube(
      fakeCluster({ deployments: { 'shop/cart-api': deployment('shop', 'cart-api') } }),
    );
    try {
      const catalog = await writeTempFile('catalog.yaml', MAPPED);
      const { backends } = await createBackends(
        parseConfig({ CATALOG_FILE: catalog, KUBERNETES_NAMESPACES: 'shop', ...hookEnv }),
        { ...OPTIONS, kubernetes: { access: kube.access } },
      );
      expect(backends.kubernetes?.name).toBe('kubernetes');
      expect(backends.kubernetes?.workloadOf('cart-api-13')).toEqual({
        namespace: 'shop',
        kind: 'deployment',
        name: 'cart-api',
      });
      const w = await backends.kubernetes?.describeWorkload('cart-api-13');
      expect(w?.rollout?.state).toBe('complete');
      expect(kube.server.requests[0]?.path).toBe(
        '/apis/apps/v1/namespaces/shop/deployments/cart-api',
      );
    } finally {
      await kube.close();
    }
  });

  it('auto: the simulated fleet answers when nothing maps a workload; false turns it off', async () => {
    const plain = await createBackends(parseConfig({}), OPTIONS);
    expect(plain.backends.kubernetes).toBe(plain.backends.inventory);
    const catalog = await writeTempFile('catalog.yaml', MAPPED);
    // A namespace the bot may not read: the catalog maps nothing it could describe.
    const other = await createBackends(
      parseConfig({ CATALOG_FILE: catalog, KUBERNETES_NAMESPACES: 'web', ...hookEnv }),
      OPTIONS,
    );
    expect(other.backends.kubernetes?.name).toBe('simulated');
    const off = await createBackends(
      parseConfig({
        CATALOG_FILE: catalog,
        KUBERNETES_NAMESPACES: 'shop',
        KUBERNETES_EVIDENCE: 'false',
        ...hookEnv,
      }),
      OPTIONS,
    );
    expect(off.backends.kubernetes?.name).toBe('simulated');
  });

  it('a KUBECONFIG that cannot be used stops the start, even in auto', async () => {
    const catalog = await writeTempFile('catalog.yaml', MAPPED);
    const e = await createBackends(
      parseConfig({
        CATALOG_FILE: catalog,
        KUBERNETES_NAMESPACES: 'shop',
        KUBECONFIG: '/nonexistent/kubeconfig',
        ...hookEnv,
      }),
      OPTIONS,
    ).catch((x: unknown) => x);
    expect(String(e)).toMatch(/\/nonexistent\/kubeconfig .*cannot read this kubeconfig/s);
  });

  it('true needs KUBERNETES_NAMESPACES; a bad value is named', async () => {
    expect(
      await configError(createBackends(parseConfig({ KUBERNETES_EVIDENCE: 'true' }), OPTIONS)),
    ).toEqual([
      'KUBERNETES_NAMESPACES: required when KUBERNETES_EVIDENCE=true (the namespaces the bot may read, comma-separated)',
    ]);
    expect(() => parseConfig({ KUBERNETES_EVIDENCE: 'yes' })).toThrow(
      /KUBERNETES_EVIDENCE: must be auto, true or false/,
    );
    expect(parseConfig({}).KUBERNETES_EVIDENCE).toBe('auto');
  });
});

class StubEscalator implements Escalator {
  readonly name: string;
  private readonly outcome: EscalationReceipt | Error;
  readonly sent: EscalationTicket[] = [];
  constructor(name: string, outcome: EscalationReceipt | Error) {
    this.name = name;
    this.outcome = outcome;
  }
  async send(ticket: EscalationTicket): Promise<EscalationReceipt> {
    this.sent.push(ticket);
    if (this.outcome instanceof Error) throw this.outcome;
    return this.outcome;
  }
}

describe('CompositeEscalator', () => {
  const brief = sampleBrief();
  const ticket = { incidentId: brief.incidentId, reason: 'r', brief };

  it('sends to every destination and names them all', async () => {
    const slack = new StubEscalator('slack', {
      target: 'Slack #C0ESCALATE',
      ref: '1740819600.000100',
    });
    const pd = new StubEscalator('pagerduty', {
      target: 'PagerDuty (service payments)',
      ref: brief.incidentId,
    });
    const receipt = await new CompositeEscalator([slack, pd]).send(ticket);
    expect(receipt.target).toBe('Slack #C0ESCALATE and PagerDuty (service payments)');
    expect(receipt.ref).toBe('1740819600.000100');
    expect(receipt.deliveries.map((d) => d.ok)).toEqual([true, true]);
    expect(slack.sent).toHaveLength(1);
    expect(pd.sent).toHaveLength(1);
  });

  it('succeeds when one destination took it, and says which did not', async () => {
    const slack = new StubEscalator('slack', { target: 'Slack #C0ESCALATE', ref: null });
    const pd = new StubEscalator(
      'pagerduty',
      new ToolError('rate_limited', 'PagerDuty is rate-limiting; nobody was paged'),
    );
    const receipt = await new CompositeEscalator([slack, pd]).send(ticket);
    expect(receipt.target).toBe(
      'Slack #C0ESCALATE; NOT delivered to pagerduty (PagerDuty is rate-limiting; nobody was paged)',
    );
    expect(receipt.deliveries[1]).toEqual({
      escalator: 'pagerduty',
      ok: false,
      error: 'PagerDuty is rate-limiting; nobody was paged',
    });
  });

  it('fails only when every destination failed', async () => {
    const e = await failure(
      new CompositeEscalator([
        new StubEscalator('slack', new ToolError('unavailable', 'Slack is down')),
        new StubEscalator('pagerduty', new Error('boom')),
      ]).send(ticket),
    );
    expect(e.code).toBe('unavailable');
    expect(e.message).toBe(
      'escalation failed at every destination: slack: Slack is down; pagerduty: boom',
    );
  });

  it('needs at least one destination', () => {
    expect(() => new CompositeEscalator([])).toThrow(/at least one/);
  });
});
