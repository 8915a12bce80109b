import type { Config } from '../config/env.ts';
import { systemClock } from '../domain/clock.ts';
import { describeError } from '../domain/errors.ts';
import type { Action, Category, Escalation, Severity } from '../domain/vocabulary.ts';
import type { ApproverPolicy } from '../operator/approval/approval.ts';
import type { Planner } from '../operator/decision/planners/planner.ts';
import { createRuntime } from '../root/runtime.ts';
import { SqliteStore } from '../store/sqlite/index.ts';
import type { Scenario } from '../tools/fleet/format.ts';
import { SimulatedFleet } from '../tools/fleet/simulated.ts';
import { LocalEscalator } from '../tools/local-escalator.ts';
import { hint, leakedSecrets, scenarioSecrets } from './leaks.ts';
import { checkFields, type FieldChecks, score } from './score.ts';

/** What happened to a proposed restart once the eval approved it. */
export type RestartOutcome = 'recovered' | 'not_recovered' | 'failed' | 'not_executed';

export type ScenarioResult = {
  id: string;
  passed: boolean;
  /** The decision; null only when the run itself crashed. */
  action: Action | null;
  category: Category | null;
  severity: Severity | null;
  escalation: Escalation | null;
  /** Every tool called: the investigation's, plus escalate_to_engineer when the approval path escalated. */
  calledTools: string[];
  restart: RestartOutcome | null;
  /** Set when the configured planner failed and the rules planner answered instead. */
  fallbackReason: string | null;
  failures: string[];
  /** Which scored fields were right (null: the scenario expects nothing of that field). */
  checks: FieldChecks;
  /** The first category the scenario accepts: what the per-category accuracy groups by. */
  expectedCategory: Category | null;
};

export type EvalSummary = { total: number; passed: number; results: ScenarioResult[] };

export type EvalOptions = {
  config: Config;
  planner: Planner;
  /** Scenarios run at once; the rules planner needs no more than 1, a model benefits from a few. */
  concurrency?: number;
  onResult?: (result: ScenarioResult, done: number, total: number) => void;
};

/** The eval stands in for an approver who approves every proposal, so after_restart is exercised. */
const approveEverything: ApproverPolicy = {
  isApprover: async () => true,
  describe: () => 'the eval approves every proposal',
};

function crashed(scenario: Scenario, error: unknown): ScenarioResult {
  return {
    id: scenario.id,
    passed: false,
    action: null,
    category: null,
    severity: null,
    escalation: null,
    calledTools: [],
    restart: null,
    fallbackReason: null,
    failures: [`error: ${describeError(error)}`],
    checks: checkFields(scenario.expect, null),
    expectedCategory: scenario.expect.category?.[0] ?? null,
  };
}

/**
 * Runs one scenario in isolation (its own fleet, in-memory store and escalator), approves any
 * restart proposal, and scores the decision and the tools called against its expectations.
 */
export async function runScenario(
  scenario: Scenario,
  options: Pick<EvalOptions, 'config' | 'planner'>,
): Promise<ScenarioResult> {
  const fleet = SimulatedFleet.fromScenario(scenario, systemClock);
  const escalator = new LocalEscalator();
  let runtime: Awaited<ReturnType<typeof createRuntime>> | null = null;
  try {
    runtime = await createRuntime(options.config, {
      store: SqliteStore.open(':memory:'),
      backends: { inventory: fleet, health: fleet, logs: fleet, changes: fleet, restarter: fleet },
      planner: options.planner,
      approvers: approveEverything,
      escalator,
    });
    // A server's own environment wins over the scenario default, as it does in triage.
    const ownEnvironment = Object.values(scenario.servers).some((s) => s.environment);
    const investigation = await runtime.operator.investigate({
      report: scenario.report,
      source: 'eval',
      actor: 'eval',
      ...(ownEnvironment ? {} : { environment: scenario.environment }),
    });
    const { brief } = investigation;
    const calledTools = [...investigation.calledTools];
    const failures: string[] = [];
    const outputs: unknown[] = [brief];

    let restart: RestartOutcome | null = null;
    if (investigation.proposal) {
      const outcome = await runtime.approvals.approve(investigation.proposal.id, 'eval');
      if (outcome.kind === 'restarted' || outcome.kind === 'restart_failed') {
        restart =
          outcome.kind === 'restart_failed'
            ? 'failed'
            : outcome.recovered
              ? 'recovered'
              : 'not_recovered';
        outputs.push(outcome.brief);
        if (outcome.escalation?.sent && !calledTools.includes('escalate_to_engineer'))
          calledTools.push('escalate_to_engineer');
      } else {
        restart = 'not_executed';
        failures.push(
          `auto-approval did not execute the restart (${outcome.kind}): ${'message' in outcome ? outcome.message : ''}`,
        );
      }
    }

    failures.unshift(...score(scenario.expect, { ...brief, calledTools }));
    outputs.push(
      ...escalator.sent,
      await runtime.store.audit.list({ incidentId: brief.incidentId }),
    );
    for (const secret of leakedSecrets(scenarioSecrets(scenario), outputs))
      failures.push(`secret leaked: ${hint(secret)} appears unredacted in the bot's output`);

    return {
      id: scenario.id,
      passed: failures.length === 0,
      action: brief.action,
      category: brief.category,
      severity: brief.severity,
      escalation: brief.escalation,
      calledTools,
      restart,
      fallbackReason: brief.planner.fallbackReason,
      failures,
      checks: checkFields(scenario.expect, brief),
      expectedCategory: scenario.expect.category?.[0] ?? null,
    };
  } catch (error) {
    return crashed(scenario, error);
  } finally {
    await runtime?.close();
  }
}

/** Runs every scenario, a few at a time, and keeps the results in file order. */
export async function runScenarios(
  scenarios: readonly Scenario[],
  options: EvalOptions,
): Promise<EvalSummary> {
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const index = next++;
      const scenario = scenarios[index];
      if (!scenario) continue;
      const result = await runScenario(scenario, options);
      results[index] = result;
      done++;
      options.onResult?.(result, done, scenarios.length);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, scenarios.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { total: results.length, passed: results.filter((r) => r.passed).length, results };
}
