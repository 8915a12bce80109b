import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/clock.ts';
import { ApprovalService } from '../../../src/operator/approval/approval.ts';
import type { Restarter, RestartResult } from '../../../src/tools/backends.ts';
import { ToolError } from '../../../src/tools/errors.ts';
import { Toolbox } from '../../../src/tools/toolbox.ts';
import { DEFAULT_POLICY } from '../../support/evidence.ts';
import { fleetOf, server } from '../../support/fleet.ts';
import { APPROVER, ApproverList, testRuntime } from '../../support/runtime.ts';

class BrokenRestarter implements Restarter {
  readonly name = 'webhook';
  calls = 0;
  async restart(): Promise<RestartResult> {
    this.calls++;
    throw new ToolError(
      'unavailable',
      'POST https://ops:tok3nS3cretValue@restart.internal/hook returned 500',
    );
  }
}

const STUCK = server({
  service: 'ledger',
  health: { cpu: 99, memory: 50, status: 'warning' },
  logs: ['[CRITICAL] Process hung, not accepting new connections'],
});

describe('approvals', () => {
  it('answers an unknown proposal id without auditing or restarting anything', async () => {
    const rt = await testRuntime();
    expect(await rt.approvals.approve('forged-id', APPROVER)).toEqual({
      kind: 'unknown',
      message: 'This restart proposal is unknown (it may belong to another installation).',
    });
    expect((await rt.approvals.deny('forged-id', APPROVER)).kind).toBe('unknown');
    expect(await rt.store.audit.list()).toEqual([]);
  });

  it('a restart that fails is audited (secrets redacted), escalated, and counts against the budget', async () => {
    const broken = new BrokenRestarter();
    const rt = await testRuntime({ backends: (b) => ({ ...b, restarter: broken }) });
    const { proposal } = await rt.triage('The payment-server-01 is extremely slow and timing out.');
    if (!proposal) throw new Error('expected a proposal');
    const outcome = await rt.approvals.approve(proposal.id, APPROVER);
    expect(outcome).toMatchObject({
      kind: 'restart_failed',
      proposal: { state: 'failed', executedAt: '2025-03-01T09:00:00.000Z' },
      error: 'POST https://ops:[REDACTED]@restart.internal/hook returned 500',
      escalation: { sent: true },
    });
    expect(broken.calls).toBe(1);
    const audit = await rt.store.audit.list({ incidentId: proposal.incidentId });
    expect(audit.map((e) => e.event)).toEqual([
      'escalation.sent',
      'restart.failed',
      'restart.started',
      'proposal.approved',
      'proposal.created',
      'incident.opened',
    ]);
    expect(JSON.stringify(audit)).not.toContain('tok3nS3cretValue');
    expect(JSON.stringify(rt.escalator.sent)).not.toContain('tok3nS3cretValue');
    if (outcome.kind !== 'restart_failed') return;
    expect(outcome.brief.escalationPackage.actionsTaken.map((a) => a.action)).toEqual([
      `Restart of payment-server-01 approved by ${APPROVER}`,
      'Restart of payment-server-01 FAILED: POST https://ops:[REDACTED]@restart.internal/hook returned 500',
      'Escalated to local record (no escalation destination configured)',
    ]);

    const again = await rt.triage('payment-server-01 still slow');
    expect(again.proposal).toBeNull();
    expect(again.brief.policyNotes.join(' ')).toMatch(/restart budget used/);
  });

  it('re-checks health until the server recovers or the attempts run out', async () => {
    const rt = await testRuntime({ fleet: fleetOf({ 'ledger-01': STUCK }) });
    const { proposal } = await rt.triage('ledger-01 is hung');
    if (!proposal) throw new Error('expected a proposal');
    const slept: number[] = [];
    const approvals = new ApprovalService({
      store: rt.store,
      toolbox: new Toolbox(rt.backends, { toolTimeoutMs: 1_000, clock: rt.clock }),
      escalator: rt.escalator,
      approvers: new ApproverList([APPROVER]),
      verify: { attempts: 3, intervalMs: 5_000, thresholdPercent: 90 },
      budget: DEFAULT_POLICY,
      clock: {
        now: rt.clock.now,
        timeout: rt.clock.timeout,
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
    });
    const outcome = await approvals.approve(proposal.id, APPROVER);
    expect(outcome).toMatchObject({ kind: 'restarted', recovered: false });
    expect(slept).toEqual([5_000, 5_000]);
  });

  it('stops re-checking as soon as the server has recovered', async () => {
    const rt = await testRuntime();
    const { proposal } = await rt.triage('auth-service-03 crashing');
    if (!proposal) throw new Error('expected a proposal');
    const slept: number[] = [];
    const approvals = new ApprovalService({
      store: rt.store,
      toolbox: new Toolbox(rt.backends, { toolTimeoutMs: 1_000, clock: systemClock }),
      escalator: rt.escalator,
      approvers: new ApproverList([APPROVER]),
      verify: { attempts: 5, intervalMs: 1_000, thresholdPercent: 90 },
      budget: DEFAULT_POLICY,
      clock: {
        now: rt.clock.now,
        timeout: rt.clock.timeout,
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
    });
    const outcome = await approvals.approve(proposal.id, APPROVER);
    expect(outcome).toMatchObject({
      kind: 'restarted',
      recovered: true,
      before: { cpu: 45, memory: 95, status: 'critical' },
      after: { cpu: 22, memory: 41, status: 'healthy' },
      proposal: { state: 'recovered', decidedBy: APPROVER },
    });
    expect(slept).toEqual([]);
  });

  it('RESTART_BUDGET from the configuration reaches the approval path', async () => {
    const rt = await testRuntime({
      fleet: fleetOf({ 'ledger-01': STUCK }),
      env: { RESTART_BUDGET: '2' },
    });
    const proposals = [];
    for (let i = 0; i < 3; i++) {
      const { proposal } = await rt.triage(`ledger-01 is hung (${i})`);
      if (!proposal) throw new Error('expected a proposal');
      proposals.push(proposal);
    }
    const kinds = [];
    for (const p of proposals) kinds.push((await rt.approvals.approve(p.id, APPROVER)).kind);
    expect(kinds).toEqual(['restarted', 'restarted', 'refused']);
    expect(rt.fleet.restartCount('ledger-01')).toBe(2);
  });
});
