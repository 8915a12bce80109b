import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/audit.ts';
import type { Store } from '../../src/store/ports.ts';
import { auditEntry } from '../support/audit.ts';
import { sampleAssessment } from '../support/brief.ts';

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
      store.incidents.create({ source: 'cli', report, now: t0 });

    const newProposal = async (serverId = 'payment-server-01') => {
      const incident = await newIncident();
      return store.proposals.create({
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
      await store.proposals.transition(p.id, ['pending'], 'approved', {
        decidedBy: 'U1',
        decidedAt: at,
      });
      return store.proposals.transition(p.id, ['approved'], 'executed', { executedAt: at });
    };

    it('round-trips an incident and its assessment', async () => {
      const incident = await newIncident('db-node-02 looks odd');
      expect(incident).toMatchObject({
        source: 'cli',
        report: 'db-node-02 looks odd',
        createdAt: t0.toISOString(),
        assessment: null,
      });
      expect(incident.id).toMatch(/^INC-[0-9A-F]{8}$/);
      expect(await store.incidents.get(incident.id)).toEqual(incident);

      const assessment = sampleAssessment();
      await store.incidents.saveAssessment(incident.id, assessment);
      expect((await store.incidents.get(incident.id))?.assessment).toEqual(assessment);
      expect(await store.incidents.get('INC-NOPE0000')).toBeNull();
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
      expect(await store.proposals.get(p.id)).toEqual(p);
      expect(await store.proposals.get('no-such-proposal')).toBeNull();
    });

    it('records who decided, when, and the health before and after', async () => {
      const p = await newProposal();
      const before = { cpu: 98, memory: 40, status: 'warning' as const };
      const after = { cpu: 31, memory: 38, status: 'healthy' as const };
      await store.proposals.transition(p.id, ['pending'], 'approved', {
        decidedBy: 'U1',
        decidedAt: minutes(1),
      });
      await store.proposals.transition(p.id, ['approved'], 'executed', {
        executedAt: minutes(2),
        before,
      });
      const final = await store.proposals.transition(p.id, ['executed'], 'recovered', { after });
      expect(final).toMatchObject({
        state: 'recovered',
        decidedBy: 'U1',
        decidedAt: minutes(1).toISOString(),
        executedAt: minutes(2).toISOString(),
        before,
        after,
      });
      expect(await store.proposals.get(p.id)).toEqual(final);
    });

    it('transitionProposal is a compare-and-set: a second transition from pending returns null', async () => {
      const p = await newProposal();
      const first = await store.proposals.transition(p.id, ['pending'], 'approved', {
        decidedBy: 'U1',
        decidedAt: t0,
      });
      expect(first?.state).toBe('approved');
      const second = await store.proposals.transition(p.id, ['pending'], 'denied', {
        decidedBy: 'U2',
        decidedAt: t0,
      });
      expect(second).toBeNull();
      const stored = await store.proposals.get(p.id);
      expect(stored?.state).toBe('approved');
      expect(stored?.decidedBy).toBe('U1');
    });

    it('lets exactly one of many concurrent transitions from pending win', async () => {
      const p = await newProposal();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.proposals.transition(p.id, ['pending'], 'approved', {
            decidedBy: `U${i}`,
            decidedAt: t0,
          }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('refuses transitions from states the proposal is not in', async () => {
      const p = await newProposal();
      expect(await store.proposals.transition(p.id, ['approved'], 'executed')).toBeNull();
      expect(await store.proposals.transition(p.id, [], 'approved')).toBeNull();
      expect(
        await store.proposals.transition('no-such-proposal', ['pending'], 'approved'),
      ).toBeNull();
      expect((await store.proposals.get(p.id))?.state).toBe('pending');
    });

    const entry = (
      incident_id: string,
      event: AuditEntry['event'],
      at: Date,
      actor = 'operator',
    ): AuditEntry => auditEntry(event, { at: at.toISOString(), incident_id, actor });

    it('round-trips audit entries, newest first', async () => {
      await store.audit.append(entry('INC-A', 'incident.opened', minutes(0), 'cli:ana'));
      await store.audit.append(
        auditEntry('proposal.created', {
          at: minutes(1).toISOString(),
          incident_id: 'INC-A',
          details: {
            proposal_id: 'p1',
            server_id: 'web-1',
            reason: 'cpu 98% [E1]',
            expires_at: minutes(31).toISOString(),
          },
        }),
      );
      await store.audit.append(entry('INC-A', 'proposal.approved', minutes(2), 'U1'));
      const all = await store.audit.list();
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
        details: {
          proposal_id: 'p1',
          server_id: 'web-1',
          reason: 'cpu 98% [E1]',
          expires_at: minutes(31).toISOString(),
        },
      });
      expect(all[2]?.actor).toBe('cli:ana');
    });

    it('lists newest first by insertion, even when timestamps tie', async () => {
      for (const event of ['proposal.approved', 'restart.executed', 'restart.verified'] as const)
        await store.audit.append(entry('INC-A', event, t0));
      expect((await store.audit.list()).map((e) => e.event)).toEqual([
        'restart.verified',
        'restart.executed',
        'proposal.approved',
      ]);
    });

    it('filters the audit log by incident and limits it', async () => {
      await store.audit.append(entry('INC-A', 'incident.opened', minutes(0)));
      await store.audit.append(entry('INC-B', 'incident.opened', minutes(1)));
      await store.audit.append(entry('INC-A', 'proposal.created', minutes(2)));
      await store.audit.append(entry('INC-A', 'proposal.denied', minutes(3), 'U1'));

      const a = await store.audit.list({ incidentId: 'INC-A' });
      expect(a.map((e) => e.event)).toEqual([
        'proposal.denied',
        'proposal.created',
        'incident.opened',
      ]);
      expect(a.every((e) => e.incident_id === 'INC-A')).toBe(true);
      expect(
        (await store.audit.list({ incidentId: 'INC-A', limit: 2 })).map((e) => e.event),
      ).toEqual(['proposal.denied', 'proposal.created']);
      expect((await store.audit.list({ limit: 1 })).map((e) => e.incident_id)).toEqual(['INC-A']);
      expect(await store.audit.list({ incidentId: 'INC-NONE' })).toEqual([]);
      expect(await store.audit.list()).toHaveLength(4);
    });

    it('rejects an audit entry outside the vocabulary', async () => {
      await expect(
        // A caller that sidesteps the types must still not write an unknown event.
        store.audit.append({
          ...auditEntry('restart.executed'),
          event: 'restart.pretended',
        } as unknown as AuditEntry),
      ).rejects.toThrow();
      expect(await store.audit.list()).toEqual([]);
    });

    it('rejects an audit entry whose details do not fit its event', async () => {
      await expect(
        store.audit.append({
          ...auditEntry('restart.verified'),
          details: { server_id: 'web-1' },
        } as unknown as AuditEntry),
      ).rejects.toThrow();
      expect(await store.audit.list()).toEqual([]);
    });

    it('counts restarts of a server within the window only', async () => {
      await executedAt('payment-server-01', minutes(0));
      await executedAt('payment-server-01', minutes(40));
      await executedAt('db-node-02', minutes(45));

      expect(await store.proposals.countRestarts('payment-server-01', minutes(-1))).toBe(2);
      expect(await store.proposals.countRestarts('payment-server-01', minutes(10))).toBe(1);
      expect(await store.proposals.countRestarts('payment-server-01', minutes(40))).toBe(1);
      expect(await store.proposals.countRestarts('payment-server-01', minutes(41))).toBe(0);
      expect(await store.proposals.countRestarts('db-node-02', minutes(10))).toBe(1);
      expect(await store.proposals.countRestarts('auth-service-03', minutes(-1))).toBe(0);
    });

    it('counts failed and verified restarts, and approvals in flight, but not pending or denied ones', async () => {
      const failed = await newProposal('s-1');
      await store.proposals.transition(failed.id, ['pending'], 'approved', { decidedAt: t0 });
      await store.proposals.transition(failed.id, ['approved'], 'failed', { executedAt: t0 });
      const recovered = await executedAt('s-1', t0);
      if (!recovered) throw new Error('setup: the executed transition did not happen');
      await store.proposals.transition(recovered.id, ['executed'], 'not_recovered');
      expect(await store.proposals.countRestarts('s-1', minutes(-1))).toBe(2);

      await newProposal('s-2');
      const denied = await newProposal('s-2');
      await store.proposals.transition(denied.id, ['pending'], 'denied', { decidedAt: t0 });
      expect(await store.proposals.countRestarts('s-2', minutes(-1))).toBe(0);

      const inFlight = await newProposal('s-3');
      await store.proposals.transition(inFlight.id, ['pending'], 'approved', { decidedAt: t0 });
      expect(await store.proposals.countRestarts('s-3', minutes(-1))).toBe(1);
      expect(await store.proposals.countRestarts('s-3', minutes(1))).toBe(0);
    });
    it('keeps the place an incident is presented in', async () => {
      const presentation = { place: 'slack:C0ALERTS:1700000000.000100', message: null };
      const incident = await store.incidents.create({
        source: 'slack',
        report: 'r',
        now: t0,
        presentation,
      });
      expect((await store.incidents.get(incident.id))?.presentation).toEqual(presentation);
      const moved = { ...presentation, message: 'slack:C0ALERTS:1700000000.000200' };
      await store.incidents.setPresentation(incident.id, moved);
      expect((await store.incidents.get(incident.id))?.presentation).toEqual(moved);
      expect((await newIncident()).presentation).toBeNull();
    });

    it("lets exactly one poster become the incident's message", async () => {
      const incident = await store.incidents.create({
        source: 'slack',
        report: 'r',
        now: t0,
        presentation: { place: 'thread-1', message: null },
      });
      const results = await Promise.all(
        ['m-2', 'm-3', 'm-4'].map((message) =>
          store.incidents.claimPresentation(incident.id, { place: 'thread-1', message }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = ['m-2', 'm-3', 'm-4'][results.indexOf(true)];
      expect((await store.incidents.get(incident.id))?.presentation?.message).toBe(winner);
      const bare = await newIncident();
      expect(
        await store.incidents.claimPresentation(bare.id, { place: 'thread-2', message: 'm-2.1' }),
      ).toBe(true);
      expect(
        await store.incidents.claimPresentation(bare.id, { place: 'thread-2', message: 'm-2.2' }),
      ).toBe(false);
    });

    it('paces reservations of one key, shared by every caller, and keys independently', async () => {
      const slots = await Promise.all(
        [1, 2, 3, 4].map(() => store.coordination.reserveSlot('slack:C1', t0, 1000)),
      );
      const times = slots.map((d) => d.getTime() - t0.getTime()).sort((a, b) => a - b);
      expect(times).toEqual([0, 1000, 2000, 3000]);
      expect((await store.coordination.reserveSlot('slack:C2', t0, 1000)).getTime()).toBe(
        t0.getTime(),
      );
      // Once the reserved slots are in the past, the next one starts now.
      expect((await store.coordination.reserveSlot('slack:C1', minutes(1), 1000)).getTime()).toBe(
        minutes(1).getTime(),
      );
    });

    it('approves a pending proposal once, and refuses when the restart budget is used', async () => {
      const first = await newProposal('web-1');
      const second = await newProposal('web-1');
      const approve = (id: string, by: string) =>
        store.proposals.approve(id, {
          decidedBy: by,
          decidedAt: t0,
          budget: 1,
          since: minutes(-30),
        });

      const won = await approve(first.id, 'U1');
      expect(won).toMatchObject({
        outcome: 'approved',
        proposal: { state: 'approved', decidedBy: 'U1' },
      });
      expect(await approve(first.id, 'U2')).toMatchObject({
        outcome: 'not_pending',
        proposal: { state: 'approved', decidedBy: 'U1' },
      });
      // The first approval is in flight: the budget of one restart per window is used.
      expect(await approve(second.id, 'U2')).toEqual({ outcome: 'budget_used', used: 1 });
      expect((await store.proposals.get(second.id))?.state).toBe('pending');
      expect(await approve('no-such-proposal', 'U1')).toEqual({
        outcome: 'not_pending',
        proposal: null,
      });
    });

    it('lets concurrent approvals of one server win exactly once', async () => {
      const proposals = await Promise.all([1, 2, 3, 4, 5].map(() => newProposal('web-2')));
      const attempts = await Promise.all(
        proposals.map((p, i) =>
          store.proposals.approve(p.id, {
            decidedBy: `U${i}`,
            decidedAt: t0,
            budget: 1,
            since: minutes(-30),
          }),
        ),
      );
      expect(attempts.filter((a) => a.outcome === 'approved')).toHaveLength(1);
      expect(attempts.filter((a) => a.outcome === 'budget_used')).toHaveLength(4);
    });

    it('counts started and unknown restarts, but not cancelled ones', async () => {
      const started = await newProposal('s-4');
      await store.proposals.transition(started.id, ['pending'], 'approved', { decidedAt: t0 });
      await store.proposals.transition(started.id, ['approved'], 'restarting', { executedAt: t0 });
      expect(await store.proposals.countRestarts('s-4', minutes(-1))).toBe(1);
      await store.proposals.transition(started.id, ['restarting'], 'unknown');
      expect(await store.proposals.countRestarts('s-4', minutes(-1))).toBe(1);

      const cancelled = await newProposal('s-5');
      await store.proposals.transition(cancelled.id, ['pending'], 'approved', { decidedAt: t0 });
      await store.proposals.transition(cancelled.id, ['approved'], 'cancelled');
      expect(await store.proposals.countRestarts('s-5', minutes(-1))).toBe(0);
    });

    it('needs `required` distinct approvers; a repeat by one of them counts once', async () => {
      const p = await newProposal('web-3');
      const approve = (by: string, budget = 1) =>
        store.proposals.approve(p.id, {
          decidedBy: by,
          decidedAt: t0,
          budget,
          since: minutes(-30),
          required: 2,
        });
      expect(await approve('U1')).toMatchObject({
        outcome: 'recorded',
        approvals: 1,
        required: 2,
        proposal: { state: 'pending' },
      });
      expect(await approve('U1')).toMatchObject({ outcome: 'repeat', approvals: 1, required: 2 });
      expect((await store.proposals.get(p.id))?.state).toBe('pending');
      expect(await approve('U2')).toMatchObject({
        outcome: 'approved',
        approvers: ['U1', 'U2'],
        proposal: { state: 'approved', decidedBy: 'U2' },
      });
      expect(await approve('U3')).toMatchObject({ outcome: 'not_pending' });
    });

    it('checks the budget on the last approval needed, and keeps no approval it refused', async () => {
      await executedAt('web-4', t0);
      const p = await newProposal('web-4');
      const approve = (by: string) =>
        store.proposals.approve(p.id, {
          decidedBy: by,
          decidedAt: t0,
          budget: 1,
          since: minutes(-30),
          required: 2,
        });
      expect(await approve('U1')).toMatchObject({ outcome: 'recorded', approvals: 1 });
      expect(await approve('U2')).toEqual({ outcome: 'budget_used', used: 1 });
      // U2's refused approval is not kept: after the window, U2 approving again completes it.
      expect(
        await store.proposals.approve(p.id, {
          decidedBy: 'U2',
          decidedAt: minutes(40),
          budget: 1,
          since: minutes(10),
          required: 2,
        }),
      ).toMatchObject({ outcome: 'approved', approvers: ['U1', 'U2'] });
    });

    it('two approvers clicking at once under a two-person rule approve exactly once', async () => {
      const p = await newProposal('web-5');
      const attempts = await Promise.all(
        ['U1', 'U2', 'U3', 'U4'].map((by) =>
          store.proposals.approve(p.id, {
            decidedBy: by,
            decidedAt: t0,
            budget: 1,
            since: minutes(-30),
            required: 2,
          }),
        ),
      );
      expect(attempts.filter((a) => a.outcome === 'approved')).toHaveLength(1);
      expect(attempts.filter((a) => a.outcome === 'recorded')).toHaveLength(1);
      expect(attempts.filter((a) => a.outcome === 'not_pending')).toHaveLength(2);
    });

    it('lists the restarts in flight (approved, restarting, executed), oldest decision first', async () => {
      const approved = await newProposal('f-1');
      await store.proposals.transition(approved.id, ['pending'], 'approved', {
        decidedAt: minutes(2),
      });
      const restarting = await newProposal('f-2');
      await store.proposals.transition(restarting.id, ['pending'], 'approved', {
        decidedAt: minutes(1),
      });
      await store.proposals.transition(restarting.id, ['approved'], 'restarting', {
        executedAt: minutes(1),
      });
      const executed = await executedAt('f-3', minutes(3));
      const done = await executedAt('f-4', minutes(0));
      if (!executed || !done) throw new Error('setup: the executed transitions did not happen');
      await store.proposals.transition(done.id, ['executed'], 'recovered');
      await newProposal('f-5');
      expect((await store.proposals.listInFlight(10)).map((p) => p.serverId)).toEqual([
        'f-2',
        'f-1',
        'f-3',
      ]);
      expect(await store.proposals.listInFlight(1)).toHaveLength(1);
    });

    it("lists an incident's proposals and the pending ones that expired", async () => {
      const p = await newProposal('db-1');
      expect((await store.proposals.forIncident(p.incidentId)).map((x) => x.id)).toEqual([p.id]);
      expect(await store.proposals.forIncident('INC-00000000')).toEqual([]);
      expect(await store.proposals.listExpired(minutes(29), 10)).toEqual([]);
      expect((await store.proposals.listExpired(minutes(30), 10)).map((x) => x.id)).toEqual([p.id]);
      await store.proposals.transition(p.id, ['pending'], 'denied');
      expect(await store.proposals.listExpired(minutes(60), 10)).toEqual([]);
    });

    it('gives a claim to exactly one caller until it expires', async () => {
      const results = await Promise.all(
        [1, 2, 3].map(() => store.coordination.claim('event:Ev1', t0, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.coordination.claim('event:Ev1', minutes(0.5), 60_000)).toBe(false);
      expect(await store.coordination.claim('event:Ev2', t0, 60_000)).toBe(true);
      expect(await store.coordination.claim('event:Ev1', minutes(1), 60_000)).toBe(true);
    });

    it('says whether a claim is held, without taking it', async () => {
      expect(await store.coordination.held('delivery:1', t0)).toBe(false);
      expect(await store.coordination.claim('delivery:1', t0, 60_000)).toBe(true);
      expect(await store.coordination.held('delivery:1', minutes(0.5))).toBe(true);
      expect(await store.coordination.held('delivery:1', minutes(1))).toBe(false);
      expect(await store.coordination.held('delivery:2', t0)).toBe(false);
      expect(await store.coordination.claim('delivery:2', t0, 60_000)).toBe(true);
    });

    it('forgets expired claims, in bounded batches, and keeps live ones', async () => {
      for (const key of ['a', 'b', 'c']) await store.coordination.claim(`old:${key}`, t0, 60_000);
      await store.coordination.claim('live', minutes(1), 60_000);
      expect(await store.coordination.forgetExpiredClaims(minutes(0.5), 10)).toBe(0);
      expect(await store.coordination.forgetExpiredClaims(minutes(1), 2)).toBe(2);
      expect(await store.coordination.forgetExpiredClaims(minutes(1), 10)).toBe(1);
      expect(await store.coordination.held('live', minutes(1.5))).toBe(true);
      expect(await store.coordination.claim('old:a', minutes(1), 60_000)).toBe(true);
    });

    it('groups repeats of an alert within the window and opens a new group after it', async () => {
      const place = (ts: string) => `thread-${ts}`;
      const join = (at: Date, ts: string) =>
        store.coordination.joinAlertGroup({
          key: 'servers:web-1',
          now: at,
          windowMs: 15 * 60_000,
          place: place(ts),
        });

      const first = await join(t0, '1.1');
      expect(first).toMatchObject({
        opened: true,
        group: { count: 1, place: place('1.1'), incidentId: null },
      });
      const repeat = await join(minutes(5), '1.2');
      expect(repeat).toMatchObject({
        opened: false,
        group: { id: first.group.id, count: 2, place: place('1.1') },
      });
      const other = await store.coordination.joinAlertGroup({
        key: 'servers:db-1',
        now: minutes(5),
        windowMs: 15 * 60_000,
        place: place('1.3'),
      });
      expect(other.opened).toBe(true);
      const later = await join(minutes(16), '1.4');
      expect(later).toMatchObject({ opened: true, group: { count: 1, place: place('1.4') } });

      await store.coordination.setAlertGroupIncident(first.group.id, 'INC-0000000A');
      await store.coordination.setAlertGroupCounter(first.group.id, 'counter-1.9', 5);
      await store.coordination.setAlertGroupCounter(first.group.id, 'counter-1.9', 3);
      expect(await store.coordination.getAlertGroup(first.group.id)).toMatchObject({
        incidentId: 'INC-0000000A',
        counter: 'counter-1.9',
        reportedCount: 5,
      });
    });

    it('opens one group when repeats of a new alert arrive at once', async () => {
      const joins = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.coordination.joinAlertGroup({
            key: 'servers:cache-1',
            now: t0,
            windowMs: 60_000,
            place: `thread-2.${i}`,
          }),
        ),
      );
      expect(joins.filter((j) => j.opened)).toHaveLength(1);
      expect(Math.max(...joins.map((j) => j.group.count))).toBe(8);
    });

    it('joins a group by an alias however late, resolves it once, and links the next firing to it', async () => {
      const join = (at: Date, extra: { key?: string; aliases?: string[] } = {}) =>
        store.coordination.joinAlertGroup({
          key: extra.key ?? 'servers:web-1',
          now: at,
          windowMs: 15 * 60_000,
          place: null,
          aliases: extra.aliases ?? ['fp:abc'],
        });
      const first = await join(t0);
      expect(first).toMatchObject({ opened: true, previous: null, group: { place: null } });
      // Past the window, but the same fingerprint: still the same alert, still firing.
      const late = await join(minutes(90));
      expect(late).toMatchObject({ opened: false, group: { id: first.group.id, count: 2 } });
      // An alias reaches the group even under another key (a label changed its servers).
      const renamed = await join(minutes(91), { key: 'servers:web-2' });
      expect(renamed.group.id).toBe(first.group.id);
      await store.coordination.setAlertGroupIncident(first.group.id, 'INC-0000000A');
      expect((await store.coordination.openAlertGroupOf('INC-0000000A'))?.id).toBe(first.group.id);

      const resolving = () =>
        store.coordination.resolveAlertGroup({
          key: null,
          aliases: ['fp:abc'],
          now: minutes(100),
          lookbackMs: 24 * 60 * 60_000,
        });
      const [a, b] = await Promise.all([resolving(), resolving()]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect((a ?? b)?.resolvedAt).toBe(minutes(100).toISOString());
      expect(await resolving()).toBeNull();
      expect(await store.coordination.openAlertGroupOf('INC-0000000A')).toBeNull();

      // A resolved group takes no more alerts: the next firing opens a group linked to it.
      const again = await join(minutes(110));
      expect(again.opened).toBe(true);
      expect(again.previous?.id).toBe(first.group.id);
      // By key alone too, for alerts without a fingerprint.
      await store.coordination.resolveAlertGroup({
        key: 'servers:web-1',
        aliases: [],
        now: minutes(111),
        lookbackMs: 60 * 60_000,
      });
      const third = await join(minutes(112), { aliases: [] });
      expect(third.previous?.id).toBe(again.group.id);
    });

    it('folds incidents of one cause into one storm, once, and keeps causes apart', async () => {
      const fold = (incidentId: string, cause = 'dependency:es:9200', at = t0) =>
        store.coordination.joinStorm({
          cause,
          incidentId,
          servers: [`srv-${incidentId}`],
          now: at,
          windowMs: 15 * 60_000,
        });
      const joins = await Promise.all(
        ['INC-00000001', 'INC-00000002', 'INC-00000003', 'INC-00000004'].map((id) => fold(id)),
      );
      expect(joins.filter((j) => j.opened)).toHaveLength(1);
      const parent = joins.find((j) => j.opened)?.storm.parentIncidentId;
      expect(new Set(joins.map((j) => j.storm.id)).size).toBe(1);
      expect(joins.every((j) => j.storm.parentIncidentId === parent)).toBe(true);
      // A retried investigation gets its storm back unchanged.
      const retry = await fold('INC-00000002');
      expect(retry.storm).toMatchObject({ members: 4, parentIncidentId: parent });
      expect(retry.storm.servers).toHaveLength(4);
      // Another cause is another storm.
      expect((await fold('INC-00000005', 'dependency:db:5432')).opened).toBe(true);
      expect((await store.coordination.stormOf('INC-00000003'))?.parentIncidentId).toBe(parent);
      expect(await store.coordination.stormOf('INC-0000FFFF')).toBeNull();

      const resolved = [];
      for (const id of ['INC-00000001', 'INC-00000002', 'INC-00000003'])
        resolved.push(await store.coordination.resolveStormMember(id, minutes(5)));
      expect(resolved.map((r) => r?.unresolved)).toEqual([3, 2, 1]);
      expect(
        (await store.coordination.resolveStormMember('INC-00000003', minutes(6)))?.changed,
      ).toBe(false);
      const last = await store.coordination.resolveStormMember('INC-00000004', minutes(7));
      expect(last).toMatchObject({ unresolved: 0, changed: true });
      expect(last?.storm.resolvedAt).toBe(minutes(7).toISOString());
      // A resolved storm takes no new members; nor does one opened longer ago than the window.
      expect((await fold('INC-00000007', 'dependency:es:9200', minutes(8))).opened).toBe(true);
      expect((await fold('INC-00000008', 'dependency:es:9200', minutes(12))).opened).toBe(false);
      expect((await fold('INC-00000009', 'dependency:es:9200', minutes(24))).opened).toBe(true);
    });

    it('leases jobs oldest first, once, and hands an expired lease to another owner', async () => {
      const a = await store.jobs.enqueue({ kind: 'investigate', payload: { n: 1 }, now: t0 });
      const b = await store.jobs.enqueue({
        kind: 'investigate',
        payload: { n: 2 },
        now: minutes(1),
      });

      const first = await store.jobs.claim({ owner: 'r1', now: minutes(2), leaseMs: 60_000 });
      expect(first).toMatchObject({
        id: a.id,
        state: 'running',
        owner: 'r1',
        attempts: 1,
        payload: { n: 1 },
      });
      const second = await store.jobs.claim({ owner: 'r2', now: minutes(2), leaseMs: 60_000 });
      expect(second?.id).toBe(b.id);
      expect(await store.jobs.claim({ owner: 'r2', now: minutes(2), leaseMs: 60_000 })).toBeNull();

      expect(await store.jobs.renew(a.id, 'r2', minutes(2.5), 60_000)).toBe(false);
      expect(await store.jobs.renew(a.id, 'r1', minutes(2.5), 60_000)).toBe(true);
      // r1 dies: once its lease runs out, r2 takes the job over.
      const takeover = await store.jobs.claim({ owner: 'r2', now: minutes(4), leaseMs: 60_000 });
      expect(takeover).toMatchObject({ id: a.id, owner: 'r2', attempts: 2 });
      expect(await store.jobs.renew(a.id, 'r1', minutes(4), 60_000)).toBe(false);

      await store.jobs.finish(a.id, 'r1', 'done');
      expect((await store.jobs.get(a.id))?.state).toBe('running');
      await store.jobs.finish(a.id, 'r2', 'done');
      await store.jobs.finish(b.id, 'r2', 'failed', 'boom');
      expect(await store.jobs.get(a.id)).toMatchObject({ state: 'done', error: null });
      expect(await store.jobs.get(b.id)).toMatchObject({ state: 'failed', error: 'boom' });
      expect(await store.jobs.claim({ owner: 'r3', now: minutes(60), leaseMs: 60_000 })).toBeNull();
    });

    it('never leases one job to two concurrent claimers', async () => {
      await Promise.all(
        [1, 2, 3].map((n) => store.jobs.enqueue({ kind: 'k', payload: { n }, now: t0 })),
      );
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store.jobs.claim({ owner: `r${i}`, now: t0, leaseMs: 60_000 }),
        ),
      );
      const ids = claims.flatMap((c) => (c ? [c.id] : []));
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
    });
  });
}
