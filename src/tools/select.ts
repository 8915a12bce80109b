import type { Config } from '../config/env.ts';
import type { Backends, Escalator } from './backends.ts';
import { loadDemoFleet, loadFleet } from './fleet/load.ts';
import { SimulatedFleet } from './fleet/simulated.ts';

export type SelectedBackends = {
  backends: Backends;
  /** Escalation destinations configured beside the presenter's own (e.g. PagerDuty). */
  escalators: Escalator[];
};

/** Chooses a backend per tool from configuration; the simulated fleet answers whatever is not configured. */
export async function createBackends(
  config: Config,
  options: { now?: () => Date } = {},
): Promise<SelectedBackends> {
  const fleet = SimulatedFleet.fromFleet(
    config.FLEET_FILE ? await loadFleet(config.FLEET_FILE) : await loadDemoFleet(),
    options.now,
  );
  return {
    backends: { inventory: fleet, health: fleet, logs: fleet, changes: fleet, restarter: fleet },
    escalators: [],
  };
}
