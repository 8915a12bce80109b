import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionFunctionTool,
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionToolMessageParam,
} from 'openai/resources/chat/completions';
import { PlannerDraft } from '../../domain/brief.ts';
import { describeError } from '../../tools/errors.ts';
import { retryAfterMs } from '../../tools/http.ts';
import { callKey, TOOL_SPECS, ToolName } from '../../tools/registry.ts';
import type { ToolSession } from '../../tools/session.ts';
import { Limiter } from './limiter.ts';
import { type PlanContext, type Planner, PlannerFailure, type PlanOutcome } from './planner.ts';
import {
  capJson,
  correctionMessage,
  FINAL_TURN_INSTRUCTION,
  investigationMessage,
  SYSTEM_PROMPT,
} from './prompt.ts';

export type OpenAiPlannerOptions = {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  maxTurns: number;
  callTimeoutMs: number;
  toolResultMaxChars: number;
  /** Model calls this planner makes at once (MODEL_CONCURRENCY); the rest wait their turn. */
  maxConcurrentCalls?: number;
  fetch?: typeof fetch;
};

/** Bounds of the model loop that are not configuration. */
export const OPENAI_PLANNER_LIMITS = {
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
  /** Characters of a provider error message quoted in a failure reason. */
  errorMessageChars: 200,
} as const;

type Usage = {
  turns: number;
  toolCalls: number;
  tokens: { prompt: number; completion: number };
  modelMs: number;
  toolMs: number;
};

/** The tools as function definitions, derived from the registry. */
export const TOOL_DEFINITIONS: ChatCompletionFunctionTool[] = TOOL_SPECS.map((spec) => ({
  type: 'function',
  function: { name: spec.name, description: spec.description, parameters: spec.parameters },
}));

type CallProblem = { reason: string; retryable: boolean; waitMs: number };

function diagnose(error: unknown, callTimeoutMs: number): CallProblem {
  const wait = (headers?: Headers) =>
    Math.min(
      retryAfterMs(headers) ?? OPENAI_PLANNER_LIMITS.defaultRetryAfterMs,
      OPENAI_PLANNER_LIMITS.maxRetryAfterMs,
    );
  // The timeout error is a connection error too; it is checked first because it is not retried.
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return {
      reason: `model call timed out after ${callTimeoutMs} ms`,
      retryable: false,
      waitMs: 0,
    };
  if (error instanceof OpenAI.APIUserAbortError)
    return { reason: 'model call was aborted', retryable: false, waitMs: 0 };
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause instanceof Error ? (error.cause.cause ?? error.cause) : null;
    const detail = cause ? `: ${describeError(cause)}` : '';
    return {
      reason: `could not connect to the model endpoint${detail}`,
      retryable: true,
      waitMs: wait(),
    };
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const { status } = error;
    if (status === 429)
      return {
        reason: 'model rate-limited (HTTP 429)',
        retryable: true,
        waitMs: wait(error.headers),
      };
    if (status >= 500)
      return {
        reason: `model returned HTTP ${status}`,
        retryable: true,
        waitMs: wait(error.headers),
      };
    if (status === 401 || status === 403)
      return {
        reason: `model endpoint refused the API key (HTTP ${status})`,
        retryable: false,
        waitMs: 0,
      };
    const message = error.message.slice(0, OPENAI_PLANNER_LIMITS.errorMessageChars);
    return { reason: `model returned HTTP ${status}: ${message}`, retryable: false, waitMs: 0 };
  }
  return { reason: `model call failed: ${describeError(error)}`, retryable: false, waitMs: 0 };
}

/** The JSON inside an answer, with or without a markdown fence or a sentence around it. */
function extractJson(content: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  if (fenced?.[1] !== undefined) return fenced[1].trim();
  const text = content.trim();
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return !text.startsWith('{') && start >= 0 && end > start ? text.slice(start, end + 1) : text;
}

type DraftCheck = { ok: true; draft: PlannerDraft } | { ok: false; problems: string[] };

