import { z } from 'zod';
import type { Restarter, RestartResult } from '../backends.ts';
import type { KubernetesTarget } from '../catalog/format.ts';
import { ToolError } from '../errors.ts';
import { clip, codeForStatus, HTTP_LIMITS, statusText, tryJson } from '../http.ts';
import type { KubeCredentials } from './credentials.ts';
import { type KubeResponse, type KubeTransport, nodeTransport } from './transport.ts';

/** The annotation `kubectl rollout restart` sets; changing it makes the Deployment roll its pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
export const FIELD_MANAGER = 'level-zero-operator';

export type KubernetesRestarterOptions = {
  credentials: KubeCredentials;
  /** KUBERNETES_NAMESPACES: the only namespaces the bot patches, whatever the catalog says. */
  namespaces: readonly string[];
  /** The deployment behind a server, from the catalog. */
  targetOf: (serverId: string) => KubernetesTarget | null;
  /** Defaults to node:https with the credentials' TLS settings. */
  transport?: KubeTransport;
  now?: () => Date;
  timeoutMs?: number;
};

/** The parts of an apps/v1 Deployment the restart relies on. */
const Deployment = z.object({
  kind: z.literal('Deployment').optional(),
  metadata: z.object({ name: z.string(), generation: z.number().optional() }),
  spec: z.object({
    paused: z.boolean().optional(),
    template: z
      .object({
        metadata: z.object({ annotations: z.record(z.string(), z.string()).nullish() }).nullish(),
      })
      .optional(),
  }),
});

/** Kubernetes' error body: a Status object. */
const Status = z.object({ kind: z.literal('Status'), message: z.string().optional() });

/** RFC 3339 in UTC without fractions, as kubectl writes it. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Restarts a server by rolling its Deployment, exactly as `kubectl rollout restart` does: a
 * strategic-merge patch of the pod template's restartedAt annotation. It only ever reads and
 * patches apps/v1 deployments in KUBERNETES_NAMESPACES, and reports success only when the
 * Deployment Kubernetes returns carries the new annotation.
 */
export class KubernetesRestarter implements Restarter {
  readonly name = 'kubernetes';
  private readonly options: KubernetesRestarterOptions;
  private readonly transport: KubeTransport;
  private readonly now: () => Date;

  constructor(options: KubernetesRestarterOptions) {
    this.options = options;
    this.transport = options.transport ?? nodeTransport(options.credentials);
    this.now = options.now ?? (() => new Date());
  }

