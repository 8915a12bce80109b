import OpenAI from 'openai';
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletion as WireCompletion,
} from 'openai/resources/chat/completions';
import { type Clock, systemClock } from '../../domain/clock.ts';
import {
  type CallOptions,
  type ChatCompletion,
  type ChatMessage,
  type ChatModel,
  type ChatRequest,
  ModelCallError,
  type ToolCall,
} from '../../operator/planners/model/chat-model.ts';
import type { ToolSpec } from '../../tools/registry.ts';
import { toModelCallError } from './errors.ts';

export type OpenAiChatModelOptions = {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  fetch?: typeof fetch;
  clock?: Clock;
};

/** Tools as chat-completions function definitions. */
export function functionTools(specs: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return specs.map((spec) => ({
    type: 'function',
    function: { name: spec.name, description: spec.description, parameters: spec.parameters },
  }));
}

/** The neutral conversation in the chat-completions wire format: only what the protocol needs. */
function toWire(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map(wireMessage);
}

function wireMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    case 'assistant': {
      const calls = m.toolCalls.map(
        (c): ChatCompletionMessageToolCall => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        }),
      );
      return {
        role: 'assistant',
        content: calls.length && m.content === '' ? null : m.content,
        ...(calls.length ? { tool_calls: calls } : {}),
      };
    }
  }
}

function fromWire(response: WireCompletion): ChatCompletion {
  const choice = Array.isArray(response.choices) ? response.choices[0] : undefined;
  const message = choice?.message;
  if (!message)
    throw new ModelCallError('invalid_response', 'model returned a response without a message');
  const toolCalls = (message.tool_calls ?? []).map(
    (call): ToolCall =>
      call.type === 'function'
        ? {
            id: call.id,
            // Compatible servers are not all strict about the shape; a missing field is an empty one.
            name: call.function?.name ?? '',
            arguments: call.function?.arguments ?? '',
          }
        : { id: call.id, name: call.custom.name, arguments: call.custom.input },
  );
  const finish = choice.finish_reason;
  return {
    turn: {
      role: 'assistant',
      content: message.content ?? '',
      toolCalls,
      finish:
        finish === 'stop' ||
        finish === 'length' ||
        finish === 'tool_calls' ||
        finish === 'content_filter'
          ? finish
          : 'other',
      refusal: message.refusal ?? null,
    },
    usage: {
      promptTokens: response.usage?.prompt_tokens ?? 0,
      completionTokens: response.usage?.completion_tokens ?? 0,
    },
    notes: [],
  };
}

/**
 * The chat-model port over any OpenAI-compatible chat completions endpoint, through the official
 * SDK. This folder is the only place that imports the `openai` package.
 */
export class OpenAiChatModel implements ChatModel {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly clock: Clock;

  constructor(options: OpenAiChatModelOptions) {
    this.model = options.model;
    this.clock = options.clock ?? systemClock;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      fetch: options.fetch,
      // Retries are the loop's: once, bounded by the deadline, and never for timeouts.
      maxRetries: 0,
    });
  }

  async complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    let response: WireCompletion;
    try {
      response = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: toWire(request.messages),
          ...(request.tools.length ? { tools: functionTools(request.tools) } : {}),
        },
        { signal: options.signal, timeout: options.timeoutMs, maxRetries: 0 },
      );
    } catch (error) {
      throw toModelCallError(error, {
        timeoutMs: options.timeoutMs,
        nowMs: this.clock.now().getTime(),
      });
    }
    return fromWire(response);
  }
}
