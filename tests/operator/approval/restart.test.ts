import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import { ApprovalService } from '../../../src/operator/approval/approval.ts';
import { transitionDurably } from '../../../src/operator/approval/restart.ts';
import type { Store } from '../../../src/store/ports.ts';
import { DEFAULT_POLICY } from '../../support/evidence.ts';
import { APPROVER, ApproverList, testRuntime } from '../../support/runtime.ts';

const PAYMENT = 'The payment-server-01 is extremely slow and timing out.';

/** The store, with its audit log failing the next `n` appends of `event` (a database blip). */
function blippingAudit(store: Store, event: AuditEntry['event'], n: number): Store {
  let left = n;
  const audit: Store['audit'] = {
    append: async (entry) => {
      if (entry.event === event && left > 0) {
        left -= 1;
        throw new Error('connection terminated unexpectedly');
      }
      return store.audit.append(entry);
    },
    list: (filter) => store.audit.list(filter),
  };
  return new Proxy(store, {
    get: (target, key, receiver) => (key === 'audit' ? audit : Reflect.get(target, key, receiver)),
  });
}

describe('writes that record a restart outlast a database blip', () => {
  it('a restart.executed the store refuses twice is written on the third try; one restart, nothing lost', async () => {
    const rt = await testRuntime();
    const { proposal } = await rt.triage(PAYMENT);
    if (!proposal) throw new Error('expected a proposal');
    const approvals = new ApprovalService({
      store: blippingAudit(rt.store, 'restart.executed', 2),
      toolbox: rt.toolbox,
      escalator: rt.escalator,
      approvers: new ApproverList([APPROVER]),
      verify: rt.verify,
      budget: DEFAULT_POLICY,
      storeRetryMs: 60_000,
      clock: rt.clock,
    });
    const outcome = await approvals.approve(proposal.id, APPROVER);
    expect(outcome).toMatchObject({ kind: 'restarted', recovered: true });
    expect(rt.fleet.restartCount('payment-server-01')).toBe(1);
    const events = (await rt.store.audit.list({ incidentId: proposal.incidentId })).map(
      (e) => e.event,
    );
    expect(events.filter((e) => e === 'restart.executed')).toHaveLength(1);
  });

  it('a transition that committed but whose answer was lost is recognised as done, not as a lost race', async () => {
    const rt = await testRuntime();
    const { proposal } = await rt.triage(PAYMENT);
    if (!proposal) throw new Error('expected a proposal');
    let first = true;
    const store = new Proxy(rt.store, {
      get: (target, key, receiver) =>
        key === 'proposals'
          ? {
              ...target.proposals,
              get: target.proposals.get.bind(target.proposals),
              transition: async (...args: Parameters<Store['proposals']['transition']>) => {
                const moved = await target.proposals.transition(...args);
                if (first) {
                  first = false;
                  throw new Error('connection reset after COMMIT');
                }
                return moved;
              },
            }
          : Reflect.get(target, key, receiver),
    });
    const moved = await transitionDurably(
      { store, clock: rt.clock, storeRetryMs: 10_000 },
      proposal.id,
      ['pending'],
      'denied',
    );
    expect(moved?.state).toBe('denied');
  });
});
