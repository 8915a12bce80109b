import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/config/env.ts';
import { runScenarios } from '../../../../src/eval/run.ts';
import { SYSTEM_PROMPT } from '../../../../src/operator/decision/planners/prompt.ts';
import { createPlanner } from '../../../../src/root/runtime.ts';
import { loadScenarios } from '../../../../src/tools/fleet/load.ts';
import { FakeOpenAi } from '../../../../testing/fake-openai.ts';
import { estimatePromptTokens } from '../../../../testing/prompt-tokens.ts';
import { readInvestigation, ScriptedModel } from '../../../../testing/scripted-model.ts';

const PACK = fileURLToPath(new URL('../../../../scenarios/pack.yaml', import.meta.url));

/** The budget issue 9 sets for a seed incident: every model turn of one investigation together. */
const BUDGET = 3_000;

describe('lean prompts', () => {
  it('keeps each seed investigation under 3,000 prompt tokens, all evidence included, nothing said twice', async () => {
    const seeds = (await loadScenarios(PACK)).filter((s) => s.id.startsWith('seed-'));
    const rows: string[] = [];
    for (const seed of seeds) {
      const model = new ScriptedModel();
      const fake = await FakeOpenAi.start([], { whenExhausted: model.step });
      try {
        const config = parseConfig({
          OPENAI_API_KEY: 'sk-test',
          OPENAI_BASE_URL: fake.url,
          OPENAI_MODEL: 'scripted',
        });
        const { results } = await runScenarios([seed], { config, planner: createPlanner(config) });
        expect(results[0]?.failures, seed.id).toEqual([]);
        const perTurn = fake.requests.map(estimatePromptTokens);
        const total = perTurn.reduce((a, b) => a + b, 0);
        rows.push(`${seed.id.padEnd(30)} ${perTurn.join(' + ')} = ${total}`);
        expect(total, seed.id).toBeLessThan(BUDGET);

        // Nothing lost: every log line and reading of the seed reaches the model.
        const [first] = fake.requests;
        if (!first) throw new Error('no model request');
        const opening = String(first.body.messages[1]?.content);
        for (const server of Object.values(seed.servers)) {
          for (const line of server.logs)
            expect(opening, seed.id).toContain(JSON.stringify(line).slice(1, -1));
          expect(opening).toContain(`"cpu":${server.health.cpu}`);
        }
        expect(readInvestigation(first)?.evidence.length, seed.id).toBe(3);

        // Nothing said twice: no sentence of the system prompt is repeated in the opening message.
        for (const sentence of SYSTEM_PROMPT.split(/(?<=[.:])\s+/).filter((s) => s.length > 40))
          expect(opening, seed.id).not.toContain(sentence);
      } finally {
        await fake.close();
      }
    }
    console.log(
      `estimated prompt tokens per seed investigation (characters / 4, per model turn):\n${rows.join('\n')}`,
    );
  });
});
