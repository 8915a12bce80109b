import { z } from 'zod';
import type {
  KubernetesCondition,
  KubernetesContainer,
  KubernetesEvent,
  KubernetesNode,
  KubernetesPod,
  KubernetesRevision,
  KubernetesRollout,
} from '../../domain/evidence.ts';

/**
 * The parts of Kubernetes objects the bot reads, validated with zod after client-node has
 * deserialized them (camelCase fields; date-time fields as Date, micro-times as strings). Field
 * names are the Kubernetes API reference's: core/v1 Pod, Event, Node; apps/v1 Deployment,
 * ReplicaSet. Everything else in an object is ignored, so a newer API server still parses.
 */

/** A time as client-node hands it (Date, or the raw string for MicroTime), as ISO 8601. */
const time = z
  .union([z.date(), z.string()])
  .nullish()
  .transform((v) => {
    if (v === null || v === undefined) return undefined;
    const d = v instanceof Date ? v : new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  });

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const count = z
  .number()
  .nullish()
  .transform((v) => v ?? 0);
const stringMap = z
  .record(z.string(), z.string())
  .nullish()
  .transform((v) => v ?? {});

const Meta = z.object({
  name: z.string(),
  namespace: text,
  uid: text,
  generation: z.number().nullish(),
  annotations: stringMap,
  labels: stringMap,
  creationTimestamp: time,
  ownerReferences: z
    .array(z.object({ kind: z.string(), name: z.string(), uid: text }))
    .nullish()
    .transform((v) => v ?? []),
});

const Condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: text,
  message: text,
});

