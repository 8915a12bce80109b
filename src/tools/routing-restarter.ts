import type {
  RestartContext,
  Restarter,
  RestarterKind,
  RestartResult,
  RestartStatus,
} from './backends.ts';
import type { ServiceCatalog } from './catalog/catalog.ts';
import { ToolError } from './errors.ts';

const HOW_TO_CONFIGURE: Record<RestarterKind, string> = {
  simulated: 'the simulated fleet is not loaded',
  kubernetes: 'set KUBERNETES_NAMESPACES (and KUBECONFIG, or run in the cluster)',
  webhook: 'set RESTART_WEBHOOK_URL and RESTART_WEBHOOK_SECRET',
};

export type RoutingRestarterOptions = {
  /** When set, it decides per service: allowed or not, and via which restarter. */
  catalog: ServiceCatalog | null;
  /** RESTARTER, for servers when there is no catalog. */
  defaultKind: RestarterKind;
  restarters: Partial<Record<RestarterKind, Restarter>>;
};

/**
 * Picks the restarter per server from the catalog, and refuses a service the catalog marks not
 * restartable. The policy guard already refuses such a proposal; this refuses it again at
 * execution, so no other path (a stale proposal, a future caller) can restart it.
 */
export class RoutingRestarter implements Restarter {
  readonly name = 'routed';
  private readonly options: RoutingRestarterOptions;

  constructor(options: RoutingRestarterOptions) {
    this.options = options;
  }

  /** Which restarter a server would use, or why it may not be restarted. */
  route(serverId: string): { ok: true; kind: RestarterKind } | { ok: false; reason: string } {
    const { catalog } = this.options;
    if (!catalog) return { ok: true, kind: this.options.defaultKind };
    const route = catalog.restartRoute(serverId);
    return route.ok ? { ok: true, kind: route.via } : { ok: false, reason: route.reason };
  }

  async restart(
    serverId: string,
    signal?: AbortSignal,
    context?: RestartContext,
  ): Promise<RestartResult> {
    const route = this.route(serverId);
    if (!route.ok) throw new ToolError('refused', `${route.reason}; nothing was restarted`);
    const restarter = this.options.restarters[route.kind];
    if (!restarter)
      throw new ToolError(
        'refused',
        `${serverId} restarts via ${route.kind}, which is not configured (${HOW_TO_CONFIGURE[route.kind]}); nothing was restarted`,
      );
    return restarter.restart(serverId, signal, context);
  }

  /** What the server's own restarter knows of the restart with `key`; unknown when it keeps no trace. */
  async status(serverId: string, key: string, signal?: AbortSignal): Promise<RestartStatus> {
    const route = this.route(serverId);
    if (!route.ok) return { state: 'unknown', detail: route.reason };
    const restarter = this.options.restarters[route.kind];
    return restarter?.status
      ? restarter.status(serverId, key, signal)
      : { state: 'unknown', detail: `${route.kind} restarts keep no trace of ${key}` };
  }
}
