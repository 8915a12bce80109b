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
  // Optional fields a server does not take: OpenAI's "Unsupported parameter: 'reasoning_effort' is
  // not supported with this model" (code unsupported_parameter), Azure's older api-versions'
  // "Unrecognized request argument supplied: max_completion_tokens" / "stream_options", Mistral's
  // 422 "Extra inputs are not permitted" naming the field.
  [
    'reasoning_effort',
    /(?:unsupported|unrecognized|unknown|not supported|not permitted|extra inputs|invalid)[^.]{0,80}reasoning_effort|reasoning_effort[^.]{0,60}(?:not supported|unsupported|not permitted|unrecognized|not allowed)/i,
  ],
  [
    'max_completion_tokens',
    /(?:unsupported|unrecognized|unknown|not supported|not permitted|extra inputs|invalid)[^.]{0,80}max_completion_tokens|max_completion_tokens[^.]{0,60}(?:not supported|unsupported|not permitted|unrecognized|not allowed)/i,
  ],
  [
    'stream_options',
    /(?:unsupported|unrecognized|unknown|not supported|not permitted|extra inputs|invalid)[^.]{0,80}stream_options|stream_options[^.]{0,60}(?:not supported|unsupported|not permitted|unrecognized|not allowed)/i,
  ],
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

export type RefusedFeature =
  | 'tools'
  | 'user_after_tool'
  | 'system_role'
  | 'response_format'
  | 'reasoning_effort'
  | 'max_completion_tokens'
  | 'stream_options';

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
    // Validation errors in FastAPI's shape ({"detail": [{"loc": […], "msg": …}]}), bare or, as
    // Mistral sends them, under `message` (docs.mistral.ai/api: 422 invalid_request_error).
    if (Array.isArray(record.detail)) {
      const problems = record.detail.flatMap((item) => {
        const entry = item as { loc?: unknown; msg?: unknown } | null;
        if (typeof entry?.msg !== 'string') return [];
        const where = Array.isArray(entry.loc)
          ? entry.loc.filter((p) => p !== 'body').join('.')
          : '';
        return [where ? `${where}: ${entry.msg}` : entry.msg];
      });
      if (problems.length) return problems.join('; ');
    }
    if (record.message && typeof record.message === 'object') return messageOf(record.message);
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

/** The innermost error object of a body: `{error: {…}}`, Gemini's `[{error: {…}}]`, or the body. */
function innermost(body: unknown): Record<string, unknown> | null {
  if (Array.isArray(body)) return innermost(body[0]);
  if (!body || typeof body !== 'object') return null;
  const record = body as Record<string, unknown>;
  return record.error && typeof record.error === 'object' ? innermost(record.error) : record;
}

/** The error's machine-readable words (code, type, status), lower-cased, for classification. */
function codesOf(body: unknown): string {
  const record = innermost(body);
  if (!record) return '';
  return [record.code, record.type, record.status]
    .filter((v) => typeof v === 'string')
    .join(' ')
    .toLowerCase();
}

/**
 * Google's RetryInfo (`details[].retryDelay: "37s"`), which Gemini's OpenAI endpoint sends in the
 * body of a 429 instead of a Retry-After header (ai.google.dev/gemini-api/docs/rate-limits;
 * google.rpc.RetryInfo).
 */
function retryDelayInBody(body: unknown): number | null {
  const details = innermost(body)?.details;
  if (!Array.isArray(details)) return null;
  for (const detail of details) {
    const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay;
    const m = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay.trim()) : null;
    if (m) return Number(m[1]) * 1000;
  }
  return null;
}

/**
 * Out of money rather than out of breath: waiting will not help. OpenAI's insufficient_quota
 * (platform.openai.com/docs/guides/error-codes), OpenRouter's 402 "requires more credits"
 * (openrouter.ai/docs/api-reference/errors), DeepSeek's 402 "Insufficient Balance"
 * (api-docs.deepseek.com/quick_start/error_codes). Gemini words its per-minute limits the same
 * way but says when to retry, so a 429 that gives a delay is not counted here.
 */
const OUT_OF_CREDIT =
  /insufficient[_ ](?:quota|balance|credits?|funds)|requires more credits|exceeded your current quota|credit balance is too low|billing|budget(?:_| has been )exceeded/i;

/**
 * The prompt does not fit the model's context window: OpenAI's context_length_exceeded, vLLM's
 * "maximum context length is N tokens", llama.cpp's exceed_context_size_error, Anthropic's
 * "prompt is too long", Groq's "Please reduce the length of the messages".
 */
const CONTEXT_TOO_LONG =
  /context[_ ]length[_ ]exceeded|contextwindowexceeded|tokens \+ `?max_new_tokens`? must be <=|exceed_context_size|maximum context length|context (?:window|size|length)[^.]{0,40}(?:exceed|too|limit)|exceeds the available context|prompt is too long|input is too long|reduce the length of the messages|too many (?:input )?tokens/i;

