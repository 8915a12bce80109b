import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../../../../testing/fake-openai.ts';
import { closeHarnesses, PAYMENT_REPORT, startHarness, text } from '../harness.ts';
import {
  chatBody,
  expectFallback,
  expectModelAnswer,
  fail,
  fnCall,
  hasTools,
  LOGS_ARGS,
  messages,
  ok,
  PAYMENT_JSON,
} from './shapes.ts';

/**
 * What any OpenAI-compatible endpoint may do on the wire: streaming, structured output, bodies
 * that are not chat completions, and the quirks of tool-call fields.
 */

afterEach(closeHarnesses);

/** Server-sent events, as chat completions stream them: `data: {chunk}` lines, then `data: [DONE]`. */
function sse(chunks: unknown[]): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    body: `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`,
  };
}

function chunk(
  delta: Record<string, unknown>,
  finish: string | null = null,
): Record<string, unknown> {
  return {
    id: 'chatcmpl-stream',
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

const usageChunk = {
  id: 'chatcmpl-stream',
  object: 'chat.completion.chunk',
  created: 1_760_000_000,
  model: 'fake-model',
  choices: [],
  usage: { prompt_tokens: 700, completion_tokens: 40, total_tokens: 740 },
};

describe('OPENAI_STREAM=true', () => {
  it('accumulates streamed tool calls, reasoning and content, with usage', async () => {
    // Chunk objects with delta.content / delta.tool_calls[index] pieces and a final usage chunk
    // whose choices are empty when stream_options.include_usage is set
    // (platform.openai.com/docs/api-reference/chat-streaming); DeepSeek streams reasoning_content
    // the same way (api-docs.deepseek.com/guides/thinking_mode).
    const half = JSON.stringify(LOGS_ARGS).slice(0, 12);
    const rest = JSON.stringify(LOGS_ARGS).slice(12);
    const { fake, triage } = await startHarness(
      [
        sse([
          chunk({ role: 'assistant', content: null, reasoning_content: 'Read more ' }),
          chunk({ reasoning_content: 'log lines.' }),
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
          chunk({ tool_calls: [{ index: 0, function: { arguments: half } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: rest } }] }),
          chunk({}, 'tool_calls'),
          usageChunk,
        ]),
        sse([
          chunk({ role: 'assistant', content: PAYMENT_JSON.slice(0, 100) }),
          chunk({ content: PAYMENT_JSON.slice(100) }),
          chunk({}, 'stop'),
          usageChunk,
        ]),
      ],
      { env: { OPENAI_STREAM: 'true' } },
    );
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expect(brief.evidence.find((e) => e.id === 'E4')?.source.tool).toBe('fetch_recent_logs');
    expect(brief.planner.tokens).toEqual({ prompt: 1400, completion: 80 });
    const [first, second] = fake.requests as [RecordedRequest, RecordedRequest];
    expect(first.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const echoed = messages(second).find((m) => m.role === 'assistant') as unknown as Record<
      string,
      unknown
    >;
    expect(echoed.reasoning_content).toBe('Read more log lines.');
  });

  it('without OPENAI_STREAM, an event stream is named and the fix given', async () => {
    const { triage } = await startHarness([
      sse([chunk({ role: 'assistant', content: PAYMENT_JSON }, 'stop')]),
    ]);
    expectFallback((await triage(PAYMENT_REPORT)).brief, /event stream .*set OPENAI_STREAM=true$/);
  });
});

describe('OPENAI_STRUCTURED_OUTPUT', () => {
  it('tool: the answer is handed in through submit_brief, forced on the turn without other tools', async () => {
    const { fake, triage } = await startHarness(
      [
        ok(chatBody({ content: null, tool_calls: [fnCall('call_t1')] }, 'tool_calls')),
        (request) => {
          const offered = request.body.tools?.map((t) => t.function.name) ?? [];
          return offered.length === 1 && offered[0] === 'submit_brief'
            ? ok(
                chatBody(
                  {
                    content: null,
                    tool_calls: [fnCall('call_t2', 'submit_brief', JSON.parse(PAYMENT_JSON))],
                  },
                  'tool_calls',
                ),
              )
            : fail(500, {
                error: { message: `expected only submit_brief, got ${offered.join(',')}` },
              });
        },
      ],
      { env: { OPENAI_STRUCTURED_OUTPUT: 'tool', PLANNER_MAX_TURNS: '2' } },
    );
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    const [first, last] = fake.requests as [RecordedRequest, RecordedRequest];
    expect(first.body.tools?.map((t) => t.function.name)).toContain('submit_brief');
    expect(last.body.tool_choice).toEqual({ type: 'function', function: { name: 'submit_brief' } });
  });

  it('auto: a server that refuses response_format is asked again without it, and not asked again', async () => {
    // e.g. Groq: "'response_format' : one of the following must be satisfied…" (vercel/ai#7808);
    // here in the common "not supported" wording.
    const { fake, triage } = await startHarness([], {
      env: { OPENAI_STRUCTURED_OUTPUT: 'auto', OPENAI_TOOLS: 'off' },
      fake: {
        whenExhausted: (request) =>
          request.body.response_format
            ? fail(400, {
                error: {
                  message: 'response_format json_schema is not supported for this model',
                  type: 'invalid_request_error',
                },
              })
            : ok(chatBody({ content: PAYMENT_JSON })),
      },
    });
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests.map((r) => Boolean(r.body.response_format))).toEqual([true, false, false]);
  });

  it('OPENAI_TOOLS=off: one tool-less turn, the instruction in the opening message', async () => {
    const { fake, triage } = await startHarness([ok(chatBody({ content: PAYMENT_JSON }))], {
      env: { OPENAI_TOOLS: 'off' },
    });
    expectModelAnswer((await triage(PAYMENT_REPORT)).brief);
    expect(fake.requests).toHaveLength(1);
    expect(hasTools(fake.requests[0] as RecordedRequest)).toBe(false);
    expect(messages(fake.requests[0] as RecordedRequest).map((m) => m.role)).toEqual([
      'system',
      'user',
    ]);
    expect(text(messages(fake.requests[0] as RecordedRequest)[1])).toMatch(
      /No tools are available/,
    );
  });
});

describe('bodies that are not chat completions', () => {
  it('an HTML page (a web UI at the base URL) is named, with what to check', async () => {
    const { triage } = await startHarness([
      {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<!doctype html><html><head><title>Open WebUI</title></head><body></body></html>',
      },
    ]);
    expectFallback((await triage(PAYMENT_REPORT)).brief, /HTML page.*check OPENAI_BASE_URL/);
  });

  it('a 500 with a message keeps the message', async () => {
    const { triage } = await startHarness([], {
      fake: {
        whenExhausted: fail(
          500,
          { error: { message: 'CUDA out of memory', type: 'server_error' } },
          { 'retry-after': '0' },
        ),
      },
    });
    expectFallback(
      (await triage(PAYMENT_REPORT)).brief,
      /^model returned HTTP 500: "CUDA out of memory" \(after a retry\)$/,
    );
  });

  it('a proxy’s HTML error page is summarised by its title, not dumped', async () => {
    const { triage } = await startHarness([], {
      fake: {
        whenExhausted: {
          status: 502,
          headers: { 'content-type': 'text/html', 'retry-after': '0' },
          body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
        },
      },
    });
    expectFallback(
      (await triage(PAYMENT_REPORT)).brief,
      /^model returned HTTP 502: "an HTML page \("502 Bad Gateway"\), not an API answer" \(after a retry\)$/,
    );
  });

  it('a content filter stop is named as such (Azure content filtering)', async () => {
    // finish_reason "content_filter" with no content (learn.microsoft.com/azure/ai-foundry/openai/
    // concepts/content-filter, "Scenario details").
    const { triage } = await startHarness([ok(chatBody({ content: null }, 'content_filter'))]);
    expectFallback(
      (await triage(PAYMENT_REPORT)).brief,
      /content filter stopped the model's answer/,
    );
  });
});

describe('tool-call fields', () => {
  it('duplicated ids and arguments as objects (text-generation-inference) still run as two calls', async () => {
    // TGI answers tool calls with id "0" and arguments as an object
    // (huggingface/text-generation-inference, integration-tests/models/test_tools_llama.py).
    const { fake, triage } = await startHarness([
      ok(
        chatBody(
          {
            content: null,
            tool_calls: [
              {
                id: '0',
                type: 'function',
                function: { name: 'fetch_recent_logs', arguments: LOGS_ARGS },
              },
              {
                id: '0',
                type: 'function',
                function: { name: 'get_server_health', arguments: { server_id: 'db-node-02' } },
              },
            ],
          },
          'tool_calls',
        ),
      ),
      ok(chatBody({ content: PAYMENT_JSON })),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    const results = messages(fake.requests[1] as RecordedRequest).filter((m) => m.role === 'tool');
    expect(new Set(results.map((m) => m.tool_call_id)).size).toBe(2);
    expect(brief.evidence.map((e) => e.source.tool)).toEqual([
      'get_server_health',
      'fetch_recent_logs',
      'list_recent_changes',
      'fetch_recent_logs',
      'get_server_health',
    ]);
  });

  it('a bare {"name", "arguments"} answer is a call when it names a tool, not an answer to validate', async () => {
    const { fake, triage } = await startHarness([
      ok(
        chatBody({
          content: `\`\`\`json\n{"name": "fetch_recent_logs", "arguments": ${JSON.stringify(LOGS_ARGS)}}\n\`\`\``,
        }),
      ),
      ok(chatBody({ content: PAYMENT_JSON })),
    ]);
    const { brief } = await triage(PAYMENT_REPORT);
    expectModelAnswer(brief);
    expect(brief.evidence.find((e) => e.id === 'E4')?.source.tool).toBe('fetch_recent_logs');
    expect(fake.requests).toHaveLength(2);
  });
});
