import type { IncomingMessage, ServerResponse } from 'node:http';
import { backendConfigProblems } from '../config/backends.ts';
import { type Config, ConfigError } from '../config/env.ts';
import type { Clock } from '../domain/clock.ts';
import { errorCode } from '../domain/errors.ts';
import { createChangesWebhook } from '../http/changes-webhook.ts';
import type {
  Backends,
  Escalator,
  HealthBackend,
  Inventory,
  LogsBackend,
  Restarter,
  RestarterKind,
} from '../tools/backends.ts';
import { ServiceCatalog } from '../tools/catalog/catalog.ts';
import { loadCatalog } from '../tools/catalog/load.ts';
import { DeployLogChanges } from '../tools/changes/deploy-log.ts';
import { DeployLogError } from '../tools/changes/format.ts';
import { JsonLinesChangeSink } from '../tools/changes/sink.ts';
import { ToolError } from '../tools/errors.ts';
import { loadDemoFleet, loadFleet } from '../tools/fleet/load.ts';
import { SimulatedFleet } from '../tools/fleet/simulated.ts';
import type { FetchLike } from '../tools/http.ts';
// The Kubernetes client is large (about 90 MiB resident): loaded only when Kubernetes is used.
import type { KubeAccess } from '../tools/kubernetes/config.ts';
import { LokiLogs } from '../tools/loki/loki.ts';
import { PagerDutyEscalator } from '../tools/pagerduty/escalator.ts';
import { PrometheusHealth } from '../tools/prometheus/prometheus.ts';
import { RoutingRestarter } from '../tools/routing-restarter.ts';
import { WebhookRestarter } from '../tools/webhook/restarter.ts';

export type ChangesWebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export type SelectedBackends = {
  backends: Backends;
  /** Escalation destinations configured beside the presenter's own (e.g. PagerDuty). */
  escalators: Escalator[];
  /** The service catalog, when CATALOG_FILE is set. */
  catalog: ServiceCatalog | null;
  /** The `POST /changes` handler when CHANGES_WEBHOOK_TOKEN is set; the HTTP server mounts it. */
  changesWebhook: ChangesWebhookHandler | null;
};

export type BackendOptions = {
  clock: Clock;
  fetch?: FetchLike;
  /** For routing-key env vars named in the catalog and for Kubernetes credential discovery. */
  env: Readonly<Record<string, string | undefined>>;
  /** Kubernetes access to use instead of discovering it (KUBECONFIG, in-cluster, ~/.kube/config). */
  kubernetes?: { access?: KubeAccess };
};

async function loadKubernetesModules() {
  const [api, config, restarter, workload] = await Promise.all([
    import('../tools/kubernetes/api.ts'),
    import('../tools/kubernetes/config.ts'),
    import('../tools/kubernetes/restarter.ts'),
    import('../tools/kubernetes/workload.ts'),
  ]);
  return {
    kubeClients: api.kubeClients,
    loadKubeAccess: config.loadKubeAccess,
    KubernetesRestarter: restarter.KubernetesRestarter,
    KubernetesWorkloads: workload.KubernetesWorkloads,
  };
}

function knownList(servers: readonly { id: string }[], max = 20): string {
  const names = servers.map((s) => s.id).sort();
  return `${names.slice(0, max).join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`;
}

/**
 * Real health and log backends answer for any name; the inventory says which servers exist. A
 * name the model made up gets "no server named X", never a query for it.
 */
async function requireKnown(inventory: Inventory, serverId: string): Promise<void> {
  const servers = await inventory.listServers();
  if (servers.some((s) => s.id === serverId)) return;
  throw new ToolError(
    'unknown_server',
    `no server named "${serverId}" in the ${inventory.name === 'catalog' ? 'service catalog' : 'inventory'}; known: ${knownList(servers)}`,
  );
}

function knownHealth(inventory: Inventory, backend: HealthBackend): HealthBackend {
  return {
    name: backend.name,
    getHealth: async (serverId, signal) => {
      await requireKnown(inventory, serverId);
      return backend.getHealth(serverId, signal);
    },
  };
}

function knownLogs(inventory: Inventory, backend: LogsBackend): LogsBackend {
  return {
    name: backend.name,
    fetchLogs: async (serverId, lines, signal) => {
      await requireKnown(inventory, serverId);
      return backend.fetchLogs(serverId, lines, signal);
    },
  };
}