/** A model the endpoint does not serve (DeepSeek "Model Not Exist", LiteLLM "Invalid model name"). */
const UNKNOWN_MODEL =
  /model_not_found|deploymentnotfound|\bmodel\b[^.]{0,80}\b(?:not found|does not exist|not exist|is not a valid)|\b(?:invalid|unknown|unsupported|no such) model\b|not a valid model/i;

/** A key refused with a status other than 401 (Gemini answers a bad key with 400 API_KEY_INVALID). */
const BAD_KEY =
  /api[ _-]?key[^.]{0,40}\b(?:not valid|invalid|expired|incorrect)|api_key_invalid|invalid[ _]api[ _]key|incorrect api key/i;

/** The output cap is above what the model allows (OpenAI "max_tokens is too large", Anthropic "max_tokens: N > M"). */
const OUTPUT_CAP_TOO_HIGH =
  /max_(?:completion_)?tokens[^.]{0,80}(?:too large|exceeds|greater than|maximum|at most|>\s*\d)/i;

/** 403s that are not about the key. */
const FORBIDDEN_NOT_KEY =
  /flagged|moderation|content (?:policy|management)|guardrail|country|region|territory/i;

const CONTEXT_ADVICE =
  'the investigation does not fit the model’s context window: lower TOOL_RESULT_MAX_CHARS or PLANNER_MAX_TURNS, or use a model with a larger context';

