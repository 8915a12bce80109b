import type { LoopbackReply, LoopbackRequest } from './loopback-http.ts';

/**
 * Kubernetes API answers in the shapes a real API server sends, for tests that run client-node
 * against a loopback server. Sources, per shape:
 * - objects and lists: the Kubernetes API reference (kubernetes.io/docs/reference/kubernetes-api/):
 *   Pod v1 core (PodList, PodStatus, ContainerStatus, ContainerState*), Event v1 core (EventList),
 *   Node v1 core (NodeCondition), Deployment and ReplicaSet apps/v1; list envelopes as client-node's
 *   own tests serve them (kubernetes-client/javascript src/fullrequest_test.ts: {kind: 'PodList',
 *   apiVersion: 'v1', items: []});
 * - Status errors: meta/v1 Status (API reference) as client-node's src/log_test.ts serves one
 *   ({kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason,
 *   details: {name, kind}, code}); 403 messages as k8s.io/apiserver words them (endpoints/handlers/
 *   responsewriters/errors.go, forbiddenMessage) inside k8s.io/apimachinery's NewForbidden
 *   ("<resource> \"<name>\" is forbidden: <reason>");
 * - reasons and messages: the kubelet's (pkg/kubelet: kuberuntime_manager.go "Back-off restarting
 *   failed container %s in pod %s", kubelet_pods.go validateContainerLogStatus "previous
 *   terminated container %q in pod %q not found" / "is waiting to start: trying and failing to
 *   pull image", eviction/helpers.go "The node was low on resource: %v. "), the scheduler's
 *   FailedScheduling ("0/3 nodes are available: 3 Insufficient memory. preemption: …"), and the
 *   kubelet's node condition reasons (KubeletHasInsufficientMemory, KubeletReady…).
 */

const T0 = '2025-03-01T08:00:00Z';
const UID = 'f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b';

export function k8sStatus(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, string>,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export const SA_USER = 'system:serviceaccount:ops:lzo';

/** A namespaced 403, e.g. list pods in shop. */
export function forbidden(verb: string, resource: string, namespace: string, name?: string) {
  const group = resource === 'deployments' || resource === 'replicasets' ? 'apps' : '';
  const qualified = group ? `${resource}.${group}` : resource.split('/')[0];
  return k8sStatus(
    403,
    'Forbidden',
    `${qualified}${name ? ` "${name}"` : ''} is forbidden: User "${SA_USER}" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${namespace}"`,
    { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource.split('/')[0] ?? '' },
  );
}

/** A cluster-scoped 403, e.g. get nodes. */
export function forbiddenCluster(verb: string, resource: string, name?: string) {
  return k8sStatus(
    403,
    'Forbidden',
    `${resource}${name ? ` "${name}"` : ''} is forbidden: User "${SA_USER}" cannot ${verb} resource "${resource}" in API group "" at the cluster scope`,
    { ...(name ? { name } : {}), kind: resource },
  );
}

export const unauthorized = k8sStatus(401, 'Unauthorized', 'Unauthorized');

export function notFound(resource: string, name: string, group = '') {
  return k8sStatus(
    404,
    'NotFound',
    `${group ? `${resource}.${group}` : resource} "${name}" not found`,
    {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    },
  );
}

export function previousNotFound(container: string, pod: string) {
  return k8sStatus(
    400,
    'BadRequest',
    `previous terminated container "${container}" in pod "${pod}" not found`,
  );
}

export function waitingToStart(container: string, pod: string) {
  return k8sStatus(
    400,
    'BadRequest',
    `container "${container}" in pod "${pod}" is waiting to start: trying and failing to pull image`,
  );
}

const list = (kind: string, apiVersion: string, items: unknown[]) => ({
  kind,
  apiVersion,
  metadata: { resourceVersion: '884211' },
  items,
});

// --- apps/v1 Deployment and ReplicaSet ---------------------------------------------------------

export type DeploymentOptions = {
  replicas?: number;
  revision?: number;
  paused?: boolean;
  generation?: number;
  observedGeneration?: number;
  status?: { replicas: number; updated: number; ready: number; available: number };
  progressing?: { status: string; reason: string; message: string };
  annotations?: Record<string, string>;
  image?: string;
};

export function deployment(namespace: string, name: string, o: DeploymentOptions = {}) {
  const replicas = o.replicas ?? 3;
  const s = o.status ?? { replicas, updated: replicas, ready: replicas, available: replicas };
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: {
      name,
      namespace,
      uid: UID,
      resourceVersion: '884100',
      generation: o.generation ?? 9,
      creationTimestamp: '2025-01-10T10:00:00Z',
      labels: { app: name },
      annotations: { 'deployment.kubernetes.io/revision': String(o.revision ?? 7) },
    },
    spec: {
      replicas,
      selector: {
        matchLabels: { app: name },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }],
      },
      ...(o.paused ? { paused: true } : {}),
      template: {
        metadata: {
          creationTimestamp: null,
          labels: { app: name, tier: 'api' },
          ...(o.annotations ? { annotations: o.annotations } : {}),
        },
        spec: {
          containers: [
            {
              name: 'app',
              image: o.image ?? `registry.example.com/${name}:3.8.0`,
              resources: {
                limits: { memory: '512Mi' },
                requests: { cpu: '250m', memory: '256Mi' },
              },
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
        },
      },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: o.observedGeneration ?? o.generation ?? 9,
      replicas: s.replicas,
      updatedReplicas: s.updated,
      readyReplicas: s.ready,
      availableReplicas: s.available,
      unavailableReplicas: Math.max(0, s.replicas - s.available),
      conditions: [
        {
          type: 'Available',
          status: s.available >= replicas ? 'True' : 'False',
          lastUpdateTime: T0,
          lastTransitionTime: T0,
          reason:
            s.available >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message:
            s.available >= replicas
              ? 'Deployment has minimum availability.'
              : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: o.progressing?.status ?? 'True',
          lastUpdateTime: T0,
          lastTransitionTime: T0,
          reason: o.progressing?.reason ?? 'NewReplicaSetAvailable',
          message:
            o.progressing?.message ?? `ReplicaSet "${name}-7d9f8c6b5" has successfully progressed.`,
        },
      ],
    },
  };
}

