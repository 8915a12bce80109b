import { modelConfigured } from '../config/model.ts';
import { formatTable, summaryLine, toJson } from '../eval/report.ts';
import { runScenarios } from '../eval/run.ts';
import type { Planner } from '../operator/decision/planners/planner.ts';
import { RulesPlanner } from '../operator/decision/planners/rules/planner.ts';
import { readEnvironment } from '../root/environment.ts';
import { EXIT, runMain } from '../root/process.ts';
import { createPlanner } from '../root/runtime.ts';
import { loadScenarios } from '../tools/fleet/load.ts';
import { paint, parseCommandLine, UsageError } from './common.ts';

const USAGE = `usage: npm run eval -- FILE [--planner rules|openai] [--json]

Runs every scenario in FILE against a fresh simulated fleet, approves any proposed restart,
and scores the decision against each scenario's expect: block.

  --planner rules   the deterministic rules planner (default)
  --planner openai  the model planner; needs OPENAI_API_KEY or OPENAI_BASE_URL (OPENAI_MODEL optional)
  --json            print only the results as JSON on stdout

Exit 0 when the run completes, even if scenarios fail; 2 for a bad file or bad arguments.`;

/** Scenarios in flight at once with a model: fast enough, gentle on rate limits. */
const MODEL_CONCURRENCY = 4;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      planner: { type: 'string', default: 'rules' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0)
    throw new UsageError(`give exactly one scenario file (got ${positionals.length})\n\n${USAGE}`);
  if (values.planner !== 'rules' && values.planner !== 'openai')
    throw new UsageError(`--planner must be rules or openai (got "${values.planner}")\n\n${USAGE}`);

  const { config } = readEnvironment();
  let planner: Planner = new RulesPlanner();
  if (values.planner === 'openai') {
    if (!modelConfigured(config))
      throw new UsageError(
        '--planner openai needs OPENAI_API_KEY (or OPENAI_BASE_URL alone for a local server without a key): set it in .env or the environment (or use --planner rules)',
      );
    planner = createPlanner(config);
  }

  const scenarios = await loadScenarios(file);
  const slow = planner.name !== 'rules';
  const err = paint(process.stderr);
  if (slow)
    process.stderr.write(
      `Running ${scenarios.length} scenarios with ${planner.model ?? planner.name}, ${MODEL_CONCURRENCY} at a time…\n`,
    );
  const summary = await runScenarios(scenarios, {
    config,
    planner,
    concurrency: slow ? MODEL_CONCURRENCY : 1,
    onResult: (result, done, total) => {
      if (!slow) return;
      const verdict = result.passed ? err('green', 'pass') : err('red', 'FAIL');
      process.stderr.write(`[${done}/${total}] ${result.id} ${verdict}\n`);
    },
  });

  if (values.json) process.stdout.write(toJson(summary));
  else process.stdout.write(formatTable(summary, paint(process.stdout)));
  if (slow && values.json) process.stderr.write(`${summaryLine(summary)}\n`);
  return EXIT.ok;
}

await runMain(() => main(process.argv.slice(2)));
