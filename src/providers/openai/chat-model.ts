import OpenAI, { AzureOpenAI } from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { ChatCompletionStream } from 'openai/lib/ChatCompletionStream';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { Stream } from 'openai/streaming';
import type { StructuredOutputMode } from '../../config/model.ts';
import { type Clock, systemClock } from '../../domain/clock.ts';
import type {
  AnswerFormat,
  CallOptions,
  ChatCompletion,
  ChatModel,
  ChatRequest,
} from '../../operator/decision/planners/model/chat-model.ts';
import { ModelCallError } from '../../operator/decision/planners/model/chat-model.ts';
import { displayUrl } from '../../tools/http.ts';
import type { ToolSpec } from '../../tools/registry.ts';
import { failedGeneration, type Hints, refusedFeature, toModelCallError } from './errors.ts';
import { type MessageLayout, parseCompletion, StreamRepair, toWire } from './wire.ts';

export type OpenAiChatModelOptions = {
  model: string;
  /** Unset: api.openai.com. A local server needs no key. */
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  /** Set ⇒ Azure OpenAI through the SDK's AzureOpenAI client (`api-key` header, api-version). */
  azureApiVersion?: string | undefined;
  defaultHeaders?: Record<string, string> | undefined;
  /** Stream the answer (stream-only servers), accumulated by the SDK's stream helper. */
  stream?: boolean | undefined;
  reasoningEffort?: string | undefined;
  maxCompletionTokens?: number | undefined;
  /** How the final answer's schema is sent; unset = not at all. */
  structuredOutput?: StructuredOutputMode | undefined;
  fetch?: typeof fetch;
  clock?: Clock;
};

/** The tool a model calls to hand in its answer when OPENAI_STRUCTURED_OUTPUT=tool. */
export const SUBMIT_TOOL = 'submit_brief';

/** Tools as chat-completions function definitions. */
export function functionTools(specs: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return specs.map((spec) => ({
    type: 'function',
    function: { name: spec.name, description: spec.description, parameters: spec.parameters },
  }));
}

/** An Entra ID access token is a JWT; a resource key is not. */
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;

function createClient(options: OpenAiChatModelOptions): OpenAI {
  const common = {
    ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // Retries are the loop's: once, bounded by the deadline, and never for timeouts.
    maxRetries: 0,
  };
  if (options.azureApiVersion) {
    const key = options.apiKey ?? '';
    const credential = JWT.test(key) ? { azureADTokenProvider: async () => key } : { apiKey: key };
    // A URL with a path (…/openai or …/openai/deployments/<name>) is the client's base URL; a bare
    // resource endpoint gets /openai added by the SDK.
    const url = new URL(options.baseURL ?? '');
    const where =
      url.pathname.replace(/\/+$/, '') === ''
        ? { endpoint: url.origin }
        : { baseURL: options.baseURL };
    return new AzureOpenAI({
      apiVersion: options.azureApiVersion,
      ...credential,
      ...where,
      ...common,
    });
  }
  return new OpenAI({
    // The SDK insists on a key; a local server without one ignores whatever is sent.
    apiKey: options.apiKey ?? 'no-key',
    baseURL: options.baseURL,
    ...common,
  });
}

/** Plain objects: the SDK's parseable wrappers would make its stream helper parse the content itself. */
function responseFormat(answer: AnswerFormat) {
  const { type, json_schema } = zodResponseFormat(answer.schema, answer.name);
  return { type, json_schema: { ...json_schema, description: answer.description } };
}

function submitTool(answer: AnswerFormat): ChatCompletionFunctionTool {
  const made = zodFunction({
    name: SUBMIT_TOOL,
    parameters: answer.schema,
    description: `Hand in your final answer: ${answer.description}`,
  });
  return { type: made.type, function: { ...made.function } };
}

type Params = ChatCompletionCreateParamsNonStreaming;

/**
 * The chat-model port over any OpenAI-compatible chat completions endpoint, through the official
 * SDK. It tolerates the harmless differences between servers, learns what a server refuses (a
 * system message, a user message after tool results, response_format) and retries without it,
 * and turns every failure into a ModelCallError that quotes the server. This folder is the only
 * place that imports the `openai` package.
 */
export class OpenAiChatModel implements ChatModel {
  readonly model: string;
  private readonly options: OpenAiChatModelOptions;
  private readonly client: OpenAI;
  private readonly clock: Clock;
  private readonly hints: Hints;
  private readonly layout: MessageLayout;
  private responseFormatUsable: boolean;
  /** Optional fields this server refused, learned once each. */
  private readonly refusedFields = new Set<
    'reasoning_effort' | 'max_completion_tokens' | 'stream_options'
  >();

