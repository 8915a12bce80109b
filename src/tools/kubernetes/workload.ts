import { ApiException } from '@kubernetes/client-node';
import { describeError } from '../../domain/errors.ts';
import type {
  KubernetesEvent,
  KubernetesLogs,
  KubernetesNode,
  KubernetesPod,
  KubernetesRevision,
  KubernetesWorkload,
} from '../../domain/evidence.ts';
import type { KubernetesEvidence, PodLogRequest, WorkloadRef } from '../backends.ts';
import { type KubernetesTarget, kubernetesName } from '../catalog/format.ts';
import { ToolError } from '../errors.ts';
import { HTTP_LIMITS } from '../http.ts';
import { redactLines } from '../redact.ts';
import { type KubeAsk, type KubeClients, kubeCall, parseStatus } from './api.ts';
import {
  byRelevance,
  type Deployment,
  Deployment as DeploymentSchema,
  Event,
  items,
  KUBE_LOG_LIMITS,
  logTarget,
  Node,
  ownedBy,
  Pod,
  REVISION_ANNOTATION,
  ReplicaSet,
  revisionOf,
  rolloutOf,
  selectorString,
  toEvent,
  toNode,
  toPod,
  trouble,
} from './objects.ts';

/** Bounds on what one description reads and returns; a namespace with 5,000 events stays cheap. */
export const KUBE_EVIDENCE_LIMITS = {
  /** Pods listed per workload. */
  pods: 50,
  /** Events read from the namespace, then filtered to the workload's objects. */
  eventsRead: 500,
  /** Events kept, warnings first. */
  events: 15,
  revisions: 5,
  /** Nodes whose conditions are read (the pods' nodes). */
  nodes: 5,
  /** Pods in trouble whose container logs come with a description. */
  logPods: KUBE_LOG_LIMITS.pods,
  /** Lines per container log in a description. */
  logLines: KUBE_LOG_LIMITS.lines,
  /** Most lines podLogs returns. */
  maxLogLines: KUBE_LOG_LIMITS.maxLines,
  /** limitBytes sent with every log request. */
  logBytes: 256 * 1024,
  /** A log line longer than this is cut before it is redacted. */
  lineChars: 500,
} as const;

export type KubernetesWorkloadsOptions = {
  clients: KubeClients;
  /** KUBERNETES_NAMESPACES: the only namespaces read, whatever the catalog says. */
  namespaces: readonly string[];
  /** The deployment behind a server, from the catalog. */
  targetOf: (serverId: string) => KubernetesTarget | null;
  timeoutMs?: number;
};

type Resolved =
  | { ref: WorkloadRef & { kind: 'deployment' }; deployment: Deployment }
  | { ref: WorkloadRef & { kind: 'pod' }; pod: KubernetesPod };

/**
 * Read-only evidence from the Kubernetes API for a server that is a workload: the catalog's
 * deployment for it, or a Deployment or pod of that name in KUBERNETES_NAMESPACES. Lists, never
 * watches; every read is bounded in count, bytes and time.
 */
export class KubernetesWorkloads implements KubernetesEvidence {
  readonly name = 'kubernetes';
  private readonly options: KubernetesWorkloadsOptions;

  constructor(options: KubernetesWorkloadsOptions) {
    this.options = options;
  }

  private call<T>(
    ask: KubeAsk,
    run: Parameters<typeof kubeCall<T>>[2],
    signal: AbortSignal | undefined,
  ): Promise<T> {
    return kubeCall(this.options.clients.access, ask, run, {
      signal,
      timeoutMs: this.options.timeoutMs ?? HTTP_LIMITS.timeoutMs,
    });
  }

  private get core() {
    return this.options.clients.core;
  }

  private allowed(namespace: string, what: string): void {
    if (!this.options.namespaces.includes(namespace))
      throw new ToolError(
        'forbidden',
        `the bot does not read ${what}: namespace ${namespace} is not in KUBERNETES_NAMESPACES (${this.options.namespaces.join(', ') || 'none'})`,
      );
  }