export function replicaSet(
  namespace: string,
  deploymentName: string,
  hash: string,
  o: {
    revision: number;
    image: string;
    changeCause?: string;
    replicas: number;
    ready: number;
    created: string;
  },
) {
  return {
    metadata: {
      name: `${deploymentName}-${hash}`,
      namespace,
      uid: `rs-${hash}`,
      resourceVersion: '884150',
      generation: 2,
      creationTimestamp: o.created,
      labels: { app: deploymentName, 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': '3',
        'deployment.kubernetes.io/max-replicas': '4',
        'deployment.kubernetes.io/revision': String(o.revision),
        ...(o.changeCause ? { 'kubernetes.io/change-cause': o.changeCause } : {}),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deploymentName,
          uid: UID,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: deploymentName, 'pod-template-hash': hash } },
      template: {
        metadata: { labels: { app: deploymentName, 'pod-template-hash': hash } },
        spec: { containers: [{ name: 'app', image: o.image }] },
      },
    },
    status: {
      replicas: o.replicas,
      fullyLabeledReplicas: o.replicas,
      readyReplicas: o.ready,
      availableReplicas: o.ready,
      observedGeneration: 2,
    },
  };
}

export const replicaSetList = (items: unknown[]) => list('ReplicaSetList', 'apps/v1', items);

// --- core/v1 Pod --------------------------------------------------------------------------------

type ContainerStatus = {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state: Record<string, unknown>;
  lastState?: Record<string, unknown>;
  image?: string;
};

