import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../../../../testing/fake-openai.ts';
import { closeHarnesses, PAYMENT_REPORT, startHarness, text } from '../harness.ts';
import {
  assistantMessages,
  chatBody,
  expectModelAnswer,
  expectToolRan,
  fail,
  fnCall,
  hasTools,
  LOGS_ARGS,
  messages,
  ok,
  PAYMENT_JSON,
} from './shapes.ts';

/**
 * Servers people run themselves (Ollama, vLLM, llama.cpp, LM Studio, LiteLLM), each replaying
 * that server's response shapes and error bodies on a loopback server, as their source code,
 * docs and public issues show them.
 */

afterEach(closeHarnesses);

/** A server that refuses any request offering tools with `refusal`, and answers the rest. */
function refusesTools(refusal: { status: number; body: unknown }) {
  return (request: RecordedRequest) =>
    hasTools(request)
      ? fail(refusal.status, refusal.body)
      : ok(chatBody({ content: PAYMENT_JSON }));
}

describe('Ollama', () => {
  // 400 {"error":{"message":"llama3 does not support tools","type":"api_error","param":null,
  // "code":null}} from /v1/chat/completions (ollama/ollama#5793, #6027).
  const noTools = {
    status: 400,
    body: {
      error: {
        message: 'registry.ollama.ai/library/llama3:8b does not support tools',
        type: 'api_error',
        param: null,
        code: null,
      },
    },
  };

  it('a model without tool support: answered without tools, and later investigations skip them', async () => {
    const { fake, triage } = await startHarness([], {
      fake: { whenExhausted: refusesTools(noTools) },
    });
    const first = (await triage(PAYMENT_REPORT)).brief;
    expectModelAnswer(first);
    expect(fake.requests.map(hasTools)).toEqual([true, false]);
    expect(text(messages(fake.requests[1] as RecordedRequest).at(-1))).toContain(
      'No tools are available',
    );
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests.map(hasTools)).toEqual([true, false, false]);
  });

  it('runs with a base URL alone (no API key)', async () => {
    const { fake, triage } = await startHarness([ok(chatBody({ content: PAYMENT_JSON }))], {
      env: { OPENAI_API_KEY: '' },
    });
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests).toHaveLength(1);
  });

  it('a model that is not pulled: the reason quotes Ollama and names OPENAI_MODEL', async () => {
    // `model %q not found, try pulling it first`, HTTP 404 (ollama/ollama server/routes.go), in
    // the OpenAI error envelope of its /v1 layer.
    const { triage } = await startHarness([
      fail(404, {
        error: {
          message: 'model "llama9" not found, try pulling it first',
          type: 'api_error',
          param: null,
          code: null,
        },
      }),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expect(brief.planner.planner).toBe('rules');
    expect(brief.planner.fallbackReason).toBe(
      'model returned HTTP 404: "model "llama9" not found, try pulling it first": check OPENAI_MODEL (the model name)',
    );
  });

  it('a tool call in Ollama’s native shape (no id, no type, arguments as an object) still runs', async () => {
    // Native /api/chat tool calls: {"function":{"name":…,"arguments":{…}}} without id or type
    // (ollama/ollama docs/api.md, "Chat request (with tools)"); gateways relay it as is.
    const { fake, triage } = await startHarness([
      ok(
        chatBody(
          {
            content: '',
            tool_calls: [{ function: { name: 'fetch_recent_logs', arguments: LOGS_ARGS } }],
          },
          'tool_calls',
        ),
      ),
      ok(chatBody({ content: PAYMENT_JSON })),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expectToolRan(brief);
    const echoed = assistantMessages(fake.requests[1] as RecordedRequest)[0]?.tool_calls as Array<{
      id: string;
      type: string;
    }>;
    const result = messages(fake.requests[1] as RecordedRequest).find((m) => m.role === 'tool');
    expect(echoed[0]?.type).toBe('function');
    expect(echoed[0]?.id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(result?.tool_call_id).toBe(echoed[0]?.id);
  });
});

describe('vLLM', () => {
  it('started without --enable-auto-tool-choice: answered without tools', async () => {
    // 400 {"object":"error","message":"\"auto\" tool choice requires --enable-auto-tool-choice and
    // --tool-call-parser to be set","type":"BadRequestError","param":null,"code":400}
    // (vllm-project/vllm docs/features/tool_calling.md; the envelope of vLLM's ErrorResponse).
    const { fake, triage } = await startHarness([], {
      fake: {
        whenExhausted: refusesTools({
          status: 400,
          body: {
            object: 'error',
            message:
              '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
            type: 'BadRequestError',
            param: null,
            code: 400,
          },
        }),
      },
    });
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests.map(hasTools)).toEqual([true, false]);
  });

  it('a chat template that refuses the system role (Gemma): the instructions open the user message', async () => {
    // Gemma's chat template raises "System role not supported" (google/gemma-2 tokenizer
    // chat_template: raise_exception('System role not supported')), which vLLM returns as a 400.
    const { fake, triage } = await startHarness([], {
      fake: {
        whenExhausted: (request) =>
          messages(request)[0]?.role === 'system'
            ? fail(400, {
                object: 'error',
                message: 'System role not supported',
                type: 'BadRequestError',
                param: null,
                code: 400,
              })
            : ok(chatBody({ content: PAYMENT_JSON })),
      },
    });
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    const resent = fake.requests[1] as RecordedRequest;
    expect(messages(resent).map((m) => m.role)).toEqual(['user']);
    expect(text(messages(resent)[0])).toMatch(/^You are Level Zero Operator/);
  });

  it('a tool parser that does not match the model leaves Hermes-style calls in the text: they are read and run', async () => {
    // Hermes / Qwen write <tool_call>{"name": …, "arguments": {…}}</tool_call>; vLLM extracts it
    // only with the matching --tool-call-parser (vllm-project/vllm docs/features/tool_calling.md).
    const { triage } = await startHarness([
      ok(
        chatBody({
          content: `<tool_call>\n{"name": "fetch_recent_logs", "arguments": ${JSON.stringify(LOGS_ARGS)}}\n</tool_call>`,
        }),
      ),
      ok(chatBody({ content: PAYMENT_JSON })),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expectToolRan(brief);
  });

  it('a reasoning model without a reasoning parser: the think block and an example fence do not hide the answer', async () => {
    // DeepSeek-R1 distills put their reasoning in <think>…</think> inside content when vLLM runs
    // without --reasoning-parser (vllm-project/vllm docs/features/reasoning_outputs.md).
    const content = [
      '<think>The brief needs {"title", "facts"}; E1 shows cpu 98 {high}.</think>',
      'The format is:',
      '```json\n{"title": "example"}\n```',
      'Here is the brief:',
      `\`\`\`json\n${PAYMENT_JSON}\n\`\`\``,
    ].join('\n');
    const { fake, triage } = await startHarness([ok(chatBody({ content }))]);
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('llama.cpp (llama-server)', () => {
  it('started without --jinja: the 500 is read as tools refused, and answered without tools', async () => {
    // 500 {"error":{"code":500,"message":"tools param requires --jinja flag","type":"server_error"}}
    // (containers/ramalama#988, defilantech/LLMKube#126).
    const { fake, triage } = await startHarness([], {
      fake: {
        whenExhausted: refusesTools({
          status: 500,
          body: {
            error: {
              code: 500,
              message: 'tools param requires --jinja flag',
              type: 'server_error',
            },
          },
        }),
      },
    });
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expect(fake.requests.map(hasTools)).toEqual([true, false]);
  });

  it('rejects a null content on the echoed tool-call message: "" is sent', async () => {
    // "Expected 'content' to be a string or an array" when a tool-call message is echoed with
    // content null (ggml-org/llama.cpp#13471).
    const { triage } = await startHarness([
      ok(chatBody({ content: null, tool_calls: [fnCall('Vn2a8jWQ1tS0')] }, 'tool_calls')),
      (request) =>
        assistantMessages(request).some((m) => typeof m.content !== 'string')
          ? fail(500, {
              error: {
                code: 500,
                message: "Expected 'content' to be a string or an array",
                type: 'server_error',
              },
            })
          : ok(chatBody({ content: PAYMENT_JSON })),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expectToolRan(brief);
  });

  it('a Llama 3.x model whose call stays in the text after <|python_tag|> is read and run', async () => {
    // Llama 3.1/3.2 JSON tool calls: {"name": …, "parameters": {…}}, after <|python_tag|> for
    // built-in style calls (meta-llama/llama-models, models/llama3_1/api/tool_utils.py).
    const { triage } = await startHarness([
      ok(
        chatBody({
          content: `<|python_tag|>{"name": "fetch_recent_logs", "parameters": ${JSON.stringify(LOGS_ARGS)}}`,
        }),
      ),
      ok(chatBody({ content: PAYMENT_JSON })),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expectToolRan(brief);
  });
});

describe('LM Studio', () => {
  it('an always-present empty tool_calls and a Qwen3 XML call in the text: the call is read and run', async () => {
    // LM Studio returns "tool_calls": [] on every answer (lmstudio-bug-tracker#1318) and, for some
    // models, the call as <tool_call><function=…><parameter=…>…</parameter></function></tool_call>
    // text (lmstudio-bug-tracker#2115). It rejects a null content on echoed messages ("Invalid
    // 'content': 'content' field must be a string or an array of objects.", lmstudio-bug-tracker#261).
    const call = [
      '<tool_call>',
      '<function=fetch_recent_logs>',
      '<parameter=server_id>',
      'payment-server-01',
      '</parameter>',
      '<parameter=lines>',
      '20',
      '</parameter>',
      '</function>',
      '</tool_call>',
    ].join('\n');
    const { fake, triage } = await startHarness([
      ok(chatBody({ content: call, tool_calls: [] })),
      (request) =>
        assistantMessages(request).some((m) => typeof m.content !== 'string')
          ? fail(400, {
              error: "Invalid 'content': 'content' field must be a string or an array of objects.",
            })
          : ok(chatBody({ content: PAYMENT_JSON, tool_calls: [] })),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expectToolRan(brief);
    // The written call goes back as written, its result as the next user message.
    const second = fake.requests[1] as RecordedRequest;
    expect(messages(second).map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });
});

describe('LiteLLM', () => {
  it('a route whose provider does not take tools (UnsupportedParamsError): answered without tools', async () => {
    // "litellm.UnsupportedParamsError: {provider} does not support parameters: ['tools'], for
    // model=…. To drop these, set `litellm.drop_params=True` …" (BerriAI/litellm utils.py
    // get_optional_params), relayed by the proxy in the OpenAI error envelope.
    const { fake, triage } = await startHarness([], {
      fake: {
        whenExhausted: refusesTools({
          status: 400,
          body: {
            error: {
              message:
                "litellm.BadRequestError: litellm.UnsupportedParamsError: ollama does not support parameters: ['tools'], for model=llama2. To drop these, set `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: true`\n",
              type: 'None',
              param: 'None',
              code: '400',
            },
          },
        }),
      },
    });
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests.map(hasTools)).toEqual([true, false]);
  });

  it('a rate-limited deployment is retried once after its Retry-After', async () => {
    // 429 {"error":{"message":"litellm.RateLimitError: …","type":"throttling_error","code":"429"}}
    // with retry-after (docs.litellm.ai/docs/proxy/reliability).
    const { fake, triage } = await startHarness([
      fail(
        429,
        {
          error: {
            message:
              'litellm.RateLimitError: No deployments available for selected model, Try again in 0 seconds.',
            type: 'throttling_error',
            param: null,
            code: '429',
          },
        },
        { 'retry-after': '0' },
      ),
      ok(chatBody({ content: PAYMENT_JSON })),
    ]);
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests).toHaveLength(2);
  });
});
