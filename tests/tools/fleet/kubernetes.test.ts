import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.ts';
import { KubernetesWorkload } from '../../../src/domain/evidence.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import {
  FileFormatError,
  loadDemoFleet,
  parseFleet,
  parseScenarios,
} from '../../../src/tools/fleet/load.ts';
import { SimulatedFleet } from '../../../src/tools/fleet/simulated.ts';
import { kubernetesLines } from '../../../src/tools/kubernetes/lines.ts';
import { ManualClock } from '../../../testing/clock.ts';

/** The simulated fleet's kubernetes: blocks: the format, and the same KubernetesEvidence port. */

const FLEET = `
servers:
  web-01:
    service: web
    health: { cpu: 30, memory: 91, status: critical }
    kubernetes:
      namespace: shop
      pods:
        - name: web-6d5c4b3a2-abcde
          node: node-a
          containers:
            - restarts: 2
              last_termination: { reason: OOMKilled, exit_code: 137, minutes_ago: 3 }
              previous_logs: ["fatal error: runtime: out of memory"]
      events:
        - { reason: BackOff, object: pod/web-6d5c4b3a2-abcde, message: "Back-off restarting failed container app in pod web-6d5c4b3a2-abcde_shop(1)", count: 2, minutes_ago: 3 }
      nodes: [{ name: node-a, pressure: [MemoryPressure] }, { name: node-b, ready: unknown }]
      after_restart:
        pods: [{ name: web-7e6d5c4b3-fghij, node: node-a }]
  db-01:
    health: { cpu: 10, memory: 20, status: healthy }
`;

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ToolError)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

function problems(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof FileFormatError) return error.problems;
    throw error;
  }
  throw new Error('expected a FileFormatError');
}

describe('kubernetes: blocks in fleet and scenario files', () => {
  it('fills the defaults: namespace, deployment from the service, container app, readiness from state', async () => {
    const clock = new ManualClock('2025-03-01T09:00:00.000Z');
    const fleet = SimulatedFleet.fromFleet(parseFleet(FLEET), clock);
    expect(fleet.workloadOf('web-01')).toEqual({
      namespace: 'shop',
      kind: 'deployment',
      name: 'web',
    });
    expect(fleet.workloadOf('db-01')).toBeNull();
    const w = await fleet.describeWorkload('web-01');
    expect(KubernetesWorkload.parse(w)).toEqual(w);
    expect(kubernetesLines(w)).toEqual([
      'pod/web-6d5c4b3a2-abcde: Running, ready, node node-a',
      'pod/web-6d5c4b3a2-abcde container app: running, ready, last terminated OOMKilled exit 137, restarts 2',
      'Warning BackOff pod/web-6d5c4b3a2-abcde: Back-off restarting failed container app in pod web-6d5c4b3a2-abcde_shop(1) (x2)',
      'node/node-a: Ready, MemoryPressure (KubeletHasInsufficientMemory: kubelet has insufficient memory available)',
      'node/node-b: Ready Unknown (NodeStatusUnknown: Kubelet stopped posting node status.), no pressure',
      'pod/web-6d5c4b3a2-abcde container app previous log: fatal error: runtime: out of memory',
    ]);
    expect(w.pods[0]?.containers[0]?.lastTermination?.finishedAt).toBe('2025-03-01T08:57:00.000Z');
    expect(w.events[0]?.lastSeen).toBe('2025-03-01T08:57:00.000Z');
  });

  it('scenarios carry the same block', () => {
    const [scenario] = parseScenarios(`
- id: k8s-oom
  report: "web-01 keeps restarting"
  servers:
    web-01:
      health: { cpu: 30, memory: 91, status: critical }
      kubernetes: { pods: [{ name: web-1, containers: [{ state: waiting, reason: CrashLoopBackOff }] }] }
`);
    expect(scenario?.servers['web-01']?.kubernetes?.pods[0]?.containers[0]).toMatchObject({
      name: 'app',
      state: 'waiting',
      reason: 'CrashLoopBackOff',
      restarts: 0,
    });
  });

  it('names every mistake by its path', () => {
    expect(
      problems(() =>
        parseFleet(`
servers:
  web-01:
    health: { cpu: 1, memory: 1, status: healthy }
    kubernetes:
      deployment: web
      pod: web-1
      pods: [{ name: Web_1, containers: [] }]
      events: [{ reason: BackOff, object: "web-1", message: x }]
      nodes: [{ name: n, pressure: [CPUPressure] }]
`),
      ),
    ).toEqual([
      'servers.web-01.kubernetes.pods.0.name: must be a Kubernetes object name (lowercase letters, digits, dashes, dots)',
      'servers.web-01.kubernetes.pods.0.containers: a pod has at least one container',
      'servers.web-01.kubernetes.events.0.object: must name an object as kind/name, e.g. pod/web-1',
      'servers.web-01.kubernetes.nodes.0.pressure.0: Invalid option: expected one of "MemoryPressure"|"DiskPressure"|"PIDPressure"|"NetworkUnavailable"',
    ]);
    expect(
      problems(() =>
        parseFleet(`
servers:
  web-01:
    health: { cpu: 1, memory: 1, status: healthy }
    kubernetes: { deployment: web, pod: web-1 }
`),
      ),
    ).toEqual(['servers.web-01.kubernetes: give deployment or pod, not both']);
  });
});

