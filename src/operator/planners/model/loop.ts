import { type Clock, systemClock } from '../../../domain/clock.ts';
import { describeError } from '../../../domain/errors.ts';
import { callKey, TOOL_SPECS } from '../../../tools/registry.ts';
import type { ToolSession } from '../../../tools/session.ts';
import { Limiter } from '../limiter.ts';
import { type PlanContext, type Planner, PlannerFailure, type PlanOutcome } from '../planner.ts';
import {
  capJson,
  correctionMessage,
  FINAL_TURN_INSTRUCTION,
  investigationMessage,
  SYSTEM_PROMPT,
} from '../prompt.ts';
import {
  type AssistantMessage,
  type AssistantTurn,
  type ChatCompletion,
  type ChatMessage,
  type ChatModel,
  type ChatRequest,
  ModelCallError,
  type ToolCall,
  type ToolMessage,
} from './chat-model.ts';
import { checkDraft } from './draft.ts';

export type ModelPlannerOptions = {
  chatModel: ChatModel;
  maxTurns: number;
  callTimeoutMs: number;
  toolResultMaxChars: number;
  /** Model calls this planner makes at once (MODEL_CONCURRENCY); the rest wait their turn. */
  maxConcurrentCalls?: number;
  /** Waits before a retry follow this clock. */
  clock?: Clock;
};

/** Bounds of the model loop that are not configuration. */
export const MODEL_LOOP_LIMITS = {
  /** Attempts per turn beyond the first, for 429, 5xx and connection errors. */
  transientRetries: 1,
  /** Wait before that retry when the server gives no Retry-After. */
  defaultRetryAfterMs: 1_000,
  /** Never wait longer than this, whatever the server asks. */
  maxRetryAfterMs: 5_000,
  /** Corrected answers asked for after an invalid final answer. */
  validationRetries: 1,
  /** Validation problems quoted in a fallback reason; the brief needs the gist, not all of them. */
  problemsInReason: 3,
} as const;

type Usage = {
  turns: number;
  toolCalls: number;
  tokens: { prompt: number; completion: number };
  modelMs: number;
  toolMs: number;
};

/** What one investigation's loop carries from turn to turn. */
type Run = {
  context: PlanContext;
  messages: ChatMessage[];
  usage: Usage;
  /** Calls made so far (prefetch included), each resolving to the evidence it produced. */
  seen: Map<string, Promise<string | null>>;
};

/** The assistant turn as it goes back into the conversation. */
function echo(turn: AssistantTurn): AssistantMessage {
  return {
    role: 'assistant',
    content: turn.content,
    toolCalls: turn.toolCalls,
    ...(turn.providerState ? { providerState: turn.providerState } : {}),
  };
}

/**
 * The model planner: a tool-calling loop over any chat model, bounded in turns, time and result
 * size. It only proposes; the policy guard decides afterwards. Provider-neutral: the wire format
 * lives in the ChatModel adapter.
 */
export class ModelPlanner implements Planner {
  /** The public name, in briefs, JSON output and metric labels. */
  readonly name = 'openai';
  readonly model: string;
  private readonly options: ModelPlannerOptions;
  private readonly chatModel: ChatModel;
  private readonly limiter: Limiter;
  private readonly clock: Clock;

  constructor(options: ModelPlannerOptions) {
    this.options = options;
    this.chatModel = options.chatModel;
    this.model = options.chatModel.model;
    this.clock = options.clock ?? systemClock;
    this.limiter = new Limiter(options.maxConcurrentCalls ?? Number.POSITIVE_INFINITY);
  }