  constructor(options: OpenAiChatModelOptions) {
    this.model = options.model;
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.client = createClient(options);
    const endpoint = displayUrl(this.client.baseURL);
    this.hints = { endpoint, azure: Boolean(options.azureApiVersion) };
    // Mistral's API refuses a user message right after tool results ("Unexpected role 'user' after
    // role 'tool'", avante-corp/avante.nvim#2562); elsewhere it is learned from the refusal.
    const mistral = /(^|\.)mistral\.ai$/.test(new URL(this.client.baseURL).hostname);
    this.layout = { systemRole: true, userAfterTool: !mistral };
    this.responseFormatUsable = true;
  }

  /** The endpoint as safe to show. */
  get endpoint(): string {
    return this.hints.endpoint;
  }

  /** Model ids the endpoint lists (GET /models), for model-check; throws like a turn would. */
  async listModels(options: CallOptions): Promise<string[]> {
    try {
      const page = await this.client.models.list({
        signal: options.signal,
        timeout: options.timeoutMs,
        maxRetries: 0,
      });
      return page.data.map((m) => m.id);
    } catch (error) {
      throw this.mapError(error, options);
    }
  }

  async complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    const notes: string[] = [];
    // Each refusal of a layout or feature is learned once, so a few attempts always suffice.
    for (let attempt = 0; ; attempt++) {
      const params = this.params(request);
      try {
        const { turn, usage } = parseCompletion(await this.send(params, options, notes));
        return { turn: this.unwrapSubmission(turn, notes), usage, notes };
      } catch (error) {
        const recovered = failedGeneration(error);
        if (recovered !== null) {
          // Groq could not parse the model's tool call and says what the model wrote; the loop
          // reads tool calls written as text (console.groq.com/docs/tool-use, code tool_use_failed).
          notes.push('the server could not read the model’s tool call; it was read from its text');
          return {
            turn: {
              role: 'assistant',
              content: recovered,
              toolCalls: [],
              finish: 'stop',
              refusal: null,
            },
            usage: { promptTokens: 0, completionTokens: 0 },
            notes,
          };
        }
        const mapped = this.mapError(error, options);
        if (attempt < 6 && this.learn(mapped, params, notes)) continue;
        throw mapped;
      }
    }
  }

  private mapError(error: unknown, options: CallOptions): ModelCallError {
    return toModelCallError(error, {
      timeoutMs: options.timeoutMs,
      nowMs: this.clock.now().getTime(),
      hints: this.hints,
    });
  }

  /** Adjusts to a refusal this adapter can work around; true when the request should be sent again. */
  private learn(error: ModelCallError, sent: Params, notes: string[]): boolean {
    if (error.kind !== 'bad_request' && error.kind !== 'server') return false;
    switch (refusedFeature(error.serverMessage)) {
      case 'system_role':
        if (!this.layout.systemRole) return false;
        this.layout.systemRole = false;
        notes.push(
          'the server refuses a system message: the instructions went into the first user message',
        );
        return true;
      case 'user_after_tool':
        if (!this.layout.userAfterTool) return false;
        this.layout.userAfterTool = false;
        notes.push(
          'the server refuses a user message after tool results: the instruction went into the last tool result',
        );
        return true;
      case 'response_format':
        if (this.options.structuredOutput !== 'auto' || !sent.response_format) return false;
        this.responseFormatUsable = false;
        notes.push(
          'the server refuses response_format (structured output): sent without it (set OPENAI_STRUCTURED_OUTPUT=off)',
        );
        return true;
      case 'reasoning_effort':
        if (!sent.reasoning_effort || this.refusedFields.has('reasoning_effort')) return false;
        this.refusedFields.add('reasoning_effort');
        notes.push(
          'the server refuses reasoning_effort: sent without it (unset OPENAI_REASONING_EFFORT)',
        );
        return true;
      case 'max_completion_tokens':
        if (!sent.max_completion_tokens || this.refusedFields.has('max_completion_tokens'))
          return false;
        this.refusedFields.add('max_completion_tokens');
        notes.push(
          'the server refuses max_completion_tokens: the cap was sent as max_tokens, the older name',
        );
        return true;
      case 'stream_options':
        if (!this.options.stream || this.refusedFields.has('stream_options')) return false;
        this.refusedFields.add('stream_options');
        notes.push('the server refuses stream_options: streamed without usage figures');
        return true;
      default:
        return false;
    }
  }

  private params(request: ChatRequest): Params {
    const { options } = this;
    const mode = options.structuredOutput ?? 'off';
    const tools: ChatCompletionTool[] = functionTools(request.tools);
    let extra: Partial<Params> = {};
    if (request.answer && mode === 'tool') {
      tools.push(submitTool(request.answer));
      // On a turn that offers no other tool, the only way to answer is to hand the brief in.
      if (request.tools.length === 0)
        extra = { tool_choice: { type: 'function', function: { name: SUBMIT_TOOL } } };
    } else if (
      request.answer &&
      request.tools.length === 0 &&
      (mode === 'json_schema' || (mode === 'auto' && this.responseFormatUsable))
    )
      extra = { response_format: responseFormat(request.answer) };
    return {
      model: this.model,
      messages: toWire(request.messages, this.layout),
      ...(tools.length ? { tools } : {}),
      ...extra,
      ...(options.reasoningEffort && !this.refusedFields.has('reasoning_effort')
        ? { reasoning_effort: options.reasoningEffort as Params['reasoning_effort'] }
        : {}),
      ...(options.maxCompletionTokens
        ? this.refusedFields.has('max_completion_tokens')
          ? { max_tokens: options.maxCompletionTokens }
          : { max_completion_tokens: options.maxCompletionTokens }
        : {}),
    };
  }

  /** In tool mode the answer arrives as a call of submit_brief: it becomes the turn's text. */
  private unwrapSubmission(turn: ChatCompletion['turn'], notes: string[]): ChatCompletion['turn'] {
    const submitted = turn.toolCalls.find((c) => c.name === SUBMIT_TOOL);
    if (!submitted) return turn;
    if (turn.toolCalls.length > 1)
      notes.push(
        'the model handed in its answer together with other tool calls; those were not run',
      );
    return { ...turn, content: submitted.arguments, toolCalls: [], finish: 'stop' };
  }

  /** One request, streamed or not; resolves to whatever body came back. */
  private async send(params: Params, options: CallOptions, notes: string[]): Promise<unknown> {
    const requestOptions = { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 };
    if (!this.options.stream) return this.client.chat.completions.create(params, requestOptions);
    // A trickling stream is still bounded: the whole stream, not each read, has the timeout.
    const timer = this.clock.timeout(options.timeoutMs);
    const signal = AbortSignal.any([options.signal, timer]);
    try {
      const { data: raw, response } = await this.client.chat.completions
        .create(
          {
            ...params,
            stream: true,
            ...(this.refusedFields.has('stream_options')
              ? {}
              : { stream_options: { include_usage: true } }),
          },
          { ...requestOptions, signal },
        )
        .withResponse();
      // A server that ignores `stream: true` answers with one JSON body (the SDK would read it
      // as an event stream without events).
      if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
        notes.push(
          'the server answered with one JSON body although a stream was asked for: OPENAI_STREAM=true is not needed',
        );
        return await response.text();
      }
      // The SDK's accumulator does the assembling; the chunks are repaired on the way in.
      const repair = new StreamRepair();
      const chunks = async function* () {
        for await (const chunk of raw) {
          const repaired = repair.repair(chunk);
          if (repaired) yield repaired;
        }
        yield* repair.end();
      };
      const repaired = new Stream(chunks, raw.controller);
      const completion = await ChatCompletionStream.fromReadableStream(
        repaired.toReadableStream(),
      ).finalChatCompletion();
      // An aborted stream ends quietly (the SDK treats the abort as the end): a stream cut by the
      // timeout or the deadline is not an answer.
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if (repair.empty)
        throw new ModelCallError(
          'invalid_response',
          'the model endpoint’s stream ended without an answer (no chunks before it closed); if the server does not stream, unset OPENAI_STREAM',
        );
      if (repair.unfinished)
        notes.push('the stream ended without a finish_reason: the answer may have been cut short');
      const message = completion.choices[0]?.message as Record<string, unknown> | undefined;
      if (message) for (const [key, text] of repair.reasoning) message[key] = text;
      return completion;
    } catch (error) {
      if (timer.aborted && !options.signal.aborted)
        throw new ModelCallError('timeout', `model call timed out after ${options.timeoutMs} ms`, {
          cause: error,
        });
      if (
        error instanceof OpenAI.OpenAIError &&
        /ended without sending any chunks/.test(error.message)
      )
        throw new ModelCallError(
          'invalid_response',
          'the model endpoint’s stream ended without an answer (no chunks before it closed); if the server does not stream, unset OPENAI_STREAM',
          { cause: error },
        );
      throw error;
    }
  }
}