  async restart(serverId: string, signal?: AbortSignal): Promise<RestartResult> {
    const target = this.options.targetOf(serverId);
    if (!target)
      throw new ToolError(
        'refused',
        `no Kubernetes deployment is known for ${serverId}: set restart.kubernetes { namespace, deployment } for its service in the catalog`,
      );
    const { namespace, deployment } = target;
    // Defence in depth: the catalog is a file anyone might edit; the namespace list is the boundary.
    if (!this.options.namespaces.includes(namespace))
      throw new ToolError(
        'forbidden',
        `the bot may not restart deployment ${namespace}/${deployment}: namespace ${namespace} is not in KUBERNETES_NAMESPACES (${this.options.namespaces.join(', ') || 'none'})`,
      );
    const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(deployment)}`;
    const name = `deployment ${namespace}/${deployment}`;

    const current = await this.exchange('read', name, target, signal, {
      method: 'GET',
      path,
      headers: { accept: 'application/json' },
    });
    const before = this.deployment(current, name, 'read');
    if (before.spec.paused)
      throw new ToolError(
        'conflict',
        `${name} is paused, so a rollout restart would not roll it (kubectl refuses too); nothing was changed. Resume it first: kubectl rollout resume deployment/${deployment} -n ${namespace}`,
      );

    const restartedAt = rfc3339(this.now());
    const patched = await this.exchange('patch', name, target, signal, {
      method: 'PATCH',
      path: `${path}?fieldManager=${FIELD_MANAGER}`,
      headers: {
        accept: 'application/json',
        'content-type': 'application/strategic-merge-patch+json',
      },
      body: JSON.stringify({
        spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } },
      }),
    });
    const after = this.deployment(patched, name, 'patch');
    const stamped = after.spec.template?.metadata?.annotations?.[RESTARTED_AT];
    if (stamped !== restartedAt)
      throw new ToolError(
        'unavailable',
        `Kubernetes answered the patch of ${name}, but the Deployment it returned does not carry ${RESTARTED_AT}=${restartedAt} (it has ${stamped ?? 'none'}); the restart may not have happened: check kubectl rollout status deployment/${deployment} -n ${namespace}`,
      );
    const generation =
      after.metadata.generation !== undefined ? `, generation ${after.metadata.generation}` : '';
    return {
      detail: `rollout restart of ${name} started (restartedAt ${restartedAt}${generation}); Kubernetes replaces its pods gradually`,
    };
  }

  private deployment(response: KubeResponse, name: string, step: 'read' | 'patch') {
    const parsed = Deployment.safeParse(tryJson(response.text));
    if (parsed.success) return parsed.data;
    throw new ToolError(
      'unavailable',
      `Kubernetes answered the ${step} of ${name} with something that is not a Deployment ("${clip(response.text)}")${step === 'patch' ? '; the restart may or may not have been applied: check kubectl rollout status' : ''}`,
    );
  }

  /** One request; any failure becomes a ToolError that says what was (not) changed and what to check. */
  private async exchange(
    step: 'read' | 'patch',
    name: string,
    target: KubernetesTarget,
    parent: AbortSignal | undefined,
    request: Omit<Parameters<KubeTransport>[0], 'signal'>,
  ): Promise<KubeResponse> {
    const timeoutMs = this.options.timeoutMs ?? HTTP_LIMITS.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = parent ? AbortSignal.any([parent, timeout]) : timeout;
    const api = `the Kubernetes API at ${this.options.credentials.server.origin}`;
    const outcome =
      step === 'read'
        ? 'nothing was changed'
        : `the restart may or may not have been applied: check kubectl rollout status deployment/${target.deployment} -n ${target.namespace}`;
    let response: KubeResponse;
    try {
      response = await this.transport({ ...request, signal });
    } catch (error) {
      if (error instanceof ToolError) throw error;
      if (timeout.aborted || parent?.aborted)
        throw new ToolError(
          'timeout',
          `${api} did not answer the ${step} of ${name} within ${timeoutMs} ms; ${outcome}`,
          { cause: error },
        );
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code);
      throw new ToolError(
        'unavailable',
        tls
          ? `${api} failed TLS verification (${code}): check the cluster's certificate-authority in ${this.options.credentials.source}; nothing was changed`
          : `${api} is unreachable (${code}): check the cluster address in ${this.options.credentials.source}; ${step === 'read' ? 'nothing was changed' : outcome}`,
        { cause: error },
      );
    }
    if (response.status >= 200 && response.status < 300) return response;

    const status = Status.safeParse(tryJson(response.text));
    const said = clip(status.success ? (status.data.message ?? '') : response.text);
    const quote = said ? ` ("${said}")` : '';
    const code = codeForStatus(response.status);
    const verb = step === 'read' ? 'get' : 'patch';
    const ns = target.namespace;
    const messages: Partial<Record<typeof code, string>> = {
      unauthorized: `Kubernetes rejected the bot's credentials (401)${quote}: the token or client certificate from ${this.options.credentials.source} is invalid or expired; nothing was changed`,
      forbidden: `Kubernetes refused the ${step === 'read' ? 'read' : 'patch'} (403)${quote}: the bot's Role must allow ${verb} on deployments in namespace ${ns}; nothing was changed`,
      not_found: `${name} was not found (404)${quote}: check restart.kubernetes for this service in the catalog; nothing was changed`,
      conflict: `Kubernetes reported a conflict on ${name} (409)${quote}: another change is in progress; try again. Nothing was changed`,
      rate_limited: `Kubernetes is throttling the bot (429)${quote}: nothing was changed; try again shortly`,
    };
    throw new ToolError(
      code,
      messages[code] ??
        `${api} answered the ${step} of ${name} with ${statusText(response.status)}${quote}; ${step === 'read' ? 'nothing was changed' : outcome}`,
    );
  }
}
