import { describe, expect, it } from 'vitest';
import {
  alertSubject,
  describeOutOfScope,
  listKnown,
  MAX_SCOPE,
  outOfScopeDraft,
  resolveScope,
} from '../../../src/operator/investigation/scope.ts';
import type { ServerInfo } from '../../../src/tools/backends.ts';

const info = (id: string, service: string | null = null): ServerInfo => ({
  id,
  service,
  environment: 'prod',
});

const KNOWN: ServerInfo[] = [
  info('payment-server-01', 'payments'),
  info('payment-server-02', 'payments'),
  info('db-node-02', 'orders-db'),
  info('auth-service-03', 'auth'),
  info('search-index-09', 'search'),
  info('frontend-node-04', 'web'),
  info('bastion'),
];

const ids = (report: string) => resolveScope(report, KNOWN).servers.map((s) => s.id);

describe('scope', () => {
  it.each([
    ['The payment-server-01 is extremely slow and timing out.', ['payment-server-01']],
    ['Something is wrong with DB-NODE-02', ['db-node-02']],
    ['(auth-service-03) keeps failing', ['auth-service-03']],
    ['is "frontend-node-04", ok?', ['frontend-node-04']],
    ["frontend-node-04's health check is flapping", ['frontend-node-04']],
    ['check db-node-02, auth-service-03 and db-node-02 again', ['db-node-02', 'auth-service-03']],
    ['host=db-node-02:5432 slow', ['db-node-02']],
    ['ssh to bastion fails', ['bastion']],
  ])('finds server ids in %j', (report, expected) => {
    expect(ids(report)).toEqual(expected);
  });

  it('takes a service name to mean every server of that service', () => {
    expect(ids('Payments are failing for everyone')).toEqual([
      'payment-server-01',
      'payment-server-02',
    ]);
    expect(ids("Search isn't working. Can you check search-index-09?")).toEqual([
      'search-index-09',
    ]);
    expect(ids('ORDERS-DB latency')).toEqual(['db-node-02']);
  });

  it('reports names that look like servers but are unknown, and does not guess', () => {
    const scope = resolveScope('payment-server-03 is down, also check web-node-99.', KNOWN);
    expect(scope.servers).toEqual([]);
    expect(scope.unknown).toEqual(['payment-server-03', 'web-node-99']);
    expect(describeOutOfScope(scope)).toBe(
      'no server named "payment-server-03", "web-node-99"; known: auth-service-03, bastion, db-node-02, frontend-node-04, payment-server-01, payment-server-02, search-index-09',
    );
  });

  it('keeps known servers and still names the unknown ones beside them', () => {
    const scope = resolveScope('db-node-02 and db-node-03 both lag', KNOWN);
    expect(scope.servers.map((s) => s.id)).toEqual(['db-node-02']);
    expect(scope.unknown).toEqual(['db-node-03']);
  });

  it('says plainly when the report names nothing at all', () => {
    const scope = resolveScope('everything is slow today', KNOWN);
    expect(scope.servers).toEqual([]);
    expect(scope.unknown).toEqual([]);
    expect(describeOutOfScope(scope)).toMatch(
      /^the report names no known server or service; known: auth-service-03, /,
    );
  });

  it('turns an out-of-scope report into a monitor draft that restarts nothing', () => {
    const draft = outOfScopeDraft(resolveScope('web-node-99 is down', KNOWN));
    expect(draft).toMatchObject({
      title: 'Unknown server: web-node-99',
      action: 'monitor',
      category: 'unknown',
      severity: 'sev3',
      restartServer: null,
      facts: [],
    });
    expect(draft.summary).toBe(
      `Nothing investigated: no server named "web-node-99"; known: ${listKnown(KNOWN)}.`,
    );
  });

  it(`covers at most ${MAX_SCOPE} servers and says it cut the rest`, () => {
    const many = Array.from({ length: 15 }, (_, i) => info(`web-${i + 1}`, 'web'));
    const scope = resolveScope('web is down', many);
    expect(scope.servers).toHaveLength(MAX_SCOPE);
    expect(scope.truncatedFrom).toBe(15);
    expect(resolveScope('web-1 is down', many).truncatedFrom).toBeNull();
  });

  it('shortens a long inventory list', () => {
    const many = Array.from({ length: 25 }, (_, i) => info(`node-${String(i).padStart(2, '0')}`));
    expect(listKnown(many, 3)).toBe('node-00, node-01, node-02 and 22 more');
  });
});