  async plan(context: PlanContext): Promise<PlanOutcome> {
    const started = performance.now();
    const run: Run = {
      context,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: investigationMessage(context, this.options.toolResultMaxChars) },
      ],
      usage: {
        turns: 0,
        toolCalls: 0,
        tokens: { prompt: 0, completion: 0 },
        modelMs: 0,
        toolMs: 0,
      },
      seen: seenCalls(context.session),
    };
    const maxTurns = Math.max(1, this.options.maxTurns);

    for (let turn = 1; turn <= maxTurns; turn++) {
      const lastTurn = turn === maxTurns;
      if (lastTurn) run.messages.push({ role: 'user', content: FINAL_TURN_INSTRUCTION });
      const { turn: answer } = await this.complete(run, lastTurn ? [] : TOOL_SPECS);
      if (answer.toolCalls.length === 0) return this.finish(run, answer, started);
      run.usage.toolCalls += answer.toolCalls.length;
      if (lastTurn)
        throw fail(
          run,
          `model kept calling tools after ${maxTurns} turns, on a turn that offered none`,
        );
      run.messages.push(echo(answer));
      const toolsStarted = performance.now();
      const results = await Promise.all(answer.toolCalls.map((call) => this.runTool(run, call)));
      run.usage.toolMs += performance.now() - toolsStarted;
      run.messages.push(...results);
    }
    throw fail(run, 'model loop ended without an answer');
  }

  /** Validates the answer; an invalid one gets one chance to be corrected, without tools. */
  private async finish(run: Run, first: AssistantTurn, started: number): Promise<PlanOutcome> {
    const { context, usage } = run;
    let answer = first;
    let check = checkDraft(answer.content, context.session);
    for (let retry = 0; !check.ok && retry < MODEL_LOOP_LIMITS.validationRetries; retry++) {
      run.messages.push(echo(answer));
      run.messages.push({ role: 'user', content: correctionMessage(check.problems) });
      answer = (await this.complete(run, [])).turn;
      if (answer.toolCalls.length) {
        usage.toolCalls += answer.toolCalls.length;
        throw fail(run, 'model output invalid: it called tools when asked for corrected JSON');
      }
      check = checkDraft(answer.content, context.session);
    }
    if (!check.ok) {
      const shown = check.problems.slice(0, MODEL_LOOP_LIMITS.problemsInReason);
      const more = check.problems.length - shown.length;
      throw fail(
        run,
        `model output invalid: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
      );
    }
    return {
      draft: check.draft,
      report: {
        planner: this.name,
        model: this.model,
        fallbackReason: null,
        turns: usage.turns,
        toolCalls: usage.toolCalls,
        tokens: { ...usage.tokens },
        durationMs: performance.now() - started,
        modelMs: usage.modelMs,
        toolMs: usage.toolMs,
      },
    };
  }

  /** One turn: a model call, retried once when the error is transient (429, 5xx, connection). */
  private async complete(run: Run, tools: ChatRequest['tools']): Promise<ChatCompletion> {
    const { context, usage } = run;
    if (context.signal.aborted)
      throw fail(run, 'investigation deadline passed before the model was called');
    usage.turns++;
    const request: ChatRequest = { messages: [...run.messages], tools };
    for (let attempt = 0; ; attempt++) {
      try {
        const completion = await this.limiter.run(async () => {
          const sent = performance.now();
          try {
            return await this.chatModel.complete(request, {
              signal: context.signal,
              timeoutMs: this.options.callTimeoutMs,
            });
          } finally {
            usage.modelMs += performance.now() - sent;
          }
        }, context.signal);
        usage.tokens.prompt += completion.usage.promptTokens;
        usage.tokens.completion += completion.usage.completionTokens;
        return completion;
      } catch (error) {
        if (context.signal.aborted)
          throw fail(run, 'investigation deadline passed while waiting for the model');
        const problem =
          error instanceof ModelCallError
            ? error
            : new ModelCallError('invalid_response', `model call failed: ${describeError(error)}`, {
                cause: error,
              });
        if (!problem.retryable || attempt >= MODEL_LOOP_LIMITS.transientRetries)
          throw fail(
            run,
            attempt > 0 ? `${problem.message} (after a retry)` : problem.message,
            error,
          );
        const waitMs = Math.min(
          problem.retryAfterMs ?? MODEL_LOOP_LIMITS.defaultRetryAfterMs,
          MODEL_LOOP_LIMITS.maxRetryAfterMs,
        );
        // A wait that would outlast the deadline is not worth starting: fall back now.
        if (this.clock.now().getTime() + waitMs >= context.deadlineAt)
          throw fail(
            run,
            `${problem.message}; its Retry-After outlasts the investigation deadline`,
            error,
          );
        try {
          // Aborting with the deadline caps the wait at the time left.
          await this.clock.sleep(waitMs, context.signal);
        } catch {
          throw fail(
            run,
            `investigation deadline passed while waiting to retry (${problem.message})`,
          );
        }
      }
    }
  }

  private async runTool(run: Run, call: ToolCall): Promise<ToolMessage> {
    const { context, seen } = run;
    const reply = (value: Record<string, unknown>): ToolMessage => ({
      role: 'tool',
      toolCallId: call.id,
      name: call.name,
      // Always JSON, never longer than the cap.
      content: capJson(value, this.options.toolResultMaxChars),
    });
    const { name } = call;
    let args: unknown;
    try {
      // Some endpoints send an empty string for a call without arguments.
      args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch (error) {
      return reply({
        error: `arguments of ${name} are not valid JSON (${describeError(error)}); send a JSON object matching the tool's parameters`,
      });
    }
    const key = callKey(name, args);
    const earlier = seen.get(key);
    if (earlier) {
      const evidenceId = await earlier;
      return reply({
        error: `refused: identical call already made; ${evidenceId ? `see evidence ${evidenceId}` : 'its result is above'}`,
      });
    }
    const outcome = context.toolbox.call(context.session, name, args, context.signal);
    // Failed calls produce evidence too (the error); the session's record knows its id.
    const evidenceOf = () =>
      context.session.calls.findLast((c) => callKey(c.tool, c.args) === key)?.evidenceId ?? null;
    seen.set(key, outcome.then(evidenceOf, evidenceOf));
    try {
      const result = await outcome;
      return reply(result.ok ? result.content : { error: result.error });
    } catch (error) {
      return reply({ error: `${name} failed: ${describeError(error)}` });
    }
  }
}

/** A failure carrying what the loop consumed, for honest accounting in the fallback's report. */
function fail(run: Run, reason: string, cause?: unknown): PlannerFailure {
  const { usage } = run;
  return new PlannerFailure(
    reason,
    { ...usage, tokens: { ...usage.tokens } },
    cause === undefined ? undefined : { cause },
  );
}

/** Calls already made this investigation (prefetch included), each resolving to the evidence it produced. */
function seenCalls(session: ToolSession): Map<string, Promise<string | null>> {
  return new Map(
    session.calls.map((c) => [callKey(c.tool, c.args), Promise.resolve(c.evidenceId)]),
  );
}
