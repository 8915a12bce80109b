import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readEnvironment } from '../root/environment.ts';
import { EXIT, runMain } from '../root/process.ts';
import { createRuntime } from '../root/runtime.ts';
import { paint } from './common.ts';
import { escalationLine, plannerLine, renderCard, renderOutcome } from './render.ts';
import { localOperator, triage } from './triage.ts';

/** The five seed reports (the IT-support agent's mock incidents), then one of each other kind the demo fleet holds. */
export const DEMO_REPORTS = [
  'The payment-server-01 is extremely slow and timing out.',
  'Something is wrong with db-node-02',
  'Users are reporting login failures on auth-service-03.',
  "Search isn't working. Can you check search-index-09?",
  'Check frontend-node-04 just to be safe.',
  'Checkout is throwing 500s since the last release: checkout-api-07',
  'log-archive-06 stopped writing logs',
  'build-runner-11 is pegged at 99% CPU, please restart it',
  'Is web-server-99 ok?',
] as const;

async function main(): Promise<number> {
  // The demo keeps its own store so its restarts never spend the real restart budget.
  const dataDir = join(readEnvironment().config.DATA_DIR, 'demo');
  const { env, config } = readEnvironment({ DATA_DIR: dataDir });
  await rm(config.DATA_DIR, { recursive: true, force: true });
  const { actor, approvers } = localOperator();
  const runtime = await createRuntime(config, { env, approvers });
  const out = paint(process.stdout);
  process.stdout.write(
    `${out('bold', 'Level Zero Operator demo')}: ${DEMO_REPORTS.length} reports against the built-in demo fleet, ${runtime.planner.name} planner. Restart proposals are approved as ${actor} to show the whole path.\n\n`,
  );
  try {
    for (const report of DEMO_REPORTS) {
      process.stdout.write(`${out('cyan', `» ${report}`)}\n`);
      const { investigation, outcome } = await triage(
        runtime,
        { report, actor, source: 'demo' },
        'approve',
        {
          progress: () => {},
          ask: async () => true,
        },
      );
      process.stdout.write(`${renderCard(investigation.brief, out)}\n`);
      if (investigation.escalation)
        process.stdout.write(`   ${escalationLine(investigation.escalation, out)}\n`);
      if (outcome)
        process.stdout.write(`   ${renderOutcome(outcome, out).replaceAll('\n', '\n   ')}\n`);
      process.stdout.write(`   ${out('dim', plannerLine(investigation.brief))}\n\n`);
    }
    const next: [string, string][] = [
      [
        'npm run triage -- "The payment-server-01 is extremely slow and timing out."',
        'one full brief; asks before restarting',
      ],
      [`DATA_DIR=${config.DATA_DIR} npm run audit`, 'what the demo did, newest first'],
      ['npm run eval -- scenarios/pack.yaml', 'score the planner on the scenario pack'],
    ];
    const width = Math.max(...next.map(([command]) => command.length));
    process.stdout.write(
      `Next:\n${next.map(([command, what]) => `  ${command.padEnd(width)}   # ${what}`).join('\n')}\n`,
    );
    return EXIT.ok;
  } finally {
    await runtime.close();
  }
}

if (import.meta.main) await runMain(main);