describe('scope, the naming conventions of the held-out corpus, in other words', () => {
  const fleet: ServerInfo[] = [
    info('billing-api', 'billing'),
    info('dns-resolver-02', 'dns'),
    info('queue-node-07', 'queue'),
  ];
  const scope = (text: string) => resolveScope(text, fleet, { subject: alertSubject(text) });

  it('reads a pod as the kubelet writes it, <pod>_<namespace>, as its workload', () => {
    expect(
      scope('Liveness probe failed for pod billing-api-6c8d9f7b5-kx2zp_finance(uid)').servers.map(
        (s) => s.id,
      ),
    ).toEqual(['billing-api']);
  });

  it('takes `k8s.pod.name` and `kubernetes.node.name` for host fields, and a value after markup', () => {
    const text =
      'Shell in container\nk8s.pod.name: billing-api-6c8d9f7b5-kx2zp\nkubernetes.node.name: queue-node-07';
    expect(scope(text).context).toEqual([]);
    expect(alertSubject('Alert\n • *instance:* `queue-node-07:9100`')).toContain('queue-node-07');
  });

  it('a value labelled as a project, resource group or cluster anywhere is never an unknown server', () => {
    expect(
      scope('{"project_id":"shop-prod-42"}\nusage for shop-prod-42 queue-node-07').unknown,
    ).toEqual([]);
    expect(
      scope('/subscriptions/x/resourceGroups/rg-shop-7/providers/y/queue-node-07').unknown,
    ).toEqual([]);
    expect(scope('[FIRING:1] KubeletDown (kubelet staging-us-east-1 critical)').unknown).toEqual(
      [],
    );
    // Without an environment in front, a region-suffixed host is still a host nobody knows.
    expect(scope('mq-eu-3 is down').unknown).toEqual(['mq-eu-3']);
  });

  it('an acronym in capitals names no service; the same word in lower case does', () => {
    expect(scope('DNS lookup failed for a check').servers).toEqual([]);
    expect(scope('dns is slow').servers.map((s) => s.id)).toEqual(['dns-resolver-02']);
  });

  it('Dynatrace problem numbers are not servers; a one-letter host is', () => {
    expect(scope('OPEN Problem P-1042377: queue-node-07').unknown).toEqual([]);
    expect(scope('p-1 is down').unknown).toEqual(['p-1']);
  });
});

