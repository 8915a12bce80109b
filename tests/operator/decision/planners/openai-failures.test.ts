import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/config/env.ts';
import { createRuntime } from '../../../../src/root/runtime.ts';
import { SqliteStore } from '../../../../src/store/sqlite/index.ts';
import { escalateDraft } from '../../../../testing/drafts.ts';
import { errorReply, finalReply, hang } from '../../../../testing/fake-openai.ts';
import { closeHarnesses, PAYMENT_REPORT, SEARCH_REPORT, startHarness } from './harness.ts';

afterEach(closeHarnesses);

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('model endpoint failures', () => {
  it('429 with Retry-After: 0, then success → the same turn is retried once, no fallback', async () => {
    const { fake, triage } = await startHarness([
      errorReply(429, { 'retry-after': '0' }),
      finalReply(escalateDraft(), { usage: { prompt_tokens: 700, completion_tokens: 90 } }),
    ]);

    const { brief } = await triage(SEARCH_REPORT);

    expect(fake.requests).toHaveLength(2);
    expect(brief.planner).toMatchObject({
      planner: 'openai',
      fallbackReason: null,
      turns: 1,
      tokens: { prompt: 700, completion: 90 },
    });
    expect(brief.action).toBe('escalate');
  });

  it('429 twice → rules fallback, named as rate limiting', async () => {
    const { fake, triage } = await startHarness([], {
      fake: { whenExhausted: errorReply(429, { 'retry-after': '0' }) },
    });

    const { brief } = await triage(SEARCH_REPORT);

    expect(fake.requests).toHaveLength(2);
    expect(brief.planner.planner).toBe('rules');
    expect(brief.planner.fallbackReason).toBe('model rate-limited (HTTP 429) (after a retry)');
  });

  it('a Retry-After longer than the time left → rules fallback at once, not a wait past the deadline', async () => {
    const { fake, triage } = await startHarness([errorReply(429, { 'retry-after': '4' })], {
      env: { PLANNER_DEADLINE_MS: '1000' },
    });

    const { brief } = await triage(SEARCH_REPORT);

    expect(fake.requests).toHaveLength(1);
    expect(brief.planner.planner).toBe('rules');
    expect(brief.planner.fallbackReason).toBe(
      'model rate-limited (HTTP 429); its Retry-After outlasts the investigation deadline',
    );
  });

  it('HTTP 500 every time → one retry, then the rules planner, with a plain reason in the brief', async () => {
    const { fake, triage } = await startHarness([], {
      fake: { whenExhausted: errorReply(500, { 'retry-after': '0' }) },
    });

    const { brief, proposal } = await triage(PAYMENT_REPORT);

    expect(fake.requests).toHaveLength(2);
    expect(brief.planner).toMatchObject({
      planner: 'rules',
      model: 'fake-model',
      turns: 1,
      toolCalls: 0,
      tokens: { prompt: 0, completion: 0 },
    });
    expect(brief.planner.fallbackReason).toBe('model returned HTTP 500 (after a retry)');
    expect(brief.policyNotes[0]).toBe(
      'The model was not used for this brief (model returned HTTP 500 (after a retry)); the rules planner decided.',
    );
    // The evidence already gathered still decides the seed correctly.
    expect(brief.action).toBe('restart');
    expect(proposal?.serverId).toBe('payment-server-01');
  });

  it('a client error (HTTP 400) is not retried', async () => {
    const { fake, triage } = await startHarness([errorReply(400, {}, 'bad tools schema')]);

    const { brief } = await triage(SEARCH_REPORT);

    expect(fake.requests).toHaveLength(1);
    expect(brief.planner.fallbackReason).toContain('model returned HTTP 400');
  });

  it('a hung endpoint → timed out after PLANNER_CALL_TIMEOUT_MS, not retried, rules fallback', async () => {
    const { fake, triage } = await startHarness([hang(), finalReply(escalateDraft())], {
      env: { PLANNER_CALL_TIMEOUT_MS: '200' },
    });

    const started = performance.now();
    const { brief } = await triage(SEARCH_REPORT);

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(fake.requests).toHaveLength(1);
    expect(brief.planner).toMatchObject({ planner: 'rules', turns: 1 });
    expect(brief.planner.fallbackReason).toBe('model call timed out after 200 ms');
    expect(brief.action).toBe('escalate');
  });

  it('the overall deadline stops a call that would outlive it', async () => {
    const { triage } = await startHarness([hang()], {
      env: { PLANNER_CALL_TIMEOUT_MS: '30000', PLANNER_DEADLINE_MS: '1000' },
    });

    const started = performance.now();
    const { brief } = await triage(SEARCH_REPORT);

    expect(performance.now() - started).toBeLessThan(5_000);
    expect(brief.planner.planner).toBe('rules');
    expect(brief.planner.fallbackReason).toBe(
      'investigation deadline passed while waiting for the model',
    );
  });

  it('an endpoint nobody listens on → one retry, then a fallback naming the connection failure', async () => {
    const port = await closedPort();
    const runtime = await createRuntime(
      parseConfig({
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
        OPENAI_MODEL: 'fake-model',
      }),
      {
        store: SqliteStore.open(':memory:'),
        approvers: { isApprover: async () => true, describe: () => '' },
      },
    );
    try {
      const started = performance.now();
      const { brief } = await runtime.operator.investigate({
        report: SEARCH_REPORT,
        source: 'cli',
        actor: 'test',
      });
      // One default Retry-After wait (1 s) between the two attempts.
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
      expect(brief.planner.planner).toBe('rules');
      expect(brief.planner.fallbackReason).toMatch(
        /^could not connect to the model endpoint.*\(after a retry\)$/,
      );
    } finally {
      await runtime.close();
    }
  });
});
