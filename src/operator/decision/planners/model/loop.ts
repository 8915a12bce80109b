import { type Clock, systemClock } from '../../../../domain/clock.ts';
import { describeError } from '../../../../domain/errors.ts';
import { callKey, TOOL_SPECS } from '../../../../tools/registry.ts';
import type { ToolSession } from '../../../../tools/session.ts';
import { Limiter } from '../limiter.ts';
import { type PlanContext, type Planner, PlannerFailure, type PlanOutcome } from '../planner.ts';
import {
  capJson,
  correctionMessage,
  FINAL_TURN_INSTRUCTION,
  investigationMessage,
  NO_TOOLS_INSTRUCTION,
  SYSTEM_PROMPT,
  TEXT_TOOL_RESULTS_INTRO,
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
import { checkDraft, DRAFT_FORMAT } from './draft.ts';
import { parseTextToolCalls } from './text-tool-calls.ts';

export type ModelPlannerOptions = {
  chatModel: ChatModel;
  maxTurns: number;
  callTimeoutMs: number;
  toolResultMaxChars: number;
  /** Model calls this planner makes at once (MODEL_CONCURRENCY); the rest wait their turn. */
  maxConcurrentCalls?: number;
  /** `off`: never offer tools (the evidence is in the prompt); `auto`: offer them until refused. */
  tools?: 'auto' | 'off';
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

const TOOL_NAMES: ReadonlySet<string> = new Set(TOOL_SPECS.map((s) => s.name));

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
  /** What had to be worked around, in plain words, once each. */
  notes: string[];
};

/** The assistant turn as it goes back into the conversation. */
function echo(
  turn: AssistantTurn,
  toolCalls: readonly ToolCall[] = turn.toolCalls,
): AssistantMessage {
  return {
    role: 'assistant',
    content: turn.content,
    toolCalls,
    ...(turn.providerState ? { providerState: turn.providerState } : {}),
  };
}

function note(run: Run, text: string): void {
  if (!run.notes.includes(text)) run.notes.push(text);
}

/**
 * A user message; one right after another user message joins it, for chat templates that only
 * accept alternating roles.
 */
function pushUser(run: Run, content: string): void {
  const last = run.messages.at(-1);
  if (last?.role === 'user')
    run.messages[run.messages.length - 1] = { ...last, content: `${last.content}\n\n${content}` };
  else run.messages.push({ role: 'user', content });
}

/**
 * The model planner: a tool-calling loop over any chat model, bounded in turns, time and result
 * size. It only proposes; the policy guard decides afterwards. Provider-neutral: the wire format
 * lives in the ChatModel adapter. It reads only the session it is given and appends to it, so a
 * caller may show a rules brief from the same evidence while this runs.
 */
export class ModelPlanner implements Planner {
  /** The public name, in briefs, JSON output and metric labels. */
  readonly name = 'openai';
  readonly model: string;
  private readonly options: ModelPlannerOptions;
  private readonly chatModel: ChatModel;
  private readonly limiter: Limiter;
  private readonly clock: Clock;
  /** False once tools are switched off or the model refused them: later investigations skip them. */
  private toolsUsable: boolean;

  constructor(options: ModelPlannerOptions) {
    this.options = options;
    this.chatModel = options.chatModel;
    this.model = options.chatModel.model;
    this.clock = options.clock ?? systemClock;
    this.limiter = new Limiter(options.maxConcurrentCalls ?? Number.POSITIVE_INFINITY);
    this.toolsUsable = options.tools !== 'off';
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
      notes: [],
    };
    const maxTurns = Math.max(1, this.options.maxTurns);

    for (let turn = 1; turn <= maxTurns; turn++) {
      const lastTurn = turn === maxTurns;
      if (lastTurn) pushUser(run, FINAL_TURN_INSTRUCTION);
      else if (!this.toolsUsable) this.withoutTools(run);
      const offered = !lastTurn && this.toolsUsable;
      const completion = await this.complete(run, offered);
      // Tools refused on this very turn: it was answered without them.
      const toolsOffered = offered && this.toolsUsable;
      const answer = completion.turn;
      refuseRefusals(run, answer);
      let calls = answer.toolCalls;
      let written = false;
      if (calls.length === 0 && toolsOffered) {
        calls = parseTextToolCalls(answer.content, TOOL_NAMES).map((c, i) => ({
          id: `text_${turn}_${i + 1}`,
          ...c,
        }));
        written = calls.length > 0;
        if (written) note(run, 'the model wrote its tool calls as text: they were read from it');
      }
      if (calls.length === 0) return this.finish(run, answer, started);
      run.usage.toolCalls += calls.length;
      if (!toolsOffered)
        throw fail(
          run,
          lastTurn
            ? `model kept calling tools after ${maxTurns} turns, on a turn that offered none`
            : 'model called tools on a turn that offered none',
        );
      // Calls read from text go back as text: the server never saw them as calls.
      run.messages.push(echo(answer, written ? [] : calls));
      const toolsStarted = performance.now();
      const results = await Promise.all(calls.map((call) => this.runTool(run, call)));
      run.usage.toolMs += performance.now() - toolsStarted;
      if (written)
        pushUser(
          run,
          `${TEXT_TOOL_RESULTS_INTRO}\n${results.map((r, i) => `${calls[i]?.name}(${calls[i]?.arguments}) → ${r.content}`).join('\n')}`,
        );
      else run.messages.push(...results);
    }
    throw fail(run, 'model loop ended without an answer');
  }

  /** Tools are off: the opening message says to answer from the evidence it holds. */
  private withoutTools(run: Run): void {
    const last = run.messages.at(-1);
    if (last?.role === 'user' && last.content.endsWith(NO_TOOLS_INSTRUCTION)) return;
    pushUser(run, NO_TOOLS_INSTRUCTION);
  }

  /** Validates the answer; an invalid one gets one chance to be corrected, without tools. */
  private async finish(run: Run, first: AssistantTurn, started: number): Promise<PlanOutcome> {
    const { context, usage } = run;
    let answer = first;
    let check = checkDraft(answer.content, context.session);
    for (let retry = 0; !check.ok && retry < MODEL_LOOP_LIMITS.validationRetries; retry++) {
      run.messages.push(echo(answer, []));
      const problems =
        answer.finish === 'length'
          ? [
              'the answer was cut off at the output limit; send the JSON again, shorter',
              ...check.problems.slice(0, 1),
            ]
          : check.problems;
      pushUser(run, correctionMessage(problems));
      answer = (await this.complete(run, false)).turn;
      refuseRefusals(run, answer);
      if (answer.toolCalls.length) {
        usage.toolCalls += answer.toolCalls.length;
        throw fail(run, 'model output invalid: it called tools when asked for corrected JSON');
      }
      check = checkDraft(answer.content, context.session);
    }
    if (!check.ok) {
      if (answer.finish === 'length')
        throw fail(
          run,
          'model answer cut off at the output limit (finish_reason length): raise OPENAI_MAX_COMPLETION_TOKENS, or leave it unset',
        );
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
      notes: [...run.notes],
    };
  }

  /**
   * One turn: a model call, retried once when the error is transient (429, 5xx, connection), and
   * sent again without tools when the model refuses them (the evidence is already in the prompt).
   */
  private async complete(run: Run, offerTools: boolean): Promise<ChatCompletion> {
    const { context, usage } = run;
    if (context.signal.aborted)
      throw fail(run, 'investigation deadline passed before the model was called');
    usage.turns++;
    let tools = offerTools;
    for (let attempt = 0; ; ) {
      const request: ChatRequest = {
        messages: [...run.messages],
        tools: tools ? context.toolbox.offeredTools(context.scope.servers.map((s) => s.id)) : [],
        answer: DRAFT_FORMAT,
      };
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
        for (const text of completion.notes) note(run, text);
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
        if (problem.refused === 'tools' && tools) {
          this.toolsUsable = false;
          tools = false;
          note(
            run,
            `${problem.message}: retried without tools, from the evidence already gathered (set OPENAI_TOOLS=off to skip the first attempt)`,
          );
          this.withoutTools(run);
          continue;
        }
        if (!problem.retryable || attempt >= MODEL_LOOP_LIMITS.transientRetries)
          throw fail(
            run,
            attempt > 0 ? `${problem.message} (after a retry)` : problem.message,
            error,
          );
        // A server that asks for a longer wait than the bot will spend would refuse an earlier
        // retry too (Azure's "retry after 60 seconds", Gemini's RetryInfo): fall back now.
        if (
          problem.retryAfterMs !== null &&
          problem.retryAfterMs > MODEL_LOOP_LIMITS.maxRetryAfterMs
        )
          throw fail(
            run,
            `${problem.message} (it asks to wait ${Math.ceil(problem.retryAfterMs / 1000)} s; the bot waits at most ${MODEL_LOOP_LIMITS.maxRetryAfterMs / 1000} s, so the rules planner answered now)`,
            error,
          );
        attempt++;
        const waitMs = problem.retryAfterMs ?? MODEL_LOOP_LIMITS.defaultRetryAfterMs;
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

/** A model that declined to answer, or a provider that stopped it, is a failure with its words. */
function refuseRefusals(run: Run, answer: AssistantTurn): void {
  if (answer.refusal) throw fail(run, `model refused to answer: "${answer.refusal.slice(0, 200)}"`);
  if (answer.finish === 'content_filter' && !answer.content.trim() && answer.toolCalls.length === 0)
    throw fail(
      run,
      "the provider's content filter stopped the model's answer (finish_reason content_filter)",
    );
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