/** An error inside a 200 answer or a stream (OpenRouter, vLLM, OpenAI mid-stream errors). */
export function errorInBody(error: unknown, where: string): ModelCallError {
  const said = messageOf(error) ?? JSON.stringify(error);
  const record = innermost(error);
  const code = record?.code;
  const status =
    typeof code === 'number' && code >= 100 && code < 600
      ? code
      : typeof code === 'string' && /^[1-5]\d\d$/.test(code)
        ? Number(code)
        : null;
  const words = `${codesOf(error)} ${said}`;
  const kind =
    status === 429 || /rate[_ ]limit/i.test(words)
      ? 'rate_limited'
      : (status !== null && status >= 500) ||
          /server_error|internal|unavailable|overloaded|timeout|disconnected/i.test(words)
        ? 'server'
        : 'bad_request';
  const provider = (record?.metadata as { provider_name?: unknown } | undefined)?.provider_name;
  return new ModelCallError(
    kind,
    `model endpoint answered HTTP 200 with an error ${where}${status ? ` (code ${status})` : ''}${typeof provider === 'string' ? ` from ${provider}` : ''}: "${clip(said)}"`,
    { status, serverMessage: said, retryable: kind !== 'bad_request' },
  );
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

/** Socket failures once the answer has begun (undici's "terminated", a reset), as text; else null. */
function droppedConnection(error: unknown): string | null {
  const codes = /^(?:UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNRESET|EPIPE|ECONNABORTED)$/;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && codes.test(code)) return `${code}: ${current.message}`;
    if (current instanceof TypeError && current.message === 'terminated') {
      const cause = current.cause instanceof Error ? current.cause.message : null;
      return cause ? `terminated: ${cause}` : 'terminated';
    }
    current = current.cause;
  }
  return null;
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
      retryAfterMs: retryAfterMs(error.headers, context.nowMs) ?? retryDelayInBody(error.error),
      cause: error,
    };
    const words = `${codesOf(error.error)} ${said ?? ''}`;
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
    if (
      [400, 402, 403, 429].includes(status) &&
      OUT_OF_CREDIT.test(words) &&
      !(status === 429 && common.retryAfterMs !== null)
    )
      return new ModelCallError(
        status === 429 ? 'rate_limited' : 'bad_request',
        `the model account is out of quota or credit (HTTP ${status})${quoted(said)}: add credit or raise the quota with the provider, or use another OPENAI_API_KEY`,
        { ...common, retryable: false },
      );
    if (status === 429)
      return new ModelCallError(
        'rate_limited',
        `model rate-limited (HTTP 429)${quoted(said)}`,
        common,
      );
    // A prompt too long for the model is not transient, whatever the status says (some servers
    // answer it with a 500): retrying sends the same prompt.
    if (status >= 500 && CONTEXT_TOO_LONG.test(words))
      return new ModelCallError(
        'bad_request',
        `model returned HTTP ${status}${quoted(said)}: ${CONTEXT_ADVICE}`,
        { ...common, retryable: false },
      );
    // 408 and 409 are worth another attempt, as the SDK's own retry policy has it.
    if (status >= 500 || status === 408 || status === 409)
      return new ModelCallError('server', `model returned HTTP ${status}${quoted(said)}`, common);
    // A 403 about the input or the account, not the key: OpenRouter's moderation ("Input flagged",
    // openrouter.ai/docs/api-reference/errors), OpenAI's unsupported_country_region_territory.
    if (status === 403 && FORBIDDEN_NOT_KEY.test(words))
      return new ModelCallError(
        'bad_request',
        `model endpoint refused the request (HTTP 403)${quoted(said)}: the key was accepted; the provider will not serve this request (its moderation, the account's region or the model's access)`,
        common,
      );
    if (status === 401 || status === 403 || BAD_KEY.test(words)) {
      const check = hints.azure
        ? 'check OPENAI_API_KEY (the Azure resource key or an Entra token) and OPENAI_BASE_URL'
        : 'check OPENAI_API_KEY';
      return new ModelCallError(
        'auth',
        `model endpoint refused the API key (HTTP ${status})${quoted(said)}: ${check}`,
        common,
      );
    }
    if (OUTPUT_CAP_TOO_HIGH.test(words))
      return new ModelCallError(
        'bad_request',
        `model returned HTTP ${status}${quoted(said)}: lower OPENAI_MAX_COMPLETION_TOKENS to what the model allows, or leave it unset`,
        common,
      );
    // Groq answers 413 for one request above the tier's tokens per minute
    // (console.groq.com/docs/rate-limits: "Request too large … on tokens per minute").
    if (status === 413 && /tokens per minute|\bTPM\b/i.test(words))
      return new ModelCallError(
        'bad_request',
        `model returned HTTP 413${quoted(said)}: one investigation is more than this tier's tokens per minute; lower TOOL_RESULT_MAX_CHARS or PLANNER_MAX_TURNS, or raise the tier`,
        common,
      );
    if (status === 413)
      return new ModelCallError(
        'bad_request',
        `model returned HTTP 413${quoted(said)}: the request is larger than the server or a proxy in front of it accepts; lower TOOL_RESULT_MAX_CHARS, or raise the proxy's body limit`,
        common,
      );
    if (CONTEXT_TOO_LONG.test(words))
      return new ModelCallError(
        'bad_request',
        `model returned HTTP ${status}${quoted(said)}: ${CONTEXT_ADVICE}`,
        common,
      );
    // Azure's content filter refused the prompt (code content_filter, innererror
    // ResponsibleAIPolicyViolation; openai/openai-python#331): logs quoted in an incident can trip it.
    if (/\bcontent_filter\b|responsibleaipolicyviolation/i.test(words))
      return new ModelCallError(
        'bad_request',
        `model returned HTTP ${status}${quoted(said)}: the provider's content filter refused the prompt (the evidence quoted in it can trip the filter); review the deployment's content filter policy`,
        common,
      );
    const modelHint = `check OPENAI_MODEL (the ${hints.azure ? 'Azure deployment' : 'model'} name)`;
    if (status !== 404 && UNKNOWN_MODEL.test(words))
      return new ModelCallError(
        'bad_request',
        `model returned HTTP ${status}${quoted(said)}: ${modelHint}`,
        common,
      );
    if (hints.azure && /api[- ]version/i.test(words))
      return new ModelCallError(
        'bad_request',
        `model returned HTTP ${status}${quoted(said)}: check OPENAI_API_VERSION (an api-version this Azure resource offers, e.g. 2024-10-21)`,
        common,
      );
    // Something other than a chat-completions API answered at the URL (a web site, a static
    // file server), e.g. nginx's 405 Not Allowed for a POST.
    if (status === 405)
      return new ModelCallError(
        'bad_request',
        `model returned HTTP 405${quoted(said)}: check OPENAI_BASE_URL (${hints.endpoint}; OpenAI-compatible servers usually end in /v1)`,
        common,
      );
    if (status === 404) {
      const aboutModel = said !== null && /model|deployment/i.test(said);
      // Azure answers a bare "Resource not found" for an api-version the resource does not have
      // as well as for a wrong endpoint path (learn.microsoft.com/azure/ai-services/openai/reference).
      const check = aboutModel
        ? modelHint
        : hints.azure
          ? `check OPENAI_BASE_URL (${hints.endpoint}) and OPENAI_API_VERSION (an api-version this resource offers)`
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
  const dropped = droppedConnection(error);
  if (dropped !== null)
    return new ModelCallError(
      'connection',
      `the connection to the model endpoint dropped mid-answer (${dropped}); a proxy's idle or response timeout in front of ${hints.endpoint} is the usual cause`,
      { cause: error },
    );
  // An error event inside a stream: the SDK throws it as an APIError without a status.
  if (error instanceof OpenAI.APIError && error.error !== undefined)
    return errorInBody(error.error, 'in the stream');
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