export function pod(
  namespace: string,
  name: string,
  o: {
    owner?: string;
    node?: string | null;
    phase?: string;
    ready?: boolean;
    reason?: string;
    message?: string;
    containers?: ContainerStatus[];
    scheduled?: { status: string; reason?: string; message?: string };
  } = {},
) {
  const containers = o.containers ?? [{ ready: true, state: { running: { startedAt: T0 } } }];
  const ready = o.ready ?? containers.every((c) => c.ready === true);
  const cond = (type: string, status: string, extra: Record<string, string> = {}) => ({
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: T0,
    ...extra,
  });
  return {
    metadata: {
      name,
      generateName: `${name.slice(0, name.lastIndexOf('-') + 1)}`,
      namespace,
      uid: `pod-${name}`,
      resourceVersion: '884200',
      creationTimestamp: T0,
      labels: { app: o.owner ?? 'cart-api', tier: 'api', 'pod-template-hash': '7d9f8c6b5' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${o.owner ?? 'cart-api'}-7d9f8c6b5`,
          uid: 'rs-7d9f8c6b5',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: containers.map((c) => ({
        name: c.name ?? 'app',
        image: c.image ?? 'registry.example.com/cart-api:3.8.0',
        resources: { limits: { memory: '512Mi' } },
      })),
      restartPolicy: 'Always',
      ...(o.node === null ? {} : { nodeName: o.node ?? 'node-a' }),
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.message ? { message: o.message } : {}),
      conditions: o.scheduled
        ? [
            cond('PodScheduled', o.scheduled.status, {
              ...(o.scheduled.reason ? { reason: o.scheduled.reason } : {}),
              ...(o.scheduled.message ? { message: o.scheduled.message } : {}),
            }),
          ]
        : [
            cond('PodReadyToStartContainers', 'True'),
            cond('Initialized', 'True'),
            cond(
              'Ready',
              ready ? 'True' : 'False',
              ready
                ? {}
                : {
                    reason: 'ContainersNotReady',
                    message: 'containers with unready status: [app]',
                  },
            ),
            cond(
              'ContainersReady',
              ready ? 'True' : 'False',
              ready
                ? {}
                : {
                    reason: 'ContainersNotReady',
                    message: 'containers with unready status: [app]',
                  },
            ),
            cond('PodScheduled', 'True'),
          ],
      ...(o.node === null ? {} : { hostIP: '10.0.1.17', podIP: '10.244.1.23', startTime: T0 }),
      ...(o.scheduled
        ? {}
        : {
            containerStatuses: containers.map((c) => ({
              name: c.name ?? 'app',
              state: c.state,
              lastState: c.lastState ?? {},
              ready: c.ready ?? false,
              restartCount: c.restartCount ?? 0,
              image: c.image ?? 'registry.example.com/cart-api:3.8.0',
              imageID: 'registry.example.com/cart-api@sha256:9b1c7e8f3a2d',
              containerID: 'containerd://4c2f9e1a7b3d',
              started: c.state.running !== undefined,
            })),
          }),
      qosClass: 'Burstable',
    },
  };
}

export const podList = (items: unknown[]) => list('PodList', 'v1', items);

/** A container that was OOM-killed and is now in CrashLoopBackOff, as kubectl get pod -o json shows it. */
export function oomKilled(podName: string, restarts = 12): ContainerStatus {
  return {
    ready: false,
    restartCount: restarts,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off 5m0s restarting failed container=app pod=${podName}_shop(pod-${podName})`,
      },
    },
    lastState: {
      terminated: {
        exitCode: 137,
        reason: 'OOMKilled',
        startedAt: '2025-03-01T08:54:02Z',
        finishedAt: '2025-03-01T08:55:40Z',
        containerID: 'containerd://4c2f9e1a7b3d',
      },
    },
  };
}

