import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { systemClock } from '../../../src/domain/clock.ts';
import { KubernetesRestarter } from '../../../src/tools/kubernetes/restarter.ts';
import { KubernetesWorkloads } from '../../../src/tools/kubernetes/workload.ts';
import { type KubeFixture, startKube } from '../../support/kube.ts';
import type { LoopbackRequest } from '../../support/loopback-http.ts';
import {
  deployment,
  event,
  fakeCluster,
  node,
  oomKilled,
  pod,
} from '../../support/recorded-kubernetes.ts';

/**
 * deploy/kubernetes/rbac.yaml grants exactly what the bot calls: every request the evidence
 * backend and the restarter make is allowed by the Role (namespaced) or the ClusterRole (nodes),
 * and nothing beyond read verbs and patch on deployments is granted.
 */

const Rule = z.object({
  apiGroups: z.array(z.string()),
  resources: z.array(z.string()),
  verbs: z.array(z.string()),
});
const Doc = z.looseObject({ kind: z.string(), rules: z.array(Rule).optional() });

/** The RBAC attributes of an API request, as the API server derives them. */
function attributes(r: LoopbackRequest): {
  verb: string;
  group: string;
  resource: string;
  cluster: boolean;
} {
  const m =
    /^\/(?:api\/v1|apis\/(apps)\/v1)\/(?:namespaces\/[^/]+\/)?([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(
      r.path,
    );
  if (!m) throw new Error(`unexpected path ${r.path}`);
  const [, group = '', resource = '', name, sub] = m;
  const verb = r.method === 'PATCH' ? 'patch' : name ? 'get' : 'list';
  return {
    verb,
    group,
    resource: sub ? `${resource}/${sub}` : resource,
    cluster: !r.path.includes('/namespaces/'),
  };
}

describe('deploy/kubernetes/rbac.yaml', () => {
  let kube: KubeFixture;
  let rules: { role: z.infer<typeof Rule>[]; clusterRole: z.infer<typeof Rule>[] };

  beforeAll(async () => {
    const text = await readFile(
      new URL('../../../deploy/kubernetes/rbac.yaml', import.meta.url),
      'utf8',
    );
    const docs = parseAllDocuments(text).map((d) => Doc.parse(d.toJS()));
    rules = {
      role: docs.filter((d) => d.kind === 'Role').flatMap((d) => d.rules ?? []),
      clusterRole: docs.filter((d) => d.kind === 'ClusterRole').flatMap((d) => d.rules ?? []),
    };
    const name = 'cart-api-7d9f8c6b5-x2kqp';
    kube = await startKube(
      fakeCluster({
        deployments: { 'shop/cart-api': deployment('shop', 'cart-api') },
        pods: { shop: [pod('shop', name, { containers: [oomKilled(name)] })] },
        events: { shop: [event('shop', { kind: 'Pod', name, reason: 'BackOff', message: 'x' })] },
        nodes: { 'node-a': node('node-a') },
        logs: { [`shop/${name}/app/previous`]: 'OOM\n' },
      }),
    );
    const workloads = new KubernetesWorkloads({
      clients: kube.clients,
      namespaces: ['shop'],
      targetOf: (id) => (id === 'cart-1' ? { namespace: 'shop', deployment: 'cart-api' } : null),
    });
    await workloads.describeWorkload('cart-1');
    await workloads.describeWorkload(name);
    await workloads.podLogs('cart-1', { previous: true });
    await new KubernetesRestarter({
      clients: kube.clients,
      namespaces: ['shop'],
      targetOf: () => ({ namespace: 'shop', deployment: 'cart-api' }),
      clock: systemClock,
    }).restart('cart-1', undefined, { proposalId: 'p' });
  });
  afterAll(() => kube.close());

  it('allows every request the bot makes', () => {
    const asked = new Set(kube.server.requests.map((r) => JSON.stringify(attributes(r))));
    expect(
      [...asked]
        .map((a) => JSON.parse(a) as ReturnType<typeof attributes>)
        .map((a) => `${a.verb} ${a.resource}`)
        .sort(),
    ).toEqual([
      'get deployments',
      'get nodes',
      'get pods',
      'get pods/log',
      'list events',
      'list pods',
      'list replicasets',
      'patch deployments',
    ]);
    for (const raw of asked) {
      const a = JSON.parse(raw) as ReturnType<typeof attributes>;
      const pool = a.cluster ? rules.clusterRole : rules.role;
      const allowed = pool.some(
        (r) =>
          r.apiGroups.includes(a.group) &&
          r.resources.includes(a.resource) &&
          r.verbs.includes(a.verb),
      );
      expect(allowed, `${a.verb} ${a.resource}`).toBe(true);
    }
  });

  it('grants read verbs only, plus patch on deployments; nothing on secrets, exec or delete', () => {
    const all = [...rules.role, ...rules.clusterRole];
    const verbs = new Set(all.flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list', 'patch', 'watch']);
    for (const r of all)
      if (r.verbs.includes('patch'))
        expect(r).toEqual({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] });
    expect(all.flatMap((r) => r.resources)).not.toContain('secrets');
    expect(rules.clusterRole.flatMap((r) => r.resources)).toEqual(['nodes']);
  });
});
