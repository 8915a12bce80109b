import { afterEach, describe, expect, it } from 'vitest';
import { loadDemoFleet } from '../../../src/tools/fleet/load.ts';
import { KubernetesWorkloads } from '../../../src/tools/kubernetes/workload.ts';
import { type KubeFixture, startKube } from '../../support/kube.ts';
import {
  createContainerConfigError,
  deployment,
  fakeCluster,
  forbidden,
  pod,
} from '../../support/recorded-kubernetes.ts';
import { APPROVER, testRuntime } from '../../support/runtime.ts';

/**
 * Kubernetes evidence in an investigation: a server that is a workload gets its pods, events,
 * rollout and nodes prefetched, the signals read them, and the guard decides as for any evidence.
 */

const facts = (brief: { facts: { text: string }[] }) => brief.facts.map((f) => f.text).join('\n');

describe('investigations of Kubernetes workloads (the demo fleet)', () => {
  it('an OOMKilled container: its workload is described, and a restart of it is proposed', async () => {
    const rt = await testRuntime({ fleet: await loadDemoFleet() });
    const { brief, proposal, calledTools } = await rt.triage('cart-api-13 is crashing');
    expect(calledTools).toContain('describe_workload');
    expect(brief.evidence.find((e) => e.source.tool === 'describe_workload')?.data.kind).toBe(
      'kubernetes',
    );
    expect(brief.action).toBe('restart');
    expect(proposal?.serverId).toBe('cart-api-13');
    const outcome = await rt.approvals.approve(proposal?.id ?? '', APPROVER);
    expect(outcome).toMatchObject({ kind: 'restarted', recovered: true });
  });

  it('ImagePullBackOff after a rollout: escalated with the reason quoted, never restarted', async () => {
    const rt = await testRuntime({ fleet: await loadDemoFleet() });
    const { brief, proposal } = await rt.triage('catalog-web-14 is down after the deploy');
    expect(brief.action).toBe('escalate');
    expect(proposal).toBeNull();
    expect(facts(brief)).toMatch(/ImagePullBackOff/);
    // The rollout's revision is a recent change, which the regression follows.
    expect(brief.category).toBe('change');
  });

  it('FailedScheduling: escalated with the scheduler’s words', async () => {
    const rt = await testRuntime({ fleet: await loadDemoFleet() });
    const { brief, proposal } = await rt.triage('report-worker-15 jobs are not running');
    expect(brief.action).toBe('escalate');
    expect(proposal).toBeNull();
    expect(facts(brief)).toMatch(/FailedScheduling.*Insufficient memory/);
  });

  it('servers that are not workloads are not described', async () => {
    const rt = await testRuntime({ fleet: await loadDemoFleet() });
    const { calledTools } = await rt.triage(
      'The payment-server-01 is extremely slow and timing out.',
    );
    expect(calledTools).not.toContain('describe_workload');
  });
});

describe('investigations against a Kubernetes API (recorded shapes on loopback)', () => {
  let kube: KubeFixture | null = null;
  afterEach(async () => {
    await kube?.close();
    kube = null;
  });

  async function runtimeOn(cluster: ReturnType<typeof fakeCluster>) {
    kube = await startKube(cluster);
    const clients = kube.clients;
    return testRuntime({
      fleet: {
        environment: 'prod',
        servers: {
          'cart-1': {
            service: 'cart',
            health: { cpu: 30, memory: 40, status: 'error' },
            logs: [],
          },
        },
        changes: [],
      },
      backends: (b) => ({
        ...b,
        kubernetes: new KubernetesWorkloads({
          clients,
          namespaces: ['shop'],
          targetOf: (id) =>
            id === 'cart-1' ? { namespace: 'shop', deployment: 'cart-api' } : null,
        }),
      }),
    });
  }

  it('CreateContainerConfigError: escalated with the missing secret named', async () => {
    const name = 'cart-api-7d9f8c6b5-x2kqp';
    const rt = await runtimeOn(
      fakeCluster({
        deployments: { 'shop/cart-api': deployment('shop', 'cart-api') },
        pods: {
          shop: [
            pod('shop', name, { containers: [createContainerConfigError('cart-db-credentials')] }),
          ],
        },
      }),
    );
    const { brief, proposal } = await rt.triage('cart-1 will not start');
    expect(proposal).toBeNull();
    expect(brief.action).toBe('escalate');
    expect(facts(brief)).toMatch(/CreateContainerConfigError/);
    expect(facts(brief)).toMatch(/cart-db-credentials/);
  });

  it('a 403 becomes the clear fact that the bot’s Role lacks `list pods` in the namespace', async () => {
    const cluster = fakeCluster({
      deployments: { 'shop/cart-api': deployment('shop', 'cart-api') },
    });
    cluster.overrides['GET /api/v1/namespaces/shop/pods'] = {
      status: 403,
      body: forbidden('list', 'pods', 'shop'),
    };
    const rt = await runtimeOn(cluster);
    const { brief } = await rt.triage('cart-1 errors');
    expect(facts(brief)).toMatch(/the bot's Role lacks `list pods` in namespace shop/);
    expect(brief.action).toBe('escalate');
  });
});
