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
import { errorInBody, looksLikeHtml } from './errors.ts';

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

/**
 * Arguments as JSON text. An object is serialised (text-generation-inference, Ollama's native
 * shape); JSON text that holds JSON text — arguments encoded twice, as some gateways relay them
 * (BerriAI/litellm issues on double-encoded tool arguments) — is unwrapped once.
 */
function argumentsText(raw: unknown): string {
  if (typeof raw !== 'string') return raw ? JSON.stringify(raw) : '';
  const trimmed = raw.trim();
  if (!trimmed.startsWith('"')) return raw;
  try {
    const inner: unknown = JSON.parse(trimmed);
    if (typeof inner === 'string' && /^\s*\{/.test(inner)) {
      JSON.parse(inner);
      return inner;
    }
  } catch {
    // Not JSON text holding JSON: left as the model wrote it, for the loop to report.
  }
  return raw;
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
      arguments: argumentsText(rawArguments),
      ...(state ? { providerState: state } : {}),
    };
  });
}

export type ParsedCompletion = { turn: AssistantTurn; usage: ChatUsage };

/** A chat completion body (anything the SDK handed back) as a neutral turn, or why it is not one. */
export function parseCompletion(answer: unknown): ParsedCompletion {
  let raw = answer;
  // The SDK hands back text when the content-type is not JSON; a proxy that mislabels a JSON
  // body (text/plain) still sent a chat completion.
  if (typeof raw === 'string') {
    const trimmed = raw.trim();
    let json: unknown;
    try {
      json = trimmed.startsWith('{') ? JSON.parse(trimmed) : undefined;
    } catch {
      json = undefined;
    }
    if (json === undefined) throw notJson(raw);
    raw = json;
  }
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
    // An error in vLLM's shape ({"object": "error", "message": …}) or FastAPI's ({"detail": …})
    // relayed with status 200 by a gateway: its words, not "no message".
    if (
      body.object === 'error' ||
      typeof body.message === 'string' ||
      typeof body.detail === 'string'
    )
      throw errorInBody(body, 'instead of an answer');
    throw new ModelCallError('invalid_response', 'model returned a response without a message');
  }
  if (choice.finish_reason === 'error' || (choice.error !== undefined && choice.error !== null))
    throw errorInBody(choice.error ?? 'generation failed', 'in the middle of the answer');
  // Azure's output filter can stop a choice before it has a message: the filter is the news.
  const message =
    choice.message ?? (finishOf(choice.finish_reason) === 'content_filter' ? {} : null);
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

type ChunkRecord = Record<string, unknown>;

function tryParse(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): ChunkRecord | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as ChunkRecord)
    : null;
}

/** Per streamed choice: how its tool-call deltas map onto calls, and what it has sent so far. */
type ChoiceState = {
  role: boolean;
  finished: boolean;
  byId: Map<string, number>;
  byWire: Map<number, string | null>;
  wireToCall: Map<number, number>;
  next: number;
  last: number | null;
  /** Arguments text per call so far, to tell a finished call from one still arriving. */
  args: Map<number, string>;
};

/**
 * Streamed chunks as the SDK's stream accumulator (ChatCompletionStream) needs them. The
 * accumulator follows OpenAI's stream exactly and throws on the differences compatible servers
 * have; each repaired here is one a real server sends:
 * - tool-call deltas without `index` (Gemini's OpenAI endpoint: THU-MAIC/OpenMAIC#1556,
 *   open-webui/computer#224, AstrBotDevs/AstrBot#6661), or with one index for several calls that
 *   each carry their own id (QuantumNous/new-api#2701): calls are told apart by id;
 * - tool-call deltas without `type`, and arguments sent as an object;
 * - chunks without `choices` (usage or keep-alive records from gateways), choices without
 *   `index`, a first delta without `role`;
 * - a stream that ends without a finish_reason (a connection closed after the last token,
 *   anomalyco/opencode#40061): the choice is closed with `finish_reason: "unfinished"`, so an
 *   answer cut short is judged by its content, never taken for a finished one silently;
 * - chunk ids that change mid-stream (the accumulator would start a second completion).
 * Reasoning deltas (`reasoning_content`, `reasoning`), which the accumulator keeps only the last
 * piece of, are collected whole.
 */
export class StreamRepair {
  /** Reasoning text per field, whole. */
  readonly reasoning = new Map<string, string>();
  private readonly choices = new Map<number, ChoiceState>();
  private id: string | null = null;

  /** True when no choice arrived at all. */
  get empty(): boolean {
    return this.choices.size === 0;
  }

  /** True when a choice had to be closed because the stream ended first. */
  unfinished = false;