describe('scope, names as real systems write them', () => {
  const fleet: ServerInfo[] = [
    info('web-01.prod.example.com', 'web'),
    info('db-node-02', 'orders-db'),
    info('i-0a1b2c3d4e5f67890', 'billing-worker'),
    info('payment-server-01', 'payments'),
  ];
  const found = (report: string, subject?: string) => {
    const scope = resolveScope(report, fleet, subject ? { subject } : {});
    return { ids: scope.servers.map((s) => s.id), unknown: scope.unknown, context: scope.context };
  };

  it('matches a short host name to its FQDN and an FQDN to its short name, never one FQDN to another', () => {
    expect(found('web-01 is slow').ids).toEqual(['web-01.prod.example.com']);
    expect(found('db-node-02.prod.example.com is slow').ids).toEqual(['db-node-02']);
    expect(found('WEB-01.PROD.EXAMPLE.COM').ids).toEqual(['web-01.prod.example.com']);
    expect(found('web-01.staging.example.com is slow').ids).toEqual([]);
  });

  it('reports a name written with look-alike Cyrillic or Greek letters whole, and never matches it', () => {
    const scope = resolveScope('p\u0430yment-server-01 is down (also \u03B1uth-service-03)', KNOWN);
    expect(scope.servers).toEqual([]);
    expect(scope.unknown).toEqual([
      'p\u0430yment-server-01 (Latin mixed with look-alike Greek or Cyrillic letters)',
      '\u03B1uth-service-03 (Latin mixed with look-alike Greek or Cyrillic letters)',
    ]);
    // Words wholly in another script are no names, and leave the Latin ones beside them alone.
    expect(ids('сервер payment-server-01 упал')).toEqual(['payment-server-01']);
  });

  it('maps a Kubernetes pod name to its Deployment or DaemonSet, never an ordinary or numbered name', () => {
    const workloads = [info('payments-api', 'payments'), info('node-exporter'), info('web')];
    const pods = (report: string) => resolveScope(report, workloads);
    expect(pods('pod payments-api-7c9d8f6b5d-x2kqz is CrashLoopBackOff').servers).toMatchObject([
      { id: 'payments-api' },
    ]);
    expect(pods('KubePodNotReady: node-exporter-b7x2q').servers).toMatchObject([
      { id: 'node-exporter' },
    ]);
    // Vowels, 0, 1 and 3 never appear in the generated suffixes: these are other names.
    expect(pods('web-admin is down; web-01 is down').servers).toEqual([]);
    expect(pods('payments-api-canary-x2kqz').servers).toEqual([]);
  });

  it('finds an id inside a compound name, but not a known id inside another server-shaped name', () => {
    expect(found('ALARM: "awsec2-i-0a1b2c3d4e5f67890-High-CPUUtilization"').ids).toEqual([
      'i-0a1b2c3d4e5f67890',
    ]);
    expect(found('payment-server-01-cpu-high').ids).toEqual(['payment-server-01']);
    expect(found('orders-db-CPUUtilization-High').ids).toEqual(['db-node-02']);
    // "old-db-node-02" is another host, not db-node-02 with a prefix.
    expect(found('old-db-node-02 is down')).toMatchObject({ ids: [], unknown: ['old-db-node-02'] });
  });

  it('reads nothing inside URLs and query strings, but a URL host may name a known server', () => {
    expect(
      found('see https://grafana.example.com/d/x?var-host=payment-server-01&orgId=1').ids,
    ).toEqual([]);
    expect(found('probe https://web-01.prod.example.com/healthz failed').ids).toEqual([
      'web-01.prod.example.com',
    ]);
    expect(found('Source: http://prometheus-0:9090/graph?g0.expr=up').unknown).toEqual([]);
  });

  it('does not report regions, zones, clusters, namespaces or tickets as unknown servers', () => {
    const { unknown } = found(
      'db-node-02 in us-east-1 (us-east-1a), europe-west1, cluster=prod-eu-1, namespace: shop-2, ticket OPS-1234, INC-0042, eks-cluster-7',
    );
    expect(unknown).toEqual([]);
    expect(found('web-node-99 and cart-7').unknown).toEqual(['web-node-99', 'cart-7']);
  });

  it("with an alert's subject, servers named elsewhere are context; subjects come first", () => {
    const report = 'HighCPU on payment-server-01\ndescription: failover goes to db-node-02';
    expect(found(report, 'HighCPU on payment-server-01')).toMatchObject({
      ids: ['payment-server-01', 'db-node-02'],
      context: ['db-node-02'],
    });
    expect(found(report).context).toEqual([]);
  });

  it('names the servers it skipped over the limit', () => {
    const many = Array.from({ length: 14 }, (_, i) => info(`node-${i + 1}`, 'grid'));
    const scope = resolveScope('grid is down', many);
    expect(scope.servers).toHaveLength(MAX_SCOPE);
    expect(scope.skipped).toEqual(['node-11', 'node-12', 'node-13', 'node-14']);
  });

  it('reads the subject of a text alert from its title and host fields, not its prose', () => {
    const subject = alertSubject(
      '[FIRING:1] HighLoad (prod)\n - instance = web-01:9100\nDescription: compare with db-node-02\nHost: payment-server-01',
    );
    expect(subject).toContain('web-01:9100');
    expect(subject).toContain('payment-server-01');
    expect(subject).not.toContain('db-node-02');
  });

  it('a report of half a million characters shaped to make a URL pattern backtrack is still read', () => {
    // An unbounded scheme was retried from every word start of a-a-a-… to its end: quadratic.
    const hostile = `a${'-a'.repeat(250_000)} payment-server-01 is slow`;
    expect(ids(hostile)).toEqual(['payment-server-01']);
  });

  it.each([
    ['a kubelet pod name of underscores', `${'a_'.repeat(150_000)}a payment-server-01`],
    ['a resource path of collections', `${'projects/'.repeat(50_000)}payment-server-01`],
    ['quoted JSON keys', `${'"project_id": "'.repeat(30_000)}payment-server-01`],
    ['a field whose value is markup', `pod:${' *`'.repeat(100_000)} payment-server-01`],
  ])('reads %s in linear time', (_name, hostile) => {
    const started = performance.now();
    resolveScope(hostile, KNOWN, { subject: alertSubject(hostile) });
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