export function imagePullBackOff(image: string): ContainerStatus {
  return {
    ready: false,
    image,
    state: {
      waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` },
    },
  };
}

export function createContainerConfigError(secret: string): ContainerStatus {
  return {
    ready: false,
    state: {
      waiting: { reason: 'CreateContainerConfigError', message: `secret "${secret}" not found` },
    },
  };
}

export const UNSCHEDULABLE =
  '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

// --- core/v1 Event --------------------------------------------------------------------------------

export function event(
  namespace: string,
  o: {
    kind: string;
    name: string;
    reason: string;
    message: string;
    type?: string;
    count?: number;
    last?: string;
    component?: string;
  },
) {
  return {
    metadata: {
      name: `${o.name}.17e1c2a9b3d4f5e6`,
      namespace,
      uid: `ev-${o.name}-${o.reason}`,
      resourceVersion: '884190',
      creationTimestamp: T0,
    },
    involvedObject: {
      kind: o.kind,
      namespace,
      name: o.name,
      uid: `uid-${o.name}`,
      apiVersion: o.kind === 'Pod' ? 'v1' : 'apps/v1',
      resourceVersion: '884180',
      ...(o.kind === 'Pod' ? { fieldPath: 'spec.containers{app}' } : {}),
    },
    reason: o.reason,
    message: o.message,
    source: { component: o.component ?? 'kubelet', host: 'node-a' },
    firstTimestamp: T0,
    lastTimestamp: o.last ?? '2025-03-01T08:58:00Z',
    count: o.count ?? 1,
    type: o.type ?? 'Warning',
    eventTime: null,
    reportingComponent: o.component ?? 'kubelet',
    reportingInstance: 'node-a',
  };
}

export const eventList = (items: unknown[]) => list('EventList', 'v1', items);

// --- core/v1 Node -----------------------------------------------------------------------------

export function node(
  name: string,
  o: { memoryPressure?: boolean; ready?: string; unschedulable?: boolean } = {},
) {
  const c = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: '2025-03-01T08:59:30Z',
    lastTransitionTime: T0,
    reason,
    message,
  });
  const ready = o.ready ?? 'True';
  return {
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR: '10.244.1.0/24', ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      conditions: [
        o.memoryPressure
          ? c(
              'MemoryPressure',
              'True',
              'KubeletHasInsufficientMemory',
              'kubelet has insufficient memory available',
            )
          : c(
              'MemoryPressure',
              'False',
              'KubeletHasSufficientMemory',
              'kubelet has sufficient memory available',
            ),
        c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        c(
          'PIDPressure',
          'False',
          'KubeletHasSufficientPID',
          'kubelet has sufficient PID available',
        ),
        ready === 'True'
          ? c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : c('Ready', ready, 'NodeStatusUnknown', 'Kubelet stopped posting node status.'),
      ],
      nodeInfo: { kubeletVersion: 'v1.31.4', containerRuntimeVersion: 'containerd://1.7.24' },
    },
  };
}

// --- A fake API server over these shapes ----------------------------------------------------------

export type FakeCluster = {
  deployments: Record<string, unknown>;
  /** ns → pods */
  pods: Record<string, unknown[]>;
  replicaSets: Record<string, unknown[]>;
  events: Record<string, unknown[]>;
  nodes: Record<string, unknown>;
  /** "ns/pod/container" (+ "/previous") → text */
  logs: Record<string, string>;
  /** "METHOD path" → reply, checked first: a 403, a hang… */
  overrides: Record<string, LoopbackReply>;
};

export function fakeCluster(partial: Partial<FakeCluster> = {}): FakeCluster {
  return {
    deployments: {},
    pods: {},
    replicaSets: {},
    events: {},
    nodes: {},
    logs: {},
    overrides: {},
    ...partial,
  };
}

/**
 * Routes the API paths client-node calls to the cluster's objects; patches of a deployment merge
 * the template annotations as the API server's strategic merge does for that map.
 */
export function apiServer(cluster: FakeCluster) {
  return (req: LoopbackRequest): LoopbackReply => {
    const override = cluster.overrides[`${req.method} ${req.path}`];
    if (override) return override;
    let m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(req.path);
    if (m) {
      const key = `${m[1]}/${m[2]}`;
      const found = cluster.deployments[key] as ReturnType<typeof deployment> | undefined;
      if (!found) return { status: 404, body: notFound('deployments', m[2] ?? '', 'apps') };
      if (req.method === 'GET') return { status: 200, body: found };
      if (req.method === 'PATCH') {
        const patch = JSON.parse(req.body) as {
          spec: { template: { metadata: { annotations: Record<string, string> } } };
        };
        const template = found.spec.template.metadata as { annotations?: Record<string, string> };
        template.annotations = {
          ...template.annotations,
          ...patch.spec.template.metadata.annotations,
        };
        found.metadata.generation += 1;
        return { status: 200, body: found };
      }
    }
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/.exec(req.path);
    if (m && req.method === 'GET')
      return { status: 200, body: replicaSetList(cluster.replicaSets[m[1] ?? ''] ?? []) };
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(req.path);
    if (m && req.method === 'GET')
      return { status: 200, body: podList(cluster.pods[m[1] ?? ''] ?? []) };
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(req.path);
    if (m && req.method === 'GET') {
      const previous = req.query.get('previous') === 'true';
      const container = req.query.get('container') ?? 'app';
      const text = cluster.logs[`${m[1]}/${m[2]}/${container}${previous ? '/previous' : ''}`];
      if (text === undefined)
        return {
          status: 400,
          body: previous
            ? previousNotFound(container, m[2] ?? '')
            : waitingToStart(container, m[2] ?? ''),
        };
      const tail = Number(req.query.get('tailLines') ?? '0');
      const lines = text.split('\n').filter(Boolean);
      return { status: 200, body: `${(tail ? lines.slice(-tail) : lines).join('\n')}\n` };
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'GET') {
      const found = (cluster.pods[m[1] ?? ''] ?? []).find(
        (p) => (p as { metadata: { name: string } }).metadata.name === m?.[2],
      );
      return found
        ? { status: 200, body: found }
        : { status: 404, body: notFound('pods', m[2] ?? '') };
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/events$/.exec(req.path);
    if (m && req.method === 'GET')
      return { status: 200, body: eventList(cluster.events[m[1] ?? ''] ?? []) };
    m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'GET') {
      const found = cluster.nodes[m[1] ?? ''];
      return found
        ? { status: 200, body: found }
        : { status: 404, body: notFound('nodes', m[1] ?? '') };
    }
    return {
      status: 404,
      body: k8sStatus(404, 'NotFound', 'the server could not find the requested resource'),
    };
  };
}
