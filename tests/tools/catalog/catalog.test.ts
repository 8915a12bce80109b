import { describe, expect, it } from 'vitest';
import { resolveScope } from '../../../src/operator/investigation/scope.ts';
import { ServiceCatalog } from '../../../src/tools/catalog/catalog.ts';
import { entityName, loadCatalog, parseCatalog } from '../../../src/tools/catalog/load.ts';
import { FileFormatError } from '../../../src/tools/fleet/load.ts';

const OWN = `environment: prod
services:
  payments:
    team: payments-team
    on_call: S0PAYONCALL
    pagerduty: { routing_key_env: PD_KEY_PAYMENTS }
    dependencies: [postgres-main, stripe-api]
    servers: [payment-server-01, payment-server-02]
    restart:
      via: kubernetes
      kubernetes: { namespace: payments, deployment: payment-api }
  ledger:
    team: finance-platform
    environment: prod
    servers: [ledger-db-01]
    restart: { allowed: false }
  search:
    team: search
    environment: staging
    servers: [search-index-09]
`;

const BACKSTAGE = `apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: checkout }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    pagerduty.com/integration-key: R0PAYMENTSINTEGRATIONKEY0000000A
    backstage.io/kubernetes-id: payment-api
    backstage.io/kubernetes-namespace: payments
    level-zero.io/servers: payment-server-01, payment-server-02
    level-zero.io/restart: kubernetes
    level-zero.io/on-call: S0PAYONCALL
spec:
  type: service
  lifecycle: production
  owner: group:default/payments-team
  dependsOn: [resource:default/postgres-main, component:stripe-api]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations:
    level-zero.io/restart: never
spec: { type: service, lifecycle: production, owner: finance-platform }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: search-ui }
spec: { type: website, lifecycle: experimental, owner: user:jdoe }
`;

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof FileFormatError) return e.problems;
    throw e;
  }
  throw new Error('expected a FileFormatError');
}

describe('our catalog format', () => {
  it('reads every field, resolving the routing key from its environment variable', () => {
    const services = parseCatalog(OWN, 'catalog.yaml', {
      PD_KEY_PAYMENTS: 'R0PAYMENTSKEY000000000000000000A',
    });
    expect(services).toEqual([
      {
        name: 'payments',
        team: 'payments-team',
        onCall: 'S0PAYONCALL',
        pagerdutyRoutingKey: 'R0PAYMENTSKEY000000000000000000A',
        dependencies: ['postgres-main', 'stripe-api'],
        environment: 'prod',
        servers: ['payment-server-01', 'payment-server-02'],
        restart: {
          allowed: true,
          via: 'kubernetes',
          kubernetes: { namespace: 'payments', deployment: 'payment-api' },
        },
      },
      {
        name: 'ledger',
        team: 'finance-platform',
        onCall: null,
        pagerdutyRoutingKey: null,
        dependencies: [],
        environment: 'prod',
        servers: ['ledger-db-01'],
        restart: { allowed: false, via: null, kubernetes: null },
      },
      {
        name: 'search',
        team: 'search',
        onCall: null,
        pagerdutyRoutingKey: null,
        dependencies: [],
        environment: 'staging',
        servers: ['search-index-09'],
        restart: { allowed: true, via: null, kubernetes: null },
      },
    ]);
  });

  it('names the file, the entry and the field of every problem', () => {
    const bad = `services:
  payments:
    on_call: payments-oncall
    servers: []
    restart: { via: kubernetes, retries: 3 }
    pagerduty: { routing_key: short }
`;
    const found = problems(() => parseCatalog(bad, 'catalog.yaml', {}));
    expect(found).toEqual([
      'services.payments.on_call: must be a Slack user-group id (S…) or user id (U…/W…)',
      'services.payments.pagerduty.routing_key: a routing key is at least 20 characters',
      'services.payments.servers: list at least one server',
      'services.payments.restart: Unrecognized key: "retries"',
      'services.payments.restart.kubernetes: via: kubernetes needs kubernetes: { namespace, deployment }',
    ]);
    expect(() => parseCatalog(bad, 'catalog.yaml', {})).toThrow(
      /^catalog\.yaml is not a valid file/,
    );
  });

  it('requires a deployment for via: kubernetes, and the env var a routing key names', () => {
    expect(
      problems(() =>
        parseCatalog(
          'services:\n  a:\n    servers: [a-1]\n    restart: { via: kubernetes }\n',
          'c.yaml',
          {},
        ),
      ),
    ).toEqual([
      'services.a.restart.kubernetes: via: kubernetes needs kubernetes: { namespace, deployment }',
    ]);
    expect(problems(() => parseCatalog(OWN, 'c.yaml', {}))).toEqual([
      'services.payments.pagerduty.routing_key_env: environment variable PD_KEY_PAYMENTS is not set',
    ]);
  });

  it('a server belongs to one service only', () => {
    const text = 'services:\n  a:\n    servers: [x-1]\n  b:\n    servers: [x-1]\n';
    expect(problems(() => parseCatalog(text, 'c.yaml', {}))).toEqual([
      'server "x-1" is listed under both a and b',
    ]);
  });

  it('reports YAML syntax, an empty file and a missing file', async () => {
    expect(problems(() => parseCatalog('services: [\n', 'c.yaml', {}))[0]).toMatch(/^YAML syntax/);
    expect(problems(() => parseCatalog('', 'c.yaml', {}))).toEqual(['the file is empty']);
    expect(problems(() => parseCatalog('- a\n', 'c.yaml', {}))[0]).toMatch(/not a list/);
    await expect(loadCatalog('/nonexistent/catalog.yaml', {})).rejects.toThrow(
      /cannot read it: no such file \(CATALOG_FILE\)/,
    );
  });
});