/** Which restarters the configuration can route to: RESTARTER plus whatever the catalog names. */
function restarterKindsUsed(config: Config, catalog: ServiceCatalog | null): Set<RestarterKind> {
  const kinds = new Set<RestarterKind>();
  if (config.RESTARTER) kinds.add(config.RESTARTER);
  else if (!catalog) kinds.add('simulated');
  for (const s of catalog?.list() ?? [])
    if (s.restart.allowed && s.restart.via) kinds.add(s.restart.via);
  return kinds;
}

/**
 * Chooses a backend per tool from configuration: a tool uses its real backend when its variable
 * is set, and the simulated fleet answers whatever is not configured, so the embedded default
 * works with nothing set. Every problem found at start is reported at once, naming the variable.
 */
export async function createBackends(
  config: Config,
  options: BackendOptions,
): Promise<SelectedBackends> {
  const { env, clock } = options;
  const problems = backendConfigProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);

  const catalog = config.CATALOG_FILE
    ? new ServiceCatalog(await loadCatalog(config.CATALOG_FILE, env), {
        file: config.CATALOG_FILE,
        defaultRestarter: config.RESTARTER ?? null,
      })
    : null;

  const kinds = restarterKindsUsed(config, catalog);
  const catalogNamed = (kind: RestarterKind) =>
    (catalog?.list() ?? [])
      .filter((s) => s.restart.allowed && s.restart.via === kind)
      .map((s) => s.name);
  if (kinds.has('kubernetes') && config.KUBERNETES_NAMESPACES.length === 0)
    problems.push(
      `KUBERNETES_NAMESPACES: required because the catalog restarts ${catalogNamed('kubernetes').join(', ')} via kubernetes`,
    );
  if (kinds.has('webhook') && !config.RESTART_WEBHOOK_URL)
    problems.push(
      `RESTART_WEBHOOK_URL: required because the catalog restarts ${catalogNamed('webhook').join(', ')} via webhook`,
    );
  if (problems.length > 0) throw new ConfigError(problems);

  const needsFleet =
    !catalog ||
    !config.PROMETHEUS_URL ||
    !config.LOKI_URL ||
    !config.CHANGES_FILE ||
    kinds.has('simulated');
  const fleet = needsFleet
    ? SimulatedFleet.fromFleet(
        config.FLEET_FILE ? await loadFleet(config.FLEET_FILE) : await loadDemoFleet(),
        clock,
      )
    : null;
  /** The fleet for whatever is not configured; only called when needsFleet said so. */
  const simulated = (): SimulatedFleet => {
    if (!fleet) throw new Error('internal: the simulated fleet was not loaded');
    return fleet;
  };
  const inventory: Inventory = catalog ?? simulated();
  const http = { ...(options.fetch ? { fetch: options.fetch } : {}), clock };

  const health = config.PROMETHEUS_URL
    ? knownHealth(
        inventory,
        new PrometheusHealth({
          url: config.PROMETHEUS_URL,
          bearerToken: config.PROMETHEUS_BEARER_TOKEN,
          queries: {
            cpu: config.PROMETHEUS_CPU_QUERY,
            memory: config.PROMETHEUS_MEMORY_QUERY,
            up: config.PROMETHEUS_UP_QUERY,
          },
          dashboardUrl: config.PROMETHEUS_DASHBOARD_URL,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      )
    : simulated();

  const logs = config.LOKI_URL
    ? knownLogs(
        inventory,
        new LokiLogs({
          url: config.LOKI_URL,
          query: config.LOKI_QUERY,
          lookbackMinutes: config.LOKI_LOOKBACK_MINUTES,
          tenant: config.LOKI_TENANT,
          username: config.LOKI_USERNAME,
          password: config.LOKI_PASSWORD,
          bearerToken: config.LOKI_BEARER_TOKEN,
          ...http,
        }),
      )
    : simulated();

  let changesWebhook: ChangesWebhookHandler | null = null;
  let changes: Backends['changes'];
  if (config.CHANGES_FILE) {
    const deployLog = new DeployLogChanges({
      file: config.CHANGES_FILE,
      lookbackHours: config.CHANGES_LOOKBACK_HOURS,
      clock,
    });
    if (config.CHANGES_WEBHOOK_TOKEN) {
      const sink = new JsonLinesChangeSink(config.CHANGES_FILE);
      await sink.ensure();
      changesWebhook = createChangesWebhook({
        token: config.CHANGES_WEBHOOK_TOKEN,
        sink,
        clock,
      });
    }
    // A broken deploy log is a start-up problem, not something to discover mid-incident.
    await deployLog.readAll().catch((error: unknown) => {
      if (error instanceof DeployLogError)
        throw new ConfigError([`CHANGES_FILE: ${error.message}`]);
      if (errorCode(error) === 'ENOENT')
        throw new ConfigError([
          `CHANGES_FILE: ${config.CHANGES_FILE} does not exist (create it, or set CHANGES_WEBHOOK_TOKEN and the bot creates it)`,
        ]);
      throw error;
    });
    changes = deployLog;
  } else {
    changes = simulated();
  }

  const serviceOf = async (serverId: string) =>
    (await inventory.listServers()).find((s) => s.id === serverId)?.service ?? null;
  const restarters: Partial<Record<RestarterKind, Restarter>> = {};
  if (fleet) restarters.simulated = fleet;

  // Kubernetes evidence (KUBERNETES_EVIDENCE) and restarts share one set of credentials.
  const workloadOf = (serverId: string) => catalog?.serviceOf(serverId)?.restart.kubernetes ?? null;
  const catalogMapsWorkloads = (catalog?.list() ?? []).some(
    (s) =>
      s.restart.kubernetes && config.KUBERNETES_NAMESPACES.includes(s.restart.kubernetes.namespace),
  );
  const evidenceMode = config.KUBERNETES_EVIDENCE;
  const evidenceWanted =
    evidenceMode === 'true' || (evidenceMode === 'auto' && catalogMapsWorkloads);
  let access: KubeAccess | null = options.kubernetes?.access ?? null;
  const kube =
    access || kinds.has('kubernetes') || evidenceWanted ? await loadKubernetesModules() : null;
  if (kube && !access && (kinds.has('kubernetes') || evidenceWanted)) {
    const found = kube.loadKubeAccess({
      kubeconfig: config.KUBECONFIG,
      context: config.KUBERNETES_CONTEXT,
      env,
    });
    // auto does not stop the start when no credentials are found; restarts, KUBERNETES_EVIDENCE=true
    // or a KUBECONFIG that cannot be used do.
    access =
      kinds.has('kubernetes') || evidenceMode === 'true' || config.KUBECONFIG
        ? await found
        : await found.catch(() => null);
  }
  const clients = access && kube ? kube.kubeClients(access) : null;
  if (kube && kinds.has('kubernetes') && clients) {
    restarters.kubernetes = new kube.KubernetesRestarter({
      clients,
      namespaces: config.KUBERNETES_NAMESPACES,
      targetOf: (serverId) => {
        const route = catalog?.restartRoute(serverId);
        return route?.ok ? route.kubernetes : null;
      },
      clock,
    });
  }
  const kubernetes =
    kube && evidenceWanted && clients
      ? new kube.KubernetesWorkloads({
          clients,
          namespaces: config.KUBERNETES_NAMESPACES,
          targetOf: workloadOf,
        })
      : (fleet ?? undefined);
  if (config.RESTART_WEBHOOK_URL && config.RESTART_WEBHOOK_SECRET)
    restarters.webhook = new WebhookRestarter({
      url: config.RESTART_WEBHOOK_URL,
      secret: config.RESTART_WEBHOOK_SECRET,
      serviceOf,
      ...http,
    });
  const restarter =
    catalog || (config.RESTARTER && config.RESTARTER !== 'simulated')
      ? new RoutingRestarter({
          catalog,
          defaultKind: config.RESTARTER ?? 'simulated',
          restarters,
        })
      : simulated();

  const escalators: Escalator[] = [];
  if (config.PAGERDUTY_ROUTING_KEY || catalog?.hasPagerDuty())
    escalators.push(
      new PagerDutyEscalator({
        eventsUrl: config.PAGERDUTY_EVENTS_URL,
        defaultRoutingKey: config.PAGERDUTY_ROUTING_KEY ?? null,
        routingKeyFor: (service) => catalog?.service(service)?.pagerdutyRoutingKey ?? null,
        serviceOf: (serverId) => catalog?.serviceOf(serverId)?.name ?? null,
        ...http,
      }),
    );

  return {
    backends: {
      inventory,
      health,
      logs,
      changes,
      restarter,
      ...(kubernetes ? { kubernetes } : {}),
    },
    escalators,
    catalog,
    changesWebhook,
  };
}
