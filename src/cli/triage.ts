import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { Environment } from '../domain/vocabulary.ts';
import type { ApproverPolicy, DecisionOutcome } from '../operator/approval/approval.ts';
import type { Investigation } from '../operator/investigation/investigate.ts';
import { EXIT, runMain } from '../root/process.ts';
import { type Runtime, runtimeFromEnvironment } from '../root/runtime.ts';
import { paint, parseCommandLine, UsageError } from './common.ts';
import { escalationLine, renderBrief, renderOutcome, renderProgress } from './render.ts';

export const USAGE = `usage: npm run triage -- "<report>" [--approve | --deny] [--json] [--fleet FILE] [--environment prod|staging|dev]

  "<report>"       what is wrong, e.g. "The payment-server-01 is extremely slow and timing out."
  --approve        approve a proposed restart without asking
  --deny           deny a proposed restart without asking
  --json           print one JSON object (action, category, severity, escalation, brief, outcome);
                   progress goes to stderr
  --fleet FILE     simulated fleet YAML to use instead of FLEET_FILE / the built-in demo fleet
  --environment    prod (default), staging or dev

Without --approve/--deny the command asks when it runs in a terminal, and otherwise leaves the
proposal pending (it expires after PROPOSAL_TTL_MINUTES).`;

/** The person at the terminal is the approver: they could run the restart by hand anyway. */
export function localOperator(): { actor: string; approvers: ApproverPolicy } {
  const actor = `cli:${userInfo().username}`;
  return {
    actor,
    approvers: {
      isApprover: async (userId) => userId === actor,
      describe: () =>
        `Only ${actor}, the operator running this command, may decide from the terminal.`,
    },
  };
}

export type Decide = 'approve' | 'deny' | 'ask' | 'leave';

export type TriageIO = {
  progress: (line: string) => void;
  /** Shows the brief and asks whether to approve; null when there is no answer (end of input). */
  ask: (investigation: Investigation, question: string) => Promise<boolean | null>;
};

export type TriageResult = { investigation: Investigation; outcome: DecisionOutcome | null };

/** Investigate, then decide any proposal through the same approval path Slack uses. */
export async function triage(
  runtime: Runtime,
  request: { report: string; actor: string; environment?: Environment; source?: 'cli' | 'demo' },
  decide: Decide,
  io: TriageIO,
): Promise<TriageResult> {
  const investigation = await runtime.operator.investigate(
    {
      report: request.report,
      source: request.source ?? 'cli',
      actor: request.actor,
      ...(request.environment ? { environment: request.environment } : {}),
    },
    (event) => io.progress(renderProgress(event)),
  );
  const { proposal } = investigation;
  if (!proposal) return { investigation, outcome: null };

  let choice = decide;
  if (choice === 'ask') {
    const answer = await io.ask(investigation, `Approve restart of ${proposal.serverId}? [y/N] `);
    choice = answer === null ? 'leave' : answer ? 'approve' : 'deny';
  }
  if (choice === 'leave') return { investigation, outcome: null };
  io.progress(
    `… ${choice === 'approve' ? 'approving' : 'denying'} restart of ${proposal.serverId} as ${request.actor}`,
  );
  const outcome =
    choice === 'approve'
      ? await runtime.approvals.approve(proposal.id, request.actor)
      : await runtime.approvals.deny(proposal.id, request.actor);
  return { investigation, outcome };
}

async function askOnTerminal(question: string): Promise<boolean | null> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
    const answer = await Promise.race([rl.question(question), closed]);
    return answer === null ? null : /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** The JSON shape of `--json`: the four decisions at top level, then the brief and any outcome. */
export function triageJson(result: TriageResult) {
  const { brief, proposal } = result.investigation;
  const finalBrief = result.outcome && 'brief' in result.outcome ? result.outcome.brief : brief;
  return {
    incident_id: brief.incidentId,
    action: brief.action,
    category: brief.category,
    severity: brief.severity,
    escalation: brief.escalation,
    proposal: proposal
      ? { id: proposal.id, server_id: proposal.serverId, expires_at: proposal.expiresAt }
      : null,
    brief: finalBrief,
    outcome: result.outcome ? outcomeJson(result.outcome) : null,
  };
}

