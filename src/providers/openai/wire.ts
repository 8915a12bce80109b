import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionToolMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import {
  type AssistantTurn,
  type ChatMessage,
  type ChatUsage,
  type FinishReason,
  ModelCallError,
  type ProviderState,
  type ToolCall,
} from '../../operator/decision/planners/model/chat-model.ts';
import { looksLikeHtml, messageOf } from './errors.ts';

/**
 * The chat-completions wire format, both ways, read leniently: compatible servers differ in
 * harmless ways, and each difference tolerated here is one a real server has (cited where it is
 * handled). Anything that is not a chat completion becomes a ModelCallError with a plain reason.
 */

/** Message fields a server may need back verbatim on the next request. */
const MESSAGE_STATE_KEYS = [
  // DeepSeek thinking mode: "The reasoning_content in the thinking mode must be passed back to the
  // API" (api-docs.deepseek.com/guides/thinking_mode#tool-calls; abhigyanpatwari/GitNexus#43).
  'reasoning_content',
  // Ollama and newer vLLM name the same trace `reasoning`; OpenRouter adds `reasoning_details`.
  'reasoning',
  'reasoning_details',
] as const;

/** Tool-call fields likewise: Gemini's thought signature (extra_content.google.thought_signature). */
const CALL_STATE_KEYS = ['extra_content'] as const;

const ContentPart = z.object({ type: z.string().nullish(), text: z.string().nullish() }).loose();

const WireToolCall = z
  .object({
    id: z.string().nullish(),
    type: z.string().nullish(),
    function: z
      .object({
        name: z.string().nullish(),
        // Some servers send an object instead of JSON text.
        arguments: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()]).optional(),
      })
      .loose()
      .nullish(),
    custom: z.object({ name: z.string().nullish(), input: z.string().nullish() }).loose().nullish(),
  })
  .loose();

const WireMessage = z
  .object({
    // Mistral's reasoning models answer with an array of `thinking` and `text` chunks
    // (docs.mistral.ai/capabilities/reasoning; spring-projects/spring-ai#5019).
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
    refusal: z.string().nullish(),
    tool_calls: z.array(WireToolCall).nullish(),
  })
  .loose();

const WireChoice = z
  .object({
    message: WireMessage.nullish(),
    finish_reason: z.string().nullish(),
    error: z.unknown().optional(),
  })
  .loose();

const WireCompletion = z
  .object({
    choices: z.array(WireChoice).nullish(),
    usage: z
      .object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() })
      .loose()
      .nullish(),
    error: z.unknown().optional(),
  })
  .loose();

function pick(record: Record<string, unknown>, keys: readonly string[]): ProviderState | undefined {
  const state: Record<string, unknown> = {};
  for (const key of keys)
    if (record[key] !== undefined && record[key] !== null) state[key] = record[key];
  return Object.keys(state).length ? state : undefined;
}

