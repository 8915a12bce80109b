import { afterEach, describe, expect, it } from 'vitest';
import {
  errorReply,
  FakeOpenAi,
  type FakeReply,
  type FakeStep,
  finalReply,
  type RecordedRequest,
  toolCallReply,
} from '../../testing/fake-openai.ts';
import { ScriptedModel } from '../../testing/scripted-model.ts';
import { runCli } from '../support/cli.ts';

/**
 * `npm run model-check` as a person runs it, against a loopback model server in three states:
 * everything works; the model refuses tools; the key is bad.
 */

const open: FakeOpenAi[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function server(step: FakeStep, models?: FakeStep): Promise<FakeOpenAi> {
  const fake = await FakeOpenAi.start([], { whenExhausted: step, ...(models ? { models } : {}) });
  open.push(fake);
  return fake;
}

function check(fake: FakeOpenAi, env: Record<string, string> = {}) {
  return runCli('model-check', [], {
    env: {
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_MODEL: 'fake-model',
      ...env,
    },
    timeoutMs: 60_000,
  });
}

type Answer = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

/** A capable model: answers the probes, and investigates like a careful SRE (the scripted model). */
function capable(): Answer {
  const model = new ScriptedModel();
  return (request) => {
    const last = request.body.messages.at(-1);
    const said = typeof last?.content === 'string' ? last.content : '';
    if (said.startsWith('Reply with the single word OK')) return finalReply('OK');
    if (said.startsWith('Call the get_server_health tool'))
      return toolCallReply([
        { name: 'get_server_health', args: { server_id: 'payment-server-01' } },
      ]);
    if (request.body.response_format) return finalReply({ status: 'ok' });
    return model.step(request);
  };
}

/** Ollama's refusal of tools (ollama/ollama#5793): 400 whenever a request offers them. */
function noTools(inner: Answer): FakeStep {
  return (request) =>
    request.body.tools?.length
      ? errorReply(400, {}, 'registry.ollama.ai/library/gemma2:2b does not support tools')
      : inner(request);
}

describe('npm run model-check', () => {
  it('works: every probe passes, the seed incident is answered, and the settings to keep are printed', async () => {
    const fake = await server(capable());
    const { code, stdout } = await check(fake);
    expect(code, stdout).toBe(0);
    expect(stdout).toContain(`Model check: ${fake.url} · model fake-model`);
    expect(stdout).toContain('✓ reachable, key accepted');
    expect(stdout).toContain('✓ model fake-model is listed');
    expect(stdout).toContain('✓ tool calls work');
    expect(stdout).toContain('✓ structured output works (json_schema)');
    expect(stdout).toMatch(
      /✓ seed incident payment-server-01: the model answered in 2 turns \([\d.]+ s \+ [\d.]+ s\), 1 tool call, \d+ prompt \+ \d+ completion tokens; action restart/,
    );
    expect(stdout).toContain('Verdict: usable');
    expect(stdout).toContain(`OPENAI_BASE_URL=${fake.url}`);
    expect(stdout).toContain('OPENAI_STRUCTURED_OUTPUT=json_schema');
    expect(stdout).not.toContain('OPENAI_TOOLS=off');
  }, 60_000);

  it('tools refused: says the model will run tool-less, answers the seed without tools, and says to set OPENAI_TOOLS=off', async () => {
    const fake = await server(noTools(capable()));
    const { code, stdout } = await check(fake);
    expect(code, stdout).toBe(0);
    expect(stdout).toContain(
      '! the model does not support tools (HTTP 400: "registry.ollama.ai/library/gemma2:2b does not support tools")',
    );
    expect(stdout).toContain('investigations will run tool-less');
    expect(stdout).toMatch(/✓ seed incident payment-server-01: the model answered in 1 turn /);
    expect(stdout).toContain('OPENAI_TOOLS=off');
    // The seed investigation offered no tools at all.
    const seedRequests = fake.requests.filter((r) =>
      JSON.stringify(r.body.messages).includes('<evidence>'),
    );
    expect(seedRequests.length).toBeGreaterThan(0);
    for (const r of seedRequests) expect(r.body.tools).toBeUndefined();
  }, 60_000);

  it('bad key: stops at the first probe, quoting the server and naming OPENAI_API_KEY; exit 1', async () => {
    // 401 {"error":{"message":"Incorrect API key provided: sk-test. …","type":"invalid_request_error",
    // "code":"invalid_api_key"}} (platform.openai.com/docs/guides/error-codes, 401).
    const refused = errorReply(
      401,
      {},
      'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.',
    );
    const fake = await server(refused, refused);
    const started = performance.now();
    const { code, stdout } = await check(fake);
    expect(code, stdout).toBe(1);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(stdout).toContain(
      '✗ model endpoint refused the API key (HTTP 401): "Incorrect API key provided: sk-test.',
    );
    expect(stdout).toContain('check OPENAI_API_KEY');
    expect(stdout).toContain('Verdict: not usable');
    expect(fake.requests).toHaveLength(0);
  }, 60_000);
});
