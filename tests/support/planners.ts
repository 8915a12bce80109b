import type { PlannerDraft } from '../../src/domain/brief.ts';
import type {
  PlanContext,
  Planner,
  PlanOutcome,
} from '../../src/operator/decision/planners/planner.ts';
import { RulesPlanner } from '../../src/operator/decision/planners/rules/planner.ts';

/**
 * Stands in for a model that says whatever the test scripts: tool calls first (through the real
 * toolbox), then a fixed draft. It is how tests play a model that was talked into something.
 */
export class ScriptedPlanner implements Planner {
  readonly name = 'openai';
  readonly model = 'scripted-model';
  private readonly draft: (context: PlanContext) => PlannerDraft;
  private readonly calls: readonly { tool: string; args: unknown }[];

  constructor(
    draft: PlannerDraft | ((context: PlanContext) => PlannerDraft),
    calls: readonly { tool: string; args: unknown }[] = [],
  ) {
    this.draft = typeof draft === 'function' ? draft : () => draft;
    this.calls = calls;
  }

  async plan(context: PlanContext): Promise<PlanOutcome> {
    for (const call of this.calls)
      await context.toolbox.call(context.session, call.tool, call.args, context.signal);
    return {
      draft: this.draft(context),
      report: {
        planner: 'openai',
        model: this.model,
        fallbackReason: null,
        turns: 1,
        toolCalls: this.calls.length,
        tokens: { prompt: 10, completion: 10 },
        durationMs: 1,
        modelMs: 0,
        toolMs: 0,
      },
    };
  }
}

/** The rules planner, recording exactly what it was shown: what any planner (a model) would see. */
export class RecordingPlanner implements Planner {
  readonly name = 'rules';
  readonly model = null;
  readonly seen: string[] = [];
  private readonly rules = new RulesPlanner();

  async plan(context: PlanContext): Promise<PlanOutcome> {
    this.seen.push(
      JSON.stringify({
        report: context.report,
        scope: context.scope,
        evidence: context.session.evidence,
      }),
    );
    return this.rules.plan(context);
  }
}