/** The model's final answer as a draft, or every reason it cannot be one. */
export function checkDraft(content: string | null, session: ToolSession): DraftCheck {
  if (!content?.trim()) return { ok: false, problems: ['the answer was empty; send the JSON'] };
  let json: unknown;
  try {
    json = JSON.parse(extractJson(content));
  } catch (error) {
    return { ok: false, problems: [`the answer is not valid JSON (${describeError(error)})`] };
  }
  const parsed = PlannerDraft.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`),
    };
  const draft = parsed.data;
  const problems: string[] = [];
  const known = session.evidence.map((e) => e.id);
  draft.facts.forEach((fact, i) => {
    for (const id of fact.evidence)
      if (!session.find(id))
        problems.push(
          `facts.${i}.evidence: ${id} does not exist (evidence ids: ${known.join(', ') || 'none'})`,
        );
  });
  if (draft.action === 'restart' && !draft.restartServer?.trim())
    problems.push('restartServer: required when action is "restart" (the server id to restart)');
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    draft: draft.action === 'restart' ? draft : { ...draft, restartServer: null },
  };
}

/** Only what the protocol needs; some compatible servers reject fields they do not know. */
function assistantEcho(message: ChatCompletionMessage): ChatCompletionAssistantMessageParam {
  const calls = (message.tool_calls ?? []).map(
    (call): ChatCompletionMessageToolCall =>
      call.type === 'function'
        ? {
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: call.function.arguments },
          }
        : call,
  );
  return {
    role: 'assistant',
    content: message.content ?? null,
    ...(calls.length ? { tool_calls: calls } : {}),
  };
}

/**
 * The model planner: a function-calling loop over any OpenAI-compatible chat completions endpoint,
 * bounded in turns, time and result size. It only proposes; the policy guard decides afterwards.
 */
export class OpenAiPlanner implements Planner {
  readonly name = 'openai';
  readonly model: string;
  private readonly options: OpenAiPlannerOptions;
  private readonly client: OpenAI;
  private readonly limiter: Limiter;

  constructor(options: OpenAiPlannerOptions) {
    this.model = options.model;
    this.options = options;
    this.limiter = new Limiter(options.maxConcurrentCalls ?? Number.POSITIVE_INFINITY);
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      fetch: options.fetch,
      // Retries are ours: once, bounded by the deadline, and never for timeouts.
      maxRetries: 0,
    });
  }

  async plan(context: PlanContext): Promise<PlanOutcome> {
    const started = performance.now();
    const usage: Usage = {
      turns: 0,
      toolCalls: 0,
      tokens: { prompt: 0, completion: 0 },
      modelMs: 0,
      toolMs: 0,
    };
    const fail = (reason: string, cause?: unknown): PlannerFailure =>
      new PlannerFailure(
        reason,
        { ...usage, tokens: { ...usage.tokens } },
        cause === undefined ? undefined : { cause },
      );
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      {
        role: 'user',
        content: investigationMessage(context, this.options.toolResultMaxChars),
      },
    ];
    const calls = this.seenCalls(context.session);
    const maxTurns = Math.max(1, this.options.maxTurns);

    for (let turn = 1; turn <= maxTurns; turn++) {
      const lastTurn = turn === maxTurns;
      if (lastTurn) messages.push({ role: 'user', content: FINAL_TURN_INSTRUCTION });
      const message = await this.complete(messages, !lastTurn, context, usage, fail);
      const toolCalls = message.tool_calls ?? [];
      if (toolCalls.length === 0)
        return this.finish(message, messages, context, usage, started, fail);
      usage.toolCalls += toolCalls.length;
      if (lastTurn)
        throw fail(`model kept calling tools after ${maxTurns} turns, on a turn that offered none`);
      messages.push(assistantEcho(message));
      const toolsStarted = performance.now();
      const results = await Promise.all(
        toolCalls.map((call) => this.runTool(call, calls, context)),
      );
      usage.toolMs += performance.now() - toolsStarted;
      messages.push(...results);
    }
    throw fail('model loop ended without an answer');
  }

  /** Validates the answer; an invalid one gets one chance to be corrected, without tools. */
  private async finish(
    first: ChatCompletionMessage,
    messages: ChatCompletionMessageParam[],
    context: PlanContext,
    usage: Usage,
    started: number,
    fail: (reason: string, cause?: unknown) => PlannerFailure,
  ): Promise<PlanOutcome> {
    let message = first;
    let check = checkDraft(message.content, context.session);
    for (let retry = 0; !check.ok && retry < OPENAI_PLANNER_LIMITS.validationRetries; retry++) {
      messages.push(assistantEcho(message));
      messages.push({ role: 'user', content: correctionMessage(check.problems) });
      message = await this.complete(messages, false, context, usage, fail);
      if (message.tool_calls?.length) {
        usage.toolCalls += message.tool_calls.length;
        throw fail('model output invalid: it called tools when asked for corrected JSON');
      }
      check = checkDraft(message.content, context.session);
    }
    if (!check.ok) {
      const shown = check.problems.slice(0, OPENAI_PLANNER_LIMITS.problemsInReason);
      const more = check.problems.length - shown.length;
      throw fail(
        `model output invalid: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
      );
    }
    return {
      draft: check.draft,
      report: {
        planner: 'openai',
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

  /** One turn: a model call, retried once on 429, 5xx or a connection error. */
  private async complete(
    messages: ChatCompletionMessageParam[],
    offerTools: boolean,
    context: PlanContext,
    usage: Usage,
    fail: (reason: string, cause?: unknown) => PlannerFailure,
  ): Promise<ChatCompletionMessage> {
    const deadlinePassed = (what: string) => fail(`investigation deadline passed ${what}`);
    if (context.signal.aborted) throw deadlinePassed('before the model was called');
    usage.turns++;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.limiter.run(async () => {
          const sent = performance.now();
          try {
            return await this.client.chat.completions.create(
              {
                model: this.model,
                messages,
                ...(offerTools ? { tools: TOOL_DEFINITIONS } : {}),
              },
              { signal: context.signal, timeout: this.options.callTimeoutMs, maxRetries: 0 },
            );
          } finally {
            usage.modelMs += performance.now() - sent;
          }
        }, context.signal);
        usage.tokens.prompt += response.usage?.prompt_tokens ?? 0;
        usage.tokens.completion += response.usage?.completion_tokens ?? 0;
        const message = Array.isArray(response.choices) ? response.choices[0]?.message : undefined;
        if (!message) throw fail('model returned a response without a message');
        return message;
      } catch (error) {
        if (error instanceof PlannerFailure) throw error;
        if (context.signal.aborted) throw deadlinePassed('while waiting for the model');
        const problem = diagnose(error, this.options.callTimeoutMs);
        if (!problem.retryable || attempt >= OPENAI_PLANNER_LIMITS.transientRetries)
          throw fail(attempt > 0 ? `${problem.reason} (after a retry)` : problem.reason, error);
        // A wait that would outlast the deadline is not worth starting: fall back now.
        if (Date.now() + problem.waitMs >= context.deadlineAt)
          throw fail(
            `${problem.reason}; its Retry-After outlasts the investigation deadline`,
            error,
          );
        try {
          // Aborting with the deadline caps the wait at the time left.
          await sleep(problem.waitMs, undefined, { signal: context.signal });
        } catch {
          throw deadlinePassed(`while waiting to retry (${problem.reason})`);
        }
      }
    }
  }

  /** Calls already made this investigation (prefetch included), each resolving to the evidence it produced. */
  private seenCalls(session: ToolSession): Map<string, Promise<string | null>> {
    return new Map(
      session.calls.map((c) => [callKey(c.tool, c.args), Promise.resolve(c.evidenceId)]),
    );
  }

  private async runTool(
    call: ChatCompletionMessageToolCall,
    seen: Map<string, Promise<string | null>>,
    context: PlanContext,
  ): Promise<ChatCompletionToolMessageParam> {
    const reply = (value: Record<string, unknown>): ChatCompletionToolMessageParam => ({
      role: 'tool',
      tool_call_id: call.id,
      // Always JSON, never longer than the cap.
      content: capJson(value, this.options.toolResultMaxChars),
    });
    if (call.type !== 'function')
      return reply({
        error: `only function tools exist; available: ${ToolName.options.join(', ')}`,
      });
    // Compatible servers are not all strict about the shape; a missing field is an empty one.
    const name = call.function?.name ?? '';
    const rawArguments = call.function?.arguments ?? '';
    let args: unknown;
    try {
      // Some endpoints send an empty string for a call without arguments.
      args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
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
