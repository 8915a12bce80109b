import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/audit.ts';
import type { Store } from '../../src/store/store.ts';
import { sampleBrief } from '../support/brief.ts';

/**
 * The contract every Store implements. A new backend joins with one line:
 * `describeStoreConformance('PostgresStore', () => PostgresStore.open(url))`.
 * `makeStore` must return an empty, isolated store each time.
 */
export function describeStoreConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} conforms to the Store contract`, () => {
    let store: Store;
    const t0 = new Date('2025-03-01T09:00:00.000Z');
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const newIncident = (report = 'payment-server-01 is slow') =>
      store.createIncident({ source: 'cli', report, now: t0 });

    const newProposal = async (serverId = 'payment-server-01') => {
      const incident = await newIncident();
      return store.createProposal({
        incidentId: incident.id,
        serverId,
        reason: 'cpu 98%',
        expiresAt: minutes(30),
        now: t0,
      });
    };

    /** A proposal taken through approved → executed at `at`. */
    const executedAt = async (serverId: string, at: Date) => {
      const p = await newProposal(serverId);
      await store.transitionProposal(p.id, ['pending'], 'approved', {
        decidedBy: 'U1',
        decidedAt: at,
      });
      return store.transitionProposal(p.id, ['approved'], 'executed', { executedAt: at });
    };

    it('round-trips an incident and its brief', async () => {
      const incident = await newIncident('db-node-02 looks odd');
      expect(incident).toMatchObject({
        source: 'cli',
        report: 'db-node-02 looks odd',
        createdAt: t0.toISOString(),
        brief: null,
      });
      expect(incident.id).toMatch(/^INC-[0-9A-F]{8}$/);
      expect(await store.getIncident(incident.id)).toEqual(incident);

      const brief = sampleBrief(incident.id);
      await store.saveBrief(incident.id, brief);
      expect((await store.getIncident(incident.id))?.brief).toEqual(brief);
      expect(await store.getIncident('INC-NOPE0000')).toBeNull();
    });

    it('gives every incident its own id', async () => {
      const ids = new Set(
        await Promise.all(Array.from({ length: 20 }, async () => (await newIncident()).id)),
      );
      expect(ids.size).toBe(20);
    });

    it('round-trips a proposal, pending and undecided', async () => {
      const p = await newProposal();
      expect(p).toMatchObject({
        serverId: 'payment-server-01',
        reason: 'cpu 98%',
        state: 'pending',
        createdAt: t0.toISOString(),
        expiresAt: minutes(30).toISOString(),
        decidedBy: null,
        decidedAt: null,
        executedAt: null,
        before: null,
        after: null,
      });
      expect(await store.getProposal(p.id)).toEqual(p);
      expect(await store.getProposal('no-such-proposal')).toBeNull();
    });

    it('records who decided, when, and the health before and after', async () => {
      const p = await newProposal();
      const before = { cpu: 98, memory: 40, status: 'warning' as const };
      const after = { cpu: 31, memory: 38, status: 'healthy' as const };
      await store.transitionProposal(p.id, ['pending'], 'approved', {
        decidedBy: 'U1',
        decidedAt: minutes(1),
      });
      await store.transitionProposal(p.id, ['approved'], 'executed', {
        executedAt: minutes(2),
        before,
      });
      const final = await store.transitionProposal(p.id, ['executed'], 'recovered', { after });
      expect(final).toMatchObject({
        state: 'recovered',
        decidedBy: 'U1',
        decidedAt: minutes(1).toISOString(),
        executedAt: minutes(2).toISOString(),
        before,
        after,
      });
      expect(await store.getProposal(p.id)).toEqual(final);
    });

    it('transitionProposal is a compare-and-set: a second transition from pending returns null', async () => {
      const p = await newProposal();
      const first = await store.transitionProposal(p.id, ['pending'], 'approved', {
        decidedBy: 'U1',
        decidedAt: t0,
      });
      expect(first?.state).toBe('approved');
      const second = await store.transitionProposal(p.id, ['pending'], 'denied', {
        decidedBy: 'U2',
        decidedAt: t0,
      });
      expect(second).toBeNull();
      const stored = await store.getProposal(p.id);
      expect(stored?.state).toBe('approved');
      expect(stored?.decidedBy).toBe('U1');
    });

    it('lets exactly one of many concurrent transitions from pending win', async () => {
      const p = await newProposal();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.transitionProposal(p.id, ['pending'], 'approved', {
            decidedBy: `U${i}`,
            decidedAt: t0,
          }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('refuses transitions from states the proposal is not in', async () => {
      const p = await newProposal();
      expect(await store.transitionProposal(p.id, ['approved'], 'executed')).toBeNull();
      expect(await store.transitionProposal(p.id, [], 'approved')).toBeNull();
      expect(
        await store.transitionProposal('no-such-proposal', ['pending'], 'approved'),
      ).toBeNull();
      expect((await store.getProposal(p.id))?.state).toBe('pending');
    });

    const entry = (
      incident_id: string,
      event: AuditEntry['event'],
      at: Date,
      actor = 'operator',
    ): AuditEntry => ({ at: at.toISOString(), incident_id, event, actor, details: { n: 1 } });

    it('round-trips audit entries, newest first', async () => {
      await store.appendAudit(entry('INC-A', 'incident.opened', minutes(0), 'cli:ana'));
      await store.appendAudit({
        ...entry('INC-A', 'proposal.created', minutes(1)),
        details: { proposal_id: 'p1', nested: { cpu: 98 }, list: [1, 'two'] },
      });
      await store.appendAudit(entry('INC-A', 'proposal.approved', minutes(2), 'U1'));
      const all = await store.listAudit();
      expect(all.map((e) => e.event)).toEqual([
        'proposal.approved',
        'proposal.created',
        'incident.opened',
      ]);
      expect(all[1]).toEqual({
        at: minutes(1).toISOString(),
        incident_id: 'INC-A',
        event: 'proposal.created',
        actor: 'operator',
        details: { proposal_id: 'p1', nested: { cpu: 98 }, list: [1, 'two'] },
      });
      expect(all[2]?.actor).toBe('cli:ana');
    });

    it('lists newest first by insertion, even when timestamps tie', async () => {
      for (const event of ['proposal.approved', 'restart.executed', 'restart.verified'] as const)
        await store.appendAudit(entry('INC-A', event, t0));
      expect((await store.listAudit()).map((e) => e.event)).toEqual([
        'restart.verified',
        'restart.executed',
        'proposal.approved',
      ]);
    });

    it('filters the audit log by incident and limits it', async () => {
      await store.appendAudit(entry('INC-A', 'incident.opened', minutes(0)));
      await store.appendAudit(entry('INC-B', 'incident.opened', minutes(1)));
      await store.appendAudit(entry('INC-A', 'proposal.created', minutes(2)));
      await store.appendAudit(entry('INC-A', 'proposal.denied', minutes(3), 'U1'));

      const a = await store.listAudit({ incidentId: 'INC-A' });
      expect(a.map((e) => e.event)).toEqual([
        'proposal.denied',
        'proposal.created',
        'incident.opened',
      ]);
      expect(a.every((e) => e.incident_id === 'INC-A')).toBe(true);
      expect(
        (await store.listAudit({ incidentId: 'INC-A', limit: 2 })).map((e) => e.event),
      ).toEqual(['proposal.denied', 'proposal.created']);
      expect((await store.listAudit({ limit: 1 })).map((e) => e.incident_id)).toEqual(['INC-A']);
      expect(await store.listAudit({ incidentId: 'INC-NONE' })).toEqual([]);
      expect(await store.listAudit()).toHaveLength(4);
    });

    it('rejects an audit entry outside the vocabulary', async () => {
      await expect(
        store.appendAudit({
          at: t0.toISOString(),
          incident_id: 'INC-A',
          // A caller that sidesteps the types must still not write an unknown event.
          event: 'restart.pretended' as AuditEntry['event'],
          actor: 'operator',
          details: {},
        }),
      ).rejects.toThrow();
      expect(await store.listAudit()).toEqual([]);
    });

    it('counts restarts of a server within the window only', async () => {
      await executedAt('payment-server-01', minutes(0));
      await executedAt('payment-server-01', minutes(40));
      await executedAt('db-node-02', minutes(45));

      expect(await store.countRestarts('payment-server-01', minutes(-1))).toBe(2);
      expect(await store.countRestarts('payment-server-01', minutes(10))).toBe(1);
      expect(await store.countRestarts('payment-server-01', minutes(40))).toBe(1);
      expect(await store.countRestarts('payment-server-01', minutes(41))).toBe(0);
      expect(await store.countRestarts('db-node-02', minutes(10))).toBe(1);
      expect(await store.countRestarts('auth-service-03', minutes(-1))).toBe(0);
    });

    it('counts failed and verified restarts, and approvals in flight, but not pending or denied ones', async () => {
      const failed = await newProposal('s-1');
      await store.transitionProposal(failed.id, ['pending'], 'approved', { decidedAt: t0 });
      await store.transitionProposal(failed.id, ['approved'], 'failed', { executedAt: t0 });
      const recovered = await executedAt('s-1', t0);
      if (!recovered) throw new Error('setup: the executed transition did not happen');
      await store.transitionProposal(recovered.id, ['executed'], 'not_recovered');
      expect(await store.countRestarts('s-1', minutes(-1))).toBe(2);

      await newProposal('s-2');
      const denied = await newProposal('s-2');
      await store.transitionProposal(denied.id, ['pending'], 'denied', { decidedAt: t0 });
      expect(await store.countRestarts('s-2', minutes(-1))).toBe(0);

      const inFlight = await newProposal('s-3');
      await store.transitionProposal(inFlight.id, ['pending'], 'approved', { decidedAt: t0 });
      expect(await store.countRestarts('s-3', minutes(-1))).toBe(1);
      expect(await store.countRestarts('s-3', minutes(1))).toBe(0);
    });
  });
}