describe('Backstage catalog-info.yaml', () => {
  it('maps components and their annotations; other kinds are skipped', () => {
    const services = parseCatalog(BACKSTAGE, 'catalog-info.yaml', {});
    expect(services).toEqual([
      {
        name: 'payments',
        team: 'payments-team',
        onCall: 'S0PAYONCALL',
        pagerdutyRoutingKey: 'R0PAYMENTSINTEGRATIONKEY0000000A',
        dependencies: ['postgres-main', 'stripe-api'],
        environment: 'prod',
        servers: ['payment-server-01', 'payment-server-02'],
        restart: {
          allowed: true,
          via: 'kubernetes',
          kubernetes: { namespace: 'payments', deployment: 'payment-api' },
        },
      },
      {
        name: 'ledger',
        team: 'finance-platform',
        onCall: null,
        pagerdutyRoutingKey: null,
        dependencies: [],
        environment: 'prod',
        servers: ['ledger'],
        restart: { allowed: false, via: null, kubernetes: null },
      },
      {
        name: 'search-ui',
        team: 'jdoe',
        onCall: null,
        pagerdutyRoutingKey: null,
        dependencies: [],
        environment: 'dev',
        servers: ['search-ui'],
        restart: { allowed: true, via: null, kubernetes: null },
      },
    ]);
  });

  it('names the document, component and annotation of every problem', () => {
    const bad = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    level-zero.io/restart: sometimes
    level-zero.io/on-call: "@payments"
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  annotations:
    level-zero.io/restart: kubernetes
---
kind: Component
metadata: { name: x }
`;
    expect(problems(() => parseCatalog(bad, 'catalog-info.yaml', {}))).toEqual([
      'document 1 (Component "payments") → metadata.annotations["level-zero.io/restart"]: must be one of never, allowed, simulated, kubernetes, webhook',
      'document 1 (Component "payments") → metadata.annotations["level-zero.io/on-call"]: must be a Slack user-group id (S…) or user id (U…/W…)',
      'document 2 (Component "web") → metadata.annotations["level-zero.io/restart"]: kubernetes needs backstage.io/kubernetes-namespace and backstage.io/kubernetes-id (or level-zero.io/kubernetes-deployment)',
      'document 3: not a Backstage entity (apiVersion: Invalid input: expected string, received undefined)',
    ]);
  });

  it('needs at least one component', () => {
    const text = 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: team }\n';
    expect(problems(() => parseCatalog(text, 'c.yaml', {}))).toEqual([
      'no kind: Component entities found; the catalog needs at least one',
    ]);
  });

  it('strips kinds and namespaces from entity references', () => {
    expect(entityName('group:default/payments-team')).toBe('payments-team');
    expect(entityName('component:stripe-api')).toBe('stripe-api');
    expect(entityName('team-a')).toBe('team-a');
  });
});

describe('ServiceCatalog', () => {
  const catalog = (defaultRestarter: 'kubernetes' | 'webhook' | null = null) =>
    new ServiceCatalog(
      parseCatalog(OWN, 'catalog.yaml', { PD_KEY_PAYMENTS: 'R0PAYMENTSKEY000000000000000000A' }),
      {
        file: 'catalog.yaml',
        defaultRestarter,
      },
    );

  it('is the inventory: ownership and the restartable flag per server', async () => {
    const servers = await catalog('webhook').listServers();
    expect(servers).toContainEqual({
      id: 'payment-server-02',
      service: 'payments',
      environment: 'prod',
      team: 'payments-team',
      onCall: 'S0PAYONCALL',
      dependencies: ['postgres-main', 'stripe-api'],
      restartable: true,
    });
    expect(servers.find((s) => s.id === 'ledger-db-01')?.restartable).toBe(false);
    expect(servers.find((s) => s.id === 'search-index-09')?.restartable).toBe(true);
  });

  it('routes restarts per service and says why one may not be restarted', () => {
    const c = catalog();
    expect(c.restartRoute('payment-server-01')).toEqual({
      ok: true,
      service: 'payments',
      via: 'kubernetes',
      kubernetes: { namespace: 'payments', deployment: 'payment-api' },
    });
    expect(c.restartRoute('ledger-db-01')).toEqual({
      ok: false,
      service: 'ledger',
      reason: 'the service catalog (catalog.yaml) marks ledger as not restartable by the bot',
    });
    expect(c.restartRoute('search-index-09')).toMatchObject({
      ok: false,
      reason:
        'no restarter is configured for search: set restart.via in the catalog (catalog.yaml) or RESTARTER',
    });
    expect(catalog('kubernetes').restartRoute('search-index-09')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /restarts via Kubernetes but the catalog \(catalog\.yaml\) names no deployment/,
      ),
    });
    expect(c.restartRoute('ghost-1')).toMatchObject({ ok: false, service: null });
  });

  it('feeds scope resolution: a report naming a service finds all its servers', async () => {
    const scope = resolveScope('payments is timing out at checkout', await catalog().listServers());
    expect(scope.servers.map((s) => s.id)).toEqual(['payment-server-01', 'payment-server-02']);
    const byId = resolveScope(
      'ledger-db-01 is slow; also ghost-node-7',
      await catalog().listServers(),
    );
    expect(byId.servers.map((s) => s.id)).toEqual(['ledger-db-01']);
    expect(byId.unknown).toEqual(['ghost-node-7']);
  });

  it('looks services up case-insensitively and knows which have PagerDuty keys', () => {
    expect(catalog().service('Payments')?.pagerdutyRoutingKey).toBe(
      'R0PAYMENTSKEY000000000000000000A',
    );
    expect(catalog().serviceOf('ledger-db-01')?.name).toBe('ledger');
    expect(catalog().hasPagerDuty()).toBe(true);
  });
});
