import type { Clock } from '../../domain/clock.ts';
import type {
  Change,
  KubernetesContainer,
  KubernetesLogs,
  KubernetesNode,
  KubernetesPod,
  KubernetesRevision,
  KubernetesWorkload,
} from '../../domain/evidence.ts';
import type { Environment } from '../../domain/vocabulary.ts';
import type {
  ChangesBackend,
  HealthBackend,
  HealthSample,
  Inventory,
  KubernetesEvidence,
  LogSample,
  LogsBackend,
  PodLogRequest,
  RestartContext,
  Restarter,
  RestartResult,
  RestartStatus,
  ServerInfo,
  WorkloadRef,
} from '../backends.ts';
import { ToolError } from '../errors.ts';
import { KUBE_LOG_LIMITS, logTarget, noLogReason, trouble } from '../kubernetes/objects.ts';
import { redact } from '../redact.ts';
import type {
  ChangeSpec,
  FleetFile,
  KubeContainerSpec,
  KubernetesSpec,
  KubeStateSpec,
  Scenario,
  ServerSpec,
} from './format.ts';

type ServerState = { health: ServerSpec['health']; logs: string[] };

/** A workload's state with the container logs kept beside it, keyed "pod/container". */
type WorkloadState = {
  workload: KubernetesWorkload;
  logs: Map<string, { current: string[]; previous: string[] | undefined }>;
};