  workloadOf(serverId: string): WorkloadRef | null {
    const target = this.options.targetOf(serverId);
    if (!target || !this.options.namespaces.includes(target.namespace)) return null;
    return { namespace: target.namespace, kind: 'deployment', name: target.deployment };
  }

  private async readDeployment(namespace: string, name: string, signal?: AbortSignal) {
    const found = await this.call(
      { verb: 'get', resource: 'deployments', namespace, name },
      (o) => this.options.clients.apps.readNamespacedDeployment({ name, namespace }, o),
      signal,
    );
    const parsed = DeploymentSchema.safeParse(found);
    if (!parsed.success)
      throw new ToolError(
        'unavailable',
        `Kubernetes answered get deployment ${namespace}/${name} with something that is not a Deployment`,
      );
    return parsed.data;
  }

  private async readPod(namespace: string, name: string, signal?: AbortSignal) {
    const found = await this.call(
      { verb: 'get', resource: 'pods', namespace, name },
      (o) => this.core.readNamespacedPod({ name, namespace }, o),
      signal,
    );
    const parsed = Pod.safeParse(found);
    if (!parsed.success)
      throw new ToolError(
        'unavailable',
        `Kubernetes answered get pod ${namespace}/${name} with something that is not a Pod`,
      );
    return toPod(parsed.data);
  }

  /** The catalog's deployment, else a Deployment, else a pod of that name in an allowed namespace. */
  private async resolve(subject: string, signal?: AbortSignal): Promise<Resolved> {
    const target = this.options.targetOf(subject);
    if (target) {
      this.allowed(target.namespace, `deployment ${target.namespace}/${target.deployment}`);
      return {
        ref: { namespace: target.namespace, kind: 'deployment', name: target.deployment },
        deployment: await this.readDeployment(target.namespace, target.deployment, signal),
      };
    }
    const where = `${this.options.namespaces.join(', ') || 'no namespace'} (KUBERNETES_NAMESPACES)`;
    if (!kubernetesName.safeParse(subject).success)
      throw new ToolError(
        'not_found',
        `${subject} is not a Kubernetes workload: the catalog maps no deployment to it, and it is not a Kubernetes object name`,
      );
    const attempt = async <T>(read: () => Promise<T>): Promise<T | null> => {
      try {
        return await read();
      } catch (error) {
        if (error instanceof ToolError && error.code === 'not_found') return null;
        throw error;
      }
    };
    for (const namespace of this.options.namespaces) {
      const deployment = await attempt(() => this.readDeployment(namespace, subject, signal));
      if (deployment) return { ref: { namespace, kind: 'deployment', name: subject }, deployment };
    }
    for (const namespace of this.options.namespaces) {
      const pod = await attempt(() => this.readPod(namespace, subject, signal));
      if (pod) return { ref: { namespace, kind: 'pod', name: subject }, pod };
    }
    throw new ToolError(
      'not_found',
      `${subject} is not a Kubernetes workload: the catalog maps no deployment to it, and there is no deployment or pod of that name in ${where}`,
    );
  }

  private async listPods(namespace: string, d: Deployment, signal?: AbortSignal) {
    const selector = selectorString(d.spec.selector);
    if (!selector)
      throw new ToolError(
        'unavailable',
        `deployment ${namespace}/${d.metadata.name} has no label selector, so its pods cannot be found`,
      );
    const list = await this.call(
      { verb: 'list', resource: 'pods', namespace },
      (o) =>
        this.core.listNamespacedPod(
          { namespace, labelSelector: selector, limit: KUBE_EVIDENCE_LIMITS.pods },
          o,
        ),
      signal,
    );
    return items(Pod, list).map(toPod);
  }

  private async revisions(namespace: string, d: Deployment, signal?: AbortSignal) {
    const list = await this.call(
      { verb: 'list', resource: 'replicasets', namespace },
      (o) =>
        this.options.clients.apps.listNamespacedReplicaSet(
          { namespace, labelSelector: selectorString(d.spec.selector) },
          o,
        ),
      signal,
    );
    const current = d.metadata.annotations[REVISION_ANNOTATION];
    return items(ReplicaSet, list)
      .filter((rs) => ownedBy(rs, d))
      .map((rs) => revisionOf(rs, current))
      .sort((a, b) => b.revision - a.revision)
      .slice(0, KUBE_EVIDENCE_LIMITS.revisions);
  }