const Selector = z.object({
  matchLabels: stringMap,
  matchExpressions: z
    .array(
      z.object({
        key: z.string(),
        operator: z.string(),
        values: z
          .array(z.string())
          .nullish()
          .transform((v) => v ?? []),
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});

const PodTemplate = z.object({
  metadata: z.object({ annotations: stringMap }).nullish(),
  spec: z.object({ containers: z.array(z.object({ name: z.string(), image: text })) }).nullish(),
});

export const Deployment = z.object({
  metadata: Meta,
  spec: z.object({
    paused: z.boolean().nullish(),
    replicas: z.number().nullish(),
    selector: Selector.nullish(),
    template: PodTemplate.nullish(),
  }),
  status: z
    .object({
      observedGeneration: z.number().nullish(),
      replicas: count,
      updatedReplicas: count,
      readyReplicas: count,
      availableReplicas: count,
      conditions: z
        .array(Condition)
        .nullish()
        .transform((v) => v ?? []),
    })
    .nullish(),
});
export type Deployment = z.infer<typeof Deployment>;

export const ReplicaSet = z.object({
  metadata: Meta,
  spec: z.object({ template: PodTemplate.nullish() }).nullish(),
  status: z.object({ replicas: count, readyReplicas: count }).nullish(),
});
export type ReplicaSet = z.infer<typeof ReplicaSet>;

const ContainerState = z
  .object({
    running: z.object({ startedAt: time }).nullish(),
    waiting: z.object({ reason: text, message: text }).nullish(),
    terminated: z
      .object({ reason: text, message: text, exitCode: z.number(), finishedAt: time })
      .nullish(),
  })
  .nullish();

const ContainerStatus = z.object({
  name: z.string(),
  image: text,
  ready: z.boolean().nullish(),
  restartCount: count,
  state: ContainerState,
  lastState: ContainerState,
});

export const Pod = z.object({
  metadata: Meta,
  spec: z
    .object({
      nodeName: text,
      containers: z.array(z.object({ name: z.string(), image: text })),
      initContainers: z
        .array(z.object({ name: z.string(), image: text }))
        .nullish()
        .transform((v) => v ?? []),
    })
    .nullish(),
  status: z
    .object({
      phase: text,
      reason: text,
      message: text,
      conditions: z
        .array(Condition)
        .nullish()
        .transform((v) => v ?? []),
      containerStatuses: z
        .array(ContainerStatus)
        .nullish()
        .transform((v) => v ?? []),
      initContainerStatuses: z
        .array(ContainerStatus)
        .nullish()
        .transform((v) => v ?? []),
    })
    .nullish(),
});
export type Pod = z.infer<typeof Pod>;

export const Event = z.object({
  involvedObject: z.object({ kind: text, name: text, namespace: text }),
  type: text,
  reason: text,
  message: text,
  count: z.number().nullish(),
  lastTimestamp: time,
  eventTime: time,
  firstTimestamp: time,
  // events.k8s.io-era writers leave count empty and record repeats in series.
  series: z.object({ count: z.number().nullish(), lastObservedTime: time }).nullish(),
  metadata: z.object({ creationTimestamp: time }).nullish(),
});
export type Event = z.infer<typeof Event>;

export const Node = z.object({
  metadata: Meta,
  spec: z.object({ unschedulable: z.boolean().nullish() }).nullish(),
  status: z
    .object({
      conditions: z
        .array(Condition)
        .nullish()
        .transform((v) => v ?? []),
    })
    .nullish(),
});
export type Node = z.infer<typeof Node>;

/** A list response's items, each parsed; an item that does not parse is skipped, not fatal. */
export function items<T>(schema: z.ZodType<T>, list: unknown): T[] {
  const parsed = z.object({ items: z.array(z.unknown()) }).safeParse(list);
  if (!parsed.success) return [];
  return parsed.data.items.flatMap((item) => {
    const one = schema.safeParse(item);
    return one.success ? [one.data] : [];
  });
}

// --- Conversions to the evidence shapes -------------------------------------------------------

const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** A label selector as the API's labelSelector parameter spells it (k8s.io/apimachinery labels). */
export function selectorString(selector: Deployment['spec']['selector']): string {
  if (!selector) return '';
  const parts = Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions) {
    if (e.operator === 'In') parts.push(`${e.key} in (${e.values.join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${e.values.join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function condition(c: z.infer<typeof Condition>): KubernetesCondition {
  return {
    type: c.type,
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  };
}

function container(
  spec: { name: string; image: string | undefined },
  status: z.infer<typeof ContainerStatus> | undefined,
  init: boolean,
): KubernetesContainer {
  const s = status?.state;
  const state = s?.running
    ? 'running'
    : s?.waiting
      ? 'waiting'
      : s?.terminated
        ? 'terminated'
        : 'unknown';
  const now = s?.waiting ?? s?.terminated;
  const last = status?.lastState?.terminated;
  const image = status?.image ?? spec.image;
  return {
    name: spec.name,
    init,
    ...(image ? { image } : {}),
    ready: status?.ready === true,
    restarts: status?.restartCount ?? 0,
    state,
    ...(now?.reason ? { reason: now.reason } : {}),
    ...(now?.message ? { message: now.message } : {}),
    ...(last
      ? {
          lastTermination: {
            exitCode: last.exitCode,
            ...(last.reason ? { reason: last.reason } : {}),
            ...(last.message ? { message: last.message } : {}),
            ...(last.finishedAt ? { finishedAt: last.finishedAt } : {}),
          },
        }
      : {}),
  };
}

export function toPod(pod: Pod): KubernetesPod {
  const status = pod.status;
  const byName = (list: z.infer<typeof ContainerStatus>[]) => new Map(list.map((c) => [c.name, c]));
  const main = byName(status?.containerStatuses ?? []);
  const init = byName(status?.initContainerStatuses ?? []);
  const containers = [
    ...(pod.spec?.initContainers ?? []).map((c) => container(c, init.get(c.name), true)),
    ...(pod.spec?.containers ?? []).map((c) => container(c, main.get(c.name), false)),
  ];
  const conditions = status?.conditions ?? [];
  const readyCondition = conditions.find((c) => c.type === 'Ready');
  return {
    name: pod.metadata.name,
    phase: status?.phase ?? 'Unknown',
    ready: readyCondition?.status === 'True',
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
    ...(status?.reason ? { reason: status.reason } : {}),
    ...(status?.message ? { message: status.message } : {}),
    // Ready=False repeats what the containers say; the others (PodScheduled, …) add to it.
    conditions: conditions
      .filter((c) => c.status !== 'True' && c.type !== 'Ready' && c.type !== 'ContainersReady')
      .map(condition),
    containers,
    ...(pod.metadata.creationTimestamp ? { createdAt: pod.metadata.creationTimestamp } : {}),
  };
}

/** "Pod" + "checkout-7d9f-abc" → "pod/checkout-7d9f-abc", as kubectl names objects. */
export function objectName(kind: string | undefined, name: string | undefined): string {
  return `${(kind ?? 'object').toLowerCase()}/${name ?? '?'}`;
}

export function toEvent(e: Event): KubernetesEvent {
  const lastSeen =
    e.series?.lastObservedTime ??
    e.lastTimestamp ??
    e.eventTime ??
    e.firstTimestamp ??
    e.metadata?.creationTimestamp;
  return {
    type: e.type ?? 'Normal',
    reason: e.reason ?? 'Unknown',
    object: objectName(e.involvedObject.kind, e.involvedObject.name),
    message: (e.message ?? '').trim(),
    count: Math.max(1, e.series?.count ?? e.count ?? 1),
    ...(lastSeen ? { lastSeen } : {}),
  };
}

/** Warnings first, then the newest. */
export function byRelevance(a: KubernetesEvent, b: KubernetesEvent): number {
  const warn = (e: KubernetesEvent) => (e.type === 'Warning' ? 0 : 1);
  return warn(a) - warn(b) || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '');
}

const PRESSURES = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);

export function toNode(node: Node): KubernetesNode {
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready')?.status;
  return {
    name: node.metadata.name,
    ready: ready === 'True' || ready === 'False' ? ready : 'Unknown',
    problems: conditions
      .filter((c) =>
        c.type === 'Ready' ? c.status !== 'True' : PRESSURES.has(c.type) && c.status === 'True',
      )
      .map(condition),
    unschedulable: node.spec?.unschedulable === true,
  };
}

function images(template: z.infer<typeof PodTemplate> | null | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => `${c.name}=${c.image ?? '?'}`);
}

export function revisionOf(rs: ReplicaSet, current: string | undefined): KubernetesRevision {
  const revision = rs.metadata.annotations[REVISION];
  const cause = rs.metadata.annotations[CHANGE_CAUSE];
  return {
    revision: revision && /^\d+$/.test(revision) ? Number(revision) : 0,
    replicaSet: rs.metadata.name,
    ...(cause ? { changeCause: cause } : {}),
    images: images(rs.spec?.template),
    ...(rs.metadata.creationTimestamp ? { createdAt: rs.metadata.creationTimestamp } : {}),
    replicas: rs.status?.replicas ?? 0,
    readyReplicas: rs.status?.readyReplicas ?? 0,
    current: revision !== undefined && revision === current,
  };
}

/** Whether a ReplicaSet belongs to a Deployment (its controller owner reference). */
export function ownedBy(rs: ReplicaSet, deployment: Deployment): boolean {
  return rs.metadata.ownerReferences.some(
    (o) =>
      o.kind === 'Deployment' &&
      o.name === deployment.metadata.name &&
      (!o.uid || !deployment.metadata.uid || o.uid === deployment.metadata.uid),
  );
}

/**
 * `kubectl rollout status` for a Deployment, in its words and order of checks (kubectl's
 * polymorphichelpers DeploymentStatusViewer): not yet observed, progress deadline exceeded,
 * new replicas not all updated, old replicas pending termination, updated replicas not all
 * available, else successfully rolled out.
 */
export function rolloutOf(d: Deployment, revisions: KubernetesRevision[]): KubernetesRollout {
  const name = d.metadata.name;
  const s = d.status;
  const desired = d.spec.replicas ?? 1;
  const updated = s?.updatedReplicas ?? 0;
  const total = s?.replicas ?? 0;
  const available = s?.availableReplicas ?? 0;
  const base = {
    deployment: name,
    replicas: desired,
    updatedReplicas: updated,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: available,
    revisions,
  };
  if (d.spec.paused) return { ...base, state: 'paused', message: `deployment "${name}" is paused` };
  if ((d.metadata.generation ?? 0) > (s?.observedGeneration ?? 0))
    return {
      ...base,
      state: 'progressing',
      message: 'Waiting for deployment spec update to be observed...',
    };
  const progressing = s?.conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      ...base,
      state: 'stalled',
      message: `deployment "${name}" exceeded its progress deadline${progressing.message ? ` (${progressing.message})` : ''}`,
    };
  if (updated < desired)
    return {
      ...base,
      state: 'progressing',
      message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    };
  if (total > updated)
    return {
      ...base,
      state: 'progressing',
      message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`,
    };
  if (available < updated)
    return {
      ...base,
      state: 'progressing',
      message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  return { ...base, state: 'complete', message: `deployment "${name}" successfully rolled out` };
}

// --- Whose logs explain the trouble ------------------------------------------------------------

/** Container logs that come with a workload description, and the most one request returns. */
export const KUBE_LOG_LIMITS = {
  /** Pods in trouble whose logs come with a description. */
  pods: 2,
  /** Lines per container log in a description. */
  lines: 20,
  /** Most lines a log request returns. */
  maxLines: 200,
} as const;

/** How much trouble a pod is in (0: none), to pick whose logs to read first. */
export function trouble(p: KubernetesPod): number {
  const restarts = p.containers.reduce((n, c) => n + c.restarts, 0);
  const waiting = p.containers.some((c) => c.state === 'waiting') ? 100 : 0;
  return (p.ready ? 0 : 1000) + waiting + restarts;
}

/**
 * The container whose logs explain a pod's trouble: one that crashed (its previous instance, as
 * `kubectl logs --previous`), else one running but not ready; null when no log would help (a
 * container still waiting for its image has never written one).
 */
export function logTarget(p: KubernetesPod): { container: string; previous: boolean } | null {
  const crashed = p.containers.find((c) => c.lastTermination && (c.restarts > 0 || !c.ready));
  if (crashed) return { container: crashed.name, previous: true };
  const stuck = p.containers.find((c) => !c.ready && c.state === 'running');
  if (stuck) return { container: stuck.name, previous: false };
  return null;
}

/**
 * What the API answers (400) when a container has no log to give, in the kubelet's words
 * (pkg/kubelet, validateContainerLogStatus), or null when it has one.
 */
export function noLogReason(pod: string, c: KubernetesContainer, previous: boolean): string | null {
  if (previous)
    return c.lastTermination
      ? null
      : `previous terminated container "${c.name}" in pod "${pod}" not found`;
  if (c.state !== 'waiting' || c.lastTermination) return null;
  if (c.reason === 'ErrImagePull')
    return `container "${c.name}" in pod "${pod}" is waiting to start: image can't be pulled`;
  if (c.reason === 'ImagePullBackOff')
    return `container "${c.name}" in pod "${pod}" is waiting to start: trying and failing to pull image`;
  return `container "${c.name}" in pod "${pod}" is waiting to start: ${c.reason ?? 'ContainerCreating'}`;
}

export { CHANGE_CAUSE as CHANGE_CAUSE_ANNOTATION, REVISION as REVISION_ANNOTATION };
