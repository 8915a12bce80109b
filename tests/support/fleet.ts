import type { Backends } from '../../src/tools/backends.ts';
import type { FleetFile, ServerSpec } from '../../src/tools/fleet/format.ts';
import type { SimulatedFleet } from '../../src/tools/fleet/simulated.ts';

/** The five seed servers, exactly, without the demo fleet's extras. */
export const SEED_SERVERS = {
  'payment-server-01': {
    service: 'payments',
    health: { cpu: 98, memory: 40, status: 'warning' },
    logs: [
      '[INFO] Request received /pay/v1',
      '[WARN] CPU threshold exceeded 90%',
      '[WARN] Thread pool exhaustion',
      '[CRITICAL] Process hung, not accepting new connections',
      '[ERROR] Timeout waiting for thread',
    ],
    after_restart: {
      health: { cpu: 31, memory: 38, status: 'healthy' },
      logs: ['[INFO] Service started', '[INFO] Health check passed'],
    },
  },
  'db-node-02': {
    service: 'orders-db',
    health: { cpu: 12, memory: 60, status: 'healthy' },
    logs: [
      '[INFO] Backup started',
      '[INFO] Backup completed successfully',
      '[INFO] User query executed in 12ms',
      '[INFO] Health check: OK',
      '[INFO] Replication sync active',
    ],
  },
  'auth-service-03': {
    service: 'auth',
    health: { cpu: 45, memory: 95, status: 'critical' },
    logs: [
      '[INFO] Token validated user_882',
      '[WARN] Garbage collection taking too long (>5s)',
      '[ERROR] java.lang.OutOfMemoryError: Java heap space',
      '[CRITICAL] Application crashing due to memory leak',
      '[INFO] Restarting context...',
    ],
    after_restart: {
      health: { cpu: 22, memory: 41, status: 'healthy' },
      logs: ['[INFO] Application context started'],
    },
  },
  'search-index-09': {
    service: 'search',
    health: { cpu: 10, memory: 15, status: 'error' },
    logs: [
      '[INFO] Indexing started',
      '[ERROR] Connection refused: elastic-cluster-main:9200',
      '[ERROR] Failed to write document ID 4432',
      '[CRITICAL] Dependency Unreachable: Search Engine is down',
      '[ERROR] Retrying in 30s...',
    ],
  },
  'frontend-node-04': {
    service: 'web',
    health: { cpu: 25, memory: 30, status: 'healthy' },
    logs: [
      '[INFO] GET /home 200 OK',
      '[INFO] GET /assets/logo.png 200 OK',
      '[INFO] GET /login 200 OK',
      '[INFO] GET /api/v1/status 200 OK',
      '[INFO] Health check passed',
    ],
  },
} satisfies Record<string, ServerSpec>;

/** A fleet file from a servers map; every server spec is written out in full by the test. */
export function fleetOf(
  servers: Record<string, ServerSpec>,
  changes: FleetFile['changes'] = [],
): FleetFile {
  return { environment: 'prod', servers, changes };
}

/** A server spec with the defaults the format applies, for tests that only care about a few fields. */
export function server(spec: Partial<ServerSpec> & Pick<ServerSpec, 'health'>): ServerSpec {
  return { logs: [], ...spec };
}

export function seedFleet(): FleetFile {
  // Copies, so a test that mutates its fleet cannot leak into another.
  return fleetOf(structuredClone(SEED_SERVERS));
}

/** The same simulated fleet behind every backend interface, as the runtime wires it. */
export function backendsOf(fleet: SimulatedFleet): Backends {
  return {
    inventory: fleet,
    health: fleet,
    logs: fleet,
    changes: fleet,
    restarter: fleet,
    kubernetes: fleet,
  };
}
