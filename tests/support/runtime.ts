import { type Config, parseConfig } from '../../src/config/env.ts';
import type { ApproverPolicy } from '../../src/operator/approval/approval.ts';
import type { Planner } from '../../src/operator/decision/planners/planner.ts';
import type { TriageRequest } from '../../src/operator/investigation/investigate.ts';
import { createRuntime, type Runtime } from '../../src/root/runtime.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import type { Backends } from '../../src/tools/backends.ts';
import type { FleetFile } from '../../src/tools/fleet/format.ts';
import { SimulatedFleet } from '../../src/tools/fleet/simulated.ts';
import { LocalEscalator } from '../../src/tools/local-escalator.ts';
import { ManualClock } from '../../testing/clock.ts';
import { backendsOf, seedFleet } from './fleet.ts';

/** Approvers by user id, as APPROVERS configures them. */
export class ApproverList implements ApproverPolicy {
  private readonly ids: ReadonlySet<string>;

  constructor(ids: readonly string[]) {
    this.ids = new Set(ids);
  }

  async isApprover(userId: string): Promise<boolean> {
    return this.ids.has(userId);
  }

  describe(): string {
    return `Approvers: ${[...this.ids].join(', ') || 'none configured'}.`;
  }
}

export const APPROVER = 'U0APPROVER';
export const STRANGER = 'U0STRANGER';

export type TestRuntime = Runtime & {
  fleet: SimulatedFleet;
  escalator: LocalEscalator;
  clock: ManualClock;
  triage(
    report: string,
    extra?: Partial<TriageRequest>,
  ): ReturnType<Runtime['operator']['investigate']>;
};

/**
 * A real runtime over an in-memory store, a simulated fleet and a local escalator, with a clock the
 * test moves. Nothing is mocked: only the configuration and the backends are chosen.
 */
export async function testRuntime(
  options: {
    fleet?: FleetFile;
    env?: Record<string, string>;
    approvers?: readonly string[];
    planner?: Planner;
    clock?: ManualClock;
    /** Replace some backends (a failing restarter, a silent health source) around the fleet. */
    backends?: (fleetBackends: Backends) => Backends;
  } = {},
): Promise<TestRuntime> {
  const clock = options.clock ?? new ManualClock();
  const config: Config = parseConfig({ LOG_LEVEL: 'silent', ...options.env });
  const fleet = SimulatedFleet.fromFleet(options.fleet ?? seedFleet(), clock);
  const escalator = new LocalEscalator();
  const runtime = await createRuntime(config, {
    store: SqliteStore.open(':memory:'),
    backends: options.backends ? options.backends(backendsOf(fleet)) : backendsOf(fleet),
    escalator,
    approvers: new ApproverList(options.approvers ?? [APPROVER]),
    clock,
    ...(options.planner ? { planner: options.planner } : {}),
  });
  return {
    ...runtime,
    fleet,
    escalator,
    clock,
    triage: (report, extra) =>
      runtime.operator.investigate({ report, source: 'cli', actor: 'cli:tester', ...extra }),
  };
}
