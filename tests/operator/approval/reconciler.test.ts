import { describe, expect, it } from 'vitest';
import type { Proposal } from '../../../src/domain/proposal.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics.ts';
import type { ReconciledOutcome } from '../../../src/operator/approval/approval.ts';
import { RestartReconciler, staleAfterMs } from '../../../src/operator/approval/reconciler.ts';
import { proposalEntry } from '../../../src/operator/approval/restart.ts';
import type { Restarter } from '../../../src/tools/backends.ts';
import { APPROVER, type TestRuntime, testRuntime } from '../../support/runtime.ts';

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';
const STALE_MS = 60_000;

function reconcilerOf(rt: TestRuntime, shown: ReconciledOutcome[]) {
  return new RestartReconciler({
    store: rt.store,
    toolbox: rt.toolbox,
    escalator: rt.escalator,
    verify: rt.verify,
    clock: rt.clock,
    storeRetryMs: 1_000,
    presenter: {
      reconciled: async (outcome) => {
        shown.push(outcome);
      },
    },
    settings: { staleMs: STALE_MS, intervalMs: 1_000 },
    metrics: createMetrics(),
    logger: silentLogger(),
  });
}

/**
 * What a replica that died leaves behind, written as it writes it: approved (and audited), then —
 * when `started` — the intent audited and the proposal moved to restarting.
 */
async function leftByDeadReplica(
  rt: TestRuntime,
  stage: 'approved' | 'started' | 'executed',
): Promise<Proposal> {
  const { proposal } = await rt.triage(PAYMENT);
  if (!proposal) throw new Error('expected a restart proposal');
  const now = rt.clock.now();
  const taken = await rt.store.proposals.approve(proposal.id, {
    decidedBy: APPROVER,
    decidedAt: now,
    budget: 1,
    since: new Date(now.getTime() - 30 * 60_000),
  });
  if (taken.outcome !== 'approved') throw new Error('setup: not approved');
  await rt.store.audit.append(proposalEntry(rt.clock, proposal, 'proposal.approved', APPROVER, {}));
  if (stage === 'approved') return taken.proposal;
  await rt.store.audit.append(
    proposalEntry(rt.clock, proposal, 'restart.started', 'operator', {
      approved_by: APPROVER,
      idempotency_key: proposal.id,
    }),
  );
  const restarting = await rt.store.proposals.transition(proposal.id, ['approved'], 'restarting', {
    executedAt: now,
  });
  if (!restarting) throw new Error('setup: not restarting');
  if (stage === 'started') return restarting;
  // The restart ran and was recorded; the replica died while re-checking health.
  await rt.fleet.restart(proposal.serverId, undefined, { proposalId: proposal.id });
  await rt.store.audit.append(
    proposalEntry(rt.clock, proposal, 'restart.executed', 'operator', {
      approved_by: APPROVER,
      detail: 'simulated restart of payment-server-01 completed',
    }),
  );
  const executed = await rt.store.proposals.transition(proposal.id, ['restarting'], 'executed');
  if (!executed) throw new Error('setup: not executed');
  return executed;
}

async function auditOf(rt: TestRuntime, incidentId: string) {
  return (await rt.store.audit.list({ incidentId })).map((e) => e.event).reverse();
}

/** A restarter that keeps no trace of keys, as a plain webhook: it cannot say what happened. */
function traceless(inner: Restarter): Restarter {
  return { name: 'webhook', restart: (id, signal, context) => inner.restart(id, signal, context) };
}

