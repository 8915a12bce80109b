import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceData, KubernetesWorkload } from '../../../src/domain/evidence.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { kubernetesLines, kubernetesSummary } from '../../../src/tools/kubernetes/lines.ts';
import { KubernetesWorkloads } from '../../../src/tools/kubernetes/workload.ts';
import { type KubeFixture, startKube } from '../../support/kube.ts';
import {
  createContainerConfigError,
  deployment,
  event,
  type FakeCluster,
  fakeCluster,
  forbidden,
  forbiddenCluster,
  imagePullBackOff,
  node,
  oomKilled,
  pod,
  replicaSet,
  UNSCHEDULABLE,
  unauthorized,
} from '../../support/recorded-kubernetes.ts';

/**
 * Workload evidence through client-node against a loopback API server answering with recorded
 * shapes (PodList, EventList, ReplicaSetList, Node, text/plain logs, Status errors).
 */

const CRASHING = 'cart-api-7d9f8c6b5-x2kqp';
const HEALTHY = 'cart-api-7d9f8c6b5-b7m4n';

function shop(): FakeCluster {
  return fakeCluster({
    deployments: { 'shop/cart-api': deployment('shop', 'cart-api', { revision: 7 }) },
    replicaSets: {
      shop: [
        replicaSet('shop', 'cart-api', '5c6d7e8f9', {
          revision: 6,
          image: 'registry.example.com/cart-api:3.7.2',
          replicas: 0,
          ready: 0,
          created: '2025-02-20T10:00:00Z',
        }),
        replicaSet('shop', 'cart-api', '7d9f8c6b5', {
          revision: 7,
          image: 'registry.example.com/cart-api:3.8.0',
          changeCause:
            'kubectl set image deployment/cart-api app=registry.example.com/cart-api:3.8.0',
          replicas: 2,
          ready: 1,
          created: '2025-03-01T07:30:00Z',
        }),
        // Same labels, another owner: not one of cart-api's revisions.
        {
          ...replicaSet('shop', 'cart-api-canary', '1a2b3c4d5', {
            revision: 99,
            image: 'x',
            replicas: 1,
            ready: 1,
            created: '2025-03-01T07:00:00Z',
          }),
        },
      ],
    },
    pods: {
      shop: [
        pod('shop', CRASHING, { node: 'node-a', containers: [oomKilled(CRASHING)] }),
        pod('shop', HEALTHY, { node: 'node-b' }),
      ],
    },
    events: {
      shop: [
        event('shop', {
          kind: 'Pod',
          name: CRASHING,
          reason: 'BackOff',
          message: `Back-off restarting failed container app in pod ${CRASHING}_shop(pod-${CRASHING})`,
          count: 12,
          last: '2025-03-01T08:58:00Z',
        }),
        event('shop', {
          kind: 'Pod',
          name: CRASHING,
          reason: 'Unhealthy',
          message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
          count: 3,
          last: '2025-03-01T08:57:00Z',
        }),
        event('shop', {
          kind: 'Pod',
          name: HEALTHY,
          reason: 'Pulled',
          type: 'Normal',
          message:
            'Container image "registry.example.com/cart-api:3.8.0" already present on machine',
          last: '2025-03-01T08:59:00Z',
        }),
        event('shop', {
          kind: 'Deployment',
          name: 'cart-api',
          reason: 'ScalingReplicaSet',
          type: 'Normal',
          component: 'deployment-controller',
          message: 'Scaled up replica set cart-api-7d9f8c6b5 to 2',
          last: '2025-03-01T07:30:00Z',
        }),
        event('shop', {
          kind: 'Pod',
          name: 'someone-else-6f7g8h9-zzzzz',
          reason: 'BackOff',
          message: 'Back-off restarting failed container',
        }),
      ],
    },
    nodes: { 'node-a': node('node-a', { memoryPressure: true }), 'node-b': node('node-b') },
    logs: {
      [`shop/${CRASHING}/app/previous`]: [
        '2025-03-01T08:55:38Z INFO cart cache warmed: 120000 entries',
        '2025-03-01T08:55:39Z WARN heap usage 96% after GC; connecting with password=hunter2',
        '2025-03-01T08:55:40Z ERROR java.lang.OutOfMemoryError: Java heap space',
      ].join('\n'),
      [`shop/${CRASHING}/app`]: 'starting cart-api 3.8.0\n',
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

describe('KubernetesWorkloads.describeWorkload', () => {
  let cluster: FakeCluster;
  let kube: KubeFixture;
  const workloads = (options: { namespaces?: string[]; timeoutMs?: number } = {}) =>
    new KubernetesWorkloads({
      clients: kube.clients,
      namespaces: options.namespaces ?? ['shop'],
      targetOf: (id) => (id === 'cart-1' ? { namespace: 'shop', deployment: 'cart-api' } : null),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  const paths = () => kube.server.requests.map((r) => r.path);

  beforeEach(async () => {
    cluster = shop();
    kube = await startKube(cluster);
  });
  afterEach(() => kube.close());

  it('an OOMKilled pod: its container, events, revisions, node pressure and the crashed instance’s log', async () => {
    const w = await workloads().describeWorkload('cart-1');
    expect(KubernetesWorkload.parse(w)).toEqual(w);
    expect(EvidenceData.parse({ kind: 'kubernetes', ...w }).kind).toBe('kubernetes');
    expect(kubernetesLines(w)).toEqual([
      `pod/${CRASHING}: Running, not ready, node node-a`,
      `pod/${CRASHING} container app: CrashLoopBackOff, last terminated OOMKilled exit 137, restarts 12`,
      `pod/${HEALTHY}: Running, ready, node node-b`,
      `pod/${HEALTHY} container app: running, ready, restarts 0`,
      `Warning BackOff pod/${CRASHING}: Back-off restarting failed container app in pod ${CRASHING}_shop(pod-${CRASHING}) (x12)`,
      `Warning Unhealthy pod/${CRASHING}: Readiness probe failed: HTTP probe failed with statuscode: 503 (x3)`,
      `Normal Pulled pod/${HEALTHY}: Container image "registry.example.com/cart-api:3.8.0" already present on machine`,
      'Normal ScalingReplicaSet deployment/cart-api: Scaled up replica set cart-api-7d9f8c6b5 to 2',
      'deployment/cart-api rollout complete: deployment "cart-api" successfully rolled out (3 updated, 3 ready, 3 available of 3)',
      'deployment/cart-api revision 7 (current, replicaset/cart-api-7d9f8c6b5, 2025-03-01T07:30:00.000Z, 1/2 ready): app=registry.example.com/cart-api:3.8.0; change-cause: kubectl set image deployment/cart-api app=registry.example.com/cart-api:3.8.0',
      'deployment/cart-api revision 6 (replicaset/cart-api-5c6d7e8f9, 2025-02-20T10:00:00.000Z, 0/0 ready): app=registry.example.com/cart-api:3.7.2',
      'node/node-a: Ready, MemoryPressure (KubeletHasInsufficientMemory: kubelet has insufficient memory available)',
      'node/node-b: Ready, no pressure',
      `pod/${CRASHING} container app previous log: 2025-03-01T08:55:38Z INFO cart cache warmed: 120000 entries`,
      `pod/${CRASHING} container app previous log: 2025-03-01T08:55:39Z WARN heap usage 96% after GC; connecting with password=[REDACTED]`,
      `pod/${CRASHING} container app previous log: 2025-03-01T08:55:40Z ERROR java.lang.OutOfMemoryError: Java heap space`,
    ]);
    expect(kubernetesSummary('cart-1', w)).toBe(
      'cart-1 (deployment shop/cart-api): 2 pods, 1 not ready; 12 restarts; CrashLoopBackOff, OOMKilled; rollout complete; 2 warning events; node conditions abnormal',
    );
    const pods = kube.server.requests.find((r) => r.path === '/api/v1/namespaces/shop/pods');
    expect(pods?.query.get('labelSelector')).toBe('app=cart-api,tier in (web,api)');
    const log = kube.server.requests.find((r) => r.path.endsWith('/log'));
    expect(Object.fromEntries(log?.query ?? [])).toEqual({
      container: 'app',
      previous: 'true',
      tailLines: '20',
      limitBytes: '262144',
    });
    // Lists only: no watch anywhere.
    expect(kube.server.requests.some((r) => r.query.has('watch'))).toBe(false);
  });

  it('ImagePullBackOff after a rollout: the image quoted, the rollout stuck, no log asked of a container that never ran', async () => {
    const image = 'registry.example.com/cart-api:3.9.0';
    cluster.deployments['shop/cart-api'] = deployment('shop', 'cart-api', {
      revision: 8,
      status: { replicas: 4, updated: 1, ready: 3, available: 3 },
    });
    cluster.pods.shop = [
      pod('shop', 'cart-api-8e1f2a3b4-q9w8e', { containers: [imagePullBackOff(image)] }),
      pod('shop', HEALTHY, { node: 'node-b' }),
    ];
    cluster.events.shop = [
      event('shop', {
        kind: 'Pod',
        name: 'cart-api-8e1f2a3b4-q9w8e',
        reason: 'Failed',
        message: `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
        count: 4,
      }),
      event('shop', {
        kind: 'Pod',
        name: 'cart-api-8e1f2a3b4-q9w8e',
        reason: 'Failed',
        message: 'Error: ImagePullBackOff',
        count: 6,
        last: '2025-03-01T08:58:30Z',
      }),
    ];
    const w = await workloads().describeWorkload('cart-1');
    const lines = kubernetesLines(w);
    expect(lines).toContain(
      `pod/cart-api-8e1f2a3b4-q9w8e container app: ImagePullBackOff (Back-off pulling image "${image}"), restarts 0`,
    );
    expect(lines).toContain(
      'Warning Failed pod/cart-api-8e1f2a3b4-q9w8e: Error: ImagePullBackOff (x6)',
    );
    expect(lines).toContain(
      'deployment/cart-api rollout progressing: Waiting for deployment "cart-api" rollout to finish: 1 out of 3 new replicas have been updated... (1 updated, 3 ready, 3 available of 3)',
    );
    expect(w.logs).toEqual([]);
    expect(paths().some((p) => p.endsWith('/log'))).toBe(false);
  });

  it('CreateContainerConfigError: the missing secret quoted', async () => {
    cluster.pods.shop = [
      pod('shop', CRASHING, { containers: [createContainerConfigError('db-credentials')] }),
    ];
    const lines = kubernetesLines(await workloads().describeWorkload('cart-1'));
    expect(lines).toContain(
      `pod/${CRASHING} container app: CreateContainerConfigError (secret "db-credentials" not found), restarts 0`,
    );
  });

  it('FailedScheduling: the scheduler’s reason quoted from the pod condition and the event; no node to read', async () => {
    const name = 'cart-api-7d9f8c6b5-p3n2m';
    cluster.pods.shop = [
      pod('shop', name, {
        node: null,
        phase: 'Pending',
        scheduled: { status: 'False', reason: 'Unschedulable', message: UNSCHEDULABLE },
      }),
    ];
    cluster.events.shop = [
      event('shop', {
        kind: 'Pod',
        name,
        reason: 'FailedScheduling',
        message: UNSCHEDULABLE,
        component: 'default-scheduler',
        count: 7,
      }),
    ];
    const w = await workloads().describeWorkload('cart-1');
    expect(kubernetesLines(w).slice(0, 4)).toEqual([
      `pod/${name}: Pending, not ready`,
      `pod/${name} PodScheduled=False (Unschedulable): ${UNSCHEDULABLE}`,
      `pod/${name} container app: state unknown, restarts 0`,
      `Warning FailedScheduling pod/${name}: ${UNSCHEDULABLE} (x7)`,
    ]);
    expect(paths().some((p) => p.startsWith('/api/v1/nodes'))).toBe(false);
  });

  it('Evicted: the pod’s own reason and the kubelet’s message', async () => {
    cluster.pods.shop = [
      pod('shop', CRASHING, {
        phase: 'Failed',
        ready: false,
        reason: 'Evicted',
        message:
          'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi. Container app was using 1248Mi, request is 256Mi, has larger consumption of memory. ',
        containers: [
          {
            ready: false,
            state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } },
          },
        ],
      }),
    ];
    const lines = kubernetesLines(await workloads().describeWorkload('cart-1'));
    expect(lines[0]).toBe(
      `pod/${CRASHING}: Failed (Evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi. Container app was using 1248Mi, request is 256Mi, has larger consumption of memory.), not ready, node node-a`,
    );
  });

  it('403 on list pods is the clear fact: the bot’s Role lacks `list pods` in namespace shop', async () => {
    cluster.overrides['GET /api/v1/namespaces/shop/pods'] = {
      status: 403,
      body: forbidden('list', 'pods', 'shop'),
    };
    const e = await failure(workloads().describeWorkload('cart-1'));
    expect(e.code).toBe('forbidden');
    expect(e.message).toBe(
      'the bot\'s Role lacks `list pods` in namespace shop: Kubernetes answered list pods in namespace shop with 403 Forbidden ("pods is forbidden: User "system:serviceaccount:ops:lzo" cannot list resource "pods" in API group "" in the namespace "shop""); grant it to the bot (deploy/kubernetes/rbac.yaml)',
    );
  });

  it('what cannot be read beside the pods becomes a gap, not a failure: events, ReplicaSets, nodes, logs', async () => {
    cluster.overrides['GET /api/v1/namespaces/shop/events'] = {
      status: 403,
      body: forbidden('list', 'events', 'shop'),
    };
    cluster.overrides['GET /apis/apps/v1/namespaces/shop/replicasets'] = {
      status: 403,
      body: forbidden('list', 'replicasets', 'shop'),
    };
    cluster.overrides['GET /api/v1/nodes/node-a'] = {
      status: 403,
      body: forbiddenCluster('get', 'nodes', 'node-a'),
    };
    cluster.overrides[`GET /api/v1/namespaces/shop/pods/${CRASHING}/log`] = {
      status: 403,
      body: forbidden('get', 'pods/log', 'shop', CRASHING),
    };
    const w = await workloads().describeWorkload('cart-1');
    expect(w.pods).toHaveLength(2);
    expect(w.gaps.map((g) => g.split(': Kubernetes answered')[0])).toEqual([
      "rollout history (ReplicaSets) not read: the bot's Role lacks `list replicasets (API group apps)` in namespace shop",
      "events not read: the bot's Role lacks `list events` in namespace shop",
      `logs of pod ${CRASHING} not read: the bot's Role lacks \`get pods/log\` in namespace shop`,
      "node node-a not read: the bot's ClusterRole lacks `get nodes`",
    ]);
    expect(kubernetesLines(w).filter((l) => l.startsWith('kubernetes: '))).toHaveLength(4);
  });

  it('401, 404 and a hung API server are clear errors', async () => {
    cluster.overrides['GET /apis/apps/v1/namespaces/shop/deployments/cart-api'] = {
      status: 401,
      body: unauthorized,
    };
    const e401 = await failure(workloads().describeWorkload('cart-1'));
    expect(e401.code).toBe('unauthorized');
    expect(e401.message).toMatch(/^Kubernetes rejected the bot's credentials \(401 Unauthorized\)/);

    delete cluster.overrides['GET /apis/apps/v1/namespaces/shop/deployments/cart-api'];
    delete cluster.deployments['shop/cart-api'];
    const e404 = await failure(workloads().describeWorkload('cart-1'));
    expect(e404.code).toBe('not_found');
    expect(e404.message).toBe(
      'get deployment cart-api in namespace shop: not found (404) ("deployments.apps "cart-api" not found")',
    );

    cluster.deployments['shop/cart-api'] = deployment('shop', 'cart-api');
    cluster.overrides['GET /api/v1/namespaces/shop/pods'] = { status: 200, hang: true };
    const slow = await failure(workloads({ timeoutMs: 200 }).describeWorkload('cart-1'));
    expect(slow.code).toBe('timeout');
    expect(slow.message).toMatch(/did not answer \(list pods in namespace shop\) within 200 ms$/);
  });

  it('finds a Deployment or a pod by name in the allowed namespaces; refuses what is outside them', async () => {
    cluster.deployments = { 'shop/cart-api': deployment('shop', 'cart-api') };
    const byDeployment = await workloads({ namespaces: ['web', 'shop'] }).describeWorkload(
      'cart-api',
    );
    expect(byDeployment.workload).toEqual({ kind: 'deployment', name: 'cart-api' });
    expect(byDeployment.namespace).toBe('shop');

    const byPod = await workloads().describeWorkload(CRASHING);
    expect(byPod.workload).toEqual({ kind: 'pod', name: CRASHING });
    expect(byPod.rollout).toBeNull();
    expect(byPod.events.map((e) => e.reason)).toEqual(['BackOff', 'Unhealthy']);
    const events = kube.server.requests.filter((r) => r.path.endsWith('/events')).at(-1);
    expect(events?.query.get('fieldSelector')).toBe(`involvedObject.name=${CRASHING}`);

    const missing = await failure(workloads().describeWorkload('payment-server-01'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toBe(
      'payment-server-01 is not a Kubernetes workload: the catalog maps no deployment to it, and there is no deployment or pod of that name in shop (KUBERNETES_NAMESPACES)',
    );
    expect((await failure(workloads().describeWorkload('Not_A_Name'))).message).toMatch(
      /it is not a Kubernetes object name/,
    );

    kube.server.requests.length = 0;
    const outside = await failure(workloads({ namespaces: ['web'] }).describeWorkload('cart-1'));
    expect(outside.code).toBe('forbidden');
    expect(outside.message).toBe(
      'the bot does not read deployment shop/cart-api: namespace shop is not in KUBERNETES_NAMESPACES (web)',
    );
    expect(kube.server.requests).toHaveLength(0);
    expect(workloads({ namespaces: ['web'] }).workloadOf('cart-1')).toBeNull();
    expect(workloads().workloadOf('cart-1')).toEqual({
      namespace: 'shop',
      kind: 'deployment',
      name: 'cart-api',
    });
  });
});

describe('KubernetesWorkloads.podLogs', () => {
  let cluster: FakeCluster;
  let kube: KubeFixture;
  const workloads = () =>
    new KubernetesWorkloads({
      clients: kube.clients,
      namespaces: ['shop'],
      targetOf: (id) => (id === 'cart-1' ? { namespace: 'shop', deployment: 'cart-api' } : null),
    });
  beforeEach(async () => {
    cluster = shop();
    kube = await startKube(cluster);
  });
  afterEach(() => kube.close());

  it('reads the current container of the pod most in trouble, capped and redacted, by default', async () => {
    const logs = await workloads().podLogs('cart-1', { previous: false });
    expect(logs).toEqual({
      pod: CRASHING,
      container: 'app',
      previous: false,
      lines: ['starting cart-api 3.8.0'],
      truncated: false,
    });
  });

  it('previous=true reads the crashed instance; its tail is capped', async () => {
    const logs = await workloads().podLogs('cart-1', { pod: CRASHING, previous: true, lines: 2 });
    expect(logs.lines).toEqual([
      '2025-03-01T08:55:39Z WARN heap usage 96% after GC; connecting with password=[REDACTED]',
      '2025-03-01T08:55:40Z ERROR java.lang.OutOfMemoryError: Java heap space',
    ]);
    expect(kube.server.last.query.get('tailLines')).toBe('2');
    const many = await workloads().podLogs('cart-1', {
      pod: CRASHING,
      previous: true,
      lines: 5000,
    });
    expect(many.lines).toHaveLength(3);
    expect(kube.server.last.query.get('tailLines')).toBe('200');
  });

  it('the API’s 400 "previous terminated container … not found" is a note, not a failure', async () => {
    const logs = await workloads().podLogs('cart-1', { pod: HEALTHY, previous: true });
    expect(logs).toEqual({
      pod: HEALTHY,
      container: 'app',
      previous: true,
      lines: [],
      truncated: false,
      note: `previous terminated container "app" in pod "${HEALTHY}" not found`,
    });
    expect(
      kubernetesLines({ ...(await workloads().describeWorkload('cart-1')), logs: [logs] }).at(-1),
    ).toBe(
      `pod/${HEALTHY} container app previous log: previous terminated container "app" in pod "${HEALTHY}" not found`,
    );
  });

  it('a container waiting for its image answers as the kubelet words it', async () => {
    cluster.pods.shop = [pod('shop', CRASHING, { containers: [imagePullBackOff('x/y:1')] })];
    cluster.logs = {};
    const logs = await workloads().podLogs('cart-1', {});
    expect(logs.note).toBe(
      `container "app" in pod "${CRASHING}" is waiting to start: trying and failing to pull image`,
    );
  });

  it('long lines are cut before they are redacted', async () => {
    cluster.logs[`shop/${CRASHING}/app`] = `token=abcdefgh ${'x'.repeat(5000)}\n`;
    const logs = await workloads().podLogs('cart-1', { pod: CRASHING });
    // Cut to the line limit first, then redacted: the token is masked and the line stays capped.
    const [line] = logs.lines;
    expect(line).toMatch(/^token=\[REDACTED\] x+…$/);
    expect(line?.length).toBeLessThanOrEqual(501);
  });

  it('refuses a pod or container that is not the workload’s', async () => {
    const other = await failure(
      workloads().podLogs('cart-1', { pod: 'someone-else-6f7g8h9-zzzzz' }),
    );
    expect(other.code).toBe('invalid_arguments');
    expect(other.message).toBe(
      `pod someone-else-6f7g8h9-zzzzz is not one of deployment shop/cart-api's pods (${CRASHING}, ${HEALTHY})`,
    );
    const sidecar = await failure(
      workloads().podLogs('cart-1', { pod: CRASHING, container: 'envoy' }),
    );
    expect(sidecar.message).toBe(`pod ${CRASHING} has no container envoy (it has app)`);
  });
});