  private async events(
    namespace: string,
    objects: { pods: string[]; replicaSets: string[]; deployment?: string },
    signal?: AbortSignal,
  ): Promise<KubernetesEvent[]> {
    const single = !objects.deployment && objects.pods.length === 1 ? objects.pods[0] : undefined;
    const list = await this.call(
      { verb: 'list', resource: 'events', namespace },
      (o) =>
        this.core.listNamespacedEvent(
          {
            namespace,
            limit: KUBE_EVIDENCE_LIMITS.eventsRead,
            ...(single ? { fieldSelector: `involvedObject.name=${single}` } : {}),
          },
          o,
        ),
      signal,
    );
    const pods = new Set(objects.pods);
    const sets = new Set(objects.replicaSets);
    const ours = (kind: string | undefined, name: string | undefined) =>
      name !== undefined &&
      ((kind === 'Pod' && pods.has(name)) ||
        (kind === 'ReplicaSet' && sets.has(name)) ||
        (kind === 'Deployment' && name === objects.deployment));
    return items(Event, list)
      .filter((e) => ours(e.involvedObject.kind, e.involvedObject.name))
      .map(toEvent)
      .sort(byRelevance)
      .slice(0, KUBE_EVIDENCE_LIMITS.events);
  }

  private async nodes(pods: KubernetesPod[], signal?: AbortSignal) {
    const names = [...new Set(pods.flatMap((p) => (p.node ? [p.node] : [])))].slice(
      0,
      KUBE_EVIDENCE_LIMITS.nodes,
    );
    const gaps: string[] = [];
    const found = await Promise.all(
      names.map(async (name): Promise<KubernetesNode | null> => {
        try {
          const node = await this.call(
            { verb: 'get', resource: 'nodes', name },
            (o) => this.core.readNode({ name }, o),
            signal,
          );
          const parsed = Node.safeParse(node);
          return parsed.success ? toNode(parsed.data) : null;
        } catch (error) {
          gaps.push(`node ${name} not read: ${describeError(error)}`);
          return null;
        }
      }),
    );
    return { nodes: found.filter((n): n is KubernetesNode => n !== null), gaps };
  }

  private async readLogs(
    namespace: string,
    pod: string,
    container: string,
    previous: boolean,
    lines: number,
    signal?: AbortSignal,
  ): Promise<KubernetesLogs> {
    const tail = Math.max(1, Math.min(lines, KUBE_EVIDENCE_LIMITS.maxLogLines));
    const base = { pod, container, previous };
    let text: string;
    try {
      text = await this.call(
        { verb: 'get', resource: 'pods/log', namespace, name: pod },
        (o) =>
          this.core.readNamespacedPodLog(
            {
              name: pod,
              namespace,
              container,
              previous,
              tailLines: tail,
              limitBytes: KUBE_EVIDENCE_LIMITS.logBytes,
            },
            o,
          ),
        signal,
      );
    } catch (error) {
      // 400 is how the API says there is nothing to read: "previous terminated container "app" in
      // pod "x" not found", "container "app" in pod "x" is waiting to start: …" (the kubelet's
      // validateContainerLogStatus). That is a fact about the pod, not a failure of the tool.
      if (
        error instanceof ToolError &&
        error.code === 'invalid_arguments' &&
        error.cause instanceof ApiException
      ) {
        const said = parseStatus(error.cause.body)?.message;
        if (said) return { ...base, lines: [], truncated: false, note: said };
      }
      throw error;
    }
    const bytes = Buffer.byteLength(text);
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    // A body cut at limitBytes ends mid-line; that line is dropped rather than shown half.
    if (bytes >= KUBE_EVIDENCE_LIMITS.logBytes) all.pop();
    const kept = all.slice(-tail);
    return {
      ...base,
      // Cut, then redacted, key blocks followed across lines.
      lines: redactLines(kept, { maxLineLength: KUBE_EVIDENCE_LIMITS.lineChars }),
      truncated: all.length > kept.length || bytes >= KUBE_EVIDENCE_LIMITS.logBytes,
    };
  }

