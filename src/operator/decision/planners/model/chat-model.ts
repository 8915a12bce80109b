import type { z } from 'zod';
import { OperatorError } from '../../../../domain/errors.ts';
import type { ToolSpec } from '../../../../tools/registry.ts';

/**
 * The chat-model port: what the model loop needs from any chat model, in neutral terms. An
 * adapter outside the core (src/providers/…) translates it to a provider's wire format; nothing
 * in here knows one.
 */

/**
 * Provider data a later request must carry back verbatim (a reasoning trace, a thought
 * signature). Opaque to the loop: only the adapter that produced it reads it.
 */
export type ProviderState = Readonly<Record<string, unknown>>;

export type ToolCall = {
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, possibly invalid. */
  arguments: string;
  providerState?: ProviderState;
};

export type SystemMessage = { role: 'system'; content: string };
export type UserMessage = { role: 'user'; content: string };
export type AssistantMessage = {
  role: 'assistant';
  /** The text of the answer; '' when the model only called tools. */
  content: string;
  toolCalls: readonly ToolCall[];
  providerState?: ProviderState;
};
export type ToolMessage = { role: 'tool'; toolCallId: string; name: string; content: string };

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** The shape the final answer must have, for models that can be held to a schema. */
export type AnswerFormat = { name: string; description: string; schema: z.ZodType };

export type ChatRequest = {
  messages: readonly ChatMessage[];
  /** Tools offered on this turn; empty = none (the model must answer). */
  tools: readonly ToolSpec[];
  /** Asks for structured output when the adapter is configured to use it. */
  answer?: AnswerFormat;
};

/** Why the model stopped: `length` = cut off at the output limit. */
export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';

export type AssistantTurn = AssistantMessage & {
  finish: FinishReason;
  /** The model's own refusal text, when it declined to answer. */
  refusal: string | null;
};

export type ChatUsage = { promptTokens: number; completionTokens: number };

export type ChatCompletion = {
  turn: AssistantTurn;
  usage: ChatUsage;
  /** What the adapter had to work around to get this answer, in plain words. */
  notes: readonly string[];
};

export type CallOptions = { signal: AbortSignal; timeoutMs: number };

export interface ChatModel {
  /** The model name, as configured. */
  readonly model: string;
  /** One turn. Throws ModelCallError for anything that went wrong. */
  complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion>;
}

export type ModelCallErrorKind =
  | 'timeout'
  | 'aborted'
  | 'connection'
  | 'rate_limited'
  | 'server'
  | 'auth'
  | 'bad_request'
  | 'invalid_response';

const RETRYABLE: ReadonlySet<ModelCallErrorKind> = new Set([
  'connection',
  'rate_limited',
  'server',
]);

/**
 * A model call that failed. The message is the reason a person reads in the brief (the
 * adapter's words: what happened, the server's own message, what to change); `kind` and
 * `retryable` are what the loop decides on.
 */
export class ModelCallError extends OperatorError {
  readonly kind: ModelCallErrorKind;
  /** Worth one more attempt (429, 5xx, a dropped connection…). */
  readonly retryable: boolean;
  /** How long the server asked us to wait, when it said. */
  readonly retryAfterMs: number | null;
  /** The server's own error message, when it sent one. */
  readonly serverMessage: string | null;
  readonly status: number | null;
  /** Set when the server refused a feature of the request rather than the request itself. */
  readonly refused: 'tools' | null;

  constructor(
    kind: ModelCallErrorKind,
    message: string,
    options: {
      retryable?: boolean;
      retryAfterMs?: number | null;
      serverMessage?: string | null;
      status?: number | null;
      refused?: 'tools' | null;
      cause?: unknown;
    } = {},
  ) {
    super(`model_${kind}`, message, options.cause === undefined ? {} : { cause: options.cause });
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE.has(kind);
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.serverMessage = options.serverMessage ?? null;
    this.status = options.status ?? null;
    this.refused = options.refused ?? null;
  }
}