function textOf(content: z.infer<typeof WireMessage>['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  // Text chunks only: a `thinking` chunk is the model's reasoning, not its answer.
  return content
    .filter((part) => (part.type ?? 'text') === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
}

function finishOf(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'end_turn':
    case 'eos':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
    case 'tool_use':
      return 'tool_calls';
    case 'length':
    case 'max_tokens':
      return 'length';
    case 'content_filter':
    case 'safety':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** A 200 whose body is an error (OpenRouter reports provider failures this way). */
function errorInBody(error: unknown, where: string): ModelCallError {
  const said = messageOf(error) ?? JSON.stringify(error);
  const code =
    error && typeof error === 'object' ? (error as Record<string, unknown>).code : undefined;
  const status = typeof code === 'number' && code >= 100 && code < 600 ? code : null;
  const kind =
    status === 429 ? 'rate_limited' : status !== null && status >= 500 ? 'server' : 'bad_request';
  const provider =
    error && typeof error === 'object'
      ? ((error as { metadata?: { provider_name?: unknown } }).metadata?.provider_name ?? null)
      : null;
  return new ModelCallError(
    kind,
    `model endpoint answered HTTP 200 with an error ${where}${status ? ` (code ${status})` : ''}${typeof provider === 'string' ? ` from ${provider}` : ''}: "${said.slice(0, 300)}"`,
    { status, serverMessage: said, retryable: kind !== 'bad_request' },
  );
}

/** A body that is text, not JSON: an HTML page, an event stream, or something else. */
function notJson(text: string): ModelCallError {
  if (looksLikeHtml(text))
    return new ModelCallError(
      'invalid_response',
      'the model endpoint answered with an HTML page, not a chat completion: check OPENAI_BASE_URL (a web UI or a proxy answered; OpenAI-compatible APIs usually end in /v1)',
    );
  if (/^\s*(?:data|event):/m.test(text))
    return new ModelCallError(
      'invalid_response',
      'the model endpoint answered with an event stream although no stream was asked for: set OPENAI_STREAM=true',
    );
  return new ModelCallError(
    'invalid_response',
    `the model endpoint answered with text, not a chat completion: "${text.trim().slice(0, 200)}"`,
  );
}

let synthetic = 0;

/** A tool-call id when the server sent none or a duplicate: nine letters and digits, as Mistral wants. */
function syntheticId(): string {
  synthetic = (synthetic + 1) % 100_000;
  return `call${String(synthetic).padStart(5, '0')}`;
}

function toolCallsOf(calls: z.infer<typeof WireToolCall>[]): ToolCall[] {
  const seen = new Set<string>();
  return calls.map((call) => {
    // A missing or repeated id would make two results indistinguishable.
    let id = call.id?.trim() || syntheticId();
    if (seen.has(id)) id = syntheticId();
    seen.add(id);
    // A missing `type` is a function call; a custom tool call carries its input as text.
    const custom = call.type === 'custom' ? call.custom : null;
    const rawArguments = custom ? custom.input : call.function?.arguments;
    const state = pick(call, CALL_STATE_KEYS);
    return {
      id,
      name: (custom ? custom.name : call.function?.name) ?? '',
      arguments:
        typeof rawArguments === 'string'
          ? rawArguments
          : rawArguments
            ? JSON.stringify(rawArguments)
            : '',
      ...(state ? { providerState: state } : {}),
    };
  });
}

export type ParsedCompletion = { turn: AssistantTurn; usage: ChatUsage };

/** A chat completion body (anything the SDK handed back) as a neutral turn, or why it is not one. */
export function parseCompletion(raw: unknown): ParsedCompletion {
  if (typeof raw === 'string') throw notJson(raw);
  if (raw === null || raw === undefined)
    throw new ModelCallError('invalid_response', 'the model endpoint answered with an empty body');
  const parsed = WireCompletion.safeParse(raw);
  if (!parsed.success)
    throw new ModelCallError(
      'invalid_response',
      `the model endpoint's answer is not a chat completion (${parsed.error.issues
        .slice(0, 2)
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')})`,
    );
  const body = parsed.data;
  const choice = body.choices?.[0];
  if (!choice) {
    if (body.error !== undefined && body.error !== null)
      throw errorInBody(body.error, 'instead of an answer');
    throw new ModelCallError('invalid_response', 'model returned a response without a message');
  }
  if (choice.finish_reason === 'error' || (choice.error !== undefined && choice.error !== null))
    throw errorInBody(choice.error ?? 'generation failed', 'in the middle of the answer');
  const message = choice.message;
  if (!message)
    throw new ModelCallError('invalid_response', 'model returned a response without a message');
  const state = pick(message, MESSAGE_STATE_KEYS);
  const toolCalls = toolCallsOf(message.tool_calls ?? []);
  return {
    turn: {
      role: 'assistant',
      content: textOf(message.content),
      toolCalls,
      ...(state ? { providerState: state } : {}),
      finish: finishOf(choice.finish_reason),
      refusal: message.refusal?.trim() ? message.refusal : null,
    },
    usage: {
      promptTokens: body.usage?.prompt_tokens ?? 0,
      completionTokens: body.usage?.completion_tokens ?? 0,
    },
  };
}

/** How this server wants the conversation laid out; learned from its refusals. */
export type MessageLayout = {
  /** False: the system prompt goes at the top of the first user message. */
  systemRole: boolean;
  /** False: a user message right after tool results is appended to the last tool result. */
  userAfterTool: boolean;
};

type AssistantParam = ChatCompletionAssistantMessageParam & ProviderState;
type ToolCallParam = ChatCompletionMessageToolCall & ProviderState;

function assistantParam(m: Extract<ChatMessage, { role: 'assistant' }>): AssistantParam {
  const calls = m.toolCalls.map(
    (c): ToolCallParam => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
      ...c.providerState,
    }),
  );
  return {
    role: 'assistant',
    // "" rather than null: llama.cpp and LM Studio reject a null content ("Expected 'content' to
    // be a string or an array", ggml-org/llama.cpp#13471; lmstudio-bug-tracker#261).
    content: m.content,
    ...(calls.length ? { tool_calls: calls } : {}),
    ...m.providerState,
  };
}

/** The neutral conversation in the chat-completions wire format. */
export function toWire(
  messages: readonly ChatMessage[],
  layout: MessageLayout,
): ChatCompletionMessageParam[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const wire: ChatCompletionMessageParam[] = [];
  let systemPending = !layout.systemRole && system.length > 0;
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        if (layout.systemRole) wire.push({ role: 'system', content: m.content });
        break;
      case 'user': {
        const content = systemPending ? `${system.join('\n\n')}\n\n${m.content}` : m.content;
        systemPending = false;
        const previous = wire.at(-1);
        if (!layout.userAfterTool && previous?.role === 'tool') {
          const tool: ChatCompletionToolMessageParam = previous;
          tool.content = `${typeof tool.content === 'string' ? tool.content : ''}\n\n${content}`;
        } else wire.push({ role: 'user', content });
        break;
      }
      case 'assistant':
        wire.push(assistantParam(m));
        break;
      case 'tool':
        wire.push({ role: 'tool', tool_call_id: m.toolCallId, content: m.content });
        break;
    }
  }
  return wire;
}
