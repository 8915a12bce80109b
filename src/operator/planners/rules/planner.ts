import { outOfScopeDraft } from '../../scope.ts';
import {
  type PlanContext,
  type Planner,
  type PlanOutcome,
  reportWithoutModel,
} from '../planner.ts';
import { decide } from './verdict.ts';
import { wordDraft } from './wording.ts';

/**
 * Deterministic triage from the evidence: log signatures and health thresholds, the same every
 * time. The default without a model key, and the fallback whenever the model fails. The verdict
 * (verdict.ts) is decided first, then said in words (wording.ts).
 */
export class RulesPlanner implements Planner {
  readonly name = 'rules';
  readonly model = null;

  async plan(context: PlanContext): Promise<PlanOutcome> {
    const started = performance.now();
    const { scope, session, signals, report, environment } = context;
    const evidence = session.evidence;
    const verdict = decide(scope.servers, evidence, signals, {
      thresholdPercent: context.signalOptions.thresholdPercent,
      report,
      environment,
    });
    const draft = verdict
      ? wordDraft(verdict, { scope, report, environment, evidence }, signals)
      : outOfScopeDraft(scope);
    return { draft, report: reportWithoutModel(performance.now() - started) };
  }
}
