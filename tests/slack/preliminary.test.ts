import { afterEach, describe, expect, it } from 'vitest';
import { FakeOpenAi } from '../../testing/fake-openai.ts';
import { ScriptedModel } from '../../testing/scripted-model.ts';
import { buttonsOf, callsShowing, shown, waitForBriefWithButtons } from './e2e-support.ts';
import { type BotHarness, mention, OPS, startBot } from './harness.ts';

/**
 * With a model configured, the rules planner's brief is shown as soon as the evidence is in,
 * marked preliminary and without buttons, and the model's brief replaces it in place.
 */

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

const open: { bot: BotHarness; model: FakeOpenAi }[] = [];
afterEach(async () => {
  for (const { bot, model } of open.splice(0)) {
    await bot.close();
    await model.close();
  }
});

async function botWithSlowModel(latencyMs: number) {
  const scripted = new ScriptedModel();
  const model = await FakeOpenAi.start([], { latencyMs, whenExhausted: scripted.step });
  const bot = await startBot({
    env: { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: model.url, OPENAI_MODEL: 'slow-model' },
  });
  open.push({ bot, model });
  return { bot, model };
}

describe('a preliminary brief while the model reasons (HTTP mode, fake Slack and model)', () => {
  it('first the rules brief without buttons, then the model brief with buttons on the same message', async () => {
    const { bot, model } = await botWithSlowModel(800);
    expect((await bot.event(mention(OPS, PAYMENT, '1700000300.000100'))).status).toBe(200);

    await bot.slack.waitFor(
      (s) => callsShowing(s, 'chat.update', /Preliminary/).length > 0,
      10_000,
      'the preliminary brief',
    );
    const [preliminary] = callsShowing(bot.slack, 'chat.update', /Preliminary/);
    if (!preliminary) throw new Error('no preliminary brief');
    expect(buttonsOf(preliminary)).toEqual([]);
    expect(shown(preliminary)).toMatch(/slow-model reasons/);
    // Shown before the model answered its first call.
    expect(model.requests.length).toBeLessThanOrEqual(1);
    await bot.slack.waitFor(
      (s) => s.callsTo('assistant.threads.setStatus').length > 0,
      5_000,
      'the thread status',
    );
    expect(bot.slack.callsTo('assistant.threads.setStatus')[0]?.args).toMatchObject({
      channel_id: OPS,
      thread_ts: '1700000300.000100',
      status: expect.stringContaining('slow-model'),
    });

    const { call } = await waitForBriefWithButtons(bot.slack);
    expect(call.args.ts).toBe(preliminary.args.ts);
    expect(shown(call)).not.toMatch(/Preliminary/);
    expect(call.at).toBeGreaterThan(preliminary.at);
    // One message for the incident: the progress post; everything after it is an edit.
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(1);
    await bot.slack.waitFor(
      (s) => s.callsTo('assistant.threads.setStatus').some((c) => c.args.status === ''),
      5_000,
      'the status cleared',
    );
  });

  it('the rules planner alone shows no preliminary brief', async () => {
    const bot = await startBot();
    try {
      await bot.event(mention(OPS, PAYMENT, '1700000400.000100'));
      await waitForBriefWithButtons(bot.slack);
      expect(callsShowing(bot.slack, 'chat.update', /Preliminary/)).toEqual([]);
      expect(bot.slack.callsTo('assistant.threads.setStatus')).toEqual([]);
    } finally {
      await bot.close();
    }
  });
});
