import { STATUS_CODES } from 'node:http';
import OpenAI from 'openai';
import { describeError } from '../../domain/errors.ts';
import { ModelCallError } from '../../operator/decision/planners/model/chat-model.ts';
import { retryAfterMs } from '../../tools/http.ts';

/** Characters of a server's own error message quoted in a reason. */
const QUOTED_CHARS = 300;

/** What the adapter tells a person to check, per problem. */
export type Hints = {
  /** The endpoint as safe to show (no credentials). */
  endpoint: string;
  azure: boolean;
};

/**
 * A feature of the request the server refused, as opposed to the request itself. Each pattern is
 * a server's own wording: Ollama ("llama3 does not support tools", ollama/ollama#5793), llama.cpp
 * ("tools param requires --jinja flag", containers/ramalama#988; "Unsupported param: tools",
 * ggml-org/llama.cpp#10920), vLLM ('"auto" tool choice requires --enable-auto-tool-choice and
 * --tool-call-parser to be set', vllm-project/vllm docs/features/tool_calling.md), OpenRouter ("No
 * endpoints found that support tool use", dnakov/anon-kode#2), LiteLLM's UnsupportedParamsError
 * ("… does not support parameters: ['tools'] … set litellm.drop_params=True"), Mistral ("Unexpected
 * role 'user' after role 'tool'", type invalid_request_message_order, avante-corp/avante.nvim#2562),
 * chat templates that only alternate user and assistant (LM Studio, lmstudio-bug-tracker#2218).
 */
