import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Clock } from '../../domain/clock.ts';
import { describeError } from '../../domain/errors.ts';
import type { RestartContext, Restarter, RestartResult, RestartStatus } from '../backends.ts';
import type { KubernetesTarget } from '../catalog/format.ts';
import { ToolError } from '../errors.ts';
import { HTTP_LIMITS } from '../http.ts';
import { type KubeAsk, type KubeClients, kubeCall } from './api.ts';
import { Deployment, rolloutOf } from './objects.ts';

/** The annotation `kubectl rollout restart` sets; changing it makes the Deployment roll its pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/**
 * The restart's idempotency key (the approval's proposal id), written beside restartedAt in the
 * same patch: a repeat with the same key finds it and does nothing, and `status` can tell later
 * whether that restart happened.
 */
export const RESTART_ID = 'level-zero.io/restart-id';
export const FIELD_MANAGER = 'level-zero-operator';

export type KubernetesRestarterOptions = {
  clients: KubeClients;
  /** KUBERNETES_NAMESPACES: the only namespaces the bot patches, whatever the catalog says. */
  namespaces: readonly string[];
  /** The deployment behind a server, from the catalog. */
  targetOf: (serverId: string) => KubernetesTarget | null;
  clock: Clock;
  timeoutMs?: number;
};

/** RFC 3339 in UTC without fractions. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Restarts a server by rolling its Deployment as `kubectl rollout restart` does: a strategic-merge
 * patch of the pod template's restartedAt annotation, through client-node's AppsV1Api. It only
 * ever reads and patches apps/v1 deployments in KUBERNETES_NAMESPACES, and reports success only
 * when the Deployment Kubernetes returns carries the new annotation.
 */
export class KubernetesRestarter implements Restarter {
  readonly name = 'kubernetes';
  private readonly options: KubernetesRestarterOptions;
  private readonly clock: Clock;

  constructor(options: KubernetesRestarterOptions) {
    this.options = options;
    this.clock = options.clock;
  }

  private target(serverId: string): KubernetesTarget {
    const target = this.options.targetOf(serverId);
    if (!target)
      throw new ToolError(
        'refused',
        `no Kubernetes deployment is known for ${serverId}: set restart.kubernetes { namespace, deployment } for its service in the catalog`,
      );
    // Defence in depth: the catalog is a file anyone might edit; the namespace list is the boundary.
    if (!this.options.namespaces.includes(target.namespace))
      throw new ToolError(
        'forbidden',
        `the bot may not restart deployment ${target.namespace}/${target.deployment}: namespace ${target.namespace} is not in KUBERNETES_NAMESPACES (${this.options.namespaces.join(', ') || 'none'})`,
      );
    return target;
  }

  private call<T>(
    ask: KubeAsk,
    run: Parameters<typeof kubeCall<T>>[2],
    signal: AbortSignal | undefined,
  ) {
    return kubeCall(this.options.clients.access, ask, run, {
      signal,
      timeoutMs: this.options.timeoutMs ?? HTTP_LIMITS.timeoutMs,
    });
  }

  private async read(target: KubernetesTarget, signal: AbortSignal | undefined) {
    const { namespace, deployment } = target;
    const found = await this.call(
      {
        verb: 'get',
        resource: 'deployments',
        namespace,
        name: deployment,
        outcome: 'nothing was changed',
      },
      (o) => this.options.clients.apps.readNamespacedDeployment({ name: deployment, namespace }, o),
      signal,
    );
    return this.parse(found, target, 'read');
  }

  private parse(found: unknown, target: KubernetesTarget, step: 'read' | 'patch') {
    const parsed = Deployment.safeParse(found);
    if (parsed.success) return parsed.data;
    throw new ToolError(
      'unavailable',
      `Kubernetes answered the ${step} of deployment ${target.namespace}/${target.deployment} with something that is not a Deployment${step === 'patch' ? `; the restart may or may not have been applied: check kubectl rollout status deployment/${target.deployment} -n ${target.namespace}` : '; nothing was changed'}`,
    );
  }