  async describeWorkload(subject: string, signal?: AbortSignal): Promise<KubernetesWorkload> {
    const resolved = await this.resolve(subject, signal);
    const { namespace } = resolved.ref;
    const gaps: string[] = [];
    const optional = async <T>(part: string, read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        gaps.push(`${part} not read: ${describeError(error)}`);
        return fallback;
      }
    };

    let pods: KubernetesPod[];
    let revisions: KubernetesRevision[] = [];
    let events: KubernetesEvent[];
    let rollout: KubernetesWorkload['rollout'] = null;
    if ('deployment' in resolved) {
      const d = resolved.deployment;
      [pods, revisions] = await Promise.all([
        this.listPods(namespace, d, signal),
        optional('rollout history (ReplicaSets)', () => this.revisions(namespace, d, signal), []),
      ]);
      rollout = rolloutOf(d, revisions);
      events = await optional(
        'events',
        () =>
          this.events(
            namespace,
            {
              pods: pods.map((p) => p.name),
              replicaSets: revisions.map((r) => r.replicaSet),
              deployment: d.metadata.name,
            },
            signal,
          ),
        [],
      );
    } else {
      pods = [resolved.pod];
      events = await optional(
        'events',
        () => this.events(namespace, { pods: [resolved.pod.name], replicaSets: [] }, signal),
        [],
      );
    }

    const inTrouble = [...pods]
      .filter((p) => trouble(p) > 0)
      .sort((a, b) => trouble(b) - trouble(a))
      .slice(0, KUBE_EVIDENCE_LIMITS.logPods);
    const [nodes, logs] = await Promise.all([
      this.nodes(pods, signal),
      Promise.all(
        inTrouble.map(async (p) => {
          const t = logTarget(p);
          if (!t) return null;
          return optional(
            `logs of pod ${p.name}`,
            () =>
              this.readLogs(
                namespace,
                p.name,
                t.container,
                t.previous,
                KUBE_EVIDENCE_LIMITS.logLines,
                signal,
              ),
            null,
          );
        }),
      ),
    ]);
    gaps.push(...nodes.gaps);
    return {
      namespace,
      workload: { kind: resolved.ref.kind, name: resolved.ref.name },
      pods,
      events,
      rollout,
      nodes: nodes.nodes,
      logs: logs.filter((l): l is KubernetesLogs => l !== null),
      gaps,
    };
  }

  async podLogs(
    subject: string,
    request: PodLogRequest,
    signal?: AbortSignal,
  ): Promise<KubernetesLogs> {
    const resolved = await this.resolve(subject, signal);
    const { namespace } = resolved.ref;
    const pods =
      'deployment' in resolved
        ? await this.listPods(namespace, resolved.deployment, signal)
        : [resolved.pod];
    const pod = request.pod
      ? pods.find((p) => p.name === request.pod)
      : [...pods].sort((a, b) => trouble(b) - trouble(a))[0];
    if (!pod)
      throw new ToolError(
        request.pod ? 'invalid_arguments' : 'not_found',
        request.pod
          ? `pod ${request.pod} is not one of ${resolved.ref.kind} ${namespace}/${resolved.ref.name}'s pods (${pods.map((p) => p.name).join(', ') || 'it has none'})`
          : `${resolved.ref.kind} ${namespace}/${resolved.ref.name} has no pods, so there are no logs to read`,
      );
    const names = pod.containers.map((c) => c.name);
    const container = request.container ?? logTarget(pod)?.container ?? names.find(Boolean);
    if (!container || !names.includes(container))
      throw new ToolError(
        'invalid_arguments',
        `pod ${pod.name} has no container ${request.container ?? ''} (it has ${names.join(', ') || 'none'})`,
      );
    return this.readLogs(
      namespace,
      pod.name,
      container,
      request.previous ?? false,
      request.lines ?? KUBE_EVIDENCE_LIMITS.logLines,
      signal,
    );
  }
}
