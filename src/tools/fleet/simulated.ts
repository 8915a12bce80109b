import type { Change } from '../../domain/evidence.ts';
import type { Environment } from '../../domain/vocabulary.ts';
import type {
  ChangesBackend,
  HealthBackend,
  HealthSample,
  Inventory,
  LogSample,
  LogsBackend,
  Restarter,
  RestartResult,
  ServerInfo,
} from '../backends.ts';
import { ToolError } from '../errors.ts';
import type { ChangeSpec, FleetFile, Scenario, ServerSpec } from './format.ts';

type ServerState = { health: ServerSpec['health']; logs: string[] };

/**
 * The embedded default backend: answers every read tool from a fleet file, and a restart moves a
 * server to its `after_restart` state (or changes nothing when it has none, as in real life).
 */
export class SimulatedFleet
  implements Inventory, HealthBackend, LogsBackend, ChangesBackend, Restarter
{
  readonly name = 'simulated';
  readonly settlesInstantly = true;
  private readonly specs: ReadonlyMap<string, ServerSpec>;
  private readonly state = new Map<string, ServerState>();
  private readonly restarts = new Map<string, number>();
  private readonly changes: Change[];
  private readonly environment: Environment;
  private readonly now: () => Date;

  constructor(
    fleet: { servers: Record<string, ServerSpec>; changes: ChangeSpec[]; environment: Environment },
    now: () => Date = () => new Date(),
  ) {
    this.now = now;
    this.specs = new Map(Object.entries(fleet.servers));
    this.environment = fleet.environment;
    for (const [id, spec] of this.specs)
      this.state.set(id, { health: spec.health, logs: spec.logs });
    const loadedAt = this.now().getTime();
    this.changes = fleet.changes.map((c) => ({
      service: c.service,
      at: new Date(loadedAt - c.minutes_ago * 60_000).toISOString(),
      description: c.description,
      ...(c.author ? { author: c.author } : {}),
    }));
  }

  static fromFleet(fleet: FleetFile, now?: () => Date): SimulatedFleet {
    return new SimulatedFleet(fleet, now);
  }

  static fromScenario(scenario: Scenario, now?: () => Date): SimulatedFleet {
    return new SimulatedFleet(scenario, now);
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

  async restart(serverId: string): Promise<RestartResult> {
    this.current(serverId);
    const spec = this.specs.get(serverId);
    const count = (this.restarts.get(serverId) ?? 0) + 1;
    this.restarts.set(serverId, count);
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

  /** How many restarts this fleet has executed for a server; lets tests prove "exactly once". */
  restartCount(serverId: string): number {
    return this.restarts.get(serverId) ?? 0;
  }
}
