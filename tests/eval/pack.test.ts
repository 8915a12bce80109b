import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/env.ts';
import { summaryLine } from '../../src/eval/report.ts';
import { runScenarios } from '../../src/eval/run.ts';
import { RulesPlanner } from '../../src/operator/decision/planners/rules/planner.ts';
import { detectSignals, LOG_SIGNATURES } from '../../src/operator/decision/signals/index.ts';
import { createPlanner } from '../../src/root/runtime.ts';
import { loadScenarios } from '../../src/tools/fleet/load.ts';
import { FakeOpenAi } from '../../testing/fake-openai.ts';
import { ScriptedModel } from '../../testing/scripted-model.ts';

const PACK = fileURLToPath(new URL('../../scenarios/pack.yaml', import.meta.url));
const rules = { config: parseConfig({}), planner: new RulesPlanner() };

/**
 * Scenarios the rules planner is known to get wrong because the answer needs knowledge no log
 * signature carries. A pack scenario failing outside this list is a regression.
 */
const BEYOND_RULES: Record<string, string> = {};

describe('the scenario pack', () => {
  it('loads and validates, with at least 150 scenarios covering every category and action', async () => {
    const scenarios = await loadScenarios(PACK);
    expect(scenarios.length).toBeGreaterThanOrEqual(150);
    const categories = new Set(scenarios.flatMap((s) => s.expect.category ?? []));
    expect([...categories].sort()).toEqual(
      ['availability', 'change', 'data', 'performance', 'security', 'unknown'].sort(),
    );
    const actions = new Set(scenarios.flatMap((s) => s.expect.action ?? []));
    expect([...actions].sort()).toEqual(['escalate', 'monitor', 'restart']);
    // Every scenario says what it expects of the decision.
    for (const s of scenarios) expect(s.expect.action, s.id).toBeDefined();
    // Any scenario that expects a restart and no escalation must say how the server recovers.
    for (const s of scenarios.filter(
      (s) =>
        s.expect.action?.length === 1 &&
        s.expect.action[0] === 'restart' &&
        s.expect.never_call?.includes('escalate_to_engineer'),
    ))
      expect(
        Object.values(s.servers).some((server) => server.after_restart),
        `${s.id} needs an after_restart`,
      ).toBe(true);
  });

  it('every scenario written from a public source names it in a comment above it', async () => {
    const text = await readFile(PACK, 'utf8');
    const start = text.indexOf('# Written from public sources');
    expect(start).toBeGreaterThan(0);
    const blocks = text
      .slice(start)
      .split(/^(?=- id: )/m)
      .slice(1);
    expect(blocks.length).toBeGreaterThanOrEqual(88);
    blocks.forEach((block, i) => {
      // The comment belongs to the next block's id: look at the lines before each "- id:".
      const previous = i === 0 ? text.slice(start, text.indexOf(block, start)) : blocks[i - 1];
      const comment = (previous ?? '')
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .join('\n');
      const id = /^- id: (\S+)/.exec(block)?.[1];
      expect(comment, `${id} has no "# Source:" comment`).toMatch(/# Source: \S/);
    });
  });

  it('covers every class of signal the detector knows, in the evidence of some scenario', async () => {
    const now = new Date('2024-05-14T12:00:00Z');
    const seen = new Set<string>();
    for (const s of await loadScenarios(PACK))
      for (const [id, server] of Object.entries(s.servers))
        for (const signal of detectSignals(
          [
            {
              id: 'E1',
              source: {
                tool: 'fetch_recent_logs',
                subject: id,
                backend: 'pack',
                at: now.toISOString(),
              },
              summary: 'logs',
              data: { kind: 'logs', lines: server.logs, truncated: false },
            },
          ],
          { thresholdPercent: 90, now },
        ))
          seen.add(signal.id);
    const missing = LOG_SIGNATURES.map((s) => s.id).filter((id) => !seen.has(id));
    expect(missing).toEqual([]);
  });

  it('All five seed scenarios get the expected action', async () => {
    const seeds = (await loadScenarios(PACK)).filter((s) => s.id.startsWith('seed-'));
    expect(seeds.map((s) => Object.keys(s.servers)[0])).toEqual([
      'payment-server-01',
      'db-node-02',
      'auth-service-03',
      'search-index-09',
      'frontend-node-04',
    ]);
    const { results } = await runScenarios(seeds, rules);
    expect(results.map((r) => [r.id, r.action])).toEqual([
      ['seed-payment-cpu-hung', 'restart'],
      ['seed-db-node-healthy', 'monitor'],
      ['seed-auth-memory-leak', 'restart'],
      ['seed-search-dependency-down', 'escalate'],
      ['seed-frontend-healthy', 'monitor'],
    ]);
    expect(results.find((r) => r.id === 'seed-db-node-healthy')?.escalation).toBe('hold');
    expect(results.find((r) => r.id === 'seed-frontend-healthy')?.escalation).toBe('hold');
    for (const r of results) expect(r.failures, r.id).toEqual([]);
  });

  it('All five seed scenarios get the expected action from the OpenAI planner too (scripted model)', async () => {
    // A model that reads the evidence it is given, calls one tool, and answers like a careful SRE:
    // this drives the whole model path (tools, validation, guard, approval) for each seed.
    const model = new ScriptedModel();
    const fake = await FakeOpenAi.start([], { whenExhausted: model.step });
    try {
      const config = parseConfig({
        OPENAI_API_KEY: 'sk-test-scripted-model-0000',
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'scripted',
      });
      const seeds = (await loadScenarios(PACK)).filter((s) => s.id.startsWith('seed-'));
      const { results } = await runScenarios(seeds, { config, planner: createPlanner(config) });
      expect(results.map((r) => [r.id, r.action])).toEqual([
        ['seed-payment-cpu-hung', 'restart'],
        ['seed-db-node-healthy', 'monitor'],
        ['seed-auth-memory-leak', 'restart'],
        ['seed-search-dependency-down', 'escalate'],
        ['seed-frontend-healthy', 'monitor'],
      ]);
      // The model answered every one (no rules fallback), in two turns each.
      expect(model.calls.filter((c) => c.final)).toHaveLength(5);
      expect(fake.requests).toHaveLength(10);
    } finally {
      await fake.close();
    }
  });

  it('the rules planner fails only the scenarios known to be beyond rules', async () => {
    const summary = await runScenarios(await loadScenarios(PACK), rules);
    const failing = summary.results.filter((r) => !r.passed);
    // The score, for the record (README cites `npm run eval -- scenarios/pack.yaml`).
    console.log(
      `rules planner on scenarios/pack.yaml: ${summaryLine(summary)}\n${failing
        .map((r) => `  ${r.id}: ${r.failures.join('; ')}`)
        .join('\n')}`,
    );
    for (const r of failing)
      expect(BEYOND_RULES[r.id], `${r.id} regressed: ${r.failures.join('; ')}`).toBeDefined();
  });
});