const PRESSURE_WORDS: Record<string, { reason: string; message: string }> = {
  // The kubelet's own condition reasons and messages (pkg/kubelet/nodestatus setters).
  MemoryPressure: {
    reason: 'KubeletHasInsufficientMemory',
    message: 'kubelet has insufficient memory available',
  },
  DiskPressure: { reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' },
  PIDPressure: {
    reason: 'KubeletHasInsufficientPID',
    message: 'kubelet has insufficient PID available',
  },
  NetworkUnavailable: { reason: 'NoRouteCreated', message: 'Node created without a route' },
};

function rolloutWords(state: string, name: string, updated: number, replicas: number): string {
  if (state === 'paused') return `deployment "${name}" is paused`;
  if (state === 'stalled') return `deployment "${name}" exceeded its progress deadline`;
  if (state === 'progressing')
    return `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`;
  return `deployment "${name}" successfully rolled out`;
}

/** Builds what the Kubernetes backend would have answered from a fleet file's kubernetes: block. */
function workloadState(
  ref: WorkloadRef,
  spec: KubeStateSpec,
  at: (minutesAgo: number | undefined) => string | undefined,
): WorkloadState {
  const logs: WorkloadState['logs'] = new Map();
  const container = (pod: string, c: KubeContainerSpec): KubernetesContainer => {
    logs.set(`${pod}/${c.name}`, { current: c.logs, previous: c.previous_logs });
    const finishedAt = at(c.last_termination?.minutes_ago);
    return {
      name: c.name,
      init: c.init,
      ...(c.image ? { image: c.image } : {}),
      ready: c.ready ?? c.state === 'running',
      restarts: c.restarts,
      state: c.state,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
      ...(c.last_termination
        ? {
            lastTermination: {
              exitCode: c.last_termination.exit_code,
              ...(c.last_termination.reason ? { reason: c.last_termination.reason } : {}),
              ...(c.last_termination.message ? { message: c.last_termination.message } : {}),
              ...(finishedAt ? { finishedAt } : {}),
            },
          }
        : {}),
    };
  };
  const pods: KubernetesPod[] = spec.pods.map((p) => {
    const containers = p.containers.map((c) => container(p.name, c));
    const createdAt = at(p.minutes_ago);
    return {
      name: p.name,
      phase: p.phase,
      ready: p.ready ?? containers.every((c) => c.init || c.ready),
      ...(p.node ? { node: p.node } : {}),
      ...(p.reason ? { reason: p.reason } : {}),
      ...(p.message ? { message: p.message } : {}),
      conditions: p.conditions,
      containers,
      ...(createdAt ? { createdAt } : {}),
    };
  });
  const top = Math.max(0, ...(spec.rollout?.revisions ?? []).map((r) => r.revision));
  const revisions: KubernetesRevision[] = [...(spec.rollout?.revisions ?? [])]
    .sort((a, b) => b.revision - a.revision)
    .map((r) => {
      const createdAt = at(r.minutes_ago);
      return {
        revision: r.revision,
        replicaSet: r.replica_set ?? `${ref.name}-r${r.revision}`,
        ...(r.change_cause ? { changeCause: r.change_cause } : {}),
        images: r.images,
        ...(createdAt ? { createdAt } : {}),
        replicas: r.replicas,
        readyReplicas: r.ready,
        current: r.revision === top,
      };
    });
  const ready = pods.filter((p) => p.ready).length;
  const rollout =
    ref.kind === 'deployment' && spec.rollout
      ? (() => {
          const r = spec.rollout;
          const replicas = r.replicas ?? pods.length;
          const updated = r.updated ?? replicas;
          return {
            deployment: ref.name,
            state: r.state,
            message: r.message ?? rolloutWords(r.state, ref.name, updated, replicas),
            replicas,
            updatedReplicas: updated,
            readyReplicas: r.ready ?? ready,
            availableReplicas: r.available ?? r.ready ?? ready,
            revisions,
          };
        })()
      : null;
  const nodes: KubernetesNode[] = spec.nodes.map((n) => ({
    name: n.name,
    ready: n.ready === 'unknown' ? 'Unknown' : n.ready ? 'True' : 'False',
    problems: [
      ...(n.ready === true
        ? []
        : [
            n.ready === 'unknown'
              ? {
                  type: 'Ready',
                  status: 'Unknown',
                  reason: 'NodeStatusUnknown',
                  message: 'Kubelet stopped posting node status.',
                }
              : { type: 'Ready', status: 'False', reason: 'KubeletNotReady' },
          ]),
      ...n.pressure.map((type) => ({ type, status: 'True', ...PRESSURE_WORDS[type] })),
    ],
    unschedulable: n.unschedulable,
  }));
  const events = spec.events
    .map((e) => {
      const lastSeen = at(e.minutes_ago);
      return {
        type: e.type,
        reason: e.reason,
        object: e.object,
        message: e.message,
        count: e.count,
        ...(lastSeen ? { lastSeen } : {}),
      };
    })
    .sort(
      (a, b) =>
        (a.type === 'Warning' ? 0 : 1) - (b.type === 'Warning' ? 0 : 1) ||
        (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''),
    );
  const workload: KubernetesWorkload = {
    namespace: ref.namespace,
    workload: { kind: ref.kind, name: ref.name },
    pods,
    events,
    rollout,
    nodes,
    logs: [],
    gaps: [],
  };
  return { workload, logs };
}

function logsOf(
  state: WorkloadState,
  pod: KubernetesPod,
  container: KubernetesContainer,
  previous: boolean,
  lines: number,
): KubernetesLogs {
  const base = { pod: pod.name, container: container.name, previous };
  const note = noLogReason(pod.name, container, previous);
  const kept = state.logs.get(`${pod.name}/${container.name}`);
  const all = (previous ? kept?.previous : kept?.current) ?? [];
  if (note && all.length === 0) return { ...base, lines: [], truncated: false, note };
  const n = Math.max(1, Math.min(lines, KUBE_LOG_LIMITS.maxLines));
  return { ...base, lines: all.slice(-n).map(redact), truncated: all.length > n };
}

/**
 * The embedded default backend: answers every read tool from a fleet file, and a restart moves a
 * server to its `after_restart` state (or changes nothing when it has none, as in real life).
 */
export class SimulatedFleet
  implements Inventory, HealthBackend, LogsBackend, ChangesBackend, Restarter, KubernetesEvidence
{
  readonly name = 'simulated';
  readonly settlesInstantly = true;
  private readonly specs: ReadonlyMap<string, ServerSpec>;
  private readonly state = new Map<string, ServerState>();
  private readonly restarts = new Map<string, number>();
  /** Idempotency keys of the restarts performed, per server (RestartContext.proposalId). */
  private readonly restartKeys = new Map<string, Set<string>>();
  private readonly workloads = new Map<
    string,
    { ref: WorkloadRef; state: WorkloadState; after: WorkloadState | null }
  >();
  private readonly changes: Change[];
  private readonly environment: Environment;
  private readonly clock: Clock;

  constructor(
    fleet: { servers: Record<string, ServerSpec>; changes: ChangeSpec[]; environment: Environment },
    clock: Clock,
  ) {
    this.clock = clock;
    this.specs = new Map(Object.entries(fleet.servers));
    this.environment = fleet.environment;
    for (const [id, spec] of this.specs)
      this.state.set(id, { health: spec.health, logs: spec.logs });
    const loadedAt = this.clock.now().getTime();
    const at = (minutesAgo: number | undefined) =>
      minutesAgo === undefined ? undefined : new Date(loadedAt - minutesAgo * 60_000).toISOString();
    for (const [id, spec] of this.specs) {
      const k = spec.kubernetes;
      if (!k) continue;
      const ref = this.refOf(id, spec, k);
      this.workloads.set(id, {
        ref,
        state: workloadState(ref, k, at),
        after: k.after_restart ? workloadState(ref, k.after_restart, at) : null,
      });
    }
    this.changes = fleet.changes.map((c) => ({
      service: c.service,
      at: new Date(loadedAt - c.minutes_ago * 60_000).toISOString(),
      description: c.description,
      ...(c.author ? { author: c.author } : {}),
    }));
  }

  private refOf(id: string, spec: ServerSpec, k: KubernetesSpec): WorkloadRef {
    if (k.pod) return { namespace: k.namespace, kind: 'pod', name: k.pod };
    const name = k.deployment ?? (spec.service ?? id).toLowerCase().replace(/[^a-z0-9.-]/g, '-');
    return { namespace: k.namespace, kind: 'deployment', name };
  }

  static fromFleet(fleet: FleetFile, clock: Clock): SimulatedFleet {
    return new SimulatedFleet(fleet, clock);
  }

  static fromScenario(scenario: Scenario, clock: Clock): SimulatedFleet {
    return new SimulatedFleet(scenario, clock);
  }

  async listServers(): Promise<ServerInfo[]> {
    return [...this.specs].map(([id, spec]) => ({
      id,
      service: spec.service ?? null,
      environment: spec.environment ?? this.environment,
    }));
  }

  private current(serverId: string): ServerState {
    const state = this.state.get(serverId);
    if (!state) {
      throw new ToolError(
        'unknown_server',
        `no server named "${serverId}" in the simulated fleet; known: ${[...this.specs.keys()].join(', ')}`,
      );
    }
    return state;
  }

  async getHealth(serverId: string): Promise<HealthSample> {
    const { health } = this.current(serverId);
    return { cpu: health.cpu, memory: health.memory, status: health.status };
  }

  async fetchLogs(serverId: string, lines: number): Promise<LogSample> {
    const { logs } = this.current(serverId);
    return { lines: logs.slice(-lines) };
  }

  async listChanges(service: string): Promise<Change[]> {
    return this.changes
      .filter((c) => c.service === service)
      .sort((a, b) => b.at.localeCompare(a.at));
  }

  async restart(
    serverId: string,
    _signal?: AbortSignal,
    context?: RestartContext,
  ): Promise<RestartResult> {
    this.current(serverId);
    const key = context?.proposalId;
    const keys = this.restartKeys.get(serverId) ?? new Set<string>();
    if (key && keys.has(key))
      return {
        detail: `already restarted: simulated restart ${key} of ${serverId} was performed before; not restarted again`,
        alreadyApplied: true,
      };
    if (key) this.restartKeys.set(serverId, keys.add(key));
    const spec = this.specs.get(serverId);
    const count = (this.restarts.get(serverId) ?? 0) + 1;
    this.restarts.set(serverId, count);
    const workload = this.workloads.get(serverId);
    if (workload?.after) workload.state = workload.after;
    if (spec?.after_restart) {
      this.state.set(serverId, {
        health: spec.after_restart.health,
        logs: spec.after_restart.logs,
      });
      return { detail: `simulated restart of ${serverId} completed` };
    }
    return {
      detail: `simulated restart of ${serverId} completed (no after_restart state: nothing changes)`,
    };
  }

  async status(serverId: string, key: string): Promise<RestartStatus> {
    if (!this.specs.has(serverId))
      return { state: 'unknown', detail: `no server named "${serverId}" in the simulated fleet` };
    return this.restartKeys.get(serverId)?.has(key)
      ? { state: 'done', detail: `simulated restart ${key} of ${serverId} was performed` }
      : { state: 'not_found', detail: `no simulated restart ${key} of ${serverId} was performed` };
  }

  workloadOf(serverId: string): WorkloadRef | null {
    return this.workloads.get(serverId)?.ref ?? null;
  }

  /** A server id, or the name of a server's Deployment or pod. */
  private workload(subject: string) {
    const found =
      this.workloads.get(subject) ??
      [...this.workloads.values()].find(
        (w) => w.ref.name === subject || w.state.workload.pods.some((p) => p.name === subject),
      );
    if (!found)
      throw new ToolError(
        'not_found',
        `${subject} is not a Kubernetes workload in the simulated fleet (workloads: ${[...this.workloads.keys()].join(', ') || 'none'})`,
      );
    return found;
  }

  async describeWorkload(subject: string): Promise<KubernetesWorkload> {
    const { state } = this.workload(subject);
    const pods = state.workload.pods;
    const logs = [...pods]
      .filter((p) => trouble(p) > 0)
      .sort((a, b) => trouble(b) - trouble(a))
      .slice(0, KUBE_LOG_LIMITS.pods)
      .flatMap((p) => {
        const t = logTarget(p);
        const c = t && p.containers.find((x) => x.name === t.container);
        return t && c ? [logsOf(state, p, c, t.previous, KUBE_LOG_LIMITS.lines)] : [];
      })
      // A container the file gives no log for is not shown as an empty one.
      .filter((l) => l.lines.length > 0 || l.note !== undefined);
    return { ...state.workload, logs };
  }

  async podLogs(subject: string, request: PodLogRequest): Promise<KubernetesLogs> {
    const { ref, state } = this.workload(subject);
    const pods = state.workload.pods;
    const pod = request.pod
      ? pods.find((p) => p.name === request.pod)
      : [...pods].sort((a, b) => trouble(b) - trouble(a))[0];
    if (!pod)
      throw new ToolError(
        request.pod ? 'invalid_arguments' : 'not_found',
        request.pod
          ? `pod ${request.pod} is not one of ${ref.kind} ${ref.namespace}/${ref.name}'s pods (${pods.map((p) => p.name).join(', ') || 'it has none'})`
          : `${ref.kind} ${ref.namespace}/${ref.name} has no pods, so there are no logs to read`,
      );
    const name = request.container ?? logTarget(pod)?.container ?? pod.containers[0]?.name;
    const container = pod.containers.find((c) => c.name === name);
    if (!container)
      throw new ToolError(
        'invalid_arguments',
        `pod ${pod.name} has no container ${request.container ?? ''} (it has ${pod.containers.map((c) => c.name).join(', ')})`,
      );
    return logsOf(
      state,
      pod,
      container,
      request.previous ?? false,
      request.lines ?? KUBE_LOG_LIMITS.lines,
    );
  }

  /** How many restarts this fleet has executed for a server; lets tests prove "exactly once". */
  restartCount(serverId: string): number {
    return this.restarts.get(serverId) ?? 0;
  }
}
