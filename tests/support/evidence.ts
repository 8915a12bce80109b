import type { PlannerDraft } from '../../src/domain/brief.ts';
import type { PolicyInput, PolicySettings } from '../../src/operator/decision/policy.ts';
import { detectSignals } from '../../src/operator/decision/signals/index.ts';
import { fetchRecentLogs } from '../../src/tools/declarations/fetch-recent-logs.ts';
import { getServerHealth } from '../../src/tools/declarations/get-server-health.ts';
import { listRecentChanges } from '../../src/tools/declarations/list-recent-changes.ts';
import type { FleetFile } from '../../src/tools/fleet/format.ts';
import { SimulatedFleet } from '../../src/tools/fleet/simulated.ts';
import { ToolSession } from '../../src/tools/session.ts';
import { Toolbox } from '../../src/tools/toolbox.ts';
import { ManualClock } from '../../testing/clock.ts';
import { backendsOf } from './fleet.ts';

export const DEFAULT_POLICY: PolicySettings = {
  thresholdPercent: 90,
  restartBudget: 1,
  budgetWindowMinutes: 30,
};

/** A complete planner draft; tests override only what they are about. */
export function draftOf(overrides: Partial<PlannerDraft> = {}): PlannerDraft {
  return {
    title: 'A draft',
    summary: 'What the planner thinks.',
    category: 'performance',
    severity: 'sev2',
    action: 'monitor',
    restartServer: null,
    facts: [],
    hypotheses: [],
    safeChecks: [],
    nextActions: [],
    impact: 'Some users see slow responses.',
    ...overrides,
  };
}

/**
 * The evidence the operator would prefetch for `serverIds` (health, logs and changes, read through
 * the real toolbox) and the signals found in it: the inputs the policy guard decides from.
 */
export async function evidenceFor(
  fleetFile: FleetFile,
  serverIds: readonly string[],
  clock = new ManualClock(),
): Promise<Omit<PolicyInput, 'draft' | 'recentRestarts' | 'settings'>> {
  const fleet = SimulatedFleet.fromFleet(fleetFile, clock);
  // Health, logs, then changes: the evidence the operator prefetches, in a fixed order (E1, E2, …).
  const toolbox = new Toolbox(backendsOf(fleet), { toolTimeoutMs: 1_000, clock });
  const session = new ToolSession();
  const scope = (await fleet.listServers()).filter((s) => serverIds.includes(s.id));
  for (const s of scope) {
    await toolbox.gather(session, getServerHealth, { server_id: s.id }, { by: 'prefetch' });
    await toolbox.gather(
      session,
      fetchRecentLogs,
      { server_id: s.id, lines: 50 },
      { by: 'prefetch' },
    );
  }
  for (const service of new Set(scope.map((s) => s.service ?? s.id)))
    await toolbox.gather(session, listRecentChanges, { service: service }, { by: 'prefetch' });
  const signals = detectSignals(session.evidence, {
    thresholdPercent: DEFAULT_POLICY.thresholdPercent,
    now: clock.now(),
    serviceOf: new Map(scope.map((s) => [s.id, s.service])),
  });
  return { scope, evidence: session.evidence, signals };
}

/** A full policy input: no restarts used and the default settings unless the test says otherwise. */
export async function policyInput(
  fleetFile: FleetFile,
  serverIds: readonly string[],
  draft: PlannerDraft,
  options: {
    recentRestarts?: (serverId: string) => Promise<number>;
    settings?: PolicySettings;
  } = {},
): Promise<PolicyInput> {
  return {
    ...(await evidenceFor(fleetFile, serverIds)),
    draft,
    recentRestarts: options.recentRestarts ?? (async () => 0),
    settings: options.settings ?? DEFAULT_POLICY,
  };
}