const REFUSALS: ReadonlyArray<[RefusedFeature, RegExp]> = [
  ['tools', /does(?: not|n't) support tools/i],
  ['tools', /tools? param(?:eter)? requires --jinja/i],
  ['tools', /unsupported param(?:eter)?:? ['"]?tools/i],
  ['tools', /tool choice requires --enable-auto-tool-choice/i],
  ['tools', /no endpoints found that support tool use/i],
  ['tools', /does not support parameters:.*\btools\b/i],
  [
    'tools',
    /\b(?:tools?|tool use|tool calling|function calling) (?:is |are )?not (?:supported|enabled)/i,
  ],
  ['tools', /does not support (?:tool|function)[ _-]?call/i],
  ['user_after_tool', /unexpected role '?user'? after role '?tool/i],
  ['user_after_tool', /roles must alternate/i],
  ['system_role', /system (?:role|message)s? (?:is |are )?not supported/i],
  ['system_role', /does(?: not|n't) support (?:the )?system (?:role|message|prompt)/i],
  [
    'response_format',
    /(?:response_format|json_schema|structured output)[^.]*(?:not supported|unsupported|not allowed|invalid|unrecognized|unknown)/i,
  ],
  [
    'response_format',
    /(?:not supported|unsupported|unrecognized|unknown)[^.]*(?:response_format|json_schema)/i,
  ],
];

export type RefusedFeature = 'tools' | 'user_after_tool' | 'system_role' | 'response_format';

export function refusedFeature(message: string | null): RefusedFeature | null {
  if (!message) return null;
  return REFUSALS.find(([, pattern]) => pattern.test(message))?.[0] ?? null;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string): string {
  const line = oneLine(text);
  return line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS)}…` : line;
}

/** An HTML page said nothing a person can act on beyond its title. */
function fromHtml(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
  return `an HTML page${title ? ` ("${clip(title)}")` : ''}, not an API answer`;
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*<(?:!doctype|html|head|body|\?xml)/i.test(text);
}

/** The message inside an error body, in any of the shapes servers use. */
export function messageOf(body: unknown): string | null {
  if (typeof body === 'string') return body.trim() ? body : null;
  if (Array.isArray(body)) return messageOf(body[0]); // Gemini: [{"error": {…}}]
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (typeof record.message === 'string' && record.message.trim()) return record.message;
    if (record.error !== undefined) return messageOf(record.error);
    if (typeof record.detail === 'string') return record.detail;
  }
  return null;
}

/** The server's own words, or null when it said nothing beyond the status line. */
export function serverSaid(error: InstanceType<typeof OpenAI.APIError>): string | null {
  const status = error.status ?? 0;
  let said = messageOf(error.error);
  if (said === null) {
    // A body that was not JSON reaches the SDK's message as "<status> <text>".
    const raw = error.message.replace(new RegExp(`^${status}\\s*`), '');
    said = raw && !/status code \(no body\)$/.test(raw) ? raw : null;
  }
  if (said === null) return null;
  if (looksLikeHtml(said)) return fromHtml(said);
  const statusText = STATUS_CODES[status]?.toLowerCase();
  return oneLine(said).toLowerCase() === statusText ? null : clip(said);
}

function quoted(said: string | null): string {
  return said ? `: "${said}"` : '';
}

function groqCode(error: InstanceType<typeof OpenAI.APIError>): string | null {
  return typeof error.code === 'string' ? error.code : null;
}

/** Groq's tool_use_failed error keeps what the model wrote in `failed_generation`. */
export function failedGeneration(error: unknown): string | null {
  if (!(error instanceof OpenAI.APIError) || groqCode(error) !== 'tool_use_failed') return null;
  const body = error.error;
  const text =
    body && typeof body === 'object'
      ? (body as Record<string, unknown>).failed_generation
      : undefined;
  return typeof text === 'string' && text.trim() ? text : null;
}

/** An error the OpenAI SDK threw, as the neutral model-call error the loop decides on. */
export function toModelCallError(
  error: unknown,
  context: { timeoutMs: number; nowMs: number; hints: Hints },
): ModelCallError {
  if (error instanceof ModelCallError) return error;
  const { hints } = context;
  // The timeout error is a connection error too; it is checked first because it is not retried.
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new ModelCallError('timeout', `model call timed out after ${context.timeoutMs} ms`, {
      cause: error,
    });
  if (error instanceof OpenAI.APIUserAbortError)
    return new ModelCallError('aborted', 'model call was aborted', { cause: error });
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause instanceof Error ? (error.cause.cause ?? error.cause) : null;
    const detail = cause ? `: ${describeError(cause)}` : '';
    return new ModelCallError(
      'connection',
      `could not connect to the model endpoint${detail} (is ${hints.endpoint} up? check OPENAI_BASE_URL)`,
      { cause: error },
    );
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const { status } = error;
    const said = serverSaid(error);
    const common = {
      status,
      serverMessage: said,
      retryAfterMs: retryAfterMs(error.headers, context.nowMs),
      cause: error,
    };
    if (refusedFeature(said) === 'tools')
      return new ModelCallError(
        'bad_request',
        `the model does not support tools (HTTP ${status}${quoted(said)})`,
        { ...common, refused: 'tools' },
      );
    if (groqCode(error) === 'tool_use_failed')
      return new ModelCallError(
        'bad_request',
        `the model wrote a tool call the server could not read (HTTP ${status} tool_use_failed${quoted(said)})`,
        { ...common, retryable: true },
      );
    if (status === 429)
      return new ModelCallError(
        'rate_limited',
        `model rate-limited (HTTP 429)${quoted(said)}`,
        common,
      );
    if (status >= 500)
      return new ModelCallError('server', `model returned HTTP ${status}${quoted(said)}`, common);
    if (status === 401 || status === 403) {
      const check = hints.azure
        ? 'check OPENAI_API_KEY (the Azure resource key or an Entra token) and OPENAI_BASE_URL'
        : 'check OPENAI_API_KEY';
      return new ModelCallError(
        'auth',
        `model endpoint refused the API key (HTTP ${status})${quoted(said)}: ${check}`,
        common,
      );
    }
    if (status === 404) {
      const aboutModel = said !== null && /model|deployment/i.test(said);
      const check = aboutModel
        ? `check OPENAI_MODEL (the ${hints.azure ? 'Azure deployment' : 'model'} name)`
        : `check OPENAI_BASE_URL (${hints.endpoint}; OpenAI-compatible servers usually end in /v1)`;
      return new ModelCallError(
        'bad_request',
        `model returned HTTP 404${quoted(said)}: ${check}`,
        common,
      );
    }
    return new ModelCallError(
      'bad_request',
      `model returned HTTP ${status}${quoted(said)}`,
      common,
    );
  }
  if (error instanceof SyntaxError)
    return new ModelCallError(
      'invalid_response',
      `the model endpoint's answer is not valid JSON (${error.message})`,
      { cause: error },
    );
  return new ModelCallError('invalid_response', `model call failed: ${describeError(error)}`, {
    cause: error,
  });
}
