import { describe, expect, it } from 'vitest';
import type { KubernetesWorkload } from '../../../src/domain/evidence.ts';
import {
  kubernetesLines,
  kubernetesSummary,
  nodeLine,
  revisionChanges,
} from '../../../src/tools/kubernetes/lines.ts';

const workload: KubernetesWorkload = {
  namespace: 'shop',
  workload: { kind: 'deployment', name: 'checkout' },
  pods: [],
  events: [],
  rollout: {
    deployment: 'checkout',
    state: 'stalled',
    message: 'deployment "checkout" exceeded its progress deadline',
    replicas: 3,
    updatedReplicas: 1,
    readyReplicas: 2,
    availableReplicas: 2,
    revisions: [
      {
        revision: 4,
        replicaSet: 'checkout-6b7c8d9e0',
        changeCause: 'deploy v3.8.0\n(currency refactor)',
        images: ['app=registry.example.com/checkout:3.8.0'],
        createdAt: '2025-03-01T08:38:00.000Z',
        replicas: 1,
        readyReplicas: 0,
        current: true,
      },
      {
        revision: 3,
        replicaSet: 'checkout-5a6b7c8d9',
        images: ['app=registry.example.com/checkout:3.7.9'],
        replicas: 2,
        readyReplicas: 2,
        current: false,
      },
    ],
  },
  nodes: [],
  logs: [],
  gaps: [],
};

describe('Kubernetes evidence as lines', () => {
  it('a workload with no pods says so; a stalled rollout and its revisions read as kubectl words them', () => {
    expect(kubernetesLines(workload)).toEqual([
      'deployment/checkout in namespace shop: no pods',
      'deployment/checkout rollout stalled: deployment "checkout" exceeded its progress deadline (1 updated, 2 ready, 2 available of 3)',
      'deployment/checkout revision 4 (current, replicaset/checkout-6b7c8d9e0, 2025-03-01T08:38:00.000Z, 0/1 ready): app=registry.example.com/checkout:3.8.0; change-cause: deploy v3.8.0 (currency refactor)',
      'deployment/checkout revision 3 (replicaset/checkout-5a6b7c8d9, 2/2 ready): app=registry.example.com/checkout:3.7.9',
    ]);
    expect(kubernetesSummary('checkout-api-07', workload)).toBe(
      'checkout-api-07 (deployment shop/checkout): 0 pods; rollout stalled',
    );
  });

  it('nodes: NotReady, unknown and cordoned', () => {
    expect(
      nodeLine({
        name: 'node-c',
        ready: 'Unknown',
        problems: [
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
          },
          { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' },
        ],
        unschedulable: true,
      }),
    ).toBe(
      'node/node-c: Ready Unknown (NodeStatusUnknown: Kubelet stopped posting node status.), DiskPressure (KubeletHasDiskPressure), cordoned (SchedulingDisabled)',
    );
    expect(
      nodeLine({
        name: 'node-d',
        ready: 'False',
        problems: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
        unschedulable: false,
      }),
    ).toBe('node/node-d: NotReady (KubeletNotReady), no pressure');
  });

  it('revisions are recent changes too', () => {
    expect(revisionChanges(workload, 'checkout')).toEqual([
      {
        service: 'checkout',
        at: '2025-03-01T08:38:00.000Z',
        description:
          'deployment/checkout revision 4: deploy v3.8.0 (currency refactor) (app=registry.example.com/checkout:3.8.0)',
        author: 'kubernetes',
      },
    ]);
    expect(revisionChanges({ ...workload, rollout: null }, 'checkout')).toEqual([]);
  });
});
