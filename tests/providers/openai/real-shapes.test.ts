import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { IncidentBrief } from '../../../src/domain/brief.ts';
import type { FakeReply, FakeStep, RecordedRequest } from '../../../testing/fake-openai.ts';
import {
  closeHarnesses,
  PAYMENT_REPORT,
  startHarness,
} from '../../operator/decision/planners/harness.ts';
import {
  chatBody,
  fnCall,
  LOGS_ARGS,
  PAYMENT_DRAFT,
  PAYMENT_JSON,
} from '../../operator/decision/planners/providers/shapes.ts';

/**
 * Response shapes real providers send, replayed from a loopback server through the real SDK and
 * the whole investigation. Each shape names where it was taken from (provider docs, SDK
 * fixtures, public issues quoting the bytes a server sent). The bar for every one: the model's
 * answer is used as it said it, or the rules planner answers with a reason that says what went
 * wrong and what to change — never a crash, a hang or a brief the model did not write.
 */

afterEach(closeHarnesses);

type Expect =
  /** The model's answer is the brief; `toolRan`: its fetch_recent_logs call produced E4. */
  | { model: true; toolRan?: boolean; note?: RegExp; tools?: string[] }
  /** The rules planner answered; the reason matches; `requests`: how many calls were made. */
  | { fallback: RegExp; requests?: number };

type Shape = {
  name: string;
  /** Where the shape comes from. */
  source: string;
  script: FakeStep[];
  /** Answers every request after the script (for retried failures). */
  always?: FakeStep;
  env?: Record<string, string>;
  expect: Expect;
  /** What the requests must show (a refused field dropped on the next attempt…). */
  requests?: (requests: RecordedRequest[]) => void;
};

// ---------- building blocks ----------

const ok = (body: unknown, headers: Record<string, string> = {}): FakeReply => ({
  status: 200,
  headers,
  body,
});
const fail = (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply => ({
  status,
  headers,
  body,
});
const toolTurn = (message: Record<string, unknown> = {}, finish = 'tool_calls') =>
  ok(chatBody({ content: null, tool_calls: [fnCall('call_1')], ...message }, finish));
const answer = (content: unknown = PAYMENT_JSON, finish = 'stop', extra = {}) =>
  ok(chatBody({ content }, finish, extra));
const html = (status: number, title: string): FakeReply => ({
  status,
  headers: { 'content-type': 'text/html' },
  body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
});

/** An SSE stream: each event its own write; comments and raw lines may be mixed in. */
function sse(events: Array<unknown>, options: { done?: boolean } = {}): FakeReply {
  const parts = events.map((e) => (typeof e === 'string' ? e : `data: ${JSON.stringify(e)}\n\n`));
  if (options.done !== false) parts.push('data: [DONE]\n\n');
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, bodyParts: parts };
}
function chunk(
  delta: Record<string, unknown> | undefined,
  finish: string | null = null,
  extra = {},
) {
  return {
    id: 'chatcmpl-s',
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'fake-model',
    choices: [{ index: 0, ...(delta ? { delta } : {}), finish_reason: finish }],
    ...extra,
  };
}
const usageOnly = {
  id: 'chatcmpl-s',
  object: 'chat.completion.chunk',
  created: 1_760_000_000,
  model: 'fake-model',
  choices: [],
  usage: { prompt_tokens: 700, completion_tokens: 40, total_tokens: 740 },
};
const ARGS = JSON.stringify(LOGS_ARGS);
/** A streamed tool call whose arguments arrive in three pieces, then a usage-only chunk. */
const streamedToolTurn = (prefix: unknown[] = []) =>
  sse([
    ...prefix,
    chunk({ role: 'assistant', content: null }),
    chunk({
      tool_calls: [
        {
          index: 0,
          id: 'call_s1',
          type: 'function',
          function: { name: 'fetch_recent_logs', arguments: '' },
        },
      ],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: ARGS.slice(0, 7) } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: ARGS.slice(7, 20) } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: ARGS.slice(20) } }] }),
    chunk({}, 'tool_calls'),
    usageOnly,
  ]);
const streamedAnswer = (prefix: unknown[] = [], role = true) =>
  sse([
    ...prefix,
    chunk({ ...(role ? { role: 'assistant' } : {}), content: '' }),
    chunk({ content: PAYMENT_JSON.slice(0, 50) }),
    chunk({ content: PAYMENT_JSON.slice(50) }),
    chunk({}, 'stop'),
    usageOnly,
  ]);
const STREAM = { OPENAI_STREAM: 'true' };

/** A truncated answer, as finish_reason length leaves it. */
const CUT = PAYMENT_JSON.slice(0, 120);

// ---------- the shapes ----------