describe('the restart reconciler', () => {
  it('leaves a restart alone while its replica may still be working on it', async () => {
    const rt = await testRuntime();
    await leftByDeadReplica(rt, 'started');
    const shown: ReconciledOutcome[] = [];
    const reconciler = reconcilerOf(rt, shown);
    rt.clock.advanceMs(STALE_MS - 1);
    expect(await reconciler.sweep()).toBe(0);
    expect(shown).toEqual([]);
  });

  it('approved but never started: cancelled (nothing ran), the thread told, escalated; budget untouched', async () => {
    const rt = await testRuntime();
    const proposal = await leftByDeadReplica(rt, 'approved');
    const shown: ReconciledOutcome[] = [];
    const reconciler = reconcilerOf(rt, shown);
    rt.clock.advanceMs(STALE_MS);
    expect(await reconciler.sweep()).toBe(1);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      kind: 'cancelled',
      proposal: { state: 'cancelled' },
      escalation: { sent: true },
    });
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
    expect(await auditOf(rt, proposal.incidentId)).toEqual([
      'incident.opened',
      'proposal.created',
      'proposal.approved',
      'restart.cancelled',
      'escalation.sent',
    ]);
    expect(await rt.store.proposals.countRestarts('payment-server-01', new Date(0))).toBe(0);
    // Once settled, a second pass finds nothing.
    expect(await reconciler.sweep()).toBe(0);
  });

  it("started, and the restarter's own record says it ran: executed, then verified; never restarted again", async () => {
    const rt = await testRuntime();
    const proposal = await leftByDeadReplica(rt, 'started');
    // The request reached the fleet before the replica died.
    await rt.fleet.restart(proposal.serverId, undefined, { proposalId: proposal.id });
    const shown: ReconciledOutcome[] = [];
    rt.clock.advanceMs(STALE_MS);
    expect(await reconcilerOf(rt, shown).sweep()).toBe(1);
    expect(shown[0]).toMatchObject({
      kind: 'restarted',
      recovered: true,
      proposal: { state: 'recovered' },
      reconciled: expect.stringMatching(/restarter confirmed/),
    });
    expect(rt.fleet.restartCount('payment-server-01')).toBe(1);
    const audit = await rt.store.audit.list({ incidentId: proposal.incidentId });
    expect(audit.find((e) => e.event === 'restart.executed')?.details).toMatchObject({
      approved_by: APPROVER,
      detail: expect.stringMatching(/^confirmed by the restarter after the replica/),
    });
    expect(await auditOf(rt, proposal.incidentId)).toEqual([
      'incident.opened',
      'proposal.created',
      'proposal.approved',
      'restart.started',
      'restart.executed',
      'restart.verified',
    ]);
  });

  it('started, and the restarter has no trace of the key: failed (it did not happen), escalated', async () => {
    const rt = await testRuntime();
    const proposal = await leftByDeadReplica(rt, 'started');
    const shown: ReconciledOutcome[] = [];
    rt.clock.advanceMs(STALE_MS);
    await reconcilerOf(rt, shown).sweep();
    expect(shown[0]).toMatchObject({
      kind: 'restart_failed',
      proposal: { state: 'failed' },
      escalation: { sent: true },
    });
    expect(shown[0]?.kind === 'restart_failed' && shown[0].error).toMatch(/did not happen/);
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
    expect(await auditOf(rt, proposal.incidentId)).toContain('restart.failed');
  });

  it('started, and the restarter cannot tell: unknown, with health now, escalated; the budget counts it', async () => {
    const rt = await testRuntime({
      backends: (b) => ({ ...b, restarter: traceless(b.restarter) }),
    });
    const proposal = await leftByDeadReplica(rt, 'started');
    const shown: ReconciledOutcome[] = [];
    rt.clock.advanceMs(STALE_MS);
    await reconcilerOf(rt, shown).sweep();
    expect(shown[0]).toMatchObject({
      kind: 'restart_unknown',
      proposal: { state: 'unknown' },
      health: { cpu: 98, memory: 40, status: 'warning' },
      escalation: { sent: true },
    });
    expect(shown[0]?.kind === 'restart_unknown' && shown[0].reason).toMatch(
      /replica executing this restart stopped.*may have run/,
    );
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
    const unknown = (await rt.store.audit.list({ incidentId: proposal.incidentId })).find(
      (e) => e.event === 'restart.unknown',
    );
    expect(unknown?.details).toMatchObject({ health: { cpu: 98, status: 'warning' } });
    expect(await rt.store.proposals.countRestarts('payment-server-01', new Date(0))).toBe(1);
    // A later click is answered from the recorded state and restarts nothing.
    const late = await rt.approvals.approve(proposal.id, APPROVER);
    expect(late.kind).toBe('already_decided');
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
  });

  it('executed but never verified: health re-checked and recorded', async () => {
    const rt = await testRuntime();
    const proposal = await leftByDeadReplica(rt, 'executed');
    const shown: ReconciledOutcome[] = [];
    rt.clock.advanceMs(STALE_MS);
    await reconcilerOf(rt, shown).sweep();
    expect(shown[0]).toMatchObject({
      kind: 'restarted',
      recovered: true,
      after: { status: 'healthy' },
      proposal: { state: 'recovered' },
    });
    expect(rt.fleet.restartCount('payment-server-01')).toBe(1);
    expect((await auditOf(rt, proposal.incidentId)).at(-1)).toBe('restart.verified');
  });

  it('two reconcilers (two replicas) settle one restart once', async () => {
    const rt = await testRuntime({
      backends: (b) => ({ ...b, restarter: traceless(b.restarter) }),
    });
    const proposal = await leftByDeadReplica(rt, 'started');
    const shown: ReconciledOutcome[] = [];
    rt.clock.advanceMs(STALE_MS);
    const counts = await Promise.all([
      reconcilerOf(rt, shown).sweep(),
      reconcilerOf(rt, shown).sweep(),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    const audit = await auditOf(rt, proposal.incidentId);
    expect(audit.filter((e) => e === 'restart.unknown')).toHaveLength(1);
    expect(audit.filter((e) => e === 'escalation.sent')).toHaveLength(1);
  });

  it('a live replica loses nothing to the reconciler: a stale approval it had not started is never restarted', async () => {
    const rt = await testRuntime();
    const proposal = await leftByDeadReplica(rt, 'approved');
    rt.clock.advanceMs(STALE_MS);
    await reconcilerOf(rt, []).sweep();
    // The replica was only slow: it now tries to go on, and the compare-and-set stops it.
    expect(
      await rt.store.proposals.transition(proposal.id, ['approved'], 'restarting', {
        executedAt: rt.clock.now(),
      }),
    ).toBeNull();
  });

  it('the stale threshold is the job lease, or two tool timeouts when those are longer', () => {
    expect(staleAfterMs(60_000, 10_000)).toBe(60_000);
    expect(staleAfterMs(3_000, 5_000)).toBe(11_000);
  });
});
