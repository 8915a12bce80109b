import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/env.ts';
import { systemClock } from '../../../src/domain/clock.ts';
import { RulesPlanner } from '../../../src/operator/decision/planners/rules/planner.ts';
import {
  claimIn,
  confirmedActions,
  withoutUnconfirmedClaims,
} from '../../../src/operator/presentation/claims.ts';
import { createRuntime } from '../../../src/root/runtime.ts';
import { SqliteStore } from '../../../src/store/sqlite/index.ts';
import { loadScenarios } from '../../../src/tools/fleet/load.ts';
import { SimulatedFleet } from '../../../src/tools/fleet/simulated.ts';
import { restartDraft } from '../../../testing/drafts.ts';
import { type FakeStep, finalReply } from '../../../testing/fake-openai.ts';
import { auditEntry } from '../../support/audit.ts';
import { APPROVER } from '../../support/runtime.ts';
import { closeHarnesses, startHarness } from '../decision/planners/harness.ts';

afterEach(async () => {
  await closeHarnesses();
});

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

/** A model that lies: it claims a restart, a page and a resolution that never happened. */
const LIES = restartDraft({
  title: 'payment-server-01 restarted successfully — resolved',
  summary:
    'I restarted payment-server-01 and it is healthy again. The on-call engineer has been paged. The incident is resolved.',
  nextActions: [
    'Confirm the restart fixed the latency',
    'Approve or deny the proposed restart',
    'We rolled back deploy v2.4.1 to be safe',
    'Watch the thread pool metrics',
  ],
});

describe('claims come from the audit log only', () => {
  it('a lying model never changes what the brief says was done', async () => {
    const h = await startHarness([finalReply(LIES)] satisfies FakeStep[]);
    const { brief, proposal } = await h.triage(PAYMENT);
    expect(proposal?.state).toBe('pending');
    const said = [brief.title, brief.summary, ...brief.nextActions].join('\n');
    for (const lie of [/restarted successfully/i, /\bresolved\b/i, /\bpaged\b/i, /rolled back/i])
      expect(said).not.toMatch(lie);
    for (const lie of [/I restarted/, /restart fixed/]) expect(said).not.toMatch(lie);
    // What was not a claim survives.
    expect(brief.nextActions).toContain('Approve or deny the proposed restart');
    expect(brief.nextActions).toContain('Watch the thread pool metrics');
    expect(brief.title).toMatch(/^payment-server-01: performance \(sev2\)$/);
    // The brief says what was removed, and nothing was done.
    const note = brief.policyNotes.find((n) =>
      /claimed actions the audit log does not show/.test(n),
    );
    expect(note).toMatch(/"payment-server-01 restarted successfully"/);
    expect(note).toMatch(/"The incident is resolved\."/);
    expect(brief.escalationPackage.actionsTaken).toEqual([]);
    expect(brief.restart).toMatchObject({ serverId: 'payment-server-01' });
  });

  it('after a real, audited restart, a re-investigation may say it restarted — and only that', async () => {
    const confirmed = confirmedActions([auditEntry('restart.executed')]);
    expect(
      withoutUnconfirmedClaims(
        'payment-server-01 was restarted at 09:02. It is resolved.',
        confirmed,
      ),
    ).toEqual({
      text: 'payment-server-01 was restarted at 09:02.',
      removed: ['It is resolved.'],
    });
    const escalated = confirmedActions([auditEntry('escalation.sent')]);
    expect(withoutUnconfirmedClaims('The on-call was paged.', escalated).removed).toEqual([]);
    expect(withoutUnconfirmedClaims('The on-call was paged.', new Set()).removed).toEqual([
      'The on-call was paged.',
    ]);
  });

  it('tells claims from intentions, observations, negations and quoted log lines', () => {
    const claims = [
      'payment-server-01 restarted successfully',
      'I restarted the service',
      'We have escalated this to L2',
      'Escalated to the on-call',
      'The restart was performed at 09:01',
      'The incident is resolved.',
      'resolved',
      'The deploy was rolled back',
      'The service has been scaled up to 6 replicas',
      'Successfully rebooted auth-service-03',
      'payment-server-01 was restarted after approval',
      // A bracketed word that is no log level does not make what follows a quoted log line.
      '[DONE] I restarted payment-server-01',
      'password=[REDACTED] I have restarted db-node-02',
    ];
    for (const c of claims) expect(claimIn(c), c).not.toBeNull();
    const notClaims = [
      'A restart of payment-server-01 is proposed',
      'Approve or deny the proposed restart',
      'Escalate to the search team',
      'escalating to an engineer',
      'The name could not be resolved',
      'It should be restarted once approved',
      'Consider rolling back deploy v2.4.1',
      'logs show "[INFO] Service restarted"',
      'The container restarted 12 times (CrashLoopBackOff)',
      'auth-service-03 crashed once and recovered',
      'Has it been restarted?',
      'No restart was performed',
      'Restart payment-server-01 if approved',
    ];
    for (const c of notClaims) expect(claimIn(c), c).toBeNull();
  });

  it('hostile shapes of up to 100,000 characters are checked, and the claim after them still found', () => {
    // Each shape once backtracked polynomially (6,000 digits took about a minute); now each finishes.
    const shapes = [`a${'1'.repeat(6_000)}`, ' '.repeat(100_000), ' -'.repeat(50_000)];
    for (const shape of shapes) {
      const checked = withoutUnconfirmedClaims(
        `${shape}! Then payment-server-01 restarted.`,
        new Set(),
      );
      expect(checked.removed.join(' ')).toMatch(/payment-server-01 restarted/);
    }
    // A server-like name before the verb, wherever the word starts.
    expect(claimIn('(payment-server-01 restarted')).toBe('restart');
    expect(claimIn('web01 was restarted')).toBe('restart');
    expect(claimIn('the build-7 restarted 3 times')).toBeNull();
  });

  it("the rules planner's own words never trip the filter, across the whole scenario pack", async () => {
    const pack = fileURLToPath(new URL('../../../scenarios/pack.yaml', import.meta.url));
    const scenarios = await loadScenarios(pack);
    const flagged: string[] = [];
    for (const scenario of scenarios) {
      const fleet = SimulatedFleet.fromScenario(scenario, systemClock);
      const runtime = await createRuntime(parseConfig({}), {
        store: SqliteStore.open(':memory:'),
        backends: {
          inventory: fleet,
          health: fleet,
          logs: fleet,
          changes: fleet,
          restarter: fleet,
        },
        planner: new RulesPlanner(),
        approvers: { isApprover: async () => true, describe: () => '' },
      });
      try {
        const { brief } = await runtime.operator.investigate({
          report: scenario.report,
          source: 'eval',
          actor: APPROVER,
        });
        if (brief.policyNotes.some((n) => /claimed actions/.test(n))) flagged.push(scenario.id);
      } finally {
        await runtime.close();
      }
    }
    expect(scenarios.length).toBeGreaterThan(150);
    expect(flagged).toEqual([]);
  });
});