const SHAPES: Shape[] = [
  // --- successful answers, non-streaming ---
  {
    name: 'OpenAI: tool call (content null), then the JSON answer, with the newer message fields',
    source:
      'platform.openai.com/docs/api-reference/chat/object (refusal, annotations, usage details)',
    script: [
      toolTurn({ refusal: null, annotations: [] }),
      ok({
        ...chatBody({ content: PAYMENT_JSON, refusal: null, annotations: [] }),
        service_tier: 'default',
        system_fingerprint: 'fp_1',
        usage: {
          prompt_tokens: 900,
          completion_tokens: 60,
          total_tokens: 960,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
      }),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'tool call with content "" (Ollama, Groq, vLLM, Anthropic compatibility)',
    source: 'ollama/ollama docs/openai.md; docs.anthropic.com/en/api/openai-sdk',
    script: [toolTurn({ content: '' }), answer()],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'tool call arguments as a JSON object, no id, no type (Ollama native shape)',
    source: 'ollama/ollama docs/api.md (tool_calls[].function.arguments is an object)',
    script: [
      ok(
        chatBody(
          {
            content: '',
            tool_calls: [{ function: { name: 'fetch_recent_logs', arguments: LOGS_ARGS } }],
          },
          'stop',
        ),
      ),
      answer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'tool call arguments JSON-encoded twice (a string holding JSON text)',
    source: 'BerriAI/litellm issues on double-encoded tool arguments from Bedrock/Vertex routes',
    script: [
      ok(
        chatBody(
          {
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'fetch_recent_logs', arguments: JSON.stringify(ARGS) },
              },
            ],
          },
          'tool_calls',
        ),
      ),
      answer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'answer without usage',
    source: 'llama.cpp server / LocalAI answers (usage omitted)',
    script: [ok({ ...chatBody({ content: PAYMENT_JSON }), usage: undefined })],
    expect: { model: true },
  },
  {
    name: 'answer with usage: null',
    source: 'Gemini OpenAI compatibility (usage null on some answers)',
    script: [ok({ ...chatBody({ content: PAYMENT_JSON }), usage: null })],
    expect: { model: true },
  },
  {
    name: 'usage with reasoning tokens (o-series, DeepSeek, OpenRouter)',
    source:
      'platform.openai.com/docs/guides/reasoning; openrouter.ai/docs/use-cases/usage-accounting',
    script: [
      ok({
        ...chatBody({ content: PAYMENT_JSON }),
        usage: {
          prompt_tokens: 900,
          completion_tokens: 600,
          total_tokens: 1500,
          completion_tokens_details: { reasoning_tokens: 540 },
          prompt_cache_hit_tokens: 0,
          prompt_cache_miss_tokens: 900,
          cost: 0.0012,
        },
      }),
    ],
    expect: { model: true },
  },
  {
    name: 'two choices (n>1 or a provider that sends alternatives): the first is used',
    source: 'platform.openai.com/docs/api-reference/chat/create (n)',
    script: [
      ok({
        ...chatBody({ content: PAYMENT_JSON }),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: PAYMENT_JSON },
            finish_reason: 'stop',
          },
          {
            index: 1,
            message: { role: 'assistant', content: 'Other text' },
            finish_reason: 'stop',
          },
        ],
      }),
    ],
    expect: { model: true },
  },
  {
    name: 'answer in a ```json fence with prose around it',
    source: 'common with Llama/Qwen via Groq, Together, Ollama (no structured output)',
    script: [answer(`Here is the brief:\n\n\`\`\`json\n${PAYMENT_JSON}\n\`\`\`\n\nLet me know.`)],
    expect: { model: true },
  },
  {
    name: 'answer after a <think>…</think> preamble in content (R1 distills, QwQ)',
    source: 'vllm-project/vllm docs/features/reasoning_outputs.md (without a reasoning parser)',
    script: [
      answer(`<think>\nThe CPU is at 98% {maybe}. I'll restart.\n</think>\n\n${PAYMENT_JSON}`),
    ],
    expect: { model: true },
  },
  {
    name: 'DeepSeek reasoning_content beside content',
    source: 'api-docs.deepseek.com/guides/reasoning_model',
    script: [ok(chatBody({ content: PAYMENT_JSON, reasoning_content: 'CPU 98%, hung; restart.' }))],
    expect: { model: true },
  },
  {
    name: 'Azure: prompt_filter_results and content_filter_results around the answer',
    source:
      'learn.microsoft.com/azure/ai-services/openai/concepts/content-filter (response annotations)',
    env: { OPENAI_API_VERSION: '2024-10-21' },
    script: [
      ok({
        ...chatBody({ content: PAYMENT_JSON }),
        prompt_filter_results: [
          {
            prompt_index: 0,
            content_filter_results: { hate: { filtered: false, severity: 'safe' } },
          },
        ],
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: { role: 'assistant', content: PAYMENT_JSON, refusal: null },
            content_filter_results: {
              hate: { filtered: false, severity: 'safe' },
              protected_material_code: { filtered: false, detected: false },
            },
            logprobs: null,
          },
        ],
      }),
    ],
    expect: { model: true },
  },
  {
    name: 'OpenRouter: native_finish_reason and provider fields, leading keep-alive whitespace',
    source:
      'openrouter.ai/docs/api-reference/overview (native_finish_reason; whitespace keep-alive)',
    script: [
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: `\n\n\n${JSON.stringify({
          ...chatBody({ content: PAYMENT_JSON }),
          provider: 'Fireworks',
          choices: [
            {
              index: 0,
              logprobs: null,
              finish_reason: 'stop',
              native_finish_reason: 'stop',
              message: { role: 'assistant', content: PAYMENT_JSON, refusal: null, reasoning: null },
            },
          ],
        })}`,
      },
    ],
    expect: { model: true },
  },
  {
    name: 'Gemini: tool calls with finish_reason "stop" and a thought signature',
    source: 'ai.google.dev/gemini-api/docs/openai; googleapis/python-genai#2868',
    script: [
      ok(
        chatBody(
          {
            content: null,
            tool_calls: [
              {
                ...fnCall('function-call-1'),
                extra_content: { google: { thought_signature: 'sig' } },
              },
            ],
          },
          'stop',
        ),
      ),
      answer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'Anthropic compatibility: toolu_ ids, finish_reason tool_calls, then stop',
    source: 'docs.anthropic.com/en/api/openai-sdk',
    script: [
      ok(
        chatBody(
          { content: '', tool_calls: [fnCall('toolu_01A09q90qw90lq917835lq9')] },
          'tool_calls',
        ),
      ),
      answer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'native stop reasons passed through (end_turn, tool_use)',
    source: 'aws-samples/bedrock-access-gateway; LiteLLM Anthropic routes',
    script: [toolTurn({ content: '' }, 'tool_use'), answer(PAYMENT_JSON, 'end_turn')],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'Mistral: content as thinking and text chunks',
    source: 'docs.mistral.ai/capabilities/reasoning',
    script: [
      ok(
        chatBody({
          content: [
            { type: 'thinking', thinking: [{ type: 'text', text: 'CPU {98%}' }] },
            { type: 'text', text: PAYMENT_JSON },
          ],
        }),
      ),
    ],
    expect: { model: true },
  },
  {
    name: 'finish_reason length: truncated JSON, then a whole answer on the retry',
    source: 'platform.openai.com/docs/api-reference/chat/object (finish_reason length)',
    script: [answer(CUT, 'length'), answer()],
    expect: { model: true },
  },
  {
    name: 'JSON body labelled text/plain by a proxy',
    source:
      'reverse proxies that rewrite content-type (seen with some one-api/new-api deployments)',
    script: [
      {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: JSON.stringify(chatBody({ content: PAYMENT_JSON })),
      },
    ],
    expect: { model: true },
  },

  // --- answers the bot must not use ---
  {
    name: 'finish_reason length twice',
    source: 'platform.openai.com/docs/api-reference/chat/object',
    script: [answer(CUT, 'length'), answer(CUT, 'length')],
    expect: { fallback: /cut off at the output limit.*OPENAI_MAX_COMPLETION_TOKENS/, requests: 2 },
  },
  {
    name: 'content null, no tool calls (Gemini 2.5 thinking used up the budget)',
    source: 'Gemini OpenAI compatibility: empty content with finish_reason stop/length',
    script: [answer(null), answer(null)],
    expect: { fallback: /empty/, requests: 2 },
  },
  {
    name: 'a refusal',
    source: 'platform.openai.com/docs/guides/structured-outputs (refusal)',
    script: [ok(chatBody({ content: null, refusal: "I'm sorry, I can't help with that." }))],
    expect: { fallback: /refused to answer: "I'm sorry/, requests: 1 },
  },
  {
    name: 'Azure: finish_reason content_filter with no content',
    source: 'learn.microsoft.com/azure/ai-services/openai/concepts/content-filter',
    script: [
      ok({
        ...chatBody({ content: null }, 'content_filter'),
        prompt_filter_results: [],
      }),
    ],
    expect: { fallback: /content filter/, requests: 1 },
  },
  {
    name: 'OpenRouter: 200 with an error body from the upstream provider',
    source: 'openrouter.ai/docs/api-reference/errors (errors in a 200 body)',
    script: [],
    always: ok({
      error: {
        code: 502,
        message: 'Upstream error from Together',
        metadata: { provider_name: 'Together' },
      },
      user_id: 'user_1',
    }),
    expect: { fallback: /HTTP 200 with an error.*Upstream error from Together/, requests: 2 },
  },
  {
    name: 'OpenRouter: a choice with finish_reason error',
    source: 'openrouter.ai/docs/api-reference/errors (mid-generation errors)',
    script: [],
    always: ok({
      ...chatBody({ content: '' }, 'error'),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: '' },
          finish_reason: 'error',
          native_finish_reason: 'error',
          error: { code: 502, message: 'Provider returned error' },
        },
      ],
    }),
    expect: { fallback: /Provider returned error/, requests: 2 },
  },
  {
    name: 'an HTML page with status 200 (a web UI at the base URL)',
    source: 'Open WebUI / LM Studio UI answering at the base URL',
    script: [
      {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><head><title>Open WebUI</title></head></html>',
      },
    ],
    expect: { fallback: /HTML page.*OPENAI_BASE_URL/, requests: 1 },
  },
  {
    name: 'an empty 200 body',
    source: 'proxies that drop the body (AWS ALB idle timeout, Cloud Run cold start)',
    script: [],
    always: { status: 200, headers: { 'content-type': 'application/json' }, body: '' },
    expect: { fallback: /empty|not valid JSON/ },
  },

  // --- error bodies ---
  {
    name: 'OpenAI 400 context_length_exceeded',
    source: 'platform.openai.com/docs/guides/error-codes',
    script: [
      fail(400, {
        error: {
          message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130112 tokens. Please reduce the length of the messages.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      }),
    ],
    expect: { fallback: /maximum context length.*TOOL_RESULT_MAX_CHARS/, requests: 1 },
  },
  {
    name: 'OpenAI 401 invalid_api_key',
    source: 'platform.openai.com/docs/guides/error-codes',
    script: [
      fail(401, {
        error: {
          message:
            'Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      }),
    ],
    expect: { fallback: /HTTP 401.*Incorrect API key.*OPENAI_API_KEY/, requests: 1 },
  },
  {
    name: 'OpenAI 403 unsupported_country_region_territory',
    source: 'platform.openai.com/docs/guides/error-codes',
    script: [
      fail(403, {
        error: {
          code: 'unsupported_country_region_territory',
          message: 'Country, region, or territory not supported',
          param: null,
          type: 'request_forbidden',
        },
      }),
    ],
    expect: { fallback: /HTTP 403.*Country, region, or territory not supported/, requests: 1 },
  },
  {
    name: 'OpenAI 404 model_not_found',
    source: 'platform.openai.com/docs/guides/error-codes',
    script: [
      fail(404, {
        error: {
          message: 'The model `gpt-9` does not exist or you do not have access to it.',
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      }),
    ],
    expect: { fallback: /does not exist.*OPENAI_MODEL/, requests: 1 },
  },
  {
    name: 'OpenAI 429 rate_limit_exceeded with retry-after-ms',
    source:
      'platform.openai.com/docs/guides/rate-limits; openai-node src/client.ts (retry-after-ms)',
    script: [],
    always: fail(
      429,
      {
        error: {
          message:
            'Rate limit reached for gpt-4o-mini on tokens per min (TPM): Limit 200000, Used 199000, Requested 1500. Please try again in 150ms.',
          type: 'tokens',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
      { 'retry-after-ms': '150', 'x-ratelimit-reset-tokens': '150ms' },
    ),
    expect: { fallback: /rate-limited.*Rate limit reached.*after a retry/, requests: 2 },
  },
  {
    name: 'OpenAI 429 insufficient_quota: not retried, says billing',
    source: 'platform.openai.com/docs/guides/error-codes (insufficient_quota)',
    script: [],
    always: fail(429, {
      error: {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    }),
    expect: { fallback: /exceeded your current quota.*(billing|credit)/i, requests: 1 },
  },
  {
    name: 'OpenAI 500 server_error',
    source: 'platform.openai.com/docs/guides/error-codes',
    script: [],
    always: fail(500, {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    }),
    expect: { fallback: /HTTP 500.*Sorry about that.*after a retry/, requests: 2 },
  },
  {
    name: 'OpenAI 503 overloaded',
    source: 'platform.openai.com/docs/guides/error-codes',
    script: [
      fail(503, {
        error: {
          message: 'The engine is currently overloaded, please try again later.',
          type: 'server_error',
          param: null,
          code: null,
        },
      }),
      answer(),
    ],
    expect: { model: true },
  },
  {
    name: 'a proxy’s HTML 502 page',
    source: 'nginx default error page',
    script: [],
    always: html(502, '502 Bad Gateway'),
    expect: { fallback: /HTTP 502.*HTML page \("502 Bad Gateway"\)/, requests: 2 },
  },
  {
    name: 'Envoy 504 text/plain',
    source: 'envoyproxy/envoy: "upstream request timeout"',
    script: [],
    always: {
      status: 504,
      headers: { 'content-type': 'text/plain' },
      body: 'upstream request timeout',
    },
    expect: { fallback: /HTTP 504.*upstream request timeout/, requests: 2 },
  },
  {
    name: 'Azure 429 asking to wait longer than the bot waits',
    source:
      'learn.microsoft.com/azure/ai-services/openai/quotas-limits (retry-after-ms, retry-after)',
    env: { OPENAI_API_VERSION: '2024-10-21' },
    script: [],
    always: fail(
      429,
      {
        error: {
          code: '429',
          message:
            'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 60 seconds.',
        },
      },
      { 'retry-after': '60', 'retry-after-ms': '60000' },
    ),
    expect: { fallback: /rate-limited.*60 s/, requests: 1 },
  },
  {
    name: 'Azure 400 content_filter on the prompt',
    source:
      'openai/openai-python#331; vibrantlabsai/ragas#649 (innererror ResponsibleAIPolicyViolation)',
    env: { OPENAI_API_VERSION: '2024-10-21' },
    script: [
      fail(400, {
        error: {
          message:
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: {
            code: 'ResponsibleAIPolicyViolation',
            content_filter_result: { violence: { filtered: true, severity: 'medium' } },
          },
        },
      }),
    ],
    expect: {
      fallback: /content management policy.*content filter refused the prompt/,
      requests: 1,
    },
  },
  {
    name: 'Azure 404 Resource not found (an api-version the resource does not have)',
    source: 'learn.microsoft.com/azure/ai-services/openai/reference (api-version); Azure 404 body',
    env: { OPENAI_API_VERSION: '2019-01-01' },
    script: [fail(404, { error: { code: '404', message: 'Resource not found' } })],
    expect: { fallback: /Resource not found.*OPENAI_API_VERSION/, requests: 1 },
  },
  {
    name: 'Azure 401 wrong key or endpoint',
    source: 'learn.microsoft.com/azure/ai-services/openai (401 body)',
    env: { OPENAI_API_VERSION: '2024-10-21' },
    script: [
      fail(401, {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      }),
    ],
    expect: { fallback: /Access denied.*OPENAI_API_KEY/, requests: 1 },
  },
  {
    name: 'OpenRouter 402 insufficient credits',
    source: 'openrouter.ai/docs/api-reference/errors (402)',
    script: [],
    always: fail(402, {
      error: {
        code: 402,
        message:
          'This request requires more credits, or fewer max_tokens. You requested up to 16384 tokens, but can only afford 2000.',
      },
    }),
    expect: { fallback: /HTTP 402.*credits/, requests: 1 },
  },
  {
    name: 'Gemini 400 API key not valid (an error array)',
    source: 'ai.google.dev/gemini-api/docs/troubleshooting; n4ze3m/page-assist#406 (array body)',
    script: [
      fail(400, [
        {
          error: {
            code: 400,
            message: 'API key not valid. Please pass a valid API key.',
            status: 'INVALID_ARGUMENT',
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: 'API_KEY_INVALID',
                domain: 'googleapis.com',
              },
            ],
          },
        },
      ]),
    ],
    expect: { fallback: /API key not valid.*OPENAI_API_KEY/, requests: 1 },
  },
  {
    name: 'Gemini 429 RESOURCE_EXHAUSTED with a RetryInfo delay longer than the bot waits',
    source: 'ai.google.dev/gemini-api/docs/rate-limits; google.rpc.RetryInfo retryDelay',
    script: [],
    always: fail(429, [
      {
        error: {
          code: 429,
          message: 'You exceeded your current quota, please check your plan and billing details.',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' }],
        },
      },
    ]),
    expect: { fallback: /37 s/, requests: 1 },
  },
  {
    name: 'Anthropic 529 overloaded_error, then an answer',
    source: 'docs.anthropic.com/en/api/errors (529 overloaded_error)',
    script: [
      fail(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      answer(),
    ],
    expect: { model: true },
  },
  {
    name: 'Groq 429 with a Retry-After beyond the bot’s wait',
    source: 'console.groq.com/docs/rate-limits (retry-after header)',
    script: [],
    always: fail(
      429,
      {
        error: {
          message:
            'Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_1` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 5800, Requested 1900. Please try again in 17s.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
      },
      { 'retry-after': '17' },
    ),
    expect: { fallback: /Rate limit reached.*17 s/, requests: 1 },
  },
  {
    name: 'Mistral 422 with a structured message',
    source: 'docs.mistral.ai/api (422 invalid_request_error, message.detail[])',
    script: [
      fail(422, {
        object: 'error',
        message: {
          detail: [
            {
              type: 'extra_forbidden',
              loc: ['body', 'reasoning_effort'],
              msg: 'Extra inputs are not permitted',
            },
          ],
        },
        type: 'invalid_request_error',
        param: null,
        code: null,
      }),
    ],
    expect: {
      fallback: /HTTP 422: "reasoning_effort: Extra inputs are not permitted"/,
      requests: 1,
    },
  },
  {
    name: 'DeepSeek 402 Insufficient Balance',
    source: 'api-docs.deepseek.com/quick_start/error_codes',
    script: [
      fail(402, {
        error: {
          message: 'Insufficient Balance',
          type: 'unknown_error',
          param: null,
          code: 'invalid_request_error',
        },
      }),
    ],
    expect: { fallback: /Insufficient Balance/, requests: 1 },
  },
  {
    name: 'DeepSeek 400 Model Not Exist',
    source: 'api-docs.deepseek.com/quick_start/error_codes',
    script: [
      fail(400, {
        error: {
          message: 'Model Not Exist',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_request_error',
        },
      }),
    ],
    expect: { fallback: /Model Not Exist.*OPENAI_MODEL/, requests: 1 },
  },
  {
    name: 'vLLM 400 context too long (top-level error object)',
    source: 'vllm-project/vllm entrypoints/openai/protocol.py ErrorResponse',
    script: [
      fail(400, {
        object: 'error',
        message:
          "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
        type: 'BadRequestError',
        param: null,
        code: 400,
      }),
    ],
    expect: { fallback: /maximum context length.*TOOL_RESULT_MAX_CHARS/, requests: 1 },
  },
  {
    name: 'LiteLLM 400 invalid model name',
    source: 'BerriAI/litellm proxy (Invalid model name passed in model=…)',
    script: [
      fail(400, {
        error: {
          message:
            '/chat/completions: Invalid model name passed in model=gpt-9. Call `/v1/models` to view available models for your key.',
          type: 'invalid_request_error',
          param: 'model',
          code: '400',
        },
      }),
    ],
    expect: { fallback: /Invalid model name.*OPENAI_MODEL/, requests: 1 },
  },
  {
    name: 'llama.cpp 400 exceed_context_size_error',
    source: 'ggml-org/llama.cpp tools/server (exceed_context_size_error)',
    script: [
      fail(400, {
        error: {
          code: 400,
          message: 'the request exceeds the available context size, try increasing it',
          type: 'exceed_context_size_error',
          n_prompt_tokens: 5000,
          n_ctx: 4096,
        },
      }),
    ],
    expect: { fallback: /exceeds the available context size.*TOOL_RESULT_MAX_CHARS/, requests: 1 },
  },
  {
    name: 'llama.cpp 503 Loading model, then an answer',
    source: 'ggml-org/llama.cpp tools/server README (503 while loading)',
    script: [
      fail(503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } }),
      answer(),
    ],
    expect: { model: true },
  },

  // --- streaming (OPENAI_STREAM=true) ---
  {
    name: 'stream: tool-call argument deltas split, usage-only final chunk, [DONE]',
    source:
      'platform.openai.com/docs/api-reference/chat-streaming; openai-node tests/lib/ChatCompletionStream.test.ts',
    env: STREAM,
    script: [streamedToolTurn(), streamedAnswer()],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'stream: OpenRouter keep-alive comments',
    source: 'openrouter.ai/docs/api-reference/streaming (": OPENROUTER PROCESSING")',
    env: STREAM,
    script: [
      streamedToolTurn([': OPENROUTER PROCESSING\n\n', ': OPENROUTER PROCESSING\n\n']),
      streamedAnswer([': OPENROUTER PROCESSING\n\n']),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'stream: lines split across network reads, CRLF line endings',
    source: 'WHATWG SSE (CRLF allowed); proxies re-chunk streams',
    env: STREAM,
    script: [
      {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        bodyParts: (() => {
          const text = [
            chunk({ role: 'assistant', content: PAYMENT_JSON.slice(0, 40) }),
            chunk({ content: PAYMENT_JSON.slice(40) }),
            chunk({}, 'stop'),
          ]
            .map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`)
            .join('')
            .concat('data: [DONE]\r\n\r\n');
          const parts: string[] = [];
          for (let i = 0; i < text.length; i += 37) parts.push(text.slice(i, i + 37));
          return parts;
        })(),
      },
    ],
    expect: { model: true },
  },
  {
    name: 'stream: OpenRouter mid-stream error (finish_reason error and an error field)',
    source: 'openrouter.ai/docs/api-reference/streaming (Handling Errors During Streaming)',
    env: STREAM,
    script: [],
    always: sse([
      chunk({ role: 'assistant', content: 'Looking' }),
      {
        id: 'cmpl-abc123',
        object: 'chat.completion.chunk',
        created: 1_760_000_000,
        model: 'openai/gpt-4o',
        provider: 'openai',
        error: { code: 'server_error', message: 'Provider disconnected unexpectedly' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      },
    ]),
    expect: { fallback: /Provider disconnected unexpectedly/, requests: 2 },
  },
  {
    name: 'stream: an error event as the first data line (vLLM, OpenAI)',
    source: 'block/goose#8031 (mid-stream {"error": …}); vllm-project/vllm serving_chat.py',
    env: STREAM,
    script: [],
    always: sse([
      { error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } },
    ]),
    expect: { fallback: /CUDA out of memory/, requests: 2 },
  },
  {
    name: 'stream: Gemini tool calls without index, finish_reason stop, thought signature',
    source:
      'THU-MAIC/OpenMAIC#1556 (measured chunk); open-webui/computer#224; googleapis/python-genai#2868',
    env: STREAM,
    script: [
      sse([
        {
          choices: [
            {
              delta: {
                role: 'assistant',
                tool_calls: [
                  {
                    extra_content: { google: { thought_signature: 'sig' } },
                    function: { arguments: ARGS, name: 'fetch_recent_logs' },
                    id: 'function-call-1',
                    type: 'function',
                  },
                ],
              },
              index: 0,
            },
          ],
          model: 'gemini-2.5-flash',
          object: 'chat.completion.chunk',
        },
        {
          choices: [{ delta: { role: 'assistant' }, finish_reason: 'stop', index: 0 }],
          model: 'gemini-2.5-flash',
          object: 'chat.completion.chunk',
          usage: { completion_tokens: 20, prompt_tokens: 900, total_tokens: 920 },
        },
      ]),
      streamedAnswer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'stream: Azure empty-choices annotation frames and an async-filter frame without delta',
    source:
      'learn.microsoft.com/azure/ai-services/openai/concepts/content-streaming; dev.to/multigrid (empty choices)',
    env: { ...STREAM, OPENAI_API_VERSION: '2024-10-21' },
    script: [
      sse([
        {
          choices: [],
          created: 0,
          id: '',
          model: '',
          object: '',
          prompt_filter_results: [
            {
              prompt_index: 0,
              content_filter_results: { hate: { filtered: false, severity: 'safe' } },
            },
          ],
        },
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: PAYMENT_JSON }),
        chunk({}, 'stop'),
        {
          id: 'chatcmpl-s',
          object: 'chat.completion.chunk',
          created: 1_760_000_000,
          model: 'fake-model',
          choices: [
            {
              index: 0,
              finish_reason: null,
              content_filter_results: { hate: { filtered: false, severity: 'safe' } },
              content_filter_offsets: { check_offset: 0, start_offset: 0, end_offset: 500 },
            },
          ],
        },
      ]),
    ],
    expect: { model: true },
  },
  {
    name: 'stream: no role in the first delta',
    source: 'servers that omit delta.role (e.g. older llama.cpp server, some gateways)',
    env: STREAM,
    script: [streamedAnswer([], false)],
    expect: { model: true },
  },
  {
    name: 'stream: chunks without a choices key',
    source: 'gateways that send {"usage": …} or keep-alive JSON without choices (LiteLLM, one-api)',
    env: STREAM,
    script: [
      sse([
        { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm' },
        chunk({ role: 'assistant', content: PAYMENT_JSON }),
        chunk({}, 'stop'),
        {
          id: 'x',
          object: 'chat.completion.chunk',
          created: 0,
          model: 'm',
          usage: { prompt_tokens: 1, completion_tokens: 1 },
        },
      ]),
    ],
    expect: { model: true },
  },
  {
    name: 'stream ends without a finish_reason (connection closed after the content)',
    source: 'anomalyco/opencode#40061 (EOF with no finish frame)',
    env: STREAM,
    script: [sse([chunk({ role: 'assistant', content: PAYMENT_JSON })], { done: false })],
    expect: { model: true, note: /without a finish_reason/ },
  },
  {
    name: 'stream cut off mid-answer (no finish_reason, truncated JSON), twice',
    source: 'anomalyco/opencode#40061 (silent SSE termination)',
    env: STREAM,
    script: [],
    always: sse([chunk({ role: 'assistant', content: CUT })], { done: false }),
    expect: { fallback: /not valid JSON|ended/ },
  },
  {
    name: 'OPENAI_STREAM=true against a server that answers with one JSON body',
    source: 'servers that ignore stream:true (some LocalAI/TGI versions)',
    env: STREAM,
    script: [],
    always: ok(chatBody({ content: PAYMENT_JSON })),
    expect: { model: true, note: /one JSON body.*OPENAI_STREAM=true is not needed/ },
  },
  {
    name: 'stream: only [DONE], no chunks',
    source: 'servers that close an empty stream (a crashed worker behind a gateway)',
    env: STREAM,
    script: [],
    always: sse([]),
    expect: { fallback: /stream ended without an answer.*OPENAI_STREAM/ },
  },
  {
    name: 'stream: one index for two calls that carry their own ids',
    source: 'QuantumNous/new-api#2701 (Gemini calls to several tools all return index=0)',
    env: STREAM,
    script: [
      sse([
        chunk({
          role: 'assistant',
          tool_calls: [
            {
              index: 0,
              id: 'call_a',
              type: 'function',
              function: { name: 'fetch_recent_logs', arguments: ARGS },
            },
          ],
        }),
        chunk({
          tool_calls: [
            {
              index: 0,
              id: 'call_b',
              type: 'function',
              function: { name: 'get_server_health', arguments: '{"server_id":"db-node-02"}' },
            },
          ],
        }),
        chunk({}, 'tool_calls'),
      ]),
      streamedAnswer(),
    ],
    expect: { model: true, tools: ['fetch_recent_logs', 'get_server_health'] },
  },
  {
    name: 'stream: Mistral reasoning model, content as arrays of thinking and text chunks',
    source: 'docs.mistral.ai/capabilities/reasoning (content chunks of type thinking and text)',
    env: STREAM,
    script: [
      sse([
        chunk({
          role: 'assistant',
          content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'CPU {98%}' }] }],
        }),
        chunk({ content: [{ type: 'text', text: PAYMENT_JSON.slice(0, 60) }] }),
        chunk({ content: PAYMENT_JSON.slice(60) }),
        chunk({}, 'stop'),
      ]),
    ],
    expect: { model: true },
  },
  {
    name: 'Azure: a choice stopped by the output filter, without a message',
    source:
      'learn.microsoft.com/azure/ai-services/openai/concepts/content-filter (finish_reason content_filter)',
    env: { OPENAI_API_VERSION: '2024-10-21' },
    script: [
      ok({
        ...chatBody({ content: null }),
        choices: [
          {
            index: 0,
            finish_reason: 'content_filter',
            content_filter_results: { violence: { filtered: true, severity: 'medium' } },
          },
        ],
      }),
    ],
    expect: { fallback: /content filter/, requests: 1 },
  },
  {
    name: 'the draft wrapped in one key named after the schema',
    source:
      'models echoing response_format json_schema.name (Ollama/vLLM guided decoding without strict)',
    env: { OPENAI_STRUCTURED_OUTPUT: 'json_schema', OPENAI_TOOLS: 'off' },
    script: [answer(JSON.stringify({ incident_brief: PAYMENT_DRAFT }))],
    expect: { model: true },
  },
  {
    name: 'OpenAI 400 unsupported_parameter reasoning_effort: sent again without it',
    source: 'platform.openai.com/docs/guides/reasoning (reasoning_effort only on reasoning models)',
    env: { OPENAI_REASONING_EFFORT: 'low' },
    script: [
      fail(400, {
        error: {
          message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
          type: 'invalid_request_error',
          param: 'reasoning_effort',
          code: 'unsupported_parameter',
        },
      }),
      answer(),
    ],
    expect: { model: true, note: /refuses reasoning_effort.*OPENAI_REASONING_EFFORT/ },
    requests: ([first, second]) => {
      expect(first?.body.reasoning_effort).toBe('low');
      expect(second?.body).not.toHaveProperty('reasoning_effort');
    },
  },
  {
    name: 'Azure (older api-version) refuses max_completion_tokens: sent as max_tokens',
    source:
      'learn.microsoft.com/azure/ai-services/openai/how-to/reasoning (max_completion_tokens needs 2024-09-01-preview+)',
    env: { OPENAI_API_VERSION: '2024-06-01', OPENAI_MAX_COMPLETION_TOKENS: '3000' },
    script: [
      fail(400, {
        error: {
          message: 'Unrecognized request argument supplied: max_completion_tokens',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      }),
      answer(),
    ],
    expect: { model: true, note: /max_tokens/ },
    requests: ([, second]) => {
      expect(second?.body.max_tokens).toBe(3000);
      expect(second?.body).not.toHaveProperty('max_completion_tokens');
    },
  },
  {
    name: 'a server that refuses stream_options: streamed without it',
    source:
      'Azure OpenAI api-versions before 2024-09-01-preview ("Unrecognized request argument supplied: stream_options")',
    env: { ...STREAM, OPENAI_API_VERSION: '2024-06-01' },
    script: [
      fail(400, {
        error: {
          message: 'Unrecognized request argument supplied: stream_options',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      }),
      streamedAnswer(),
    ],
    expect: { model: true, note: /stream_options/ },
    requests: ([, second]) => expect(second?.body).not.toHaveProperty('stream_options'),
  },
  {
    name: 'JSON with raw newlines inside strings and a trailing comma (local models)',
    source: 'common slips of Llama/Qwen/Mistral 7B-class models without structured output',
    script: [
      answer(
        JSON.stringify(PAYMENT_DRAFT, null, 2)
          .replace(PAYMENT_DRAFT.impact, 'Payments are slow\nand timing out for customers.')
          .replace(/\n}$/, ',\n}'),
      ),
    ],
    expect: { model: true },
  },
  {
    name: 'a vLLM-shaped error relayed with status 200 by a gateway',
    source: 'vllm-project/vllm ErrorResponse {"object":"error",…}; gateways that flatten statuses',
    script: [
      ok({
        object: 'error',
        message: 'The model `qwen-72b` does not exist.',
        type: 'NotFoundError',
        param: null,
        code: 404,
      }),
    ],
    expect: { fallback: /HTTP 200 with an error.*does not exist/, requests: 1 },
  },
  {
    name: 'LM Studio: an unknown path answered 200 with an error string',
    source: 'LM Studio server ("Unexpected endpoint or method. … Returning 200 anyway")',
    script: [
      ok({
        error: 'Unexpected endpoint or method. (POST /v1/chat/completions). Returning 200 anyway',
      }),
    ],
    expect: { fallback: /Unexpected endpoint or method/, requests: 1 },
  },
  {
    name: 'nginx 413 Request Entity Too Large',
    source: 'nginx client_max_body_size default error page',
    script: [html(413, '413 Request Entity Too Large')],
    expect: { fallback: /HTTP 413.*TOOL_RESULT_MAX_CHARS/, requests: 1 },
  },
  {
    name: 'OpenAI 400 max_tokens is too large',
    source: 'platform.openai.com/docs/guides/error-codes (invalid_value on max_tokens)',
    env: { OPENAI_MAX_COMPLETION_TOKENS: '100000' },
    script: [
      fail(400, {
        error: {
          message:
            'max_tokens is too large: 100000. This model supports at most 16384 completion tokens, whereas you provided 100000.',
          type: 'invalid_request_error',
          param: 'max_tokens',
          code: 'invalid_value',
        },
      }),
    ],
    expect: { fallback: /too large.*lower OPENAI_MAX_COMPLETION_TOKENS/, requests: 1 },
  },
  {
    name: 'Anthropic 400 max_tokens above the model’s output limit',
    source: 'docs.anthropic.com/en/api/errors (invalid_request_error)',
    env: { OPENAI_MAX_COMPLETION_TOKENS: '100000' },
    script: [
      fail(400, {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message:
            'max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5',
        },
      }),
    ],
    expect: { fallback: /max_tokens: 100000 > 64000.*OPENAI_MAX_COMPLETION_TOKENS/, requests: 1 },
  },
  {
    name: 'stream: the connection drops mid-answer, then a whole stream on the retry',
    source: 'load balancers and proxies cutting long streams (idle timeouts)',
    env: STREAM,
    script: [
      {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        bodyParts: [`data: ${JSON.stringify(chunk({ role: 'assistant', content: CUT }))}\n\n`],
        cut: true,
      },
      streamedAnswer(),
    ],
    expect: { model: true },
  },
  {
    name: 'stream: a tool call whose id changes from chunk to chunk',
    source: 'gateways that mint an id per chunk (BerriAI/litellm streaming tool-call id issues)',
    env: STREAM,
    script: [
      sse([
        chunk({
          role: 'assistant',
          tool_calls: [
            {
              index: 0,
              id: 'call_x1',
              type: 'function',
              function: { name: 'fetch_recent_logs', arguments: '' },
            },
          ],
        }),
        chunk({
          tool_calls: [{ index: 0, id: 'call_x2', function: { arguments: ARGS.slice(0, 10) } }],
        }),
        chunk({
          tool_calls: [{ index: 0, id: 'call_x3', function: { arguments: ARGS.slice(10) } }],
        }),
        chunk({}, 'tool_calls'),
      ]),
      streamedAnswer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'a server that sends half a JSON body, then stalls',
    source:
      'overloaded local servers and proxies that stop mid-body (headers sent, body never ends)',
    script: [],
    always: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      bodyParts: [JSON.stringify(chatBody({ content: PAYMENT_JSON })).slice(0, 80)],
      stall: true,
    },
    env: { PLANNER_CALL_TIMEOUT_MS: '300' },
    expect: { fallback: /timed out after 300 ms/ },
  },
  {
    name: 'stream: a stream that stalls after its first chunk',
    source: 'a stuck generation behind a gateway keeping the connection open',
    env: { ...STREAM, PLANNER_CALL_TIMEOUT_MS: '300' },
    script: [],
    always: {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      bodyParts: [`data: ${JSON.stringify(chunk({ role: 'assistant', content: '{' }))}\n\n`],
      stall: true,
    },
    expect: { fallback: /timed out after 300 ms/ },
  },
  {
    name: 'OpenRouter 403 moderation: input flagged (not a key problem)',
    source: 'openrouter.ai/docs/api-reference/errors (403 moderation, metadata.reasons)',
    script: [
      fail(403, {
        error: {
          code: 403,
          message:
            'openai/gpt-4o requires moderation on OpenAI. Your input was flagged for "violence".',
          metadata: {
            reasons: ['violence'],
            flagged_input: 'kill the process…',
            provider_name: 'OpenAI',
          },
        },
      }),
    ],
    expect: { fallback: /HTTP 403.*flagged.*key was accepted/, requests: 1 },
  },
  {
    name: 'LiteLLM 400 budget exceeded (not retried)',
    source: 'docs.litellm.ai/docs/proxy/users (budget_exceeded)',
    script: [],
    always: fail(400, {
      error: {
        message: 'Budget has been exceeded! Current cost: 10.02, Max budget: 10.0',
        type: 'budget_exceeded',
        param: null,
        code: '400',
      },
    }),
    expect: { fallback: /Budget has been exceeded.*add credit or raise the quota/, requests: 1 },
  },
  {
    name: 'LiteLLM 400 ContextWindowExceededError',
    source: 'docs.litellm.ai/docs/exception_mapping (ContextWindowExceededError)',
    script: [
      fail(400, {
        error: {
          message:
            'litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: OpenAIException - Error code: 400',
          type: null,
          param: null,
          code: '400',
        },
      }),
    ],
    expect: { fallback: /ContextWindowExceededError.*TOOL_RESULT_MAX_CHARS/, requests: 1 },
  },
  {
    name: 'text-generation-inference 422 inputs + max_new_tokens too long',
    source: 'huggingface/text-generation-inference router validation error',
    script: [
      fail(422, {
        error:
          'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. Given: 9000 `inputs` tokens and 1000 `max_new_tokens`',
        error_type: 'validation',
      }),
    ],
    expect: { fallback: /must be <= 8192.*TOOL_RESULT_MAX_CHARS/, requests: 1 },
  },
  {
    name: 'Groq 413 request above the tier’s tokens per minute',
    source: 'console.groq.com/docs/rate-limits (413 Request too large … tokens per minute)',
    script: [
      fail(413, {
        error: {
          message:
            'Request too large for model `llama-3.3-70b-versatile` in organization `org_1` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Requested 9100, please reduce your message size and try again.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
      }),
    ],
    expect: { fallback: /HTTP 413.*tokens per minute.*raise the tier/, requests: 1 },
  },
  {
    name: 'Bedrock Access Gateway 400 unsupported model (FastAPI detail)',
    source: 'aws-samples/bedrock-access-gateway (HTTPException detail)',
    script: [
      fail(400, {
        detail:
          'Unsupported model anthropic.claude-9, get the list of supported models from /models API.',
      }),
    ],
    expect: { fallback: /Unsupported model.*OPENAI_MODEL/, requests: 1 },
  },
  {
    name: 'Mistral tool calls left in the text: [TOOL_CALLS][…]',
    source:
      'mistralai/mistral-common (pre-v11 tokenizer); vllm-project/vllm mistral_tool_parser.py',
    script: [
      ok(
        chatBody({ content: `[TOOL_CALLS][{"name": "fetch_recent_logs", "arguments": ${ARGS}}]` }),
      ),
      answer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'Mistral tool calls left in the text: [TOOL_CALLS]NAME[ARGS]{…}',
    source: 'mistralai/mistral-common (v11+ tokenizer); vllm-project/vllm mistral_tool_parser.py',
    script: [ok(chatBody({ content: `[TOOL_CALLS]fetch_recent_logs[ARGS]${ARGS}` })), answer()],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'DeepSeek tool-call tokens left in the text',
    source: 'deepseek-ai/DeepSeek-V3 chat template; vllm-project/vllm deepseekv3_tool_parser.py',
    script: [
      ok(
        chatBody({
          content: `<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>fetch_recent_logs\n\`\`\`json\n${ARGS}\n\`\`\`<｜tool▁call▁end｜><｜tool▁calls▁end｜>`,
        }),
      ),
      answer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'Magistral [THINK]…[/THINK] with an unbalanced brace, then the JSON',
    source: 'docs.mistral.ai/capabilities/reasoning (Magistral [THINK] blocks in raw output)',
    script: [answer(`[THINK]The brief needs { title, summary… CPU 98%.[/THINK]\n${PAYMENT_JSON}`)],
    expect: { model: true },
  },
  {
    name: 'Kimi ◁think▷…◁/think▷ with an unbalanced brace, then the JSON',
    source: 'MoonshotAI/Kimi-VL (thinking output format)',
    script: [answer(`◁think▷Start with { "title"…◁/think▷${PAYMENT_JSON}`)],
    expect: { model: true },
  },
  {
    name: 'Ollama without /v1 in the base URL: 404 page not found (text/plain)',
    source: 'ollama/ollama docs/openai.md (the OpenAI API is under /v1); Go net/http NotFound',
    script: [
      {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '404 page not found',
      },
    ],
    expect: { fallback: /HTTP 404.*404 page not found.*check OPENAI_BASE_URL.*\/v1/, requests: 1 },
  },
  {
    name: 'vLLM without /v1 in the base URL: FastAPI 404 {"detail":"Not Found"}',
    source: 'vllm-project/vllm (FastAPI app; routes under /v1)',
    script: [fail(404, { detail: 'Not Found' })],
    expect: { fallback: /HTTP 404.*check OPENAI_BASE_URL/, requests: 1 },
  },
  {
    name: 'a web server at the base URL: nginx 405 Not Allowed',
    source: 'nginx answering POST to a static site',
    script: [html(405, '405 Not Allowed')],
    expect: { fallback: /HTTP 405.*check OPENAI_BASE_URL/, requests: 1 },
  },
  {
    name: 'a context overflow answered with HTTP 500 (not retried)',
    source:
      'servers that report prompt overflow as an internal error (LocalAI, older llama.cpp server builds)',
    script: [],
    always: fail(500, {
      error: {
        code: 500,
        message: 'the request exceeds the available context size, try increasing it',
        type: 'server_error',
      },
    }),
    expect: { fallback: /exceeds the available context size.*TOOL_RESULT_MAX_CHARS/, requests: 1 },
  },
  {
    name: 'stream: Gemini call split into indexless deltas, then a metadata-only delta',
    source:
      'open-webui/computer#224 (indexless argument deltas; standalone thought-signature delta)',
    env: STREAM,
    script: [
      sse([
        chunk({
          role: 'assistant',
          tool_calls: [
            {
              id: 'function-call-1',
              type: 'function',
              function: { name: 'fetch_recent_logs', arguments: ARGS.slice(0, 15) },
            },
          ],
        }),
        chunk({ tool_calls: [{ function: { arguments: ARGS.slice(15) } }] }),
        chunk({
          tool_calls: [
            { id: 'function-call-1', extra_content: { google: { thought_signature: 'sig' } } },
          ],
        }),
        chunk({}, 'stop'),
      ]),
      streamedAnswer(),
    ],
    expect: { model: true, toolRan: true },
    requests: ([, second]) => {
      const echoed = second?.body.messages.find((m) => m.role === 'assistant') as unknown as {
        tool_calls: Array<Record<string, unknown>>;
      };
      expect(echoed.tool_calls[0]?.extra_content).toEqual({ google: { thought_signature: 'sig' } });
    },
  },
  {
    name: 'stream: a tool call whose arguments arrive as an object',
    source:
      'ollama/ollama (native tool_calls carry arguments as objects; some relays stream them so)',
    env: STREAM,
    script: [
      sse([
        chunk({
          role: 'assistant',
          tool_calls: [
            {
              index: 0,
              id: 'call_o',
              function: { name: 'fetch_recent_logs', arguments: LOGS_ARGS },
            },
          ],
        }),
        chunk({}, 'tool_calls'),
      ]),
      streamedAnswer(),
    ],
    expect: { model: true, toolRan: true },
  },
  {
    name: 'OpenRouter 408 request timed out, then an answer',
    source: 'openrouter.ai/docs/api-reference/errors (408)',
    script: [fail(408, { error: { code: 408, message: 'Your request timed out' } }), answer()],
    expect: { model: true },
  },
];

// ---------- the replay ----------

/** handled = the expected outcome (the model's answer, or a clean fallback); fellBack ⊂ handled. */
const tally = { shapes: 0, handled: 0, fellBack: 0, crashed: 0 };

function check(shape: Shape, brief: IncidentBrief, requests: number): void {
  const e = shape.expect;
  if ('model' in e) {
    expect(brief.planner, brief.planner.fallbackReason ?? '').toMatchObject({
      planner: 'openai',
      fallbackReason: null,
    });
    // The brief says what the model said, no more.
    expect(brief.action).toBe('restart');
    expect(brief.title).toBe(PAYMENT_DRAFT.title);
    expect(brief.summary).toBe(PAYMENT_DRAFT.summary);
    if (e.toolRan)
      expect(brief.evidence.find((x) => x.id === 'E4')?.source.tool).toBe('fetch_recent_logs');
    if (e.tools) {
      // E1–E3 are the prefetch; the model's own calls come after.
      const ran = brief.evidence.slice(3).map((x) => x.source.tool);
      for (const tool of e.tools) expect(ran).toContain(tool);
    }
    if (e.note) expect(brief.policyNotes.join(' ')).toMatch(e.note);
  } else {
    expect(brief.planner.planner).toBe('rules');
    expect(brief.planner.fallbackReason).toMatch(e.fallback);
    if (e.requests !== undefined) expect(requests).toBe(e.requests);
  }
}

describe('real provider response shapes', () => {
  afterAll(() => {
    console.log(
      `provider shapes: ${tally.shapes} → handled ${tally.handled}, fell back cleanly ${tally.fellBack}, crashed ${tally.crashed}`,
    );
  });

  it.each(SHAPES.map((s) => [s.name, s] as const))('%s', async (_name, shape) => {
    tally.shapes++;
    const { fake, triage } = await startHarness(shape.script, {
      env: { ...shape.env },
      ...(shape.always ? { fake: { whenExhausted: shape.always } } : {}),
      ...(shape.env?.OPENAI_API_VERSION ? { baseUrl: (url: string) => new URL(url).origin } : {}),
    });
    let brief: IncidentBrief;
    try {
      brief = (await triage(PAYMENT_REPORT)).brief;
    } catch (error) {
      tally.crashed++;
      throw error;
    }
    check(shape, brief, fake.requests.length);
    shape.requests?.(fake.requests);
    tally.handled++;
    if ('fallback' in shape.expect) tally.fellBack++;
  });

  it('every shape names its source', () => {
    for (const shape of SHAPES) expect(shape.source.length, shape.name).toBeGreaterThan(10);
    expect(new Set(SHAPES.map((s) => s.name)).size).toBe(SHAPES.length);
  });
});
