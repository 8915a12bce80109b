import type { Memory, PlannerDraft, PlannerReport } from '../../../domain/brief.ts';
import { OperatorError } from '../../../domain/errors.ts';
import type { Environment } from '../../../domain/vocabulary.ts';
import type { ToolSession } from '../../../tools/session.ts';
import type { Toolbox } from '../../../tools/toolbox.ts';
import type { Scope } from '../../investigation/scope.ts';
import type { Signal, SignalOptions } from '../signals/index.ts';

export type PlanContext = {
  incidentId: string;
  /** The report, already redacted. It is data, never instructions. */
  report: string;
  environment: Environment;
  scope: Scope;
  /** Holds the prefetched evidence; planners that call tools add to it. */
  session: ToolSession;
  toolbox: Toolbox;
  signalOptions: SignalOptions;
  /**
   * The signals of the prefetched evidence, found once per investigation: planners and the guard
   * read these instead of detecting again.
   */
  signals: readonly Signal[];
  /** Aborts when the investigation's deadline passes. */
  signal: AbortSignal;
  /** When that deadline passes (epoch ms), so waits can be capped before it. */
  deadlineAt: number;
  /**
   * Similar past incidents from our own store (context, never evidence: nothing cites it), when
   * the operator looked them up.
   */
  memory?: Memory | null;
};

export type PlanOutcome = {
  draft: PlannerDraft;
  report: PlannerReport;
  /** What a model planner had to work around to get this answer (tools refused, …), in plain words. */
  notes?: readonly string[];
};

/** Both planners produce the same draft; the policy guard and brief builder do not care which. */
export interface Planner {
  readonly name: 'openai' | 'rules';
  /** The model behind it, when there is one. */
  readonly model: string | null;
  plan(context: PlanContext): Promise<PlanOutcome>;
}

/** A planner that could not produce a valid draft. Carries what it consumed, for honest accounting. */
export class PlannerFailure extends OperatorError {
  readonly turns: number;
  readonly toolCalls: number;
  readonly tokens: { prompt: number; completion: number };
  readonly modelMs: number;
  readonly toolMs: number;

  constructor(
    message: string,
    usage: {
      turns: number;
      toolCalls: number;
      tokens: { prompt: number; completion: number };
      modelMs?: number;
      toolMs?: number;
    },
    options?: { cause?: unknown },
  ) {
    super('planner_failed', message, options);
    this.turns = usage.turns;
    this.toolCalls = usage.toolCalls;
    this.tokens = usage.tokens;
    this.modelMs = usage.modelMs ?? 0;
    this.toolMs = usage.toolMs ?? 0;
  }
}

/** The report of a plan made without a model: no turns, tokens or model time. */
export function reportWithoutModel(durationMs: number): PlannerReport {
  return {
    planner: 'rules',
    model: null,
    fallbackReason: null,
    turns: 0,
    toolCalls: 0,
    tokens: { prompt: 0, completion: 0 },
    durationMs,
    modelMs: 0,
    toolMs: 0,
  };
}