  repair(raw: unknown): ChunkRecord | null {
    const chunk = asRecord(raw);
    if (!chunk) return null;
    const id = typeof chunk.id === 'string' && chunk.id ? chunk.id : null;
    this.id ??= id;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    return {
      ...chunk,
      id: this.id ?? '',
      choices: choices.flatMap((c, position) => {
        const choice = asRecord(c);
        return choice ? [this.choice(choice, position)] : [];
      }),
    };
  }

  /** Chunks that close what the stream left open. */
  end(): ChunkRecord[] {
    const closing: ChunkRecord[] = [];
    for (const [index, state] of this.choices) {
      if (state.role && state.finished) continue;
      if (!state.finished) this.unfinished = true;
      closing.push({
        id: this.id ?? '',
        object: 'chat.completion.chunk',
        choices: [
          {
            index,
            delta: state.role ? {} : { role: 'assistant' },
            finish_reason: state.finished ? null : 'unfinished',
          },
        ],
      });
      state.role = true;
      state.finished = true;
    }
    return closing;
  }

  private state(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = {
        role: false,
        finished: false,
        byId: new Map(),
        byWire: new Map(),
        wireToCall: new Map(),
        next: 0,
        last: null,
        args: new Map(),
      };
      this.choices.set(index, state);
    }
    return state;
  }

  private choice(choice: ChunkRecord, position: number): ChunkRecord {
    const index = Number.isSafeInteger(choice.index) ? (choice.index as number) : position;
    const state = this.state(index);
    if (typeof choice.finish_reason === 'string' && choice.finish_reason) state.finished = true;
    const delta = asRecord(choice.delta);
    if (!delta) return { ...choice, index };
    const repaired: ChunkRecord = { ...delta };
    // Mistral streams reasoning models' content as arrays of `thinking` and `text` chunks
    // (docs.mistral.ai/capabilities/reasoning); the accumulator concatenates strings only.
    if (Array.isArray(delta.content))
      repaired.content = delta.content
        .map((part) => asRecord(part))
        .filter((part) => part && (part.type ?? 'text') === 'text' && typeof part.text === 'string')
        .map((part) => part?.text as string)
        .join('');
    if (typeof delta.role === 'string' && delta.role) state.role = true;
    else if (!state.role) {
      repaired.role = 'assistant';
      state.role = true;
    }
    for (const key of ['reasoning_content', 'reasoning'])
      if (typeof delta[key] === 'string')
        this.reasoning.set(key, (this.reasoning.get(key) ?? '') + delta[key]);
    if (Array.isArray(delta.tool_calls))
      repaired.tool_calls = delta.tool_calls.flatMap((call) => {
        const record = asRecord(call);
        return record ? [this.toolCall(state, record)] : [];
      });
    return { ...choice, index, delta: repaired };
  }

  private toolCall(state: ChoiceState, call: ChunkRecord): ChunkRecord {
    const wire = Number.isSafeInteger(call.index) ? (call.index as number) : null;
    const id = typeof call.id === 'string' && call.id ? call.id : null;
    let index: number | undefined;
    if (id !== null) index = state.byId.get(id);
    const fn = asRecord(call.function);
    if (index === undefined && wire !== null && state.wireToCall.has(wire)) {
      const known = state.byWire.get(wire) ?? null;
      const current = state.wireToCall.get(wire);
      // The same index with another id and a name of its own, after a call whose arguments are
      // complete, is another call (QuantumNous/new-api#2701); otherwise a server that changes the
      // id mid-call is still sending the same one.
      const header = typeof fn?.name === 'string' && fn.name !== '';
      const finished =
        current !== undefined && tryParse(state.args.get(current) ?? '') !== undefined;
      if (id === null || known === null || known === id || !header || !finished) index = current;
    }
    if (index === undefined && id === null && wire === null) index = state.last ?? undefined;
    if (index === undefined) index = state.next++;
    if (wire !== null) {
      state.wireToCall.set(wire, index);
      if (id !== null || !state.byWire.has(wire)) state.byWire.set(wire, id);
    }
    if (id !== null) state.byId.set(id, index);
    state.last = index;
    const repaired: ChunkRecord = { ...call, index };
    if (!repaired.type) {
      if (fn) repaired.type = 'function';
      else if (call.custom) repaired.type = 'custom';
      else delete repaired.type;
    }
    if (
      fn &&
      fn.arguments !== undefined &&
      fn.arguments !== null &&
      typeof fn.arguments !== 'string'
    )
      repaired.function = { ...fn, arguments: JSON.stringify(fn.arguments) };
    const piece = asRecord(repaired.function)?.arguments;
    if (typeof piece === 'string') state.args.set(index, (state.args.get(index) ?? '') + piece);
    return repaired;
  }
}