describe('the simulated fleet as KubernetesEvidence', () => {
  it('a restart moves the workload to its after_restart state; the same key twice restarts once', async () => {
    const fleet = SimulatedFleet.fromFleet(parseFleet(FLEET), systemClock);
    expect(await fleet.status('web-01', 'p-1')).toEqual({
      state: 'not_found',
      detail: 'no simulated restart p-1 of web-01 was performed',
    });
    const first = await fleet.restart('web-01', undefined, { proposalId: 'p-1' });
    expect(first.alreadyApplied).toBeUndefined();
    expect((await fleet.describeWorkload('web-01')).pods.map((p) => p.name)).toEqual([
      'web-7e6d5c4b3-fghij',
    ]);
    const again = await fleet.restart('web-01', undefined, { proposalId: 'p-1' });
    expect(again).toEqual({
      detail:
        'already restarted: simulated restart p-1 of web-01 was performed before; not restarted again',
      alreadyApplied: true,
    });
    expect(fleet.restartCount('web-01')).toBe(1);
    expect((await fleet.status('web-01', 'p-1')).state).toBe('done');
    expect((await fleet.status('nope', 'p-1')).state).toBe('unknown');
    await fleet.restart('web-01');
    await fleet.restart('web-01');
    expect(fleet.restartCount('web-01')).toBe(3);
  });

  it('pod logs: the previous instance, and the API’s words when there is none', async () => {
    const fleet = SimulatedFleet.fromFleet(parseFleet(FLEET), systemClock);
    expect(await fleet.podLogs('web-01', { previous: true })).toEqual({
      pod: 'web-6d5c4b3a2-abcde',
      container: 'app',
      previous: true,
      lines: ['fatal error: runtime: out of memory'],
      truncated: false,
    });
    await fleet.restart('web-01');
    expect((await fleet.podLogs('web-01', { previous: true })).note).toBe(
      'previous terminated container "app" in pod "web-7e6d5c4b3-fghij" not found',
    );
    const e = await failure(fleet.describeWorkload('db-01'));
    expect(e.code).toBe('not_found');
    expect(e.message).toBe(
      'db-01 is not a Kubernetes workload in the simulated fleet (workloads: web-01)',
    );
  });

  it('the demo fleet: an OOMKilled pod a restart fixes, ImagePullBackOff after a rollout, a FailedScheduling pod', async () => {
    const fleet = SimulatedFleet.fromFleet(await loadDemoFleet(), systemClock);
    const lines = async (id: string) => kubernetesLines(await fleet.describeWorkload(id));

    const cart = await lines('cart-api-13');
    expect(cart).toContain(
      'pod/cart-api-7d9f8c6b5-x2kqp container app: running, ready, last terminated OOMKilled exit 137, restarts 4',
    );
    expect(cart).toContain(
      'pod/cart-api-7d9f8c6b5-x2kqp container app previous log: ERROR java.lang.OutOfMemoryError: Java heap space',
    );
    await fleet.restart('cart-api-13', undefined, { proposalId: 'demo' });
    expect((await lines('cart-api-13')).filter((l) => /OOMKilled|restarts [1-9]/.test(l))).toEqual(
      [],
    );
    expect(await fleet.getHealth('cart-api-13')).toMatchObject({ status: 'healthy' });

    const catalog = await lines('catalog-web-14');
    expect(catalog).toContain(
      'pod/catalog-web-84c5d6e7f-t7r8s container app: ImagePullBackOff (Back-off pulling image "registry.example.com/catalog-web:2.1.0"), restarts 0',
    );
    expect(catalog.find((l) => l.startsWith('deployment/catalog-web rollout'))).toMatch(
      /^deployment\/catalog-web rollout stalled: deployment "catalog-web" exceeded its progress deadline/,
    );
    expect(catalog).toContain(
      'deployment/catalog-web revision 12 (current, replicaset/catalog-web-84c5d6e7f, ' +
        `${(await fleet.describeWorkload('catalog-web-14')).rollout?.revisions[0]?.createdAt}, 0/1 ready): app=registry.example.com/catalog-web:2.1.0; change-cause: deploy catalog-web 2.1.0`,
    );
    expect((await fleet.podLogs('catalog-web-14', {})).note).toBe(
      'container "app" in pod "catalog-web-84c5d6e7f-t7r8s" is waiting to start: trying and failing to pull image',
    );
    expect((await fleet.listChanges('catalog')).map((c) => c.description)).toEqual([
      'deploy catalog-web 2.1.0',
    ]);

    const reports = await lines('report-worker-15');
    expect(reports).toContain(
      'Warning FailedScheduling pod/report-worker-5c7d9f8b6-w4x5z: 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod. (x14)',
    );
    expect(reports).toContain(
      'pod/report-worker-5c7d9f8b6-w4x5z PodScheduled=False (Unschedulable): 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    // By the workload's own names too.
    expect((await fleet.describeWorkload('report-worker')).namespace).toBe('batch');
    expect((await fleet.describeWorkload('report-worker-5c7d9f8b6-w4x5z')).namespace).toBe('batch');
  });
});
