// Placeholder until the OpenAI planner lands in this same change; see the helper task.
import type { PlanContext, Planner, PlanOutcome } from './planner.ts';

export type OpenAiPlannerOptions = {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  maxTurns: number;
  callTimeoutMs: number;
  toolResultMaxChars: number;
  fetch?: typeof fetch;
};

export class OpenAiPlanner implements Planner {
  readonly name = 'openai';
  readonly model: string;

  constructor(options: OpenAiPlannerOptions) {
    this.model = options.model;
  }

  async plan(_context: PlanContext): Promise<PlanOutcome> {
    throw new Error('OpenAI planner not implemented yet');
  }
}
