import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import type { HealthBackend, HealthSample, Restarter } from '../../../src/tools/backends.ts';
import { APPROVER, STRANGER, testRuntime } from '../../support/runtime.ts';

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';
const SECOND = 'U0SECOND';

async function pendingRestart(rt: Awaited<ReturnType<typeof testRuntime>>, actor = 'cli:tester') {
  const { proposal } = await rt.triage(PAYMENT, { actor });
  if (!proposal) throw new Error('expected a restart proposal');
  return proposal;
}

async function events(rt: Awaited<ReturnType<typeof testRuntime>>, incidentId: string) {
  return (await rt.store.audit.list({ incidentId })).map((e) => e.event).reverse();
}

describe('approval rules at click time', () => {
  it('APPROVALS_REQUIRED=2: the first approval is recorded, the second distinct one restarts once', async () => {
    const rt = await testRuntime({
      env: { APPROVALS_REQUIRED: '2' },
      approvers: [APPROVER, SECOND],
    });
    const proposal = await pendingRestart(rt);

    const first = await rt.approvals.approve(proposal.id, APPROVER);
    expect(first).toMatchObject({ kind: 'recorded', approvals: 1, required: 2 });
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
    // The same person again is not a second approver.
    const again = await rt.approvals.approve(proposal.id, APPROVER);
    expect(again).toMatchObject({ kind: 'recorded', approvals: 1 });
    expect(again.kind === 'recorded' && again.message).toMatch(/another approver/);
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
    expect((await rt.store.proposals.get(proposal.id))?.state).toBe('pending');

    const second = await rt.approvals.approve(proposal.id, SECOND);
    expect(second).toMatchObject({ kind: 'restarted', recovered: true });
    expect(rt.fleet.restartCount('payment-server-01')).toBe(1);
    const audit = await rt.store.audit.list({ incidentId: proposal.incidentId });
    const granted = audit.find((e) => e.event === 'approval.granted');
    expect(granted).toMatchObject({ actor: APPROVER, details: { approvals: 1, required: 2 } });
    const approved = audit.find((e) => e.event === 'proposal.approved');
    expect(approved).toMatchObject({ actor: SECOND, details: { approvers: [APPROVER, SECOND] } });
    expect(await events(rt, proposal.incidentId)).toEqual([
      'incident.opened',
      'proposal.created',
      'approval.granted',
      'proposal.approved',
      'restart.started',
      'restart.executed',
      'restart.verified',
    ]);
  });

  it('APPROVAL_NO_SELF=true: whoever raised the incident cannot approve it; someone else can', async () => {
    const rt = await testRuntime({ env: { APPROVAL_NO_SELF: 'true' } });
    const proposal = await pendingRestart(rt, APPROVER);
    const self = await rt.approvals.approve(proposal.id, APPROVER);
    expect(self).toMatchObject({ kind: 'refused' });
    expect(self.kind === 'refused' && self.message).toMatch(/You raised this incident/);
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
    const refused = (await rt.store.audit.list({ incidentId: proposal.incidentId })).find(
      (e) => e.event === 'approval.refused',
    );
    expect(refused).toMatchObject({
      actor: APPROVER,
      details: { attempted: 'approve', reason: 'raised the incident (APPROVAL_NO_SELF)' },
    });
    // Denying one's own incident's restart is allowed: it restarts nothing.
    const other = await testRuntime({ env: { APPROVAL_NO_SELF: 'true' } });
    const mine = await pendingRestart(other, APPROVER);
    expect((await other.approvals.deny(mine.id, APPROVER)).kind).toBe('denied');
  });

  it('without APPROVAL_NO_SELF the reporter may approve (the default)', async () => {
    const rt = await testRuntime();
    const proposal = await pendingRestart(rt, APPROVER);
    expect((await rt.approvals.approve(proposal.id, APPROVER)).kind).toBe('restarted');
  });

  it('a server that recovered on its own since the proposal is not restarted, and the outcome says so', async () => {
    let recoveredNow = false;
    const rt = await testRuntime({
      backends: (b) => {
        const health: HealthBackend = {
          name: 'fleet',
          settlesInstantly: true,
          getHealth: async (id, signal): Promise<HealthSample> =>
            recoveredNow && id === 'payment-server-01'
              ? { cpu: 20, memory: 35, status: 'healthy' }
              : b.health.getHealth(id, signal),
        };
        return { ...b, health };
      },
    });
    const proposal = await pendingRestart(rt);
    recoveredNow = true;
    const outcome = await rt.approvals.approve(proposal.id, APPROVER);
    expect(outcome).toMatchObject({
      kind: 'cancelled',
      proposal: { state: 'cancelled' },
      health: { cpu: 20, memory: 35, status: 'healthy' },
      escalation: null,
    });
    expect(outcome.kind === 'cancelled' && outcome.reason).toMatch(
      /recovered on its own before the restart \(cpu 20%, memory 35%, healthy\)/,
    );
    expect(rt.fleet.restartCount('payment-server-01')).toBe(0);
    expect(await events(rt, proposal.incidentId)).toEqual([
      'incident.opened',
      'proposal.created',
      'proposal.approved',
      'restart.cancelled',
    ]);
    if (outcome.kind !== 'cancelled') return;
    expect(outcome.brief.escalationPackage.actionsTaken.map((a) => a.action)).toEqual([
      `Restart of payment-server-01 approved by ${APPROVER}`,
      expect.stringMatching(/^Restart of payment-server-01 NOT performed: .*recovered on its own/),
    ]);
    // Nothing ran, so nothing counts against the budget: a fresh proposal can be approved.
    expect(await rt.store.proposals.countRestarts('payment-server-01', new Date(0))).toBe(0);
  });

  it('the intent is audited before the restarter is called, with the proposal id as idempotency key', async () => {
    const seenAtCall: AuditEntry[][] = [];
    const keys: (string | undefined)[] = [];
    const rt = await testRuntime({
      backends: (b) => {
        const restarter: Restarter = {
          name: 'recording',
          restart: async (id, signal, context) => {
            keys.push(context?.proposalId);
            seenAtCall.push(await rt.store.audit.list());
            return b.restarter.restart(id, signal, context);
          },
        };
        return { ...b, restarter };
      },
    });
    const proposal = await pendingRestart(rt);
    await rt.approvals.approve(proposal.id, APPROVER);
    expect(keys).toEqual([proposal.id]);
    const atCall = seenAtCall[0] ?? [];
    expect(atCall[0]).toMatchObject({
      event: 'restart.started',
      details: { proposal_id: proposal.id, approved_by: APPROVER, idempotency_key: proposal.id },
    });
    expect((await rt.store.proposals.get(proposal.id))?.state).toBe('recovered');
  });

  it('a stranger is still refused under a two-person rule, and their click counts for nothing', async () => {
    const rt = await testRuntime({
      env: { APPROVALS_REQUIRED: '2' },
      approvers: [APPROVER, SECOND],
    });
    const proposal = await pendingRestart(rt);
    expect((await rt.approvals.approve(proposal.id, STRANGER)).kind).toBe('refused');
    expect(await rt.approvals.approve(proposal.id, APPROVER)).toMatchObject({
      kind: 'recorded',
      approvals: 1,
    });
  });
});
