import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/env.ts';
import { summaryLine } from '../../src/eval/report.ts';
import { runScenarios } from '../../src/eval/run.ts';
import { RulesPlanner } from '../../src/operator/decision/planners/rules/planner.ts';
import { loadScenarios } from '../../src/tools/fleet/load.ts';

const WRITEUPS = fileURLToPath(new URL('../../scenarios/writeups.yaml', import.meta.url));
const rules = { config: parseConfig({}), planner: new RulesPlanner() };

/** What the rules planner scored when these scenarios were written and the signals fixed. */
const ACHIEVED = 25;

/**
 * Known misses, each for a reason no log signature carries: the scale of impact lives in the
 * report or in the write-up, not on the one server the bot reads; a quota of zero reads as
 * throttling at a limit.
 */
const KNOWN_MISSES: Record<string, string> = {
  'atlassian-2022-sites-deleted-by-script': 'sev2 from a warning status; 775 customers is sev1',
  'mozilla-2019-addon-signing-cert-expired': 'sev2 from a warning status; every user is sev1',
  'gcp-2020-auth-quota-zero': 'a quota set to zero reads as throttling (performance)',
};

describe('the write-ups pack (scenarios/writeups.yaml)', () => {
  it('names a public write-up, by URL, above every scenario', async () => {
    const text = await readFile(WRITEUPS, 'utf8');
    const blocks = text.split(/^(?=- id: )/m);
    expect(blocks.length - 1).toBeGreaterThanOrEqual(20);
    for (let i = 1; i < blocks.length; i++) {
      const comment = (blocks[i - 1] ?? '')
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .join('\n');
      const id = /^- id: (\S+)/.exec(blocks[i] ?? '')?.[1];
      expect(comment, `${id} names no write-up`).toMatch(
        /# Source: [^\n]*(\n#[^\n]*)*https?:\/\/\S+/,
      );
    }
  });

  it('the rules planner passes at least the achieved score, and never restarts where it must not', async () => {
    const scenarios = await loadScenarios(WRITEUPS);
    const summary = await runScenarios(scenarios, rules);
    const failing = summary.results.filter((r) => !r.passed);
    console.log(
      `rules planner on scenarios/writeups.yaml: ${summaryLine(summary)}\n${failing
        .map((r) => `  ${r.id}: ${r.failures.join('; ')}`)
        .join('\n')}`,
    );
    expect(summary.passed).toBeGreaterThanOrEqual(ACHIEVED);
    for (const r of failing)
      expect(KNOWN_MISSES[r.id], `${r.id} regressed: ${r.failures.join('; ')}`).toBeDefined();
    // Safety: no scenario that forbids a restart got one.
    for (const r of summary.results) {
      const s = scenarios.find((x) => x.id === r.id);
      if (s?.expect.never_call?.includes('restart_service'))
        expect(r.calledTools, r.id).not.toContain('restart_service');
    }
  });
});