  async restart(
    serverId: string,
    signal?: AbortSignal,
    context?: RestartContext,
  ): Promise<RestartResult> {
    const target = this.target(serverId);
    const { namespace, deployment } = target;
    const name = `deployment ${namespace}/${deployment}`;
    const key = context?.proposalId;

    const before = await this.read(target, signal);
    const annotations = before.spec.template?.metadata?.annotations ?? {};
    if (key && annotations[RESTART_ID] === key)
      return {
        detail: `already restarted: ${name} already carries ${RESTART_ID}=${key} (restartedAt ${annotations[RESTARTED_AT] ?? 'unknown'}), so this restart was applied before; not patched again`,
        alreadyApplied: true,
      };
    if (before.spec.paused)
      throw new ToolError(
        'conflict',
        `${name} is paused, so a rollout restart would not roll it (kubectl refuses too); nothing was changed. Resume it first: kubectl rollout resume deployment/${deployment} -n ${namespace}`,
      );

    const restartedAt = rfc3339(this.clock.now());
    const stamp: Record<string, string> = { [RESTARTED_AT]: restartedAt };
    if (key) stamp[RESTART_ID] = key;
    const patched = await this.call(
      {
        verb: 'patch',
        resource: 'deployments',
        namespace,
        name: deployment,
        outcome: `the restart may or may not have been applied: check kubectl rollout status deployment/${deployment} -n ${namespace}`,
        ifRefused: 'nothing was changed',
      },
      (o) =>
        this.options.clients.apps.patchNamespacedDeployment(
          {
            name: deployment,
            namespace,
            fieldManager: FIELD_MANAGER,
            body: { spec: { template: { metadata: { annotations: stamp } } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch, o),
        ),
      signal,
    );
    const after = this.parse(patched, target, 'patch');
    const carried = after.spec.template?.metadata?.annotations ?? {};
    if (carried[RESTARTED_AT] !== restartedAt || (key && carried[RESTART_ID] !== key))
      throw new ToolError(
        'unavailable',
        `Kubernetes answered the patch of ${name}, but the Deployment it returned does not carry ${RESTARTED_AT}=${restartedAt}${key ? ` and ${RESTART_ID}=${key}` : ''} (it has ${carried[RESTARTED_AT] ?? 'none'}); the restart may not have happened: check kubectl rollout status deployment/${deployment} -n ${namespace}`,
      );
    const generation =
      typeof after.metadata.generation === 'number'
        ? `, generation ${after.metadata.generation}`
        : '';
    return {
      detail: `rollout restart of ${name} started (restartedAt ${restartedAt}${generation}); Kubernetes replaces its pods gradually`,
    };
  }

  /**
   * Whether the restart with this key happened: the Deployment's pod template carries the key
   * (then the rollout's progress, as kubectl rollout status words it), or it does not. A failure
   * to read is `unknown`, never a guess.
   */
  async status(serverId: string, key: string, signal?: AbortSignal): Promise<RestartStatus> {
    let target: KubernetesTarget;
    let d: Deployment;
    try {
      target = this.target(serverId);
      d = await this.read(target, signal);
    } catch (error) {
      return {
        state: 'unknown',
        detail: `could not tell whether restart ${key} of ${serverId} happened: ${describeError(error).replace(/; nothing was changed$/, '')}`,
      };
    }
    const name = `deployment ${target.namespace}/${target.deployment}`;
    const annotations = d.spec.template?.metadata?.annotations ?? {};
    const at = annotations[RESTARTED_AT];
    if (annotations[RESTART_ID] === key) {
      const rollout = rolloutOf(d, []);
      return {
        state: 'done',
        detail: `${name} carries ${RESTART_ID}=${key} (restartedAt ${at ?? 'unknown'}): the restart was applied; rollout ${rollout.state}: ${rollout.message}`,
      };
    }
    const other = annotations[RESTART_ID];
    return {
      state: 'not_found',
      detail: `${name} does not carry ${RESTART_ID}=${key} (${other ? `it carries restart ${other}` : 'no restart id'}, restartedAt ${at ?? 'none'}): no restart with this key was applied`,
    };
  }
}
