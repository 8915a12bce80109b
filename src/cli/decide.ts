import { EXIT, runMain } from '../root/process.ts';
import { runtimeFromEnvironment } from '../root/runtime.ts';
import { paint, parseCommandLine, UsageError } from './common.ts';
import { renderOutcome } from './render.ts';
import { localOperator, outcomeJson } from './triage.ts';

export const USAGE = `usage: npm run decide -- <proposal-id> --approve | --deny [--json]

  Decides a pending restart proposal left by \`npm run triage\` (for example one run without a
  terminal), through the same approval path as Slack's buttons: exactly once, audited, health
  re-checked after a restart, escalated when it does not recover or is denied.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      approve: { type: 'boolean' },
      deny: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const [proposalId, ...extra] = positionals;
  if (!proposalId || extra.length > 0)
    throw new UsageError(`decide needs exactly one proposal id.\n\n${USAGE}`);
  if (values.approve === values.deny)
    throw new UsageError(`say --approve or --deny (one of them).\n\n${USAGE}`);
  const { actor, approvers } = localOperator();
  const runtime = await runtimeFromEnvironment({ approvers });
  try {
    const outcome = values.approve
      ? await runtime.approvals.approve(proposalId, actor)
      : await runtime.approvals.deny(proposalId, actor);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(outcomeJson(outcome), null, 2)}\n`);
    } else {
      process.stdout.write(`${renderOutcome(outcome, paint(process.stdout))}\n`);
    }
    // A decision that could not be taken is a failure for scripts that call this.
    return outcome.kind === 'unknown' ||
      outcome.kind === 'refused' ||
      outcome.kind === 'expired' ||
      outcome.kind === 'already_decided'
      ? EXIT.failure
      : EXIT.ok;
  } finally {
    await runtime.close();
  }
}

if (import.meta.main) await runMain(() => main(process.argv.slice(2)));
