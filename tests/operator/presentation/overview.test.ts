import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import { overview } from '../../../src/operator/presentation/overview.ts';
import { RESOLVED_EVENT } from '../../../src/operator/presentation/resolution.ts';
import type { AuditFilter, Store } from '../../../src/store/ports.ts';
import { testRuntime } from '../../support/runtime.ts';

/** The store with `incident.resolved` entries for some incidents (the alert intake writes them). */
function withResolved(
  store: Store,
  resolved: string[],
): Pick<Store, 'incidents' | 'proposals' | 'audit'> {
  return {
    incidents: store.incidents,
    proposals: store.proposals,
    audit: {
      append: (e) => store.audit.append(e),
      list: async (filter: AuditFilter = {}) => {
        const stored = await store.audit.list(filter);
        if (!filter.events?.includes(RESOLVED_EVENT)) return stored;
        const extra = resolved.map(
          (id) =>
            ({
              at: '2025-03-01T09:30:00.000Z',
              incident_id: id,
              event: RESOLVED_EVENT,
              actor: 'alertmanager',
              details: {},
            }) as unknown as AuditEntry,
        );
        return [...extra, ...stored];
      },
    },
  };
}

describe('the overview App Home and /triage list show', () => {
  it('open incidents by severity (resolved ones left out), proposals awaiting approval, last actions', async () => {
    const runtime = await testRuntime();
    const triage = async (report: string) => {
      runtime.clock.advanceMinutes(1);
      return runtime.triage(report);
    };
    const payment = await triage('The payment-server-01 is extremely slow and timing out.');
    const search = await triage("Search isn't working. Can you check search-index-09?");
    const frontend = await triage('Check frontend-node-04 just to be safe.');
    const auth = await triage('Users are reporting login failures on auth-service-03.');
    const now = runtime.clock.now();

    const all = await overview(runtime.store, { now, approver: true });
    const order = all.open.map((i) => i.id);
    expect(order).toHaveLength(4);
    // Most severe first: the SEV1 dependency failure, the SEV2 restart, the SEV3 all-clear.
    expect(all.open.map((i) => [i.id, i.severity])).toEqual(
      expect.arrayContaining([
        [search.brief.incidentId, 'sev1'],
        [payment.brief.incidentId, 'sev2'],
        [frontend.brief.incidentId, 'sev3'],
      ]),
    );
    expect(order.indexOf(search.brief.incidentId)).toBeLessThan(
      order.indexOf(payment.brief.incidentId),
    );
    expect(order.indexOf(payment.brief.incidentId)).toBeLessThan(
      order.indexOf(frontend.brief.incidentId),
    );
    expect(order.at(-1)).toBe(frontend.brief.incidentId);
    // Same severity: newest first (auth-service-03 came after search-index-09).
    if (auth.brief.severity === 'sev1')
      expect(order.slice(0, 2)).toEqual([auth.brief.incidentId, search.brief.incidentId]);
    expect(all.awaiting.map((a) => a.proposal.serverId)).toEqual([
      'payment-server-01',
      'auth-service-03',
    ]);
    expect(all.recent[0]).toMatchObject({
      incidentId: search.brief.incidentId,
      action: expect.stringMatching(/^Escalated to/),
    });
    expect(all.approver).toBe(true);

    const resolved = await overview(withResolved(runtime.store, [payment.brief.incidentId]), {
      now,
      approver: false,
    });
    expect(resolved.open.map((i) => i.id)).not.toContain(payment.brief.incidentId);
    expect(resolved.awaiting.map((a) => a.incidentId)).toEqual([auth.brief.incidentId]);
    expect(resolved.approver).toBe(false);

    // A week later nothing is listed as open, and an expired proposal awaits nobody.
    const later = new Date(now.getTime() + 8 * 86_400_000);
    const old = await overview(runtime.store, { now: later, approver: true });
    expect(old.open).toEqual([]);
    expect(old.awaiting).toEqual([]);
    await runtime.close();
  });
});
