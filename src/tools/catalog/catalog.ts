import type { Inventory, RestarterKind, ServerInfo } from '../backends.ts';
import type { CatalogService, KubernetesTarget } from './format.ts';

/** How a server would be restarted, or why it may not be. */
export type RestartRoute =
  | { ok: true; service: string; via: RestarterKind; kubernetes: KubernetesTarget | null }
  | { ok: false; service: string | null; reason: string };

/**
 * The service catalog as the bot uses it: the inventory (scope resolution by server or service),
 * ownership for the escalation package, PagerDuty routing keys, and per-service restart policy.
 */
export class ServiceCatalog implements Inventory {
  readonly name = 'catalog';
  readonly file: string;
  private readonly services: ReadonlyMap<string, CatalogService>;
  private readonly serviceOfServer: ReadonlyMap<string, CatalogService>;
  private readonly defaultRestarter: RestarterKind | null;

  constructor(
    services: readonly CatalogService[],
    options: { file: string; defaultRestarter: RestarterKind | null },
  ) {
    this.file = options.file;
    this.defaultRestarter = options.defaultRestarter;
    this.services = new Map(services.map((s) => [s.name, s]));
    this.serviceOfServer = new Map(services.flatMap((s) => s.servers.map((id) => [id, s])));
  }

  async listServers(): Promise<ServerInfo[]> {
    return [...this.serviceOfServer].map(([id, s]) => {
      const route = this.restartRoute(id);
      return {
        id,
        service: s.name,
        environment: s.environment,
        team: s.team,
        onCall: s.onCall,
        dependencies: s.dependencies,
        restartable: route.ok,
        ...(route.ok ? {} : { restartRefusal: route.reason }),
        ...(s.runbooks?.length ? { runbooks: s.runbooks } : {}),
      };
    });
  }

  /** Every service, in file order. */
  list(): CatalogService[] {
    return [...this.services.values()];
  }

  service(name: string): CatalogService | undefined {
    return (
      this.services.get(name) ??
      [...this.services.values()].find((s) => s.name.toLowerCase() === name.toLowerCase())
    );
  }

  serviceOf(serverId: string): CatalogService | undefined {
    return this.serviceOfServer.get(serverId);
  }

  /** Whether any service names a PagerDuty routing key. */
  hasPagerDuty(): boolean {
    return [...this.services.values()].some((s) => s.pagerdutyRoutingKey !== null);
  }

  restartRoute(serverId: string): RestartRoute {
    const s = this.serviceOfServer.get(serverId);
    if (!s)
      return {
        ok: false,
        service: null,
        reason: `${serverId} is not in the service catalog (${this.file}), so the bot does not restart it`,
      };
    if (!s.restart.allowed)
      return {
        ok: false,
        service: s.name,
        reason: `the service catalog (${this.file}) marks ${s.name} as not restartable by the bot`,
      };
    const via = s.restart.via ?? this.defaultRestarter;
    if (!via)
      return {
        ok: false,
        service: s.name,
        reason: `no restarter is configured for ${s.name}: set restart.via in the catalog (${this.file}) or RESTARTER`,
      };
    if (via === 'kubernetes' && !s.restart.kubernetes)
      return {
        ok: false,
        service: s.name,
        reason: `${s.name} restarts via Kubernetes but the catalog (${this.file}) names no deployment: set restart.kubernetes.namespace and deployment`,
      };
    return { ok: true, service: s.name, via, kubernetes: s.restart.kubernetes };
  }
}