/** A decision's outcome as JSON, shared by `triage --json` and `decide --json`. */
export function outcomeJson(outcome: DecisionOutcome) {
  switch (outcome.kind) {
    case 'restarted':
      return {
        kind: outcome.kind,
        state: outcome.proposal.state,
        decided_by: outcome.proposal.decidedBy,
        recovered: outcome.recovered,
        before: outcome.before,
        after: outcome.after,
        escalated: outcome.escalation?.sent ?? false,
      };
    case 'denied':
    case 'restart_failed':
      return {
        kind: outcome.kind,
        state: outcome.proposal.state,
        decided_by: outcome.proposal.decidedBy,
        escalated: outcome.escalation.sent,
        ...(outcome.kind === 'restart_failed' ? { error: outcome.error } : {}),
      };
    case 'cancelled':
    case 'restart_unknown':
      return {
        kind: outcome.kind,
        state: outcome.proposal.state,
        decided_by: outcome.proposal.decidedBy,
        reason: outcome.reason,
        health: outcome.health,
        escalated: outcome.escalation?.sent ?? false,
      };
    default:
      return { kind: outcome.kind, message: outcome.message };
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      approve: { type: 'boolean' },
      deny: { type: 'boolean' },
      json: { type: 'boolean' },
      fleet: { type: 'string' },
      environment: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const report = positionals.join(' ').trim();
  if (!report) throw new UsageError(`triage needs a report to investigate.\n\n${USAGE}`);
  if (values.approve && values.deny)
    throw new UsageError(`--approve and --deny cannot be used together.\n\n${USAGE}`);
  const environment =
    values.environment === undefined ? undefined : Environment.safeParse(values.environment);
  if (environment && !environment.success) {
    throw new UsageError(
      `--environment must be prod, staging or dev (got "${values.environment}").\n\n${USAGE}`,
    );
  }

  const { actor, approvers } = localOperator();
  const runtime = await runtimeFromEnvironment({
    overrides: values.fleet ? { FLEET_FILE: values.fleet } : {},
    approvers,
  });
  const json = values.json === true;
  const interactive = !json && process.stdin.isTTY === true && process.stdout.isTTY === true;
  const decide: Decide = values.approve
    ? 'approve'
    : values.deny
      ? 'deny'
      : interactive
        ? 'ask'
        : 'leave';
  const out = paint(process.stdout);
  try {
    const result = await triage(
      runtime,
      { report, actor, ...(environment?.data ? { environment: environment.data } : {}) },
      decide,
      {
        progress: (line) => process.stderr.write(`${paint(process.stderr)('dim', line)}\n`),
        ask: async (investigation, question) => {
          // The brief must be on screen before the question about it.
          process.stdout.write(renderBrief(investigation.brief, out));
          return askOnTerminal(question);
        },
      },
    );
    if (json) {
      process.stdout.write(`${JSON.stringify(triageJson(result), null, 2)}\n`);
      return EXIT.ok;
    }
    // The brief as it stands now: after a decision it carries the actions taken.
    const brief =
      result.outcome && 'brief' in result.outcome
        ? result.outcome.brief
        : result.investigation.brief;
    if (decide !== 'ask' || !result.investigation.proposal)
      process.stdout.write(renderBrief(brief, out));
    if (result.investigation.escalation)
      process.stdout.write(`${escalationLine(result.investigation.escalation, out)}\n`);
    if (result.outcome) process.stdout.write(`${renderOutcome(result.outcome, out)}\n`);
    else if (result.investigation.proposal) {
      const p = result.investigation.proposal;
      process.stdout.write(
        `${out('yellow', `Restart of ${p.serverId} is pending (proposal ${p.id}, expires ${p.expiresAt}). Decide with: npm run decide -- ${p.id} --approve (or --deny)`)}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await runtime.close();
  }
}

if (import.meta.main) await runMain(() => main(process.argv.slice(2)));
